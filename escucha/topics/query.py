"""The boolean topic query language (Brandwatch / Talkwalker style).

Grammar (operators are upper case only; ``or``/``and``/``not``/``near`` in
lower case are ordinary words)::

    query   := or_expr EOF
    or_expr := and_expr ( "OR" and_expr )*
    and_expr:= near ( ["AND"] near )*          -- adjacency is an implicit AND;
                                               -- "AND NOT x" is AND + unary NOT
    near    := unary ( "NEAR/n" unary )?       -- no chaining: a NEAR b NEAR c is refused
    unary   := "NOT" unary | primary
    primary := TERM | PHRASE | "(" or_expr ")"

Precedence, tightest first: NOT > NEAR > AND > OR.  Because NOT binds
tighter than NEAR, ``NOT a NEAR/3 b`` is refused (NEAR's left side would be a
NOT); write ``NOT (a NEAR/3 b)``.

Terms
    ``word``       whole word; also matches its hashtag form (``paro`` finds
                   ``paro`` and ``#paro``, but not ``@paro`` nor ``amparo``).
    ``#tag``       the hashtag only (``#paro`` does not find the bare ``paro``).
    ``@account``   the mention only.
    ``digital*``   trailing wildcard: words starting with ``digital`` (and, like a
                   bare word, hashtags ``#digital...``).  ``#dig*``/``@min*`` stay
                   restricted to hashtags / mentions.  ``*`` anywhere else is an error.
    ``"a phrase"`` the exact sequence of normalized words, nothing in between.
                   A quoted single word is an *exact* word: ``"paro"`` does not
                   find ``#paro``.  ``"..."``, ``“...”`` are both accepted quotes.
    A bare term whose normalization splits it (``e-mail``, ``1=1``) becomes the
    phrase of its parts; a term with no letters/digits at all (``--``) is refused.

NEAR/n (1 <= n <= 100)
    The two operands in either order with at most ``n`` other words between
    them (``a NEAR/1 b`` matches "a b" and "a x b", not "a x y b").  Operands
    are terms, phrases, or parenthesized OR-groups of those
    (``(derrame OR fuga) NEAR/5 ventanilla``).  Operands may not overlap.

A query whose every branch is negative (``NOT a``, ``NOT a AND NOT b``,
``a OR NOT b``) is refused: it would match almost every post.

Matching happens on :func:`normalize`'d text padded with one space on each
side (the warehouse stores ``' ' || normalized || ' '``).  :func:`compile_sql`
never pastes user text into SQL: every literal and regex is a ``?`` parameter.
:func:`matches` is the pure-Python twin of the SQL, used by the tests.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from typing import Union

MAX_NEAR = 100

_NON_WORD = re.compile(r"[^\w#@]+")  # \w (unicode) = letters, digits, underscore
_QUOTES = {'"', "\u201c", "\u201d"}
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$")


class QueryError(ValueError):
    """A malformed query; ``position`` is 1-based."""

    def __init__(self, message: str, position: int):
        super().__init__(message, position)
        self.message = message
        self.position = position

    def __str__(self) -> str:
        return f"position {self.position}: {self.message}"


def normalize(text: str) -> str:
    """Lower case, accents removed (ñ -> n), every run of characters other
    than letters/digits/#/@/_ collapsed to one space, ends stripped."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", stripped).strip()


# --------------------------------------------------------------------------- AST


@dataclass(frozen=True)
class Term:
    kind: str  # "word" | "hashtag" | "mention"
    text: str  # normalized, including the leading # / @; without the *
    wildcard: bool = False
    pos: int = 0


@dataclass(frozen=True)
class Phrase:
    text: str  # normalized words separated by single spaces
    pos: int = 0


@dataclass(frozen=True)
class Not:
    child: "Node"
    pos: int = 0


@dataclass(frozen=True)
class And:
    children: tuple["Node", ...]


@dataclass(frozen=True)
class Or:
    children: tuple["Node", ...]


@dataclass(frozen=True)
class Near:
    left: "Node"
    right: "Node"
    n: int
    pos: int = 0


