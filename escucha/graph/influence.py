"""Who leads the debate: influence measures per (topic, period, account) and an explained rank.

Measures, per topic and period (month by default), for every account that posted on the topic or
received an interaction on it:

* ``posts``            posts on the topic (all kinds, shares included);
* ``original_posts``   posts that are not shares / retweets;
* ``engagement``       engagement received on its original posts (``engagement``; retweets are left
  out: their metrics are the original's);
* ``followers``        reach: the account's followers (``authors.followers``; null when unknown);
* ``engagement_rate``  engagement per original post per 1,000 followers:
  ``1000 * engagement / original_posts / max(followers, 1)``; null without followers or original posts;
* ``interactions_received`` / ``interactions_made``  weighted in/out degree in the interaction graph;
* ``pagerank``         weighted PageRank (igraph, ``alpha=0.85``) of the topic-period graph whose
  edges point to the account receiving attention (reply/share/quote/mention counts as weights); 0 for
  accounts outside the graph.

Overall rank: each measure of :data:`DEFAULT_WEIGHTS` becomes a percentile within the topic-period
(``<measure>_pct`` in (0, 1], ties share their average, a missing value counts as the lowest), and
``score`` is their weighted mean.  ``overall_rank`` orders the scores (1 = leads; ties broken by
pagerank, then engagement, then author_key).  ``network_rank`` is the same order within the
account's network: engagement and audiences differ by orders of magnitude between networks, so the
overall top is dominated by the network with the largest figures (on the demo, Instagram); TikTok
and YouTube exports carry no follower counts, so reach and engagement rate count as lowest there.

``rank_reasons`` is the evidence: the measures whose value is positive and among the top 25% of the
topic-period (a tie counts at its last place) or alone in first place, best first, as
``"pagerank top 1% (#3 of 5012)"`` (or ``"engagement #1 of 3"``), joined with ``"; "``; empty when
no measure stands out.
"""
from __future__ import annotations

import math

import duckdb
import numpy as np
import pandas as pd

from .algorithms import pagerank
from .interactions import build_edges, period_expr, relation_name, topic_posts_sql

#: measure -> weight in the overall score (engagement_rate and posts count half: the rate is noisy
#: for small accounts, and volume alone is activity rather than influence)
DEFAULT_WEIGHTS: dict[str, float] = {
    "pagerank": 1.0, "engagement": 1.0, "followers": 1.0, "engagement_rate": 0.5, "posts": 0.5,
}
#: names used in rank_reasons
MEASURE_LABELS: dict[str, str] = {
    "pagerank": "pagerank", "engagement": "engagement", "followers": "reach",
    "engagement_rate": "engagement rate", "posts": "posts", "interactions_received": "interactions received",
}
REASON_BUCKETS: tuple[float, ...] = (0.01, 0.05, 0.10, 0.25)
PAGERANK_ALPHA = 0.85
INFLUENCE_COLUMNS: list[str] = [
    "topic_id", "period_start", "author_key", "network", "handle", "posts", "original_posts", "engagement",
    "followers", "engagement_rate", "interactions_received", "interactions_made", "pagerank",
]


def activity_sql(topic_posts: str, authors: str = "marts.dim_authors", period: str = "month") -> str:
    """SQL: posts, original posts and engagement received per (topic, period, author), with the
    author's network, handle and followers."""
    pexpr = period_expr(period, "created_date_lima", topic_posts)
    return f"""
WITH tp AS (
    SELECT topic_id, {pexpr} AS period_start, author_key, network, post_type, shared_author_key,
           shared_post_key, engagement
    FROM {topic_posts}
    WHERE author_key IS NOT NULL AND author_key NOT LIKE '%:[unknown]'
),
agg AS (
    SELECT topic_id, period_start, author_key, min(network) AS network,
           CAST(count(*) AS BIGINT) AS posts,
           CAST(count(*) FILTER (WHERE coalesce(post_type, '') <> 'share' AND shared_author_key IS NULL
                                   AND shared_post_key IS NULL) AS BIGINT) AS original_posts,
           CAST(coalesce(sum(coalesce(engagement, 0)) FILTER (
                WHERE coalesce(post_type, '') <> 'share' AND shared_author_key IS NULL
                  AND shared_post_key IS NULL), 0) AS BIGINT) AS engagement
    FROM tp GROUP BY ALL
)
SELECT agg.*, a.handle, a.followers
FROM agg LEFT JOIN {authors} AS a USING (author_key)
"""


