"""Which slices an incremental build of a graph table recomputes (escucha.graph.refresh)."""
from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd
import pytest

from escucha.graph import refresh


@pytest.fixture
def con():
    c = duckdb.connect()
    c.execute("""
        create table graph as
        select * from (values
            ('a', date '2022-01-01', 1, null, 10), ('a', date '2022-02-01', 1, null, 11),
            ('a', date '2022-03-01', 1, null, 12),
            ('b', date '2022-01-01', 1, 1, 20), ('b', date '2022-02-01', 1, 1, 21),
            ('c', date '2022-01-01', 3, null, 30), ('c', date '2022-03-01', 3, null, 31)
        ) as t(topic_id, period_start, topic_version, model_version, value)""")
    yield c
    c.close()


def remaining(con) -> set[tuple[str, date]]:
    return {(t, p) for t, p in con.execute("select topic_id, period_start from graph").fetchall()}


def test_a_first_or_whole_build_recomputes_everything(con):
    versions = {"a": (1, None)}
    assert refresh.plan(con, None, date(2022, 2, 5), date(2022, 2, 5), "month", versions).full
    assert len(remaining(con)) == 7      # a first build: dbt creates the table from what the model returns
    # an incremental build without a window (a `dbt build` by hand) appends every slice again: the
    # table is emptied first, or every row would be there twice
    assert refresh.plan(con, "graph", date(1, 1, 1), date(9999, 12, 31), "month", versions).full
    assert remaining(con) == set()


def test_a_window_recomputes_its_periods_and_the_changed_topics_whole(con):
    # the window is the UTC day 2022-03-01, which reaches back into Lima's 2022-02-28; b has a new
    # model version, c is retired, d is new
    versions = {"a": (1, None), "b": (1, 2), "d": (1, None)}
    plan = refresh.plan(con, "graph", date(2022, 3, 1), date(2022, 3, 1), "month", versions)
    assert not plan.full
    assert (plan.first_period, plan.last_period) == (date(2022, 2, 1), date(2022, 3, 1))
    assert plan.stale_topics == ("b", "d")
    # kept: a's January only (b is stale, c retired)
    assert remaining(con) == {("a", date(2022, 1, 1))}
    rows = pd.DataFrame({"topic_id": ["a", "a", "a", "b", "b", "d"],
                         "period_start": pd.to_datetime(["2022-01-01", "2022-02-01", "2022-03-01",
                                                         "2022-01-01", "2022-03-01", "2022-01-01"]).date})
    con.register("candidates", rows)
    chosen = {(t, p) for t, p in con.execute(
        f"select topic_id, period_start from candidates where {plan.where('period_start')}").fetchall()}
    assert chosen == {("a", date(2022, 2, 1)), ("a", date(2022, 3, 1)), ("b", date(2022, 1, 1)),
                      ("b", date(2022, 3, 1)), ("d", date(2022, 1, 1))}


def test_quarters_and_unchanged_topics(con):
    versions = {"a": (1, None), "b": (1, 1), "c": (3, None)}
    plan = refresh.plan(con, "graph", date(2022, 4, 1), date(2022, 4, 1), "quarter", versions)
    # 2022-04-01 UTC reaches back into 2022-03-31 in Lima: both quarters
    assert (plan.first_period, plan.last_period) == (date(2022, 1, 1), date(2022, 4, 1))
    assert plan.stale_topics == ()
    assert remaining(con) == set()


def test_with_versions_records_what_each_row_comes_from():
    frame = pd.DataFrame({"topic_id": ["a", "b", "x"]})
    out = refresh.with_versions(frame, {"a": (2, None), "b": (1, 3)})
    assert out["topic_version"].tolist()[:2] == [2, 1] and out["topic_version"].isna().tolist() == [False, False, True]
    assert out["model_version"].isna().tolist() == [True, False, True] and out["model_version"][1] == 3