Node = Union[Term, Phrase, Not, And, Or, Near]


# --------------------------------------------------------------------- tokenizer


@dataclass(frozen=True)
class _Tok:
    kind: str  # LPAREN RPAREN TERM AND OR NOT NEAR
    pos: int  # 1-based
    node: Node | None = None
    n: int = 0


def _term(raw: str, pos: int) -> Node:
    star = raw.find("*")
    wildcard = False
    if star != -1:
        if star != len(raw) - 1:
            raise QueryError("wildcard * is only allowed at the end of a word", pos + star)
        wildcard = True
        raw = raw[:-1]
    norm = normalize(raw)
    if not norm:
        if wildcard:
            raise QueryError("wildcard * needs letters or digits before it", pos)
        raise QueryError("term has no letters or digits", pos)
    if " " in norm:
        if wildcard:
            raise QueryError("wildcard * works on a single word only", pos)
        return Phrase(norm, pos)
    if norm[0] in "#@":
        if not normalize(norm[1:].replace("#", " ").replace("@", " ")):
            what = "hashtag" if norm[0] == "#" else "account"
            raise QueryError(f"{what} needs a name", pos)
        kind = "hashtag" if norm[0] == "#" else "mention"
    else:
        kind = "word"
    return Term(kind, norm, wildcard, pos)


def _tokenize(text: str) -> list[_Tok]:
    toks: list[_Tok] = []
    i, size = 0, len(text)
    while i < size:
        c = text[i]
        if c.isspace():
            i += 1
        elif c == "(":
            toks.append(_Tok("LPAREN", i + 1))
            i += 1
        elif c == ")":
            toks.append(_Tok("RPAREN", i + 1))
            i += 1
        elif c in _QUOTES:
            j = i + 1
            while j < size and text[j] not in _QUOTES:
                j += 1
            if j >= size:
                raise QueryError("unclosed quote", i + 1)
            norm = normalize(text[i + 1 : j])
            if not norm:
                raise QueryError("empty phrase", i + 1)
            toks.append(_Tok("TERM", i + 1, Phrase(norm, i + 1)))
            i = j + 1
        else:
            j = i
            while j < size and not (text[j].isspace() or text[j] in "()" or text[j] in _QUOTES):
                j += 1
            raw = text[i:j]
            if raw in ("AND", "OR", "NOT"):
                toks.append(_Tok(raw, i + 1))
            elif raw == "NEAR" or raw.startswith("NEAR/"):
                digits = raw[5:]
                if not (digits.isascii() and digits.isdigit()) or int(digits) < 1:
                    raise QueryError("NEAR/n needs a whole number n >= 1", i + 1)
                if int(digits) > MAX_NEAR:
                    raise QueryError(f"NEAR/n allows at most n = {MAX_NEAR}", i + 1)
                toks.append(_Tok("NEAR", i + 1, n=int(digits)))
            else:
                toks.append(_Tok("TERM", i + 1, _term(raw, i + 1)))
            i = j
    return toks


# ------------------------------------------------------------------------ parser

_STARTS = {"TERM", "LPAREN", "NOT"}


