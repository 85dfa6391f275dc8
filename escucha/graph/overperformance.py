"""Overperforming posts: interactions against what the account usually gets for that kind of post.

For each post:

* ``interactions`` = likes + shares + comments (nulls count 0);
* its *history*: the account's previous ``n_previous`` posts (default 20) of the same ``post_type``,
  ordered by ``created_at`` then ``post_key`` (the current post excluded);
* ``expected_interactions`` = trimmed mean of the history: sort it, drop ``k`` values at each end with
  ``k = max(1, floor(trim * n))`` (``trim`` = 0.10: 20 earlier posts drop 2 + 2; fewer than 20 drop the
  minimum and the maximum), average the rest; null when the history has fewer than ``min_previous``
  (3) posts;
* ``overperformance`` = interactions / expected_interactions; null when expected is null or 0.
  1 = as usual, 3 = three times the usual.

:func:`overperformance_sql` is the scalable version (DuckDB window functions; the SQL of a dbt
model), :func:`overperformance_reference` the plain-Python definition it is tested against.
"""
from __future__ import annotations

import math

import duckdb
import pandas as pd

from .interactions import relation_name

N_PREVIOUS = 20
TRIM = 0.10
MIN_PREVIOUS = 3
COLUMNS: list[str] = ["post_key", "author_key", "post_type", "created_at", "interactions", "n_previous",
                      "expected_interactions", "overperformance"]


def overperformance_sql(relation: str = "marts.fct_posts", n_previous: int = N_PREVIOUS, trim: float = TRIM,
                        min_previous: int = MIN_PREVIOUS) -> str:
    """SQL over ``relation`` (one row per post: post_key, author_key, post_type, created_at, likes,
    shares, comments) returning :data:`COLUMNS`."""
    n_previous, min_previous = int(n_previous), int(min_previous)
    if n_previous < 1 or min_previous < 1 or not 0 <= trim < 0.5:
        raise ValueError("need n_previous >= 1, min_previous >= 1 and 0 <= trim < 0.5")
    return f"""
WITH base AS (
    SELECT post_key, author_key, post_type, created_at,
           CAST(coalesce(likes, 0) + coalesce(shares, 0) + coalesce(comments, 0) AS BIGINT) AS interactions
    FROM {relation}
),
history AS (
    SELECT *,
           list(interactions) OVER (
               PARTITION BY author_key, post_type ORDER BY created_at, post_key
               ROWS BETWEEN {n_previous} PRECEDING AND 1 PRECEDING) AS previous
    FROM base
),
sized AS (
    SELECT * EXCLUDE (previous),
           list_sort(coalesce(previous, [])) AS previous_sorted,
           CAST(coalesce(len(previous), 0) AS BIGINT) AS n_previous
    FROM history
),
trimmed AS (
    SELECT *,
           CASE WHEN n_previous >= {min_previous} THEN
               list_avg(list_slice(previous_sorted,
                                   greatest(1, CAST(floor(n_previous * {float(trim)!r}) AS BIGINT)) + 1,
                                   n_previous - greatest(1, CAST(floor(n_previous * {float(trim)!r}) AS BIGINT))))
           END AS expected_interactions
    FROM sized
)
SELECT post_key, author_key, post_type, created_at, interactions, n_previous,
       CAST(expected_interactions AS DOUBLE) AS expected_interactions,
       interactions / nullif(CAST(expected_interactions AS DOUBLE), 0) AS overperformance
FROM trimmed
"""


def overperformance(con: duckdb.DuckDBPyConnection, posts="marts.fct_posts", n_previous: int = N_PREVIOUS,
                    trim: float = TRIM, min_previous: int = MIN_PREVIOUS) -> pd.DataFrame:
    """Run :func:`overperformance_sql` on ``posts`` (name, DataFrame or DuckDB relation); sorted by
    post_key."""
    rel = relation_name(con, posts, "overperformance_posts")
    df = con.sql(overperformance_sql(rel, n_previous, trim, min_previous) + " ORDER BY post_key").df()
    return df[COLUMNS]


def trimmed_mean(values: list[float], trim: float = TRIM) -> float:
    """Mean after dropping ``max(1, floor(trim * n))`` values at each end (``n >= 3``)."""
    s = sorted(values)
    k = max(1, math.floor(len(s) * trim))
    kept = s[k:len(s) - k]
    return sum(kept) / len(kept)


def overperformance_reference(posts: pd.DataFrame, n_previous: int = N_PREVIOUS, trim: float = TRIM,
                              min_previous: int = MIN_PREVIOUS) -> pd.DataFrame:
    """Plain-Python definition (slow; for tests).  Same input and output as :func:`overperformance`."""
    rows = []
    history: dict[tuple, list[float]] = {}
    recs = posts.to_dict("records")
    order = sorted(range(len(recs)), key=lambda i: (recs[i]["author_key"] is None, str(recs[i]["author_key"]),
                                                    str(recs[i]["post_type"]), recs[i]["created_at"],
                                                    recs[i]["post_key"]))
    for i in order:
        r = recs[i]

        def num(v):
            return 0 if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA else int(v)

        inter = num(r.get("likes")) + num(r.get("shares")) + num(r.get("comments"))
        key = (r["author_key"], r["post_type"])
        prev = history.setdefault(key, [])[-n_previous:]
        expected = trimmed_mean(prev, trim) if len(prev) >= min_previous else None
        ratio = inter / expected if expected else None
        rows.append({"post_key": r["post_key"], "author_key": r["author_key"], "post_type": r["post_type"],
                     "created_at": r["created_at"], "interactions": inter, "n_previous": len(prev),
                     "expected_interactions": expected, "overperformance": ratio})
        history[key].append(inter)
    return pd.DataFrame(rows, columns=COLUMNS).sort_values("post_key", ignore_index=True)
