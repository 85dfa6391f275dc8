"""Echo chambers: communities per (topic, period), what they talk about, who bridges them, and how
much interaction crosses between them.

* Graph: per topic and period (quarter by default) the undirected weighted interaction graph (edge
  weights summed over kinds and both directions; optional ``kind_weights``).  A topic-quarter alone
  is sparse (mostly stars around a few hubs, half the accounts outside the giant component), so for
  community detection only, the interactions between the same accounts on other topics / off-topic
  posts in the same period are added with weight ``context_weight`` (default 1; 0 = topic graph
  alone).  Bridges, exposure and community weights use the on-topic interactions only.
* Communities: Louvain (igraph's multilevel modularity optimisation, :func:`escucha.graph.algorithms.louvain`,
  with ``weight``, ``resolution`` and ``seed``).  Communities are numbered per topic-period by size (0 = largest; ties by total
  weighted degree, then smallest member key), so numbering is reproducible.
* Description (communities of at least ``min_size`` accounts): top accounts by PageRank on the
  directed topic-period graph, top hashtags and top words from the members' posts on the topic in
  the period (words: lower case, URLs / @handles / #hashtags / numbers removed, at least 3 letters,
  minus :data:`STOPWORDS`), counted in DuckDB.
* Bridges: for each account with weighted degree >= ``min_degree``, the participation coefficient
  ``P = 1 - sum_c (k_c / k)^2`` (``k_c``: weight to community ``c``, its own included) and the share
  of its weight going to other communities.  Bridges are accounts with ``P >= min_participation``
  reaching at least two communities, ranked by ``P`` then weighted degree.
* Exposure: per topic-period, ``cross_share`` = interaction weight between accounts of different
  communities / all interaction weight (0 for disconnected echo chambers), beside
  ``expected_cross_share`` = ``1 - sum_c (vol_c / 2W)^2``, the share if interactions ignored
  communities, and their ratio ``exposure_ratio``.
"""
from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from .algorithms import louvain
from .influence import pagerank_table
from .interactions import (build_context_edges, build_edges, period_expr, relation_name, topic_posts_sql,
                           undirected_weights)

SEED = 42
RESOLUTION = 1.0
MIN_SIZE = 5
MIN_DEGREE = 5.0
MIN_PARTICIPATION = 0.3
TOP_N = 10
#: weight of the accounts' interactions outside the topic (same period) in the Louvain graph
CONTEXT_WEIGHT = 1.0

#: Spanish (and a few English / social-media) function words left out of top words
STOPWORDS: frozenset[str] = frozenset("""
a al algo algun alguna algunas alguno algunos ante antes aqui aquí asi así aun aún bien cada casi
como cómo con contra cual cuál cuales cuando cuándo cuanto de del desde donde dónde dos el él ella
ellas ello ellos en entre era eran eres es esa esas ese eso esos esta está estaba estamos están estar
estas estás este esto estos estoy fue fueron gran ha había han has hasta hay he hoy la las le les lo
los mas más me mi mí mis mismo mucho muchos muy nada ni no nos nosotros nuestra nuestro nuestros o
otra otras otro otros para pero poco por porque puede pues que qué quien quién quienes se sea ser
si sí sido siempre sin sobre solo sólo son su sus tal también tan tanto te tenemos tener tengo
ti tiene tienen todo todos toda todas tras tu tú tus un una uno unos unas usted ustedes va vamos
van ya yo ahora aquí allí luego después entonces mientras además según vez veces hace hacer hizo
dice dijo ser será serán sería fue sigue via vía the and for you with this that are was rt amp http
https www com les del pues jaja jajaja ojo bueno buena buenas buenos gracias favor
""".split())


@dataclass
class CommunityResult:
    """Frames returned by :func:`communities`."""

    communities: pd.DataFrame   # one row per described community
    memberships: pd.DataFrame   # one row per (topic, period, account)
    bridges: pd.DataFrame       # bridging accounts
    exposure: pd.DataFrame      # one row per (topic, period)


