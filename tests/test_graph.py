"""escucha.graph on small hand-made graphs whose right answer is known."""
from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pytest

from escucha.graph import communities as C
from escucha.graph import influence as F
from escucha.graph import interactions as I
from escucha.graph import overperformance as O

POST_SCHEMA = pa.schema([
    ("post_key", pa.string()), ("network", pa.string()), ("created_at", pa.timestamp("us")),
    ("created_date_lima", pa.date32()), ("author_key", pa.string()), ("text", pa.string()),
    ("post_type", pa.string()), ("parent_post_key", pa.string()), ("parent_author_key", pa.string()),
    ("shared_post_key", pa.string()), ("shared_author_key", pa.string()), ("quoted_post_key", pa.string()),
    ("quoted_author_key", pa.string()), ("mentions", pa.list_(pa.string())), ("hashtags", pa.list_(pa.string())),
    ("likes", pa.int64()), ("shares", pa.int64()), ("comments", pa.int64()), ("views", pa.int64()),
    ("engagement", pa.int64()), ("topic_id", pa.string()),
])
AUTHOR_SCHEMA = pa.schema([("author_key", pa.string()), ("network", pa.string()), ("handle", pa.string()),
                           ("followers", pa.int64())])


def post(key, author, day=dt.date(2022, 1, 10), topic="t", kind="post", net="x", text="", mentions=(),
         hashtags=(), reply_to=None, parent_post=None, share_of=None, quote_of=None, likes=0, shares=0,
         comments=0, at=None):
    ts = at or dt.datetime.combine(day, dt.time(12, 0))
    return {"post_key": key, "network": net, "created_at": ts, "created_date_lima": day, "author_key": author,
            "text": text, "post_type": kind, "parent_post_key": parent_post, "parent_author_key": reply_to,
            "shared_post_key": None, "shared_author_key": share_of, "quoted_post_key": None,
            "quoted_author_key": quote_of, "mentions": list(mentions), "hashtags": list(hashtags),
            "likes": likes, "shares": shares, "comments": comments, "views": None,
            "engagement": likes + shares + comments, "topic_id": topic}


def author(key, handle=None, followers=100, net=None):
    return {"author_key": key, "network": net or key.split(":")[0], "handle": handle, "followers": followers}


def load(con, posts: list[dict], authors: list[dict]) -> None:
    """Create tables ``posts`` and ``authors`` in ``con``."""
    con.register("_p", pa.Table.from_pylist(posts, schema=POST_SCHEMA))
    con.register("_a", pa.Table.from_pylist(authors, schema=AUTHOR_SCHEMA))
    con.execute("CREATE OR REPLACE TABLE posts AS SELECT * FROM _p")
    con.execute("CREATE OR REPLACE TABLE authors AS SELECT * FROM _a")
    con.unregister("_p")
    con.unregister("_a")


@pytest.fixture
def con():
    c = duckdb.connect()
    yield c
    c.close()


def edge_dict(edges: pd.DataFrame) -> dict:
    return {(r.topic_id, str(r.period_start), r.source_key, r.target_key, r.kind): r.weight
            for r in edges.itertuples()}


# ---------------------------------------------------------------- edges

