"""Property-based tests (hypothesis) of the topic query language: any query the grammar allows,
over any post text, gives the same answer in DuckDB (compile_sql, every term a parameter), in the
many-topics statement the marts use (rule_matches_sql) and in the Python evaluator; and no input
makes the parser fail other than with a positioned QueryError. The words mask (macro words_mask)
is the same in SQL and Python, and a query's mask condition never drops a text the query matches."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from escucha.topics.matching import TopicRule, rule_matches_sql
from escucha.topics.query import (QueryError, compile_sql, mask_condition, matches, needles, normalize, parse,
                                  words_mask)

WORDS = ["derrame", "petróleo", "Petroleo", "mar", "playa", "paro", "amparo", "congreso", "año", "ano",
         "niño", "pingüino", "internet", "e-mail", "ventanilla", "DIGITAL", "digitalización", "1990"]
PUNCT = [" ", " ", " ", ", ", ". ", "! ", "¿", "?", " — ", "\n", "  ", "'", "\"", "(", ")", "😢 ", "🌊", "/"]

# the match_text macro's DuckDB expression (dbt_project/macros/engine_functions.sql)
MATCH_TEXT_SQL = r"(' ' || trim(regexp_replace(lower(strip_accents(coalesce(?, ''))), '[^\p{L}\p{N}_#@]+', ' ', 'g')) || ' ')"


# the words_mask macro's DuckDB expression, over a column named t
WORDS_MASK_SQL = """coalesce(list_aggregate(list_transform(list_transform(
        list_filter(string_split(trim(t), ' '), lambda w: length(ltrim(w, '#@')) >= 4),
        lambda w: md5(ltrim(w, '#@'))),
        lambda h: (cast(1 as uhugeint) << cast(cast('0x' || substr(h, 1, 2) as utinyint) % 128 as uhugeint))
            | (cast(1 as uhugeint) << cast(cast('0x' || substr(h, 3, 2) as utinyint) % 128 as uhugeint))
            | (cast(1 as uhugeint) << cast(cast('0x' || substr(h, 5, 2) as utinyint) % 128 as uhugeint))),
        'bit_or'), cast(0 as uhugeint))"""


def _macro_matches_this_test() -> bool:
    macro = (Path(__file__).resolve().parents[1] / "dbt_project" / "macros" / "engine_functions.sql").read_text()
    return (MATCH_TEXT_SQL.replace("?", "{{ expr }}") in macro
            and WORDS_MASK_SQL.replace("trim(t)", "trim({{ expr }})") in macro)


word = st.sampled_from(WORDS)
term = st.one_of(
    word,
    word.map(lambda w: "#" + w.replace("-", "")),
    word.map(lambda w: "@" + w.replace("-", "")),
    word.filter(lambda w: "-" not in w).map(lambda w: w[: max(2, len(w) // 2)] + "*"),
    st.lists(word, min_size=2, max_size=3).map(lambda ws: '"' + " ".join(ws) + '"'),
)


def _combine(children: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(
        st.tuples(children, children).map(lambda ab: f"({ab[0]} OR {ab[1]})"),
        st.tuples(children, children).map(lambda ab: f"({ab[0]} AND {ab[1]})"),
        st.tuples(children, children).map(lambda ab: f"({ab[0]} AND NOT {ab[1]})"),
    )


near = st.tuples(st.one_of(term, st.lists(word, min_size=2, max_size=2).map(lambda ws: f"({ws[0]} OR {ws[1]})")),
                 st.integers(1, 4), term).map(lambda t: f"({t[0]} NEAR/{t[1]} {t[2]})")
query = st.recursive(st.one_of(term, near), _combine, max_leaves=6)
text = st.lists(st.tuples(st.sampled_from(["", "#", "@", ""]), word, st.sampled_from(PUNCT)), max_size=14).map(
    lambda parts: "".join(p + (w.upper() if i % 5 == 3 else w) + s for i, (p, w, s) in enumerate(parts)))


@pytest.fixture(scope="module")
def con():
    with duckdb.connect() as c:
        yield c


def test_the_macro_is_the_expression_these_properties_check():
    assert _macro_matches_this_test()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=query, texts=st.lists(text, min_size=1, max_size=6))
def test_sql_and_python_agree_on_any_query_and_text(con, q, texts):
    node = parse(q)
    expr, params = compile_sql(node, "t")
    for s in texts:
        [(padded,)] = con.execute(f"select {MATCH_TEXT_SQL}", [s]).fetchall()
        assert padded == f" {normalize(s)} "
        [(hit,)] = con.execute(f"select {expr} from (select ? as t)", params + [padded]).fetchall()
        assert bool(hit) == matches(node, s), (q, s)


@pytest.mark.parametrize("match_text", [
    " ", " x ", " abc ", " abcd ", " #abc ", " #abcd ", " @@abcd ", " #@ab ", " ## ", " @@ ", " ab#cdef ",
    " #ab#c ", " a@b_c ", " nino ", " 1990 ", " 12345 ", " 中文字符 ", " δοκιμή ", " x abcd y abcd ",
])
def test_the_words_mask_is_the_same_in_sql_and_python_on_odd_words(con, match_text):
    """Words the texts above do not make: several leading #/@, # or @ inside a word, other scripts."""
    [(in_sql,)] = con.execute(f"select {WORDS_MASK_SQL} from (select ? as t)", [match_text]).fetchall()
    assert in_sql == words_mask(match_text), match_text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=query, texts=st.lists(text, min_size=1, max_size=6))