def test_an_empty_slice_keeps_the_column_types():
    """No bridge in any quarter gives an empty frame without types: the table must still be typed."""
    con = duckdb.connect()
    empty = pd.DataFrame(columns=["topic_id", "period_start", "author_key", "bridge_rank", "participation",
                                  "top_words"])
    rel = refresh.per_topic(con, ["t"], lambda topic: empty, "bridges")   # what the graph models return
    assert dict(zip(rel.columns, map(str, rel.types))) == {
        "topic_id": "VARCHAR", "period_start": "DATE", "author_key": "VARCHAR", "bridge_rank": "BIGINT",
        "participation": "DOUBLE", "top_words": "VARCHAR[]"}
    con.execute("create table t as select * from rel")
    con.execute("insert into t values ('a', date '2022-01-01', 'x:1', 1, 0.5, ['agua'])")
    assert con.execute("select period_start, top_words from t").fetchall() == [(date(2022, 1, 1), ["agua"])]


def test_accounts_numbered_in_key_order_give_the_same_communities_as_their_keys():
    """int_community_members_detected works on numbered accounts: the same memberships, handles,
    degrees and PageRank as on the text keys, whose order ("x:10" before "x:9") differs from the
    numbers' own."""
    import numpy as np

    from escucha.graph.communities import context_pairs, memberships
    from escucha.graph.interactions import normalise_edges

    rng = np.random.default_rng(7)
    names = [f"x:{i}" for i in range(120)] + ["x:Ñandú", "x:álamo", "x:Zeta", "x:_z"]
    # two planted groups joined by a few edges, plus context edges between the same accounts
    rows, context_rows = [], []
    for quarter in (date(2022, 1, 1), date(2022, 4, 1)):
        for _ in range(700):
            group = rng.integers(2)
            a, b = rng.choice(np.arange(group * 62, group * 62 + 62), 2, replace=False)
            rows.append(("t", quarter, "x", names[a], names[b], str(rng.choice(["reply", "share"])),
                         int(rng.integers(1, 4))))
        for _ in range(300):
            a, b = rng.choice(len(names), 2, replace=False)
            context_rows.append(("*", quarter, "x", names[a], names[b], "mention", int(rng.integers(1, 3))))
    columns = ["topic_id", "period_start", "network", "source_key", "target_key", "kind", "weight"]
    con = duckdb.connect()
    con.register("edges", pd.DataFrame(rows, columns=columns))
    con.register("context", pd.DataFrame(context_rows, columns=columns))
    con.execute("create table authors as select distinct source_key as author_key, "
                "upper(source_key) as handle from edges")
    con.execute("create table grouped as select topic_id, period_start, network, source_key, target_key, kind, "
                "cast(sum(weight) as bigint) as weight from edges group by all")

    by_key = memberships(con, "authors", normalise_edges(con.table("grouped").df()),
                         context_pairs(normalise_edges(con.table("context").df())))

    keys = refresh.number_accounts(con, "grouped", "nodes")
    assert keys.tolist() == sorted({r[3] for r in rows} | {r[4] for r in rows})   # Python's order of text
    con.execute("create view node_handles as select n.node as author_key, a.handle "
                "from authors as a join nodes as n using (author_key)")
    by_number = memberships(con, "node_handles",
                            normalise_edges(con.sql(refresh.numbered_edges_sql("grouped", "nodes")).df()),
                            context_pairs(normalise_edges(con.sql(refresh.numbered_edges_sql("context", "nodes")).df())))
    by_number["author_key"] = keys[by_number["author_key"].to_numpy(dtype="int64")]

    assert by_key["community"].nunique() > 1
    pd.testing.assert_frame_equal(by_number.drop(columns="pagerank").astype(object),
                                  by_key.drop(columns="pagerank").astype(object))
    np.testing.assert_allclose(by_number["pagerank"], by_key["pagerank"], rtol=1e-9)
    # a context edge to an account outside the topic's graph is left out by the numbering
    outsider = ("*", date(2022, 1, 1), "x", "x:outsider", "x:1", "mention", 5)
    con.register("context", pd.DataFrame(context_rows + [outsider], columns=columns))
    numbered = con.sql(refresh.numbered_edges_sql("context", "nodes")).df()
    in_graph = set(keys)
    assert len(numbered) == sum(r[3] in in_graph and r[4] in in_graph for r in context_rows)
    assert "x:outsider" not in in_graph and (numbered["weight"] == 5).sum() == 0
