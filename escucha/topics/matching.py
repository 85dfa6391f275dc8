"""Topic queries run over the warehouse: many topics in one pass, every user string a parameter.

Both the dbt model that records rule matches (``int_post_topics_matched``) and the ad-hoc
``escucha inquire`` build their SQL here, on top of :func:`escucha.topics.query.compile_sql`.
The text they read is a *match text* (the dbt macro ``match_text``, twin of
:func:`escucha.topics.query.normalize`, padded with one space each side).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from escucha.topics.query import And, Near, Node, Not, Or, Phrase, Term, compile_sql, mask_condition, parse

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class TopicRule:
    """One topic version to apply; ``whole_year`` ignores the window (a changed query)."""

    topic_id: str
    topic_version: int
    query: str
    whole_year: bool = False


def describe(node: Node) -> str:
    """A leaf as the analyst would write it: ``word``, ``digital*``, ``"a phrase"``, ``a NEAR/3 b``."""
    if isinstance(node, Term):
        return node.text + ("*" if node.wildcard else "")
    if isinstance(node, Phrase):
        return f'"{node.text}"'
    if isinstance(node, Near):
        return f"{describe(node.left)} NEAR/{node.n} {describe(node.right)}"
    if isinstance(node, Or):
        return "(" + " OR ".join(describe(c) for c in node.children) + ")"
    raise TypeError(f"not a leaf: {node!r}")


def positive_leaves(node: Node) -> list[Node]:
    """Terms, phrases and NEARs that count for a match (those under a NOT never do)."""
    if isinstance(node, (Term, Phrase, Near)):
        return [node]
    if isinstance(node, Not):
        return []
    if isinstance(node, (And, Or)):
        return [leaf for c in node.children for leaf in positive_leaves(c)]
    raise TypeError(f"unknown node {node!r}")


def _window(column: str, start: date | None, end: date | None) -> tuple[str, list]:
    if start is None and end is None:
        return "true", []
    # a range on the timestamp itself, not a cast of it, so DuckDB skips row groups outside it
    return (f"{column} >= cast(? as date) and {column} < cast(? as date) + 1",
            [(start or date(1, 1, 1)).isoformat(), (end or date(9999, 12, 31)).isoformat()])


def rule_matches_sql(rules: list[TopicRule], source: str, *, start: date | None = None,
                     end: date | None = None, mask_column: str | None = None) -> tuple[str, list]:
    """One statement giving (post_key, created_at, topic_id, topic_version, matched_terms) for every
    post of ``source`` (a view with post_key, created_at, match_text) that matches a rule.

    Posts are read once: each row gets the list of the rules it matches, then the terms that made
    each match. A rule with ``whole_year`` reads every day; the others only ``start``..``end``.
    With ``mask_column`` (the words mask of int_posts_searchable), a rule looks at a text only when
    the mask holds its words (:func:`escucha.topics.query.mask_condition`).
    ``source`` is a developer-supplied relation name; everything from a query is a parameter.
    """
    if not _IDENT.match(source):
        raise ValueError(f"not a plain relation name: {source!r}")
    if not rules:
        return ("select cast(null as varchar) as post_key, cast(null as timestamp) as created_at, "
                "cast(null as varchar) as topic_id, cast(null as bigint) as topic_version, "
                "cast(null as varchar[]) as matched_terms where false"), []
    window_sql, window_params = _window("created_at", start, end)
    nodes = [parse(rule.query) for rule in rules]
    hit_sql, hit_params = [], []
    for k, (rule, node) in enumerate(zip(rules, nodes), start=1):
        expr, expr_params = compile_sql(node, "match_text")
        mask = mask_condition(node, mask_column) if mask_column else None
        if mask is not None:
            expr = f"{mask} and {expr}"
        if rule.whole_year:
            hit_sql.append(f"case when {expr} then {k} end")
            hit_params += expr_params
        else:
            hit_sql.append(f"case when {window_sql} and {expr} then {k} end")
            hit_params += window_params + expr_params
    term_sql, term_params = [], []
    for k, node in enumerate(nodes, start=1):
        parts = []
        for leaf in positive_leaves(node):
            expr, expr_params = compile_sql(leaf, "match_text")
            parts.append(f"case when {expr} then ? end")
            term_params += expr_params + [describe(leaf)]
        term_sql.append(f"when {k} then list_filter([{', '.join(parts)}], lambda t: t is not null)")
    whens = " ".join(f"when {k} then ?" for k in range(1, len(rules) + 1))
    source_sql, source_params = ("true", []) if any(r.whole_year for r in rules) else (window_sql, window_params)
    sql = f"""
with hits as (
    select post_key, created_at, match_text,
        list_filter([{', '.join(hit_sql)}], lambda k: k is not null) as rule_numbers
    from {source}
    where {source_sql}
),

matched as (
    select post_key, created_at, match_text, unnest(rule_numbers) as rule_number
    from hits
    where len(rule_numbers) > 0
)

select
    post_key,
    created_at,
    case rule_number {whens} end as topic_id,
    cast(case rule_number {whens} end as bigint) as topic_version,
    case rule_number {' '.join(term_sql)} end as matched_terms
from matched
"""
    params = (hit_params + source_params + [r.topic_id for r in rules]
              + [r.topic_version for r in rules] + term_params)
    assert sql.count("?") == len(params)
    return sql, params