def test_the_words_mask_is_the_same_in_sql_and_python_and_never_drops_a_match(con, q, texts):
    node = parse(q)
    condition = mask_condition(node, "m")
    for s in texts:
        padded = f" {normalize(s)} "
        [(in_sql,)] = con.execute(f"select {WORDS_MASK_SQL} from (select ? as t)", [padded]).fetchall()
        assert in_sql == words_mask(padded), s
        if condition is None:
            continue
        [(passes,)] = con.execute(f"select {condition} from (select ?::uhugeint as m)", [str(in_sql)]).fetchall()
        if matches(node, s):
            assert passes, (q, s, condition)
        # a row built before the warehouse had masks (NULL) is always looked at
        [(passes_null,)] = con.execute(f"select {condition} from (select null::uhugeint as m)").fetchall()
        assert passes_null


@settings(max_examples=300, deadline=None)
@given(q=query, texts=st.lists(text, min_size=1, max_size=6))
def test_a_text_the_query_matches_holds_one_of_its_needles(q, texts):
    """The prefilter compile_sql puts first is a necessary condition: it never drops a match."""
    node = parse(q)
    found = needles(node)
    for s in texts:
        if matches(node, s):
            assert found is None or any(n in f" {normalize(s)} " for n in found), (q, s, found)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(qs=st.lists(query, min_size=1, max_size=4), texts=st.lists(text, min_size=1, max_size=8))
def test_the_many_topics_statement_equals_each_query_alone(con, qs, texts):
    rules = [TopicRule(f"t{i}", 1, q, whole_year=True) for i, q in enumerate(qs)]
    con.execute("create or replace temp table posts (post_key varchar, created_at timestamp, match_text varchar, "
                "words_mask uhugeint)")
    con.executemany("insert into posts values (?, timestamp '2022-01-15 12:00:00', ?, ?)",
                    [(f"p{i}", f" {normalize(s)} ", str(words_mask(f" {normalize(s)} "))) for i, s in enumerate(texts)])
    expected = {(f"p{i}", f"t{j}") for i, s in enumerate(texts) for j, q in enumerate(qs) if matches(parse(q), s)}
    for mask_column in (None, "words_mask"):
        sql, params = rule_matches_sql(rules, "posts", mask_column=mask_column)
        got = {(k, t) for k, _, t, _, _ in con.execute(sql, params).fetchall()}
        assert got == expected, mask_column


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('ab "()*#@-/NEARORANDOT1234 ñá\t')), max_size=40))
def test_any_text_parses_or_fails_with_a_position(raw):
    try:
        parse(raw)
    except QueryError as exc:
        assert 1 <= exc.position <= max(1, len(raw) + 1)
        assert str(exc).startswith(f"position {exc.position}: ")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_no_text_breaks_the_parser_with_anything_but_query_error(raw):
    try:
        parse(raw)
    except QueryError:
        pass
