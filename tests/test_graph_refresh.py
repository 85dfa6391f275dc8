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


@pytest.fixture
def graph_with_days():
    """Quarterly slices of two topics, each recording the day its data runs through: Q1 closed,
    Q2 running (computed from data through 2022-05-10)."""
    c = duckdb.connect()
    c.execute("""
        create table graph as
        select * from (values
            ('a', date '2022-01-01', 1, null, date '2022-04-01'), ('a', date '2022-04-01', 1, null, date '2022-05-10'),
            ('b', date '2022-01-01', 1, 1, date '2022-04-01'), ('b', date '2022-04-01', 1, 1, date '2022-05-10')
        ) as t(topic_id, period_start, topic_version, model_version, data_through)""")
    yield c
    c.close()


CURRENT = {"a": (1, None), "b": (1, 1)}


@pytest.mark.parametrize(("start", "end", "days", "kept"), [
    (date(2022, 5, 11), date(2022, 5, 11), 7, True),     # the next day, a day after the slices: kept
    (date(2022, 5, 11), date(2022, 5, 16), 7, True),     # six days of data after them: still kept
    (date(2022, 5, 11), date(2022, 5, 17), 7, False),    # seven: the cadence is due
    (date(2022, 5, 16), date(2022, 5, 16), 7, True),
    (date(2022, 5, 17), date(2022, 5, 17), 7, False),
    (date(2022, 5, 10), date(2022, 5, 11), 7, False),    # revises a day the slices hold
    (date(2022, 5, 3), date(2022, 5, 3), 7, False),      # a late file for an earlier day
    (date(2022, 5, 11), date(2022, 5, 11), 1, False),    # cadence 1: every build
])
def test_the_running_period_is_kept_until_its_cadence_is_due(graph_with_days, start, end, days, kept):
    plan = refresh.plan(graph_with_days, "graph", start, end, "quarter", CURRENT, cadence_days=days)
    left = {(t, p) for t, p in graph_with_days.execute("select topic_id, period_start from graph").fetchall()}
    q1, q2 = date(2022, 1, 1), date(2022, 4, 1)
    if kept:
        assert plan.kept_period == q2
        # nothing to compute: the window lies inside the running quarter, which stays as it was
        assert plan.first_period > plan.last_period
        assert left == {("a", q1), ("a", q2), ("b", q1), ("b", q2)}
    else:
        assert plan.kept_period is None and (plan.first_period, plan.last_period) == (q2, q2)
        assert left == {("a", q1), ("b", q1)}
    rows = pd.DataFrame({"topic_id": ["a", "a", "b"], "period_start": [q1, q2, q2]})
    graph_with_days.register("candidates", rows)
    chosen = graph_with_days.execute(f"select count(*) from candidates where {plan.where('period_start')}").fetchall()[0][0]
    assert chosen == (0 if kept else 2)
    # what a slice computed in this build records: the window's last day (the quarter is running)
    assert plan.data_through(q2) == end


def test_a_closing_period_and_a_changed_topic_are_computed_whatever_the_cadence(graph_with_days):
    # 2022-07-01 UTC completes Lima's Q2 (which ends at 05:00 UTC that day) and opens Q3
    plan = refresh.plan(graph_with_days, "graph", date(2022, 7, 1), date(2022, 7, 1), "quarter", CURRENT, cadence_days=7)
    assert plan.kept_period is None and (plan.first_period, plan.last_period) == (date(2022, 4, 1), date(2022, 7, 1))
    assert plan.data_through(date(2022, 4, 1)) == date(2022, 7, 1)     # Q2 now holds its last Lima day whole
    assert plan.data_through(date(2022, 1, 1)) == date(2022, 4, 1)
    # b's model changed: its whole year is computed; a's running quarter is kept
    graph_with_days.execute("insert into graph values ('a', date '2022-07-01', 1, null, date '2022-07-01'), "
                            "('b', date '2022-07-01', 1, 1, date '2022-07-01')")
    plan = refresh.plan(graph_with_days, "graph", date(2022, 7, 2), date(2022, 7, 2), "quarter",
                        {"a": (1, None), "b": (1, 2)}, cadence_days=7)
    assert plan.kept_period == date(2022, 7, 1) and plan.stale_topics == ("b",)
    left = {(t, p) for t, p in graph_with_days.execute("select topic_id, period_start from graph").fetchall()}
    # (the first build deleted Q2 to compute it again; the model would have appended it)
    assert left == {("a", date(2022, 1, 1)), ("a", date(2022, 7, 1))}


