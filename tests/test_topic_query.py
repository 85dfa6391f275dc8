"""The boolean topic query language: parser, Python evaluator and DuckDB SQL agree."""
from __future__ import annotations

import duckdb
import pytest

from escucha.topics.query import (
    And,
    Near,
    Not,
    Or,
    Phrase,
    QueryError,
    Term,
    compile_sql,
    matches,
    needles,
    normalize,
    parse,
)


@pytest.fixture(scope="module")
def con():
    c = duckdb.connect()
    c.execute("create table posts (id integer, body varchar)")
    c.execute("insert into posts values (1, 'sentinel')")
    yield c
    c.close()


def sql_matches(con, query: str, text: str) -> bool:
    sql, params = compile_sql(parse(query), "t")
    padded = f" {normalize(text)} "
    return con.execute(f"select {sql} from (select ? as t)", params + [padded]).fetchone()[0]


CASES = [
    # accents and case, both ways
    ("digitalizacion", "La digitalización avanza", True),
    ("digitalización", "la DIGITALIZACION avanza", True),
    ("Minería", "mineria ilegal", True),
    ("niño", "el NINO costero", True),
    ("PARO", "paro nacional", True),
    # whole words only
    ("paro", "pidió amparo", False),
    ("paro", "paro, nacional!", True),
    ("paro", "«paro»", True),
    ("paro", "¿paro?", True),
    # phrases
    ('"derrame de petróleo"', "Otro derrame de petroleo en Ventanilla", True),
    ('"derrame de petróleo"', "derrame grande de petroleo", False),
    ('"derrame de petróleo"', "petróleo de derrame", False),
    ("“paro nacional”", "el Paro Nacional de hoy", True),
    # OR / AND / NOT / AND NOT / implicit AND / parentheses
    ("paro OR huelga", "la huelga sigue", True),
    ("paro OR huelga", "todo tranquilo", False),
    ("paro AND lima", "paro en Lima", True),
    ("paro AND lima", "paro en Cusco", False),
    ("paro lima", "Lima: paro", True),
    ("paro lima", "paro en cusco", False),
    ("paro AND NOT transportistas", "paro de transportistas", False),
    ("paro AND NOT transportistas", "paro docente", True),
    ("paro NOT transportistas", "paro docente", True),
    ("(paro OR huelga) AND (lima OR callao)", "huelga en el Callao", True),
    ("(paro OR huelga) AND (lima OR callao)", "huelga en Cusco", False),
    ("paro OR huelga AND lima", "paro en cusco", True),  # AND binds tighter than OR
    ("NOT spam AND (paro OR huelga)", "huelga y spam", False),
    # lower-case operators are words
    ("agua or luz", "agua or luz", True),
    ("agua or luz", "agua luz", False),
    ("agua or luz", "agua OR luz", True),  # text is case-folded, "or" is a word there
    # wildcards
    ("digital*", "transformación digitalizada", True),
    ("digital*", "lo digital", True),
    ("digital*", "predigital", False),
    ("digital*", "#DigitalPeru", True),
    # hashtags and accounts
    ("#paro", "Todos al #Paro!", True),
    ("#paro", "hay paro hoy", False),
    ("paro", "Todos al #paro", True),
    ("paro", "hola @paro", False),
    ("#paroNacional", "#ParoNacional ya", True),
    ("#paro", "#paronacional ya", False),
    ("#paro*", "#paronacional ya", True),
    ("@minam", "cc @MINAM por favor", True),
    ("@minam", "el minam no responde", False),
    ("@minam", "cc @minam_peru", False),
    ("minam", "cc @minam", False),
    # NEAR/n in both orders, at and beyond n
    ("derrame NEAR/5 ventanilla", "derrame en la playa de ventanilla", True),
    ("derrame NEAR/5 ventanilla", "Ventanilla sufre otro derrame", True),
    ("derrame NEAR/2 ventanilla", "derrame a b ventanilla", True),
    ("derrame NEAR/2 ventanilla", "derrame a b c ventanilla", False),
    ("derrame NEAR/1 ventanilla", "ventanilla, derrame", True),
    ('"derrame de petroleo" NEAR/3 repsol', "Repsol niega el derrame de petróleo", True),
    ("(derrame OR fuga) NEAR/2 crudo", "fuga de crudo", True),
    ("derra* NEAR/1 ventanilla", "derrames ventanilla", True),
    ("#paro NEAR/1 lima", "#paro en Lima", True),
    ("#paro NEAR/1 lima", "paro en Lima", False),
    # emoji and punctuation
    ("paro", "🔥🔥paro🔥🔥", True),
    ("paro AND 🔥", "paro", None),  # refused: a term with no letters (see below)
    ("mañana", "MAÑANA!!! 😡", True),
]


@pytest.mark.parametrize(("query", "text", "expected"), [c for c in CASES if c[2] is not None])
def test_python_and_sql_agree(con, query: str, text: str, expected: bool) -> None:
    node = parse(query)
    assert matches(node, text) is expected
    assert sql_matches(con, query, text) is expected


def test_emoji_term_refused() -> None:
    with pytest.raises(QueryError, match="term has no letters or digits"):
        parse("paro AND 🔥")


def test_normalize() -> None:
    assert normalize("¡Niño, DIGITALIZACIÓN!  #Paro @MINAM_pe 😀 e-mail") == (
        "nino digitalizacion #paro @minam_pe e mail"
    )
    assert normalize("  ..  ") == ""