def test_edges_aggregate_counts(con):
    jan, feb = dt.date(2022, 1, 5), dt.date(2022, 2, 7)
    posts = [
        post("x:1", "x:a", jan, text="original"),
        post("x:2", "x:b", jan, kind="reply", reply_to="x:a", parent_post="x:1"),
        post("x:3", "x:b", jan, kind="reply", reply_to="x:a", parent_post="x:1"),
        post("x:4", "x:b", feb, kind="reply", reply_to="x:a", parent_post="x:1"),
        post("x:5", "x:c", jan, kind="share", share_of="x:a"),
        post("x:6", "x:c", jan, kind="quote", quote_of="x:a"),
        post("x:7", "x:a", jan, kind="reply", reply_to="x:a"),                  # self-reply: dropped
        post("x:8", "x:[unknown]", jan, kind="reply", reply_to="x:a"),          # anonymous: dropped
        post("x:9", "x:b", jan, topic="u", kind="reply", reply_to="x:a"),       # same post, 2 topics
        post("x:9", "x:b", jan, topic="t", kind="reply", reply_to="x:a"),
        post("tiktok:1", "tiktok:v", jan, net="tiktok"),                         # parent author looked up
        post("tiktok:2", "tiktok:w", jan, net="tiktok", kind="reply", parent_post="tiktok:1"),
    ]
    load(con, posts, [author("x:a", "Ana"), author("x:b", "beto"), author("x:c", "caro")])
    e = I.build_edges(con, "posts", "authors", "month")
    assert list(e.columns) == I.EDGE_COLUMNS
    assert edge_dict(e) == {
        ("t", "2022-01-01", "x:b", "x:a", "reply"): 3,
        ("t", "2022-02-01", "x:b", "x:a", "reply"): 1,
        ("t", "2022-01-01", "x:c", "x:a", "share"): 1,
        ("t", "2022-01-01", "x:c", "x:a", "quote"): 1,
        ("u", "2022-01-01", "x:b", "x:a", "reply"): 1,
        ("t", "2022-01-01", "tiktok:w", "tiktok:v", "reply"): 1,
    }
    q = I.build_edges(con, "posts", "authors", "quarter")
    assert edge_dict(q)[("t", "2022-01-01", "x:b", "x:a", "reply")] == 4
    # DataFrame input gives the same edges
    df = con.sql("SELECT * FROM posts").df()
    pd.testing.assert_frame_equal(I.build_edges(con, df, "authors", "month"), e)


def test_mentions_resolve_case_insensitively(con):
    posts = [
        post("x:1", "x:a", mentions=["BoB"]),
        post("x:2", "x:a", mentions=["bob", "@BOB"]),              # one post, same handle twice: once
        post("x:3", "x:c", mentions=["Carl"]),                     # unknown handle: no edge
        post("x:4", "x:c", kind="reply", reply_to="x:b", mentions=["bob", "ana"]),  # @parent not a mention
        post("x:5", "x:c", kind="share", share_of="x:a", mentions=["ana", "bob"]),  # a share's text is not c's
        post("instagram:1", "instagram:z", net="instagram", mentions=["Bob"]),     # other network's Bob
        post("x:6", "x:a", mentions=["dup"]),                       # ambiguous: the active account wins
        post("x:7", "x:d2", text="d2 posts"),
    ]
    authors = [author("x:a", "ana"), author("x:b", "Bob"), author("x:c", "carlos"),
               author("instagram:b", "bob"), author("instagram:z", "zoe"),
               author("x:d1", "DUP", followers=10**6), author("x:d2", "dup", followers=5)]
    load(con, posts, authors)
    e = I.build_edges(con, "posts", "authors")
    mentions = {(r.source_key, r.target_key): r.weight for r in e[e["kind"] == "mention"].itertuples()}
    assert mentions == {("x:a", "x:b"): 2, ("x:c", "x:a"): 1, ("instagram:z", "instagram:b"): 1,
                        ("x:a", "x:d2"): 1}
    assert edge_dict(e)[("t", "2022-01-01", "x:c", "x:b", "reply")] == 1
    assert edge_dict(e)[("t", "2022-01-01", "x:c", "x:a", "share")] == 1


# ---------------------------------------------------------------- influence

def test_star_centre_ranks_first_because_of_pagerank(con):
    leaves = [f"x:l{i}" for i in range(6)]
    posts = [post("x:c0", "x:centre", text="hub")]
    posts += [post(f"x:r{i}", leaf, kind="reply", reply_to="x:centre", parent_post="x:c0")
              for i, leaf in enumerate(leaves)]
    load(con, posts, [author("x:centre", "centre")] + [author(k, k[2:]) for k in leaves])
    inf = F.influence(con, "posts", "authors", "month")
    top = inf.iloc[0]
    assert top["author_key"] == "x:centre" and top["overall_rank"] == 1 and top["network_rank"] == 1
    assert top["rank_reasons"].startswith("pagerank top")
    assert top["interactions_received"] == 6 and top["pagerank_pct"] == 1.0
    assert set(inf["author_key"]) == {"x:centre", *leaves}
    assert sorted(inf["overall_rank"]) == list(range(1, 8))
    assert all("pagerank" not in r for r in inf.loc[inf["author_key"] != "x:centre", "rank_reasons"])
    leaf = inf[inf["author_key"] == "x:l0"].iloc[0]
    assert leaf["pagerank"] < top["pagerank"] and leaf["interactions_made"] == 1


