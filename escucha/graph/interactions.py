"""Interaction edges between accounts, per topic and period, aggregated in DuckDB.

An edge ``source_key -> target_key`` means *source paid attention to target*:

* ``reply``   source replied to / commented on a post of target (``parent_author_key``; when that is
  null, the author of ``parent_post_key`` looked up among the posts);
* ``share``   source shared / retweeted a post of target (``shared_author_key`` or the author of
  ``shared_post_key``);
* ``quote``   source quoted a post of target (``quoted_author_key`` or the author of ``quoted_post_key``);
* ``mention`` source @-mentioned target.  Handles resolve to ``author_key`` within the post's network
  through ``authors.handle``, case-insensitively (a leading ``@`` is ignored).  When a handle is held
  by several accounts of a network (e.g. a vendor export's copy of an account) it resolves to the one
  with the most (post, topic) rows in the input, then the most followers, then the smallest
  ``author_key``.
  Not counted as mentions: the handles of shares (a retweet's text is the original's, so are its
  mentions), a mention of the account the post already replies to / shares / quotes (``@parent``
  prefixes of replies), and a handle repeated in one post (counted once).

``weight`` is the number of posts carrying that interaction.  A post classified under several topics
counts once under each.  Self-loops, null endpoints and anonymous accounts (``<network>:[unknown]``)
are dropped.  Periods are the Lima calendar month / quarter / year of the source post
(``created_date_lima``), or the whole input (``'all'``, labelled with its first month).

Only the aggregated edge list leaves DuckDB, so this scales with the warehouse (10M posts), not with
Python.  :func:`edges_sql` returns the bare SQL over relation names, ready to be a dbt model.
"""
from __future__ import annotations

import itertools

import duckdb
import pandas as pd

PERIODS: tuple[str, ...] = ("month", "quarter", "year", "all")
EDGE_KINDS: tuple[str, ...] = ("reply", "share", "quote", "mention")
EDGE_COLUMNS: list[str] = ["topic_id", "period_start", "network", "source_key", "target_key", "kind", "weight"]

_counter = itertools.count()


def relation_name(con: duckdb.DuckDBPyConnection, obj, prefix: str = "graph_input") -> str:
    """A name ``con`` can query for ``obj``: a table/view name or a parenthesised subquery (returned
    as is), a pandas DataFrame (registered) or a DuckDB relation of the same connection (made a
    temporary view, so read-only databases work)."""
    if isinstance(obj, str):
        return obj
    name = f"_{prefix}_{next(_counter)}"
    if isinstance(obj, pd.DataFrame):
        con.register(name, obj)
    elif isinstance(obj, duckdb.DuckDBPyRelation):
        con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {obj.sql_query()}")
    else:
        raise TypeError(f"expected a relation name, a DataFrame or a DuckDB relation, got {type(obj).__name__}")
    return name


def period_expr(period: str, date_col: str = "created_date_lima", relation: str | None = None) -> str:
    """SQL expression (DATE) giving the start of the period holding ``date_col``."""
    if period in ("month", "quarter", "year"):
        return f"CAST(date_trunc('{period}', CAST({date_col} AS DATE)) AS DATE)"
    if period == "all":
        if relation is None:
            raise ValueError("period 'all' needs the relation to take its first month from")
        return f"(SELECT CAST(date_trunc('month', min(CAST({date_col} AS DATE))) AS DATE) FROM {relation})"
    raise ValueError(f"period must be one of {PERIODS}, got {period!r}")


def topic_posts_sql(posts: str = "marts.fct_posts", post_topics: str = "marts.fct_post_topics") -> str:
    """Posts joined with their relevant topics: one row per (post, topic) with ``topic_id``."""
    return f"""
SELECT p.*, t.topic_id
FROM {posts} AS p
JOIN (SELECT DISTINCT post_key, topic_id FROM {post_topics} WHERE is_relevant) AS t USING (post_key)
"""