def context_pairs(context_edges: pd.DataFrame, kind_weights: dict[str, float] | None = None) -> pd.DataFrame:
    """The context edges as undirected pair weights per period (columns period_start, u, v, ctx):
    what :func:`context_weights` compares each topic with. Compute it once when detecting the
    communities of many topics over the same context."""
    ctx = undirected_weights(context_edges, kind_weights)
    return ctx.groupby(["period_start", "u", "v"], as_index=False)["weight"].sum().rename(columns={"weight": "ctx"})


def context_weights(edges: pd.DataFrame, context_edges: pd.DataFrame, context_weight: float = 1.0,
                    kind_weights: dict[str, float] | None = None) -> pd.DataFrame:
    """Extra undirected weights per (topic, period, pair): ``context_weight`` x the pair's interactions
    outside the topic (context weight of the period minus the topic's own, clipped at 0), for pairs
    whose two accounts are both in the topic-period graph.  ``context_edges``: edges, or their
    :func:`context_pairs`.  Columns: topic_id, period_start, u, v, weight."""
    cols = ["topic_id", "period_start", "u", "v", "weight"]
    own = undirected_weights(edges, kind_weights)
    if own.empty or context_edges is None or context_edges.empty or context_weight <= 0:
        return pd.DataFrame(columns=cols)
    ctx = context_edges if "ctx" in context_edges.columns else context_pairs(context_edges, kind_weights)
    if own["period_start"].nunique() == 1 and ctx["period_start"].nunique() == 1:
        ctx = ctx.assign(period_start=own["period_start"].iloc[0])   # period 'all': one period on both sides
    nodes = pd.concat([own[["topic_id", "period_start", "u"]],
                       own[["topic_id", "period_start", "v"]].rename(columns={"v": "u"})]).drop_duplicates()
    x = ctx.merge(nodes, on=["period_start", "u"])
    x = x.merge(nodes.rename(columns={"u": "v"}), on=["topic_id", "period_start", "v"])
    x = x.merge(own, on=["topic_id", "period_start", "u", "v"], how="left")
    x["weight"] = context_weight * (x["ctx"] - x["weight"].fillna(0.0)).clip(lower=0.0)
    return x.loc[x["weight"] > 0, cols].reset_index(drop=True)


def detect(edges: pd.DataFrame, resolution: float = RESOLUTION, seed: int = SEED,
           kind_weights: dict[str, float] | None = None, context_edges: pd.DataFrame | None = None,
           context_weight: float = CONTEXT_WEIGHT) -> pd.DataFrame:
    """Louvain memberships per (topic, period).

    The graph of a topic-period holds its accounts and their on-topic interactions; with
    ``context_edges`` (edges of the same period on any topic, e.g. :func:`build_context_edges`) the
    interactions between those same accounts elsewhere are added with weight ``context_weight``
    (a single topic-quarter is sparse, mostly stars around a few hubs; how accounts interact
    elsewhere in the quarter reveals their alignment).  ``degree``/``neighbours`` are on-topic only.

    Columns: topic_id, period_start, author_key, community (int, 0 = largest), community_size,
    degree (weighted, undirected, on-topic), neighbours (on-topic).
    """
    cols = ["topic_id", "period_start", "author_key", "community", "community_size", "degree", "neighbours"]
    keys = ["topic_id", "period_start"]
    und = undirected_weights(edges, kind_weights)
    # on-topic weighted degree and neighbour count per account
    ends = pd.concat([und[keys + ["u", "weight"]], und[keys + ["v", "weight"]].rename(columns={"v": "u"})])
    stats = ends.groupby(keys + ["u"], sort=False)["weight"].agg(["sum", "size"])
    deg_all = dict(zip(stats.index, stats["sum"].astype(float)))
    nbr_all = dict(zip(stats.index, stats["size"].astype(int)))
    graph = und
    if context_edges is not None:
        extra = context_weights(edges, context_edges, context_weight, kind_weights)
        if len(extra):
            graph = pd.concat([und, extra], ignore_index=True).groupby(keys + ["u", "v"], as_index=False,
                                                                       sort=True)["weight"].sum()
    out = []
    for (topic, period), g in graph.groupby(keys, sort=True):
        comms = louvain(g["u"].to_numpy(), g["v"].to_numpy(), g["weight"].to_numpy(), resolution, seed)
        deg = {n: deg_all[(topic, period, n)] for c in comms for n in c}
        comms = sorted(comms, key=lambda c: (-len(c), -sum(deg[n] for n in c), min(c)))
        rows_a, rows_c, rows_s = [], [], []
        for i, c in enumerate(comms):
            for n in sorted(c):
                rows_a.append(n)
                rows_c.append(i)
                rows_s.append(len(c))
        out.append(pd.DataFrame({
            "topic_id": topic, "period_start": period, "author_key": rows_a, "community": rows_c,
            "community_size": rows_s, "degree": [deg[n] for n in rows_a],
            "neighbours": [nbr_all[(topic, period, n)] for n in rows_a],
        }))
    if not out:
        return pd.DataFrame(columns=cols)
    m = pd.concat(out, ignore_index=True)[cols]
    m["community"] = m["community"].astype("int64")
    m["community_size"] = m["community_size"].astype("int64")
    m["neighbours"] = m["neighbours"].astype("int64")
    return m


