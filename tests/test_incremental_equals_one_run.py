"""A warehouse built a day at a time equals the warehouse built in one run.

The bench's shape, small: every export is in the inbox, a first run lands and builds every day but
the last, then a one-day run adds the last day. Every window-incremental model (posts, sentiment,
topic matches, collection counts) must then hold exactly what one run over the whole window gives
(the session's demo home); the graphs of the period still running wait for their cadence
(escucha.graph.refresh: every 7 days of data), and a run told to refresh them
(escucha/refresh_graphs, `escucha run --refresh-graphs`) makes them equal too. Only what records
when or by which run something was built may differ.
"""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from escucha.cli import copy_exports_to_inbox, ingest_mapped_exports
from escucha.home import data_home
from orchestration.run import run_pipeline
from tests.conftest import DEMO_END, DEMO_START

#: when a file was archived (and so a post first seen, when its export gives no collection time)
#: and when the topic registry was seeded: times of the run, not of the data
VOLATILE = {"archived_at", "first_seen_at", "changed_at"}
SCHEMAS = ("intermediate", "marts", "internal")


def tables(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    rows = con.execute("select table_schema || '.' || table_name, column_name from information_schema.columns "
                       "where table_schema in ? and table_name in (select table_name from information_schema.tables "
                       "where table_type = 'BASE TABLE') order by table_schema, table_name, ordinal_position",
                       [list(SCHEMAS)]).fetchall()
    found: dict[str, list[str]] = {}
    for table, column in rows:
        found.setdefault(table, []).append(column)
    return found


def contents(path, table: str, columns: list[str]) -> list[tuple]:
    kept = ", ".join(f'"{c}"' for c in columns if c not in VOLATILE)
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(f"select {kept} from {table} order by all").fetchall()


#: the tables of graphs computed per period on a cadence (their marts' rows come from them)
GRAPH_TABLES = ("intermediate.int_author_influence_ranked", "intermediate.int_community_members_detected",
                "intermediate.int_communities_described", "intermediate.int_bridging_accounts_scored",
                "intermediate.int_topic_exposure_measured", "marts.fct_author_influence",
                "marts.fct_topic_communities", "marts.fct_bridging_accounts", "marts.fct_topic_exposure")


def snapshot(path: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(path), read_only=True) as con:
        found = tables(con)
    return {table: contents(path, table, columns) for table, columns in found.items()}


@pytest.fixture(scope="module")
def day_by_day(demo_template, tmp_path_factory: pytest.TempPathFactory):
    """The day-by-day home once every table is up to date, and snapshots of every table after the
    first run and after the one-day run (which kept the running period's graphs)."""
    template, outcome = demo_template
    assert outcome.success
    mp = pytest.MonkeyPatch()
    home = data_home(tmp_path_factory.mktemp("day_by_day") / "home").ensure()
    mp.setenv("ESCUCHA_HOME", str(home.root))
    mp.delenv("ESCUCHA_GRAPH_REFRESH_DAYS", raising=False)
    try:
        copy_exports_to_inbox(template.demo / "exports", home)
        ingest_mapped_exports(template.demo / "exports_mapped", home)
        first = run_pipeline(home, DEMO_START, DEMO_END - timedelta(days=1))
        after_first = snapshot(home.warehouse)
        last = run_pipeline(home, DEMO_END, DEMO_END)
        after_last = snapshot(home.warehouse)
        refreshed = run_pipeline(home, DEMO_END, DEMO_END, refresh_graphs=True)
    finally:
        mp.undo()
    assert first.success and last.success and refreshed.success, (first.steps, last.steps, refreshed.steps)
    yield template, home, after_first, after_last


def test_every_table_built_day_by_day_equals_one_run(day_by_day) -> None:
    template, home, _, _ = day_by_day
    with duckdb.connect(str(template.warehouse), read_only=True) as con:
        expected = tables(con)
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        assert tables(con) == expected
    assert {"marts.fct_posts", "marts.fct_collection_daily", "intermediate.int_post_sentiments_scored",
            "intermediate.int_post_topics_matched", "marts.fct_topic_communities"} <= set(expected)
    differ = []
    for table, columns in expected.items():
        one_run, two_runs = contents(template.warehouse, table, columns), contents(home.warehouse, table, columns)
        if one_run != two_runs:
            only_one, only_two = set(one_run) - set(two_runs), set(two_runs) - set(one_run)
            differ.append(f"{table}: {len(one_run)} rows in one run, {len(two_runs)} day by day; "
                          f"e.g. {sorted(only_one, key=str)[:2]} / {sorted(only_two, key=str)[:2]}")
    assert not differ, "\n".join(differ)


def test_the_one_day_run_keeps_the_running_period_s_graphs_and_says_through_which_day(day_by_day) -> None:
    """The demo's days lie in one month and one quarter, both still running: the one-day run brings
    every other table to what one run gives, keeps every graph table as the first run left it (its
    data through the day before), and the forced refresh then adds the last day to them."""
    template, _, after_first, after_last = day_by_day
    one_run = snapshot(template.warehouse)
    assert set(after_last) == set(one_run)
    for table in set(one_run) - set(GRAPH_TABLES):
        assert after_last[table] == one_run[table], table
    with duckdb.connect(str(template.warehouse), read_only=True) as con:
        columns = tables(con)
    for table in GRAPH_TABLES:
        assert after_first[table], f"{table} is empty: nothing to keep"
        assert after_last[table] == after_first[table], table
        through = columns[table].index("data_through")
        assert {row[through] for row in after_last[table]} == {DEMO_END - timedelta(days=1)}, table
        assert {row[through] for row in one_run[table]} == {DEMO_END}, table
    # the last day adds to the graphs: keeping them is a choice the marts show, not a no-op
    influence = columns["marts.fct_author_influence"]
    posts = influence.index("posts")
    assert sum(r[posts] for r in after_last["marts.fct_author_influence"]) < \
        sum(r[posts] for r in one_run["marts.fct_author_influence"])


def test_a_day_s_accounts_are_rebuilt_from_all_their_observations_and_vanish_with_them(day_by_day, tmp_path,
                                                                                        monkeypatch) -> None:
    """int_authors_unioned is incremental: a run rebuilds the accounts it can change. The last day's
    X accounts are taken out of the lake (as when a day is collected again without them) and the
    day is rebuilt: accounts seen only that day are gone, those seen before keep their earlier
    observations, and the table equals a full rebuild."""
    import shutil
    import subprocess
    import sys

    _, built, _, _ = day_by_day
    root = tmp_path / "home"
    shutil.copytree(built.root, root, ignore=shutil.ignore_patterns("dagster", "archive", "reports", "inbox"))
    day = DEMO_END.isoformat()
    table = "intermediate.int_authors_unioned"
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        columns = [c for (c,) in con.execute(
            "select column_name from information_schema.columns where table_schema = 'intermediate' "
            "and table_name = 'int_authors_unioned' order by ordinal_position").fetchall()]
        before = dict(con.execute(f"select author_key, last_seen_day from {table} where network = 'x'").fetchall())
    removed = root / "lake" / "x" / "users" / f"day={day}"
    assert removed.is_dir()
    shutil.rmtree(removed)
    monkeypatch.setenv("ESCUCHA_HOME", str(root))
    monkeypatch.chdir(Path(__file__).resolve().parents[1] / "dbt_project")

    def build(*args: str) -> list[tuple]:
        # dbt in its own process, as runs start it: in this one it would keep the warehouse open
        # the accounts model and its staging views (made again to read this copy's lake); not the
        # posts it is only ordered after
        done = subprocess.run([str(Path(sys.executable).parent / "dbt"), "run", "--select", "+int_authors_unioned",
                               "--exclude", "+int_posts_unioned", "--target-path", str(tmp_path / "target"),
                               "--quiet", *args],
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        return contents(root / "warehouse.duckdb", table, columns)

    one_day = build("--vars", f'{{"min_date": "{day}", "max_date": "{day}"}}')
    after = {row[columns.index("author_key")]: row[columns.index("last_seen_day")] for row in one_day
             if row[columns.index("network")] == "x"}
    gone = [k for k, last in before.items() if k not in after]
    moved_back = [k for k, last in before.items() if k in after and str(last) == day and str(after[k]) < day]
    assert gone, "no X account was seen only on the last day"
    assert moved_back, "no X account seen on the last day had been seen before"
    assert one_day == build("--full-refresh")