def edges_sql(topic_posts: str, authors: str = "marts.dim_authors", period: str = "month",
              lookup_posts: str | None = None) -> str:
    """SQL returning the aggregated edges (columns :data:`EDGE_COLUMNS`).

    ``topic_posts``: relation with one row per (post, topic): ``post_key, network, author_key,
    created_date_lima, post_type, parent_post_key, parent_author_key, shared_post_key,
    shared_author_key, quoted_post_key, quoted_author_key, mentions`` (VARCHAR[]) and ``topic_id``.
    ``authors``: ``author_key, network, handle, followers``.  ``lookup_posts`` (default
    ``topic_posts``): where the authors of parent / shared / quoted posts are looked up when the
    ``*_author_key`` column is null (e.g. ``marts.fct_posts``).
    """
    lookup = lookup_posts or topic_posts
    pexpr = period_expr(period, "created_date_lima", topic_posts)
    return f"""
WITH tp AS (
    SELECT post_key, network, author_key, topic_id, post_type, {pexpr} AS period_start,
           parent_post_key, parent_author_key, shared_post_key, shared_author_key,
           quoted_post_key, quoted_author_key, mentions
    FROM {topic_posts}
),
needed AS (      -- posts whose author must be looked up (a *_author_key is missing)
    SELECT parent_post_key AS post_key FROM tp WHERE parent_author_key IS NULL AND parent_post_key IS NOT NULL
    UNION
    SELECT shared_post_key FROM tp WHERE shared_author_key IS NULL AND shared_post_key IS NOT NULL
    UNION
    SELECT quoted_post_key FROM tp WHERE quoted_author_key IS NULL AND quoted_post_key IS NOT NULL
),
post_author AS (
    SELECT l.post_key, min(l.author_key) AS author_key
    FROM {lookup} AS l SEMI JOIN needed AS n ON l.post_key = n.post_key
    GROUP BY l.post_key
),
targeted AS (
    SELECT tp.*,
           coalesce(tp.parent_author_key, pa.author_key) AS reply_to,
           coalesce(tp.shared_author_key, sa.author_key) AS shared_from,
           coalesce(tp.quoted_author_key, qa.author_key) AS quoted_from
    FROM tp
    LEFT JOIN post_author AS pa ON tp.parent_author_key IS NULL AND pa.post_key = tp.parent_post_key
    LEFT JOIN post_author AS sa ON tp.shared_author_key IS NULL AND sa.post_key = tp.shared_post_key
    LEFT JOIN post_author AS qa ON tp.quoted_author_key IS NULL AND qa.post_key = tp.quoted_post_key
),
activity AS (
    SELECT author_key, count(*) AS n_posts FROM tp GROUP BY author_key
),
handle_map AS (
    SELECT a.network, lower(a.handle) AS handle_lc,
           first(a.author_key ORDER BY coalesce(c.n_posts, 0) DESC, a.followers DESC NULLS LAST,
                 a.author_key) AS author_key
    FROM {authors} AS a
    LEFT JOIN activity AS c USING (author_key)
    WHERE a.handle IS NOT NULL AND a.handle <> ''
    GROUP BY ALL
),
mentioned AS (
    SELECT DISTINCT topic_id, period_start, network, author_key, post_key, reply_to, shared_from,
           quoted_from, handle_lc
    FROM (
        SELECT topic_id, period_start, network, author_key, post_key, reply_to, shared_from, quoted_from,
               lower(ltrim(unnest(mentions), '@')) AS handle_lc
        FROM targeted
        WHERE shared_from IS NULL AND coalesce(post_type, '') <> 'share' AND len(mentions) > 0
    )
),
raw_edges AS (
    SELECT topic_id, period_start, network, author_key AS source_key, reply_to AS target_key,
           'reply' AS kind FROM targeted WHERE reply_to IS NOT NULL
    UNION ALL
    SELECT topic_id, period_start, network, author_key, shared_from, 'share' FROM targeted
    WHERE shared_from IS NOT NULL
    UNION ALL
    SELECT topic_id, period_start, network, author_key, quoted_from, 'quote' FROM targeted
    WHERE quoted_from IS NOT NULL
    UNION ALL
    SELECT m.topic_id, m.period_start, m.network, m.author_key, h.author_key, 'mention'
    FROM mentioned AS m
    JOIN handle_map AS h ON h.network = m.network AND h.handle_lc = m.handle_lc
    WHERE h.author_key IS DISTINCT FROM m.reply_to AND h.author_key IS DISTINCT FROM m.shared_from
      AND h.author_key IS DISTINCT FROM m.quoted_from
)
SELECT topic_id, period_start, network, source_key, target_key, kind, CAST(count(*) AS BIGINT) AS weight
FROM raw_edges
WHERE source_key IS NOT NULL AND target_key IS NOT NULL AND source_key <> target_key
  AND source_key NOT LIKE '%:[unknown]' AND target_key NOT LIKE '%:[unknown]'
GROUP BY ALL
"""