def _weights_by_community(edges: pd.DataFrame, memberships: pd.DataFrame,
                          kind_weights: dict[str, float] | None) -> pd.DataFrame:
    """Undirected pair weights with both endpoints' communities."""
    und = undirected_weights(edges, kind_weights)
    key = memberships[["topic_id", "period_start", "author_key", "community"]]
    und = und.merge(key.rename(columns={"author_key": "u", "community": "cu"}), on=["topic_id", "period_start", "u"])
    und = und.merge(key.rename(columns={"author_key": "v", "community": "cv"}), on=["topic_id", "period_start", "v"])
    return und


def bridges(edges: pd.DataFrame, memberships: pd.DataFrame, min_degree: float = MIN_DEGREE,
            min_participation: float = MIN_PARTICIPATION,
            kind_weights: dict[str, float] | None = None) -> pd.DataFrame:
    """Bridging accounts per (topic, period).

    Columns: topic_id, period_start, author_key, community, degree, participation, external_share,
    communities_reached, bridge_rank (1 = strongest bridge of the topic-period).
    """
    cols = ["topic_id", "period_start", "author_key", "community", "degree", "participation",
            "external_share", "communities_reached", "bridge_rank"]
    und = _weights_by_community(edges, memberships, kind_weights)
    if und.empty:
        return pd.DataFrame(columns=cols)
    # each pair contributes to both endpoints: (account, neighbour's community, weight)
    names = ["topic_id", "period_start", "author_key", "to", "weight"]
    half = pd.concat([
        und[["topic_id", "period_start", "u", "cv", "weight"]].set_axis(names, axis=1),
        und[["topic_id", "period_start", "v", "cu", "weight"]].set_axis(names, axis=1),
    ], ignore_index=True)
    kc = half.groupby(["topic_id", "period_start", "author_key", "to"], as_index=False)["weight"].sum()
    kc = kc.merge(memberships[["topic_id", "period_start", "author_key", "community"]],
                  on=["topic_id", "period_start", "author_key"])
    k = kc.groupby(["topic_id", "period_start", "author_key"])["weight"].transform("sum")
    kc["sq"] = (kc["weight"] / k) ** 2
    kc["own"] = np.where(kc["to"] == kc["community"], kc["weight"], 0.0)
    agg = kc.groupby(["topic_id", "period_start", "author_key", "community"], as_index=False).agg(
        degree=("weight", "sum"), sq=("sq", "sum"), own=("own", "sum"), communities_reached=("to", "nunique"))
    agg["participation"] = 1.0 - agg["sq"]
    agg["external_share"] = 1.0 - agg["own"] / agg["degree"]
    b = agg[(agg["degree"] >= min_degree) & (agg["participation"] >= min_participation - 1e-12)
            & (agg["communities_reached"] >= 2)].copy()
    b = b.sort_values(["topic_id", "period_start", "participation", "degree", "author_key"],
                      ascending=[True, True, False, False, True], kind="mergesort")
    b["bridge_rank"] = b.groupby(["topic_id", "period_start"]).cumcount() + 1
    b["communities_reached"] = b["communities_reached"].astype("int64")
    return b[cols].reset_index(drop=True)


