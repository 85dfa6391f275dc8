"""Overperforming posts: interactions against what the account usually gets for that kind of post.

For each post:

* ``interactions`` = likes + shares + comments (nulls count 0);
* its *history*: the account's previous ``n_previous`` posts (default 20) of the same ``post_type``,
  ordered by ``created_at`` then ``post_key`` (the current post excluded);
* ``expected_interactions`` = trimmed mean of the history: sort it, drop ``k`` values at each end with
  ``k = max(1, floor(trim * n))`` (``trim`` = 0.10: 20 earlier posts drop 2 + 2; fewer than 20 drop the
  minimum and the maximum), average the rest; null when the history has fewer than ``min_previous``
  (3) posts (and always below 3, where trimming leaves nothing);
* ``overperformance`` = interactions / expected_interactions; null when expected is null or 0.
  1 = as usual, 3 = three times the usual.

The warehouse computes it once, in SQL: the dbt macro ``overperformance`` (dbt_project/macros/
overperformance.sql), which gives marts.fct_posts its columns ``expected_interactions`` and
``overperformance`` -- read them there. This module keeps the plain-Python definition,
:func:`overperformance_reference`, that the tests hold the rendered macro equal to.
"""
from __future__ import annotations

import math

import pandas as pd

N_PREVIOUS = 20
TRIM = 0.10
MIN_PREVIOUS = 3
COLUMNS: list[str] = ["post_key", "author_key", "post_type", "created_at", "interactions", "n_previous",
                      "expected_interactions", "overperformance"]


def trimmed_mean(values: list[float], trim: float = TRIM) -> float:
    """Mean after dropping ``max(1, floor(trim * n))`` values at each end (``n >= 3``)."""
    s = sorted(values)
    k = max(1, math.floor(len(s) * trim))
    kept = s[k:len(s) - k]
    return sum(kept) / len(kept)


def overperformance_reference(posts: pd.DataFrame, n_previous: int = N_PREVIOUS, trim: float = TRIM,
                              min_previous: int = MIN_PREVIOUS) -> pd.DataFrame:
    """Plain-Python definition (slow; for tests).  ``posts``: one row per post with post_key,
    author_key, post_type, created_at, likes, shares, comments; returns :data:`COLUMNS`, sorted by
    post_key -- the output of the dbt macro ``overperformance``."""
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
        # below 3 earlier posts, dropping (at least) one value at each end leaves nothing
        expected = trimmed_mean(prev, trim) if len(prev) >= max(min_previous, 3) else None
        ratio = inter / expected if expected else None
        rows.append({"post_key": r["post_key"], "author_key": r["author_key"], "post_type": r["post_type"],
                     "created_at": r["created_at"], "interactions": inter, "n_previous": len(prev),
                     "expected_interactions": expected, "overperformance": ratio})
        history[key].append(inter)
    return pd.DataFrame(rows, columns=COLUMNS).sort_values("post_key", ignore_index=True)