def build_edges(con: duckdb.DuckDBPyConnection, topic_posts=None, authors="marts.dim_authors",
                period: str = "month", lookup_posts=None) -> pd.DataFrame:
    """Aggregated interaction edges as a DataFrame (columns :data:`EDGE_COLUMNS`, sorted).

    ``topic_posts``/``authors``/``lookup_posts``: relation names, DataFrames or DuckDB relations of
    ``con`` (see :func:`edges_sql`).  ``topic_posts=None`` means the warehouse marts
    (``marts.fct_posts`` joined with relevant ``marts.fct_post_topics``), with parents looked up in
    ``marts.fct_posts``.
    """
    if topic_posts is None:
        topic_posts = f"({topic_posts_sql()})"
        lookup_posts = lookup_posts if lookup_posts is not None else "marts.fct_posts"
    tp = relation_name(con, topic_posts, "topic_posts")
    au = relation_name(con, authors, "authors")
    lk = relation_name(con, lookup_posts, "lookup_posts") if lookup_posts is not None else None
    df = con.sql(edges_sql(tp, au, period, lk)).df()
    return normalise_edges(df)


def build_context_edges(con: duckdb.DuckDBPyConnection, posts="marts.fct_posts", authors="marts.dim_authors",
                        period: str = "month", lookup_posts=None) -> pd.DataFrame:
    """Edges of all posts whatever their topic (``topic_id = '*'``): the context that
    :func:`escucha.graph.communities.detect` borrows to see an account's alignment beyond one topic.

    ``posts``: a relation with the columns of ``marts.fct_posts`` used by :func:`edges_sql` (no
    ``topic_id``); ``lookup_posts`` (default ``posts``): where replied-to, shared and quoted posts'
    authors are looked up (all posts, when ``posts`` is a slice of them).
    """
    name = relation_name(con, posts, "context_posts")
    lookup = name if lookup_posts is None else lookup_posts
    return build_edges(con, f"(SELECT *, '*' AS topic_id FROM {name})", authors, period, lookup)


def edges_among_sql(edges: str, among: str) -> str:
    """SQL: the rows of ``edges`` (columns :data:`EDGE_COLUMNS`) between two accounts that both have
    an edge in ``among`` (a relation or subquery of the same columns) in the same period: the part of
    a large context graph that one topic's graph can use."""
    return f"""
WITH among AS (SELECT * FROM {among}),
accounts AS (
    SELECT period_start, source_key AS author_key FROM among
    UNION
    SELECT period_start, target_key FROM among
)
SELECT e.* FROM {edges} AS e
SEMI JOIN accounts AS s ON s.period_start = e.period_start AND s.author_key = e.source_key
SEMI JOIN accounts AS t ON t.period_start = e.period_start AND t.author_key = e.target_key
"""


def normalise_edges(df: pd.DataFrame) -> pd.DataFrame:
    """Edge DataFrame with the standard columns, dtypes and a deterministic row order."""
    df = df[EDGE_COLUMNS].copy()
    df["period_start"] = pd.to_datetime(df["period_start"]).dt.date
    df["weight"] = df["weight"].astype("int64")
    return df.sort_values(["topic_id", "period_start", "source_key", "target_key", "kind"],
                          ignore_index=True)


def undirected_weights(edges: pd.DataFrame, kind_weights: dict[str, float] | None = None) -> pd.DataFrame:
    """Sum edge weights over kinds and directions per (topic, period, unordered pair ``u < v``)."""
    w = edges["weight"].astype(float)
    if kind_weights:
        w = w * edges["kind"].map(kind_weights).fillna(1.0)
    s, t = edges["source_key"].to_numpy(), edges["target_key"].to_numpy()
    lo = pd.Series(s).where(s < t, t)
    hi = pd.Series(t).where(s < t, s)
    und = pd.DataFrame({"topic_id": edges["topic_id"].to_numpy(), "period_start": edges["period_start"].to_numpy(),
                        "u": lo.to_numpy(), "v": hi.to_numpy(), "weight": w.to_numpy()})
    return und.groupby(["topic_id", "period_start", "u", "v"], as_index=False, sort=True)["weight"].sum()


def regroup_edges_sql(relation: str, period: str, where: str = "true") -> str:
    """SQL: the edges of ``relation`` (a table of :data:`EDGE_COLUMNS` at a finer period, e.g. the
    monthly edges) summed per ``period`` (quarter, year), for the rows where ``where`` holds."""
    return f"""
SELECT topic_id, {period_expr(period, 'period_start')} AS period_start, network, source_key, target_key, kind,
       CAST(sum(weight) AS BIGINT) AS weight
FROM {relation}
WHERE {where}
GROUP BY ALL
"""