def test_influence_measures_and_reasons(con):
    posts = [post("x:1", "x:big", likes=900, shares=90, comments=10),         # engagement 1000
             post("x:2", "x:big", likes=0),
             post("x:3", "x:small", likes=50),
             post("x:4", "x:small", kind="share", share_of="x:big", likes=999),  # a share's metrics: not its own
             post("x:5", "x:quiet")]
    load(con, posts, [author("x:big", "big", 100_000), author("x:small", "small", 500),
                      author("x:quiet", "quiet", None)])
    inf = F.influence(con, "posts", "authors", "month").set_index("author_key")
    assert inf.loc["x:big", ["posts", "original_posts", "engagement"]].tolist() == [2, 2, 1000]
    assert inf.loc["x:small", ["posts", "original_posts", "engagement"]].tolist() == [2, 1, 50]
    assert inf.loc["x:big", "engagement_rate"] == pytest.approx(1000 * 1000 / 2 / 100_000)
    assert inf.loc["x:small", "engagement_rate"] == pytest.approx(1000 * 50 / 1 / 500)
    assert pd.isna(inf.loc["x:quiet", "engagement_rate"]) and pd.isna(inf.loc["x:quiet", "followers"])
    assert inf.loc["x:big", "overall_rank"] == 1
    assert "engagement #1 of 3" in inf.loc["x:big", "rank_reasons"]
    assert "reach #1 of 3" in inf.loc["x:big", "rank_reasons"]
    assert "engagement rate #1 of 3" in inf.loc["x:small", "rank_reasons"]
    assert inf.loc["x:quiet", "rank_reasons"] == ""


# ---------------------------------------------------------------- communities

def clique_posts(groups: dict[str, list[str]], extra_pairs=(), texts=None) -> list[dict]:
    """One reply per pair inside each group, plus ``extra_pairs``."""
    posts, n = [], itertools.count()
    texts = texts or {}
    for g, members in groups.items():
        for u, v in itertools.combinations(members, 2):
            posts.append(post(f"x:{next(n)}", u, kind="reply", reply_to=v, text=texts.get(g, ""),
                              hashtags=[g.upper()]))
    for u, v in extra_pairs:
        posts.append(post(f"x:{next(n)}", u, kind="reply", reply_to=v, text="hola"))
    return posts


def test_two_cliques_joined_by_one_account(con):
    A = [f"x:a{i}" for i in range(4)]
    B = [f"x:b{i}" for i in range(4)]
    posts = clique_posts({"mineria": A, "fraude": B}, [("x:bridge", v) for v in A + B],
                         texts={"mineria": "La minería y el agua de la sierra",
                                "fraude": "El fraude en las elecciones de hoy"})
    load(con, posts, [author(k, k[2:]) for k in A + B + ["x:bridge"]])
    res = C.communities(con, "posts", "authors", "quarter", min_size=3)
    m = res.memberships.set_index("author_key")["community"]
    assert m[A].nunique() == 1 and m[B].nunique() == 1 and m[A[0]] != m[B[0]]
    assert m["x:bridge"] in (m[A[0]], m[B[0]])
    assert res.memberships["community"].nunique() == 2
    assert res.bridges["author_key"].tolist() == ["x:bridge"]
    b = res.bridges.iloc[0]
    assert b["participation"] == pytest.approx(0.5) and b["external_share"] == pytest.approx(0.5)
    assert b["degree"] == 8 and b["communities_reached"] == 2 and b["bridge_rank"] == 1
    ex = res.exposure.iloc[0]
    assert ex["total_weight"] == 20 and ex["cross_weight"] == 4 and ex["cross_share"] == pytest.approx(0.2)
    assert ex["accounts"] == 9 and ex["communities"] == 2
    comms = res.communities.set_index("community")
    a_row = comms.loc[m[A[0]]]
    assert a_row["top_hashtags"][0] == "mineria"
    assert {"minería", "agua", "sierra"} <= set(a_row["top_words"])
    assert not {"la", "el", "de", "hoy"} & set(a_row["top_words"])
    assert set(comms.loc[m[B[0]], "top_words"]) >= {"fraude", "elecciones"}