def exposure(edges: pd.DataFrame, memberships: pd.DataFrame,
             kind_weights: dict[str, float] | None = None) -> pd.DataFrame:
    """Cross-community exposure per (topic, period).

    Columns: topic_id, period_start, accounts, communities, total_weight, cross_weight, cross_share,
    expected_cross_share, exposure_ratio (cross_share / expected_cross_share; null when expected is 0).
    """
    und = _weights_by_community(edges, memberships, kind_weights)
    cols = ["topic_id", "period_start", "accounts", "communities", "total_weight", "cross_weight",
            "cross_share", "expected_cross_share", "exposure_ratio"]
    if und.empty:
        return pd.DataFrame(columns=cols)
    und["cross"] = np.where(und["cu"] != und["cv"], und["weight"], 0.0)
    ex = und.groupby(["topic_id", "period_start"], as_index=False).agg(total_weight=("weight", "sum"),
                                                                      cross_weight=("cross", "sum"))
    vol = pd.concat([und[["topic_id", "period_start", "cu", "weight"]].rename(columns={"cu": "c"}),
                     und[["topic_id", "period_start", "cv", "weight"]].rename(columns={"cv": "c"})])
    vol = vol.groupby(["topic_id", "period_start", "c"], as_index=False)["weight"].sum()
    vol["two_w"] = vol.groupby(["topic_id", "period_start"])["weight"].transform("sum")
    vol["sq"] = (vol["weight"] / vol["two_w"]) ** 2
    exp = vol.groupby(["topic_id", "period_start"], as_index=False)["sq"].sum()
    exp["expected_cross_share"] = 1.0 - exp["sq"]
    ex = ex.merge(exp[["topic_id", "period_start", "expected_cross_share"]], on=["topic_id", "period_start"])
    size = memberships.groupby(["topic_id", "period_start"], as_index=False).agg(
        accounts=("author_key", "size"), communities=("community", "nunique"))
    ex = ex.merge(size, on=["topic_id", "period_start"], how="left")
    ex["cross_share"] = ex["cross_weight"] / ex["total_weight"]
    ex["exposure_ratio"] = ex["cross_share"] / ex["expected_cross_share"].where(ex["expected_cross_share"] > 0)
    return ex[cols].sort_values(["topic_id", "period_start"], ignore_index=True)


def describe_sql(topic_posts: str, memberships: str, period: str = "quarter", top_n: int = TOP_N,
                 min_size: int = MIN_SIZE) -> str:
    """SQL: top hashtags and top words per community (communities of >= ``min_size`` accounts).

    Columns: topic_id, period_start, community, posts, top_hashtags (list), top_words (list).
    """
    pexpr = period_expr(period, "created_date_lima", topic_posts)
    stop = ", ".join("'" + w.replace("'", "''") + "'" for w in sorted(STOPWORDS))
    return f"""
WITH m AS (
    SELECT topic_id, CAST(period_start AS DATE) AS period_start, author_key, community
    FROM {memberships} WHERE community_size >= {int(min_size)}
),
mp AS (
    SELECT m.topic_id, m.period_start, m.community, p.text, p.hashtags
    FROM (SELECT topic_id, {pexpr} AS period_start, author_key, text, hashtags FROM {topic_posts}) AS p
    JOIN m USING (topic_id, period_start, author_key)
),
posts AS (
    SELECT topic_id, period_start, community, CAST(count(*) AS BIGINT) AS posts FROM mp GROUP BY ALL
),
tags AS (
    SELECT topic_id, period_start, community, tag, count(*) AS n
    FROM (SELECT topic_id, period_start, community, lower(ltrim(unnest(hashtags), '#')) AS tag FROM mp)
    WHERE tag <> '' GROUP BY ALL
),
words AS (
    SELECT topic_id, period_start, community, w, count(*) AS n
    FROM (
        SELECT topic_id, period_start, community,
               unnest(regexp_split_to_array(
                   regexp_replace(lower(coalesce(text, '')), '(https?://\\S+|www\\.\\S+|[@#][[:alnum:]_]+)', ' ', 'g'),
                   '[^a-záéíóúüñ]+')) AS w
        FROM mp
    )
    WHERE length(w) >= 3 AND w NOT IN ({stop})
    GROUP BY ALL
),
top_tags AS (
    SELECT topic_id, period_start, community, list(tag ORDER BY n DESC, tag) AS top_hashtags
    FROM (SELECT *, row_number() OVER (PARTITION BY topic_id, period_start, community ORDER BY n DESC, tag) AS r
          FROM tags) WHERE r <= {int(top_n)} GROUP BY ALL
),
top_words AS (
    SELECT topic_id, period_start, community, list(w ORDER BY n DESC, w) AS top_words
    FROM (SELECT *, row_number() OVER (PARTITION BY topic_id, period_start, community ORDER BY n DESC, w) AS r
          FROM words) WHERE r <= {int(top_n)} GROUP BY ALL
)
SELECT posts.*, top_tags.top_hashtags, top_words.top_words
FROM posts
LEFT JOIN top_tags USING (topic_id, period_start, community)
LEFT JOIN top_words USING (topic_id, period_start, community)
"""


