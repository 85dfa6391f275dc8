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