def test_exposure_zero_for_disconnected_cliques(con):
    A = [f"x:a{i}" for i in range(5)]
    B = [f"x:b{i}" for i in range(5)]
    load(con, clique_posts({"a": A, "b": B}), [author(k, k[2:]) for k in A + B])
    res = C.communities(con, "posts", "authors", "quarter")
    assert res.memberships.groupby("community")["author_key"].apply(frozenset).tolist() in (
        [frozenset(A), frozenset(B)], [frozenset(B), frozenset(A)])
    ex = res.exposure.iloc[0]
    assert ex["cross_weight"] == 0 and ex["cross_share"] == 0.0
    assert ex["expected_cross_share"] == pytest.approx(0.5) and ex["exposure_ratio"] == 0.0
    assert res.bridges.empty
    assert res.communities["size"].tolist() == [5, 5]
    assert (res.communities["external_share"] == 0).all()


def test_context_edges_decide_the_split():
    day = dt.date(2022, 1, 3)
    rows = [("t", "x:a", "x:b", 1), ("t", "x:b", "x:c", 1), ("t", "x:c", "x:d", 1),   # a path on topic t
            ("u", "x:a", "x:c", 5), ("u", "x:b", "x:d", 5), ("u", "x:a", "x:e", 9)]   # elsewhere
    edges = pd.DataFrame([{"topic_id": t, "period_start": day, "network": "x", "source_key": s,
                           "target_key": d, "kind": "reply", "weight": w} for t, s, d, w in rows])
    alone = C.detect(edges[edges["topic_id"] == "t"], context_weight=0)
    assert alone.groupby("community")["author_key"].apply(frozenset).tolist() == [
        frozenset({"x:a", "x:b"}), frozenset({"x:c", "x:d"})]
    withctx = C.detect(edges[edges["topic_id"] == "t"], context_edges=edges, context_weight=1.0)
    assert sorted(withctx.groupby("community")["author_key"].apply(frozenset).tolist(), key=min) == [
        frozenset({"x:a", "x:c"}), frozenset({"x:b", "x:d"})]
    assert "x:e" not in set(withctx["author_key"])                      # context adds no accounts
    assert withctx.set_index("author_key")["degree"].to_dict() == {"x:a": 1, "x:b": 2, "x:c": 2, "x:d": 1}


def test_the_context_among_a_topics_accounts_decides_as_the_whole_context_does(con):
    """The communities model passes only the context edges between the topic's own accounts
    (edges_among_sql, in DuckDB); the split is the one the whole context gives."""
    q1, q2 = dt.date(2022, 1, 1), dt.date(2022, 4, 1)
    rows = [("t", q1, "x:a", "x:b", 1), ("t", q1, "x:b", "x:c", 1), ("t", q1, "x:c", "x:d", 1),
            ("*", q1, "x:a", "x:c", 5), ("*", q1, "x:d", "x:b", 5), ("*", q1, "x:a", "x:e", 9),
            ("*", q1, "x:e", "x:f", 3), ("*", q2, "x:a", "x:b", 7), ("t", q2, "x:e", "x:f", 1)]
    edges = pd.DataFrame([{"topic_id": t, "period_start": p, "network": "x", "source_key": s,
                           "target_key": d, "kind": "reply", "weight": w} for t, p, s, d, w in rows])
    con.register("all_edges", edges)
    topic = "(select * from all_edges where topic_id = 't')"
    among = I.normalise_edges(con.sql(I.edges_among_sql("(select * from all_edges where topic_id = '*')",
                                                        topic)).df())
    # both ends among the topic's accounts of the same quarter: a-c and d-b in Q1, nothing in Q2
    assert edge_dict(among) == {("*", "2022-01-01", "x:a", "x:c", "reply"): 5,
                                ("*", "2022-01-01", "x:d", "x:b", "reply"): 5}
    own = I.normalise_edges(con.sql(topic).df())
    whole = C.detect(own, context_edges=C.context_pairs(edges[edges["topic_id"] == "*"]))
    part = C.detect(own, context_edges=C.context_pairs(among))
    pd.testing.assert_frame_equal(part, whole)
    assert sorted(part[part["period_start"] == q1].groupby("community")["author_key"].apply(frozenset).tolist(),
                  key=min) == [frozenset({"x:a", "x:c"}), frozenset({"x:b", "x:d"})]