def pagerank_table(edges: pd.DataFrame, alpha: float = PAGERANK_ALPHA) -> pd.DataFrame:
    """Weighted PageRank per (topic, period) graph (edges summed over kinds, pointing to the account
    receiving attention), with weighted in/out degrees.

    Columns: topic_id, period_start, author_key, pagerank, interactions_received, interactions_made.
    """
    cols = ["topic_id", "period_start", "author_key", "pagerank", "interactions_received", "interactions_made"]
    if edges.empty:
        return pd.DataFrame(columns=cols)
    keys = ["topic_id", "period_start"]
    e = edges.groupby(keys + ["source_key", "target_key"], as_index=False, sort=True)["weight"].sum()
    e["weight"] = e["weight"].astype(float)
    out = []
    for (topic, period), g in e.groupby(keys, sort=True):
        pr = pagerank(g["source_key"].to_numpy(), g["target_key"].to_numpy(), g["weight"].to_numpy(), alpha)
        out.append(pd.DataFrame({"topic_id": topic, "period_start": period, "author_key": pr.index,
                                 "pagerank": pr.to_numpy()}))
    res = pd.concat(out, ignore_index=True)
    recv = e.groupby(keys + ["target_key"])["weight"].sum().rename_axis(keys + ["author_key"])
    made = e.groupby(keys + ["source_key"])["weight"].sum().rename_axis(keys + ["author_key"])
    idx = pd.MultiIndex.from_frame(res[keys + ["author_key"]])
    res["interactions_received"] = recv.reindex(idx).fillna(0.0).to_numpy()
    res["interactions_made"] = made.reindex(idx).fillna(0.0).to_numpy()
    return res[cols]


def influence(con: duckdb.DuckDBPyConnection, topic_posts=None, authors="marts.dim_authors",
              period: str = "month", edges: pd.DataFrame | None = None,
              weights: dict[str, float] | None = None, lookup_posts=None) -> pd.DataFrame:
    """Influence measures and explained overall rank per (topic, period, account).

    ``topic_posts``: one row per (post, topic) (see :func:`escucha.graph.interactions.edges_sql`;
    also needs ``engagement``), a relation name, DataFrame or DuckDB relation; ``None`` = the
    warehouse marts.  ``edges``: precomputed :func:`build_edges` output for the same ``period``
    (built when omitted).  Returns :data:`INFLUENCE_COLUMNS` + ``<measure>_pct`` + ``score``,
    ``overall_rank``, ``network_rank``, ``n_accounts``, ``rank_reasons``, sorted by topic, period,
    overall_rank.
    """
    if topic_posts is None:
        topic_posts = f"({topic_posts_sql()})"
        lookup_posts = lookup_posts if lookup_posts is not None else "marts.fct_posts"
    tp = relation_name(con, topic_posts, "topic_posts")
    au = relation_name(con, authors, "authors")
    if edges is None:
        edges = build_edges(con, tp, au, period, lookup_posts)
    act = con.sql(activity_sql(tp, au, period)).df()
    act["period_start"] = pd.to_datetime(act["period_start"]).dt.date
    pr = pagerank_table(edges, PAGERANK_ALPHA)
    df = act.merge(pr, on=["topic_id", "period_start", "author_key"], how="outer")
    # accounts that only received interactions: their network / handle / followers from authors
    missing = df["network"].isna()
    if missing.any():
        keys = pd.DataFrame({"author_key": df.loc[missing, "author_key"].unique()})
        con.register("_influence_missing_keys", keys)
        info = con.sql(f"SELECT a.author_key, a.network, a.handle, a.followers FROM {au} AS a "
                       "JOIN _influence_missing_keys USING (author_key)").df()
        con.unregister("_influence_missing_keys")
        info = info.drop_duplicates("author_key").set_index("author_key")
        for c in ("network", "handle", "followers"):
            df.loc[missing, c] = df.loc[missing, "author_key"].map(info[c]).to_numpy()
        no_net = df["network"].isna()
        df.loc[no_net, "network"] = df.loc[no_net, "author_key"].str.split(":", n=1).str[0]
    for c in ("posts", "original_posts", "engagement"):
        df[c] = df[c].fillna(0).astype("int64")
    for c in ("pagerank", "interactions_received", "interactions_made"):
        df[c] = df[c].fillna(0.0).astype(float)
    df["followers"] = pd.to_numeric(df["followers"], errors="coerce").astype("Float64")
    f = df["followers"].astype(float)
    rate = 1000.0 * df["engagement"] / df["original_posts"].where(df["original_posts"] > 0) / np.maximum(f, 1.0)
    df["engagement_rate"] = rate.where(f.notna())
    df = df[INFLUENCE_COLUMNS]
    return rank_accounts(df, weights)