class _Parser:
    def __init__(self, toks: list[_Tok]):
        self.toks = toks
        self.i = 0

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def _need_right(self, op: _Tok, what: str) -> None:
        nxt = self.peek()
        if nxt is None or nxt.kind not in _STARTS:
            name = "NEAR/n" if op.kind == "NEAR" else op.kind
            raise QueryError(f"{name} needs {what} on its right", op.pos)

    def query(self) -> Node:
        node = self.or_expr()
        tok = self.peek()
        if tok is not None:  # only a stray ")" can be left over
            raise QueryError("unbalanced parenthesis", tok.pos)
        return node

    def or_expr(self) -> Node:
        parts = [self.and_expr()]
        while (tok := self.peek()) is not None and tok.kind == "OR":
            self.take()
            self._need_right(tok, "a term")
            parts.append(self.and_expr())
        return _flat(Or, parts)

    def and_expr(self) -> Node:
        parts = [self.near()]
        while (tok := self.peek()) is not None and tok.kind in _STARTS | {"AND"}:
            if tok.kind == "AND":
                self.take()
                self._need_right(tok, "a term")
            parts.append(self.near())
        return _flat(And, parts)

    def near(self) -> Node:
        left = self.unary()
        tok = self.peek()
        if tok is None or tok.kind != "NEAR":
            return left
        self.take()
        if not _near_operand(left):
            raise QueryError("NEAR/n needs a word or phrase on its left", tok.pos)
        self._need_right(tok, "a word or phrase")
        right = self.unary()
        if not _near_operand(right):
            raise QueryError("NEAR/n needs a word or phrase on its right", tok.pos)
        nxt = self.peek()
        if nxt is not None and nxt.kind == "NEAR":
            raise QueryError("NEAR/n cannot be chained; join NEAR groups with AND", nxt.pos)
        return Near(left, right, tok.n, tok.pos)

    def unary(self) -> Node:
        tok = self.peek()
        if tok is not None and tok.kind == "NOT":
            self.take()
            self._need_right(tok, "a term")
            return Not(self.unary(), tok.pos)
        return self.primary()

    def primary(self) -> Node:
        tok = self.peek()
        if tok is None:  # callers check _need_right; only an empty query gets here
            raise QueryError("query is empty", 1)
        if tok.kind == "TERM":
            self.take()
            assert tok.node is not None
            return tok.node
        if tok.kind == "LPAREN":
            self.take()
            nxt = self.peek()
            if nxt is not None and nxt.kind == "RPAREN":
                raise QueryError("empty parentheses", tok.pos)
            if nxt is None:
                raise QueryError("unbalanced parenthesis", tok.pos)
            node = self.or_expr()
            close = self.peek()
            if close is None or close.kind != "RPAREN":
                raise QueryError("unbalanced parenthesis", tok.pos)
            self.take()
            return node
        if tok.kind == "RPAREN":
            raise QueryError("unbalanced parenthesis", tok.pos)
        name = "NEAR/n" if tok.kind == "NEAR" else tok.kind
        raise QueryError(f"{name} needs a term on its left", tok.pos)


def _flat(cls, parts: list[Node]) -> Node:
    if len(parts) == 1:
        return parts[0]
    out: list[Node] = []
    for p in parts:
        out.extend(p.children if isinstance(p, cls) else (p,))
    return cls(tuple(out))


def _near_operand(node: Node) -> bool:
    if isinstance(node, (Term, Phrase)):
        return True
    return isinstance(node, Or) and all(_near_operand(c) for c in node.children)


def _negative_at(node: Node) -> int | None:
    """Position of the NOT that makes ``node`` purely negative, else None."""
    if isinstance(node, Not):
        return node.pos
    if isinstance(node, And):
        found = [_negative_at(c) for c in node.children]
        return None if any(f is None for f in found) else found[0]
    if isinstance(node, Or):
        return next((p for c in node.children if (p := _negative_at(c)) is not None), None)
    return None


def parse(text: str) -> Node:
    """Parse a topic query; raise :class:`QueryError` if it is malformed."""
    toks = _tokenize(text)
    if not toks:
        raise QueryError("query is empty", 1)
    node = _Parser(toks).query()
    pos = _negative_at(node)
    if pos is not None:
        raise QueryError("a query cannot be only NOT", pos)
    return node


# ------------------------------------------------------------- shared literals


def _fragment(node: Node) -> str:
    """Regex for the operand's words, without the surrounding spaces."""
    if isinstance(node, Phrase):
        return re.escape(node.text)
    if isinstance(node, Term):
        frag = re.escape(node.text)
        if node.kind == "word":
            frag = "#?" + frag
        if node.wildcard:
            frag += "[^ ]*"
        return frag
    if isinstance(node, Or):
        return "(?:" + "|".join(_fragment(c) for c in node.children) + ")"
    raise TypeError(f"not a NEAR operand: {node!r}")