def test_a_table_without_the_day_or_with_a_running_slice_missing_is_computed(con):
    # `con`'s table predates data_through (built before slices recorded it): recomputed
    plan = refresh.plan(con, "graph", date(2022, 3, 2), date(2022, 3, 2), "month", {"a": (1, None)}, cadence_days=7)
    assert plan.kept_period is None and plan.last_period == date(2022, 3, 1)
    c = duckdb.connect()
    c.execute("create table graph (topic_id varchar, period_start date, topic_version bigint, model_version bigint, "
              "data_through date)")
    c.execute("insert into graph values ('a', date '2022-03-01', 1, null, null)")
    assert refresh.plan(c, "graph", date(2022, 3, 2), date(2022, 3, 2), "month", {"a": (1, None)},
                        cadence_days=7).kept_period is None


def test_the_cadence_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv(refresh.REFRESH_DAYS_ENV, raising=False)
    assert refresh.refresh_days() == refresh.DEFAULT_REFRESH_DAYS == 7
    monkeypatch.setenv(refresh.REFRESH_DAYS_ENV, "1")
    assert refresh.refresh_days() == 1
    for bad in ("0", "-3", "weekly", "2.5"):
        monkeypatch.setenv(refresh.REFRESH_DAYS_ENV, bad)
        with pytest.raises(ValueError, match="ESCUCHA_GRAPH_REFRESH_DAYS"):
            refresh.refresh_days()


def test_with_versions_records_through_which_day_each_slice_holds_data():
    plan = refresh.Refresh(False, date(2022, 1, 1), date(2022, 2, 1), newest_day=date(2022, 2, 9), period="month")
    frame = pd.DataFrame({"topic_id": ["a", "a", "b"],
                          "period_start": [date(2022, 1, 1), date(2022, 2, 1), date(2022, 2, 1)]})
    out = refresh.with_versions(frame, {"a": (1, None), "b": (2, 1)}, plan)
    assert out["data_through"].tolist() == [date(2022, 2, 1), date(2022, 2, 9), date(2022, 2, 9)]
    assert "data_through" not in refresh.with_versions(frame, {"a": (1, None)}).columns


def test_a_build_inside_a_kept_period_computes_only_the_changed_topics(graph_with_days):
    """Each topic's computation scans the posts even when its slices are empty: a build whose window
    lies inside the kept running quarter runs it for the stale topics only, and for none at all
    gives the table's columns with no row."""
    computed = []

    def compute(topic):
        computed.append(topic)
        return pd.DataFrame({"topic_id": [topic], "period_start": [date(2022, 1, 1)]})

    plan = refresh.plan(graph_with_days, "graph", date(2022, 5, 11), date(2022, 5, 11), "quarter", CURRENT,
                        cadence_days=7)
    empty = refresh.per_topic(graph_with_days, ["a", "b"], compute, "t", plan, "graph")
    assert computed == [] and empty.columns == ["topic_id", "period_start", "topic_version", "model_version",
                                                "data_through"]
    assert empty.fetchall() == []
    plan = refresh.plan(graph_with_days, "graph", date(2022, 5, 11), date(2022, 5, 11), "quarter",
                        {"a": (1, None), "b": (2, 1)}, cadence_days=7)
    refresh.per_topic(graph_with_days, ["a", "b"], compute, "t", plan, "graph")
    assert computed == ["b"]
    # a build that recomputes a period computes every topic
    plan = refresh.plan(graph_with_days, "graph", date(2022, 5, 20), date(2022, 5, 20), "quarter", CURRENT,
                        cadence_days=7)
    refresh.per_topic(graph_with_days, ["a", "b"], compute, "t", plan, "graph")
    assert computed == ["b", "a", "b"]


@pytest.mark.parametrize(("start", "period", "last"), [
    (date(2022, 2, 1), "month", date(2022, 2, 28)), (date(2024, 2, 1), "month", date(2024, 2, 29)),
    (date(2021, 12, 1), "month", date(2021, 12, 31)), (date(2021, 10, 1), "quarter", date(2021, 12, 31)),
    (date(2022, 4, 1), "quarter", date(2022, 6, 30)),
])
def test_period_end(start, period, last):
    assert refresh.period_end(start, period) == last