def test_ast_shape() -> None:
    assert parse("a b OR NOT c d") == Or(
        (And((Term("word", "a", pos=1), Term("word", "b", pos=3))),
         And((Not(Term("word", "c", pos=12), pos=8), Term("word", "d", pos=14))))
    )
    assert parse("x NEAR/3 \"y z\"") == Near(Term("word", "x", pos=1), Phrase("y z", pos=10), 3, pos=3)
    assert parse("e-mail") == Phrase("e mail", pos=1)


ERRORS = [
    ("", 1, "query is empty"),
    ("   ", 1, "query is empty"),
    ('paro AND "derrame', 10, "unclosed quote"),
    ("paro OR huelga OR", 16, "OR needs a term on its right"),
    ("OR paro", 1, "OR needs a term on its left"),
    ("paro AND", 6, "AND needs a term on its right"),
    ("paro NOT", 6, "NOT needs a term on its right"),
    ("(paro OR huelga", 1, "unbalanced parenthesis"),
    ("paro))", 5, "unbalanced parenthesis"),
    ("a ()", 3, "empty parentheses"),
    ("a NEAR/x b", 3, "NEAR/n needs a whole number n >= 1"),
    ("a NEAR/0 b", 3, "NEAR/n needs a whole number n >= 1"),
    ("a NEAR b", 3, "NEAR/n needs a whole number n >= 1"),
    ("a NEAR/3", 3, "NEAR/n needs a word or phrase on its right"),
    ("NOT a NEAR/3 b", 7, "NEAR/n needs a word or phrase on its left"),
    ("a NEAR/2 b NEAR/2 c", 12, "NEAR/n cannot be chained; join NEAR groups with AND"),
    ("NOT paro", 1, "a query cannot be only NOT"),
    ("NOT a AND NOT b", 1, "a query cannot be only NOT"),
    ("paro OR NOT huelga", 9, "a query cannot be only NOT"),
    ("di*gital", 3, "wildcard * is only allowed at the end of a word"),
    ("a *", 3, "wildcard * needs letters or digits before it"),
    ("#", 1, "hashtag needs a name"),
    ('a ""', 3, "empty phrase"),
]


@pytest.mark.parametrize(("query", "position", "reason"), ERRORS)
def test_malformed(query: str, position: int, reason: str) -> None:
    with pytest.raises(QueryError) as info:
        parse(query)
    assert info.value.position == position
    assert info.value.message == reason
    assert str(info.value) == f"position {position}: {reason}"


INJECTIONS = [
    "x' OR 1=1",
    "x' OR 1=1 --",
    '"); drop table posts; --',
    '"x\'); drop table posts; --"',
    "a\"b",
    "drop; table posts",
    "' OR '1'='1",
    "robert'); DROP TABLE posts;--",
    '"1) OR (1=1" OR contains',
    "select* NEAR/2 posts",
]


@pytest.mark.parametrize("query", INJECTIONS)
def test_injection_never_reaches_sql(con, query: str) -> None:
    try:
        node = parse(query)
    except QueryError:
        pass
    else:
        sql, params = compile_sql(node, "t")
        lowered = sql.lower()
        for bad in ("'", '"', ";", "--", "drop", "posts", "1=1", "robert", "select"):
            assert bad not in lowered
        assert sql.count("?") == len(params)
        # the user's words are in the parameters
        assert any("posts" in p or "1" in p or "x" in p or "robert" in p for p in params)
        con.execute(f"select {sql} from (select ? as t)", params + [" drop table posts "]).fetchone()
    assert con.execute("select count(*) from posts").fetchone()[0] == 1


def test_column_identifier_checked() -> None:
    with pytest.raises(ValueError):
        compile_sql(parse("paro"), "t; drop table posts")
    sql, _ = compile_sql(parse("paro"), "p.body_norm")
    assert "p.body_norm" in sql


def test_compile_against_table(con) -> None:
    con.execute("create temp table docs (id integer, txt varchar)")
    texts = ["Paro en Lima", "#paro nacional", "amparo judicial", "huelga en Cusco"]
    con.executemany("insert into docs values (?, ?)", [(i, f" {normalize(t)} ") for i, t in enumerate(texts)])
    sql, params = compile_sql(parse("paro OR (huelga NOT lima)"), "txt")
    ids = [r[0] for r in con.execute(f"select id from docs where {sql} order by id", params).fetchall()]
    assert ids == [0, 1, 3]


@pytest.mark.parametrize("query, expected", [
    ("paro", {"paro"}),
    ("#paro", {"#paro"}),
    ("digital*", {"digital"}),
    ('"mancha de petróleo"', {"mancha de petroleo"}),
    ("paro OR (huelga NOT lima)", {"paro", "huelga"}),
    ("huelga AND NOT lima", {"huelga"}),
    # a NEAR needs both sides: the side with fewer needles is enough
    ("(derrame OR crudo) NEAR/5 (mar OR playa* OR ventanilla)", {"derrame", "crudo"}),
    # '#derramedepetroleo' holds 'derrame': looking for the shorter one is enough
    ("#DerrameDePetróleo OR derrame", {"derrame"}),
    ("(paro OR huelga) (congreso OR lima OR cusco)", {"paro", "huelga"}),
])
def test_every_match_holds_one_of_the_query_needles(query: str, expected: set[str]) -> None:
    assert needles(parse(query)) == expected


def test_many_needles_are_one_regex_pass_and_few_are_contains() -> None:
    sql, params = compile_sql(parse("congreso OR elecciones OR #vacancia OR jne"), "t")
    assert sql.startswith("(regexp_matches(t, ?) AND ")
    assert params[0] == r"\#vacancia|congreso|elecciones|jne"
    sql, params = compile_sql(parse("congreso NOT fujimori"), "t")
    assert sql.startswith("((contains(t, ?)) AND ") and params[0] == "congreso"