def _near_regex(node: Near) -> str:
    a, b = _fragment(node.left), _fragment(node.right)
    gap = f"(?: [^ ]+){{0,{node.n}}}"
    return f" (?:{a}{gap} {b}|{b}{gap} {a}) "


def _literals(node: Term | Phrase) -> list[str]:
    """Padded substrings any of which means a match (non-wildcard terms)."""
    if isinstance(node, Term) and node.kind == "word":
        return [f" {node.text} ", f" #{node.text} "]
    return [f" {node.text} "]


def _is_regex(node: Node) -> bool:
    return isinstance(node, Near) or (isinstance(node, Term) and node.wildcard)


def _regex(node: Node) -> str:
    if isinstance(node, Near):
        return _near_regex(node)
    return " " + _fragment(node) + " "


# -------------------------------------------------------------------- prefilter

#: up to this many needles are looked for one by one (contains); more, in one regex pass
CONTAINS_NEEDLES = 3


def needles(node: Node) -> frozenset[str] | None:
    """Substrings at least one of which every text the query matches holds (each term's or
    phrase's normalized words), or None when a match needs none (a branch that is only NOT)."""
    if isinstance(node, (Term, Phrase)):
        return frozenset({node.text})
    if isinstance(node, Not):
        return None
    if isinstance(node, Or):
        parts = [needles(c) for c in node.children]
        return None if any(p is None for p in parts) else _minimal(frozenset().union(*parts))
    children = [node.left, node.right] if isinstance(node, Near) else list(node.children)
    # every operand of an AND or a NEAR must match: any one operand's needles are necessary
    options = [n for n in (needles(c) for c in children) if n is not None]
    return min(options, key=lambda n: (len(n), -min(map(len, n)))) if options else None


def _minimal(found: frozenset[str]) -> frozenset[str]:
    """Drop a needle that holds another: finding the shorter one is already necessary."""
    return frozenset(n for n in found if not any(o != n and o in n for o in found))


def _prefilter(node: Node, text_column: str) -> tuple[str, list] | None:
    """A cheap necessary condition for the query (its needles), checked before the exact
    expression so the exact one (regexes, padded literals, NOTs) runs only on candidate rows."""
    found = needles(node)
    if not found:
        return None
    ordered = sorted(found)
    if len(ordered) <= CONTAINS_NEEDLES:
        return "(" + " OR ".join(f"contains({text_column}, ?)" for _ in ordered) + ")", ordered
    return f"regexp_matches({text_column}, ?)", ["|".join(re.escape(n) for n in ordered)]


# ------------------------------------------------------------------- words mask

#: words shorter than this (after a leading # or @) are left out of a post's words mask
MASK_MIN_LENGTH = 4
#: bits of a words mask (DuckDB UHUGEINT), and how many of them each word sets
MASK_BITS = 128
MASK_BITS_PER_WORD = 3


def word_bits(word: str) -> int:
    """The bits a word sets in a words mask (a Bloom filter): the first MASK_BITS_PER_WORD bytes of
    its MD5, each modulo MASK_BITS. A hashtag or a mention sets its word's bits (leading ``#`` and
    ``@`` are dropped). Twin of the dbt macro ``words_mask``; MD5 so that the bits never change
    with the engine's version."""
    digest = hashlib.md5(word.lstrip("#@").encode("utf-8")).hexdigest()
    bits = 0
    for i in range(MASK_BITS_PER_WORD):
        bits |= 1 << (int(digest[2 * i:2 * i + 2], 16) % MASK_BITS)
    return bits


def _masked_bits(word: str) -> int:
    """A word's bits, or none for a word under MASK_MIN_LENGTH (after its leading ``#``/``@``)."""
    return word_bits(word) if len(word.lstrip("#@")) >= MASK_MIN_LENGTH else 0