def rank_accounts(df: pd.DataFrame, weights: dict[str, float] | None = None,
                  group: tuple[str, ...] = ("topic_id", "period_start")) -> pd.DataFrame:
    """Add ``<measure>_pct``, ``score``, ``overall_rank``, ``network_rank`` (when there is a
    ``network`` column), ``n_accounts`` and ``rank_reasons`` to a table holding the measures of
    ``weights`` per account and ``group``."""
    weights = dict(DEFAULT_WEIGHTS if weights is None else weights)
    df = df.copy().reset_index(drop=True)
    g = list(group)
    gid = df.groupby(g, sort=False, dropna=False).ngroup().to_numpy()
    df["n_accounts"] = np.bincount(gid)[gid].astype("int64")
    n = df["n_accounts"].to_numpy(float)
    shares, texts = [], []
    score = np.zeros(len(df))
    for m, w in weights.items():
        vals = pd.to_numeric(df[m], errors="coerce").astype(float)
        by = vals.fillna(-np.inf).groupby(gid, sort=False)
        pct = by.rank(method="average", pct=True).to_numpy()
        df[f"{m}_pct"] = pct
        score += w * pct
        pos = by.rank(method="min", ascending=False).to_numpy()       # shown: "#3 of 5012"
        last = by.rank(method="max", ascending=False).to_numpy()      # bucketed: ties count against
        share, text = _reason_texts(MEASURE_LABELS.get(m, m), pos, last, n, (vals > 0).to_numpy())
        shares.append(share)
        texts.append(text)
    df["score"] = score / max(sum(weights.values()), 1e-12)
    tiebreak = [c for c in ("pagerank", "engagement") if c in df.columns]
    sorter = pd.DataFrame({"gid": gid, "score": df["score"]})
    for c in tiebreak:
        sorter[c] = pd.to_numeric(df[c], errors="coerce").astype(float).fillna(-np.inf)
    sorter["author_key"] = df["author_key"]
    order = sorter.sort_values(["gid", "score"] + tiebreak + ["author_key"],
                               ascending=[True] + [False] * (1 + len(tiebreak)) + [True], kind="mergesort").index
    rank = np.empty(len(df), dtype=np.int64)
    rank[order] = pd.Series(gid[order]).groupby(gid[order], sort=False).cumcount().to_numpy() + 1
    df["overall_rank"] = rank
    if "network" in df.columns:     # the same order within each network (leaders per network)
        net = df["network"].astype(str).to_numpy()[order]
        nrank = np.empty(len(df), dtype=np.int64)
        nrank[order] = pd.Series(gid[order]).groupby([gid[order], net], sort=False).cumcount().to_numpy() + 1
        df["network_rank"] = nrank
    df["rank_reasons"] = _join_reasons(shares, texts)
    return df.sort_values(g + ["overall_rank"], ignore_index=True)


def _reason_texts(label: str, pos: np.ndarray, last: np.ndarray, n: np.ndarray,
                  ok: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(share, text) per row for one measure: ``"<label> top 5% (#3 of 5012)"`` when the value is
    positive and in the top 25% (a tie counts at its last place), ``"<label> #1 of 3"`` when alone in
    first place, else ``""`` (share = inf)."""
    share = last / n
    bucket = np.full(len(share), np.nan)
    for b in reversed(REASON_BUCKETS):
        bucket = np.where(share <= b + 1e-12, b, bucket)
    in_bucket = ok & ~np.isnan(bucket)
    first = ok & ~in_bucket & (last == 1)
    text = np.full(len(share), "", dtype=object)
    i = np.flatnonzero(in_bucket)
    if len(i):
        b_s = pd.Series(np.select([bucket[i] == b for b in REASON_BUCKETS], [_fmt_pct(b) for b in REASON_BUCKETS], ""))
        text[i] = (f"{label} top " + b_s + " (#" + pd.Series(pos[i]).astype(np.int64).astype(str) + " of "
                   + pd.Series(n[i]).astype(np.int64).astype(str) + ")").to_numpy(object)
    j = np.flatnonzero(first)
    if len(j):
        text[j] = (f"{label} #1 of " + pd.Series(n[j]).astype(np.int64).astype(str)).to_numpy(object)
    return np.where(in_bucket | first, share, np.inf), text


def _join_reasons(shares: list[np.ndarray], texts: list[np.ndarray]) -> list[str]:
    """Per row: the reasons joined with ``"; "``, best share first (ties: order of the weights)."""
    if not shares:
        return []
    sh = np.column_stack(shares)
    tx = np.column_stack(texts).astype(object)
    order = np.argsort(sh, axis=1, kind="stable")
    tx = np.take_along_axis(tx, order, axis=1)
    # a measure without a reason has share inf, so each row's reasons come first: join them a
    # column at a time (numpy adds the strings of the rows that have one more), twice as fast as a
    # join per row on the bench year's 541,328 accounts-periods
    joined = tx[:, 0].copy()
    for col in tx.T[1:]:
        more = col != ""
        joined[more] = joined[more] + "; " + col[more]
    return joined.tolist()


def _fmt_pct(b: float) -> str:
    v = b * 100
    return f"{int(round(v))}%" if math.isclose(v, round(v)) else f"{v:g}%"


def leaders(influence_df: pd.DataFrame, top: int = 10) -> pd.DataFrame:
    """The ``top`` accounts per (topic, period) of an :func:`influence` table."""
    return influence_df[influence_df["overall_rank"] <= top].reset_index(drop=True)