def communities(con: duckdb.DuckDBPyConnection, topic_posts=None, authors="marts.dim_authors",
                period: str = "quarter", edges: pd.DataFrame | None = None, resolution: float = RESOLUTION,
                seed: int = SEED, min_size: int = MIN_SIZE, min_degree: float = MIN_DEGREE,
                min_participation: float = MIN_PARTICIPATION, top_n: int = TOP_N,
                kind_weights: dict[str, float] | None = None, lookup_posts=None, context_posts=None,
                context_edges: pd.DataFrame | None = None,
                context_weight: float = CONTEXT_WEIGHT) -> CommunityResult:
    """Communities, memberships, bridges and exposure per (topic, period).

    ``topic_posts``/``authors``: as for :func:`escucha.graph.interactions.build_edges` (posts also
    need ``text`` and ``hashtags``); ``edges``: a :func:`build_edges` table for the same ``period``.
    Context for :func:`detect`: ``context_edges`` if given; else edges built from ``context_posts``
    (all posts, any topic; defaults to ``marts.fct_posts`` when ``topic_posts`` is None); else the
    other topics' edges in ``edges``.  ``context_weight=0`` uses the topic graph alone.

    ``communities`` columns: topic_id, period_start, community, size, internal_weight,
    external_weight, external_share, posts, top_accounts (author keys, by PageRank), top_handles,
    top_hashtags, top_words.  Memberships also carry ``pagerank`` and ``handle``.
    """
    if topic_posts is None:
        topic_posts = f"({topic_posts_sql()})"
        lookup_posts = lookup_posts if lookup_posts is not None else "marts.fct_posts"
        context_posts = context_posts if context_posts is not None else "marts.fct_posts"
    tp = relation_name(con, topic_posts, "topic_posts")
    au = relation_name(con, authors, "authors")
    if edges is None:
        edges = build_edges(con, tp, au, period, lookup_posts)
    if context_edges is None and context_weight > 0:
        context_edges = (build_context_edges(con, context_posts, au, period) if context_posts is not None
                         else edges)
    mem = memberships(con, au, edges, context_edges if context_weight > 0 else None, resolution, seed,
                      kind_weights, context_weight)
    br = bridges(edges, mem, min_degree, min_participation, kind_weights)
    ex = exposure(edges, mem, kind_weights)
    comm = describe_communities(con, tp, edges, mem, period, top_n, min_size, kind_weights)
    return CommunityResult(communities=comm, memberships=mem, bridges=br, exposure=ex)


def memberships(con: duckdb.DuckDBPyConnection, authors: str, edges: pd.DataFrame,
                context_edges: pd.DataFrame | None = None, resolution: float = RESOLUTION, seed: int = SEED,
                kind_weights: dict[str, float] | None = None,
                context_weight: float = CONTEXT_WEIGHT) -> pd.DataFrame:
    """:func:`detect` memberships with each account's PageRank in its topic-period graph and its
    handle (from ``authors``, a relation of ``con``)."""
    mem = detect(edges, resolution, seed, kind_weights, context_edges, context_weight)
    pr = pagerank_table(edges)[["topic_id", "period_start", "author_key", "pagerank"]]
    mem = mem.merge(pr, on=["topic_id", "period_start", "author_key"], how="left")
    mem["pagerank"] = mem["pagerank"].fillna(0.0).astype(float)
    handles = _handles(con, authors, mem["author_key"].unique())
    mem["handle"] = mem["author_key"].map(handles).astype(object)
    return mem