# ---------------------------------------------------------------- overperformance
# The SQL is the dbt macro `overperformance` (dbt_project/macros/overperformance.sql), rendered by dbt
# once per session; the tests run it in a plain DuckDB connection against the Python reference.

DBT_PROJECT = Path(__file__).resolve().parents[1] / "dbt_project"
OP_PARAMS = [None, (5, 0.10, 3), (30, 0.25, 4), (7, 0.2, 2), (6, 1 / 3, 3), (4, 0.0, 1)]   # None: defaults


@pytest.fixture(scope="session")
def op_sql(tmp_path_factory) -> dict:
    """{parameters in OP_PARAMS: the macro rendered by dbt, a query over the relation ``op_posts``}."""
    from dbt.cli.main import dbtRunner
    home = tmp_path_factory.mktemp("dbt_home")            # an empty warehouse; nothing is read from it
    sep = "\n-- next call --\n"
    inline = sep.join("{{ overperformance('op_posts'%s) }}" % ("" if p is None else ", %d, %r, %d" % p)
                      for p in OP_PARAMS)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ESCUCHA_HOME", str(home))
        mp.chdir(Path.cwd())                              # restored on exit, whatever dbt does
        res = dbtRunner().invoke(["compile", "--inline", inline, "--project-dir", str(DBT_PROJECT),
                                  "--profiles-dir", str(DBT_PROJECT), "--target-path", str(home / "target"),
                                  "--log-path", str(home / "logs"), "--quiet"])
    assert res.success, res.exception
    parts = res.result.results[0].node.compiled_code.split(sep)
    assert len(parts) == len(OP_PARAMS)
    return dict(zip(OP_PARAMS, parts))


def run_overperformance(con, sql: str, posts: pd.DataFrame) -> pd.DataFrame:
    con.register("op_posts", posts)
    return con.sql(f"select * from ({sql}) order by post_key").df()


def test_overperformance_by_hand(con, op_sql):
    t0 = dt.datetime(2022, 3, 1)
    vals = [10, 20, 30, 60, 1000]
    rows = [{"post_key": f"p{i}", "author_key": "x:a", "post_type": "post", "created_at": t0 + dt.timedelta(hours=i),
             "likes": v, "shares": 0, "comments": None} for i, v in enumerate(vals)]
    rows.append({"post_key": "q0", "author_key": "x:a", "post_type": "reply", "created_at": t0 + dt.timedelta(hours=9),
                 "likes": 5, "shares": None, "comments": None})
    rows += [{"post_key": f"z{i}", "author_key": "x:z", "post_type": "post", "created_at": t0 + dt.timedelta(hours=i),
              "likes": 0, "shares": 7 if i == 3 else 0, "comments": 0} for i in range(4)]
    for out in (run_overperformance(con, op_sql[None], pd.DataFrame(rows)),
                O.overperformance_reference(pd.DataFrame(rows))):
        assert out.columns.tolist() == O.COLUMNS
        out = out.set_index("post_key")
        assert out.loc[["p0", "p1", "p2"], "expected_interactions"].isna().all()
        assert out.loc["p3", "n_previous"] == 3 and out.loc["p3", "expected_interactions"] == 20.0
        assert out.loc["p3", "overperformance"] == 3.0
        assert out.loc["p4", "expected_interactions"] == 25.0          # [10,20,30,60] minus min and max
        assert out.loc["p4", "overperformance"] == 40.0
        assert out.loc["q0", "n_previous"] == 0 and pd.isna(out.loc["q0", "overperformance"])
        assert out.loc["q0", "interactions"] == 5
        assert out.loc["z3", "expected_interactions"] == 0.0 and pd.isna(out.loc["z3", "overperformance"])