def words_mask(match_text: str) -> int:
    """The words mask of a match text: every word of MASK_MIN_LENGTH or more sets its bits
    (:func:`word_bits`). Python twin of the dbt macro ``words_mask``, which the warehouse stores
    beside each match text (``int_posts_searchable.words_mask``)."""
    mask = 0
    for word in match_text.split(" "):
        mask |= _masked_bits(word)
    return mask


def _mask_words(node: Term | Phrase) -> list[str]:
    if isinstance(node, Term):
        return [] if node.wildcard else [node.text]
    return node.text.split(" ")


def mask_condition(node: Node, mask_column: str) -> str | None:
    """A necessary condition for the query on the words mask: the bits of the words every match
    must hold (AND and NEAR need all their operands, OR one of its branches; a wildcard, a NOT or a
    word under MASK_MIN_LENGTH asks nothing). None when the query asks nothing of the mask.

    The bits are integers computed here, written into the SQL as numbers. A row whose mask is NULL
    (built before the warehouse had masks) passes.
    """
    if not _IDENT.match(mask_column):
        raise ValueError(f"not a plain column identifier: {mask_column!r}")

    def go(n: Node) -> str | None:
        if isinstance(n, (Term, Phrase)):
            bits = 0
            for word in _mask_words(n):
                bits |= _masked_bits(word)
            return f"({mask_column} & {bits}::uhugeint) = {bits}::uhugeint" if bits else None
        if isinstance(n, Not):
            return None
        if isinstance(n, Or):
            parts = [go(c) for c in n.children]
            return None if any(p is None for p in parts) else "(" + " or ".join(parts) + ")"
        children = [n.left, n.right] if isinstance(n, Near) else list(n.children)
        parts = [p for p in (go(c) for c in children) if p is not None]
        return "(" + " and ".join(parts) + ")" if parts else None

    found = go(node)
    return None if found is None else f"({mask_column} is null or {found})"


# ---------------------------------------------------------------------- compile


def compile_sql(node: Node, text_column: str) -> tuple[str, list]:
    """DuckDB boolean expression over ``text_column`` (already normalized and
    padded with one space each side) plus its ``?`` parameters, in order.

    Only structure is SQL; every user-derived string is a parameter.
    ``text_column`` is a developer-supplied identifier (``col`` or ``tbl.col``). The expression
    starts with the query's prefilter (:func:`needles`), a necessary condition cheaper than the
    exact one, which DuckDB then evaluates only for the rows that pass it.
    """
    if not _IDENT.match(text_column):
        raise ValueError(f"not a plain column identifier: {text_column!r}")
    params: list = []

    def go(n: Node) -> str:
        if _is_regex(n):
            params.append(_regex(n))
            return f"regexp_matches({text_column}, ?)"
        if isinstance(n, (Term, Phrase)):
            lits = _literals(n)
            params.extend(lits)
            parts = [f"contains({text_column}, ?)" for _ in lits]
            return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"
        if isinstance(n, Not):
            return f"(NOT {go(n.child)})"
        if isinstance(n, (And, Or)):
            op = " AND " if isinstance(n, And) else " OR "
            return "(" + op.join(go(c) for c in n.children) + ")"
        raise TypeError(f"unknown node {n!r}")

    exact = go(node)
    prefilter = _prefilter(node, text_column)
    if prefilter is None:
        return exact, params
    return f"({prefilter[0]} AND {exact})", prefilter[1] + params


# --------------------------------------------------------------------- evaluate


def matches(node: Node | str, text: str) -> bool:
    """Pure-Python evaluation with the same semantics as :func:`compile_sql`."""
    if isinstance(node, str):
        node = parse(node)
    padded = f" {normalize(text)} "

    def go(n: Node) -> bool:
        if _is_regex(n):
            return re.search(_regex(n), padded) is not None
        if isinstance(n, (Term, Phrase)):
            return any(lit in padded for lit in _literals(n))
        if isinstance(n, Not):
            return not go(n.child)
        if isinstance(n, And):
            return all(go(c) for c in n.children)
        if isinstance(n, Or):
            return any(go(c) for c in n.children)
        raise TypeError(f"unknown node {n!r}")

    return go(node)