def _handles(con: duckdb.DuckDBPyConnection, authors: str, keys) -> pd.Series:
    keys_df = pd.DataFrame({"author_key": pd.Series(keys, dtype=object)})
    con.register("_communities_keys", keys_df)
    try:
        h = con.sql(f"SELECT a.author_key, min(a.handle) AS handle FROM {authors} AS a "
                    "JOIN _communities_keys USING (author_key) GROUP BY 1").df()
    finally:
        con.unregister("_communities_keys")
    return h.set_index("author_key")["handle"]


def describe_communities(con: duckdb.DuckDBPyConnection, tp: str, edges: pd.DataFrame, mem: pd.DataFrame,
                         period: str = "quarter", top_n: int = TOP_N, min_size: int = MIN_SIZE,
                         kind_weights: dict[str, float] | None = None) -> pd.DataFrame:
    """One row per community of at least ``min_size`` accounts: size, internal and external
    interaction weight, its posts, top accounts (by PageRank), top hashtags and top words (from
    ``tp``, the topic posts, a relation of ``con``); ``mem`` from :func:`memberships`."""
    cols = ["topic_id", "period_start", "community", "size", "internal_weight", "external_weight",
            "external_share", "posts", "top_accounts", "top_handles", "top_hashtags", "top_words"]
    big = mem[mem["community_size"] >= min_size]
    if big.empty:
        return pd.DataFrame(columns=cols)
    und = _weights_by_community(edges, mem, kind_weights)
    internal = und[und["cu"] == und["cv"]].groupby(["topic_id", "period_start", "cu"])["weight"].sum()
    ext = und[und["cu"] != und["cv"]]
    external = pd.concat([ext.groupby(["topic_id", "period_start", "cu"])["weight"].sum(),
                          ext.groupby(["topic_id", "period_start", "cv"])["weight"].sum().rename_axis(
                              ["topic_id", "period_start", "cu"])]).groupby(level=[0, 1, 2]).sum()
    ranked = big.sort_values(["topic_id", "period_start", "community", "pagerank", "degree", "author_key"],
                             ascending=[True, True, True, False, False, True], kind="mergesort")
    top = ranked.groupby(["topic_id", "period_start", "community"]).head(top_n)
    tops = top.groupby(["topic_id", "period_start", "community"]).agg(
        size=("community_size", "first"), top_accounts=("author_key", list),
        top_handles=("handle", lambda s: [h if isinstance(h, str) else None for h in s]))
    tops = tops.reset_index()
    idx = pd.MultiIndex.from_frame(tops[["topic_id", "period_start", "community"]])
    tops["internal_weight"] = internal.reindex(idx).fillna(0.0).to_numpy()
    tops["external_weight"] = external.reindex(idx).fillna(0.0).to_numpy()
    tot = tops["internal_weight"] + tops["external_weight"]
    tops["external_share"] = tops["external_weight"] / tot.where(tot > 0)
    mem_view = big[["topic_id", "period_start", "author_key", "community", "community_size"]]
    con.register("_communities_members", mem_view)
    try:
        words = con.sql(describe_sql(tp, "_communities_members", period, top_n, min_size)).df()
    finally:
        con.unregister("_communities_members")
    words["period_start"] = pd.to_datetime(words["period_start"]).dt.date
    out = tops.merge(words, on=["topic_id", "period_start", "community"], how="left")
    out["posts"] = out["posts"].fillna(0).astype("int64")
    for c in ("top_hashtags", "top_words"):
        out[c] = [list(v) if isinstance(v, (list, np.ndarray)) else [] for v in out[c]]
    out["size"] = out["size"].astype("int64")
    return out[cols].sort_values(["topic_id", "period_start", "community"], ignore_index=True)