def test_overperformance_macro_equals_python_reference(con, op_sql):
    import random
    rng = random.Random(7)
    t0 = dt.datetime(2022, 1, 1)
    rows = []
    for a in range(6):
        for i in range(rng.randint(0, 120)):
            at = t0 + dt.timedelta(hours=rng.randint(0, 300))      # repeated timestamps on purpose
            rows.append({"post_key": f"k{a}-{i:03d}", "author_key": f"x:{a}",
                         "post_type": rng.choice(["post", "post", "reply"]), "created_at": at,
                         "likes": rng.choice([None, 0, 0, 1, 3, 10, 250]), "shares": rng.choice([None, 0, 2]),
                         "comments": rng.randint(0, 4)})
    df = pd.DataFrame(rows)
    for params, sql_text in op_sql.items():
        n_prev, trim, min_prev = params or (O.N_PREVIOUS, O.TRIM, O.MIN_PREVIOUS)   # the macro's defaults
        sql = run_overperformance(con, sql_text, df)
        ref = O.overperformance_reference(df, n_prev, trim, min_prev)
        assert sql.columns.tolist() == O.COLUMNS
        assert sql["post_key"].tolist() == ref["post_key"].tolist()
        assert sql["n_previous"].tolist() == ref["n_previous"].tolist()
        assert sql["interactions"].tolist() == ref["interactions"].tolist()
        for col in ("expected_interactions", "overperformance"):
            pd.testing.assert_series_equal(sql[col].astype(float), ref[col].astype(float), check_names=False,
                                           check_exact=False, rtol=0, atol=1e-9)
        assert (sql["n_previous"] == min(n_prev, 30)).sum() > 20         # full windows are exercised
        assert sql["expected_interactions"].notna().sum() > 100
        assert sql.loc[sql["n_previous"] < 3, "expected_interactions"].isna().all()


def test_rank_reasons_join_the_standing_measures_best_share_first():
    """Per row, the measures that stand out joined with "; ", the smallest share first, ties in
    the weights' order; a row where none stands out has no reasons."""
    import numpy as np
    inf = np.inf
    shares = [np.array([0.05, inf, 0.01, inf, 0.10]), np.array([0.01, inf, 0.01, 0.25, inf]),
              np.array([0.25, inf, inf, inf, 0.10])]
    texts = [np.array(["pagerank top 5%", "", "pagerank top 1%", "", "pagerank top 10%"], dtype=object),
             np.array(["reach top 1%", "", "reach top 1%", "reach top 25%", ""], dtype=object),
             np.array(["posts top 25%", "", "", "", "posts top 10%"], dtype=object)]
    assert F._join_reasons(shares, texts) == [
        "reach top 1%; pagerank top 5%; posts top 25%", "", "pagerank top 1%; reach top 1%", "reach top 25%",
        "pagerank top 10%; posts top 10%"]
    assert F._join_reasons([], []) == []


def test_no_interactions_gives_empty_graph_tables(con):
    load(con, [post("x:1", "x:a"), post("x:2", "x:b", likes=3, day=dt.date(2022, 5, 2))], [author("x:a", "a")])
    assert I.build_edges(con, "posts", "authors").empty
    inf = F.influence(con, "posts", "authors", "all")
    assert inf["period_start"].unique().tolist() == [dt.date(2022, 1, 1)]
    assert inf.set_index("author_key")["pagerank"].to_dict() == {"x:a": 0.0, "x:b": 0.0}
    assert inf.set_index("author_key")["rank_reasons"].to_dict() == {"x:a": "reach #1 of 2",
                                                                     "x:b": "engagement #1 of 2"}
    res = C.communities(con, "posts", "authors")
    assert res.memberships.empty and res.bridges.empty and res.exposure.empty and res.communities.empty
