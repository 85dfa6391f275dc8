"""An incremental run over a window tests the rows it wrote (dbt_project/macros/tests_in_window.sql):
staging's key tests read the window's lake rows, and the post tables' key tests every row that shares
a key with a post of the window. Other builds test every row. Real dbt tests against a copy of the
session's demo warehouse; a duplicate or a missing key is planted where each test must or must not
see it."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from assets.transform import (SEEDS_FILE, TESTS_IN_WINDOW_ENV, build_passed_marker, incremental_tables,
                              scope_tests_to_window, seeds_fingerprint, seeds_loaded, start_from_project_parse)
from escucha.run_window import END_ENV, START_ENV
from orchestration.resources import DBT_PROJECT_DIR, dbt_executable
from tests.conftest import copy_home

WINDOWED = {"dagster/asset_partition_range_start": "2022-02-10", "dagster/asset_partition_range_end": "2022-02-10"}


@pytest.fixture(scope="module")
def demo(demo_template, tmp_path_factory: pytest.TempPathFactory):
    """A copy of the session's demo home and its last day of posts (the window of the tests)."""
    template, _ = demo_template
    home = copy_home(template, tmp_path_factory.mktemp("tests_in_window") / "home")
    con = duckdb.connect(str(home.warehouse), read_only=True)
    last = con.execute("select max(cast(created_at as date)) from marts.fct_posts").fetchall()[0][0]
    con.close()
    return home, last


def dbt(home, tmp_path: Path, command: str, select: str, window: date | None = None,
        scoped: bool = False) -> list[dict]:
    """Run a dbt command on the home's warehouse; its results (run_results.json)."""
    target = tmp_path / f"target-{len(list(tmp_path.iterdir()))}"
    target.mkdir()
    start_from_project_parse(target)
    env = {k: v for k, v in os.environ.items() if k not in (START_ENV, END_ENV, TESTS_IN_WINDOW_ENV)}
    env["ESCUCHA_HOME"] = str(home.root)
    if window:
        env[START_ENV] = env[END_ENV] = window.isoformat()
    if scoped:
        env[TESTS_IN_WINDOW_ENV] = "1"
    subprocess.run(
        [dbt_executable(), command, "--select", select,
         *(["--exclude-resource-type", "unit_test"] if command == "test" else []),
         "--target-path", str(target), "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)],
        env=env, capture_output=True, text=True, check=False)
    return json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]


def dbt_model(home, tmp_path: Path, command: str, select: str) -> dict:
    """The result of the one model a dbt command selects (run_results.json)."""
    [result] = [r for r in dbt(home, tmp_path, command, select) if r["unique_id"].startswith("model.")]
    return result


def dbt_test(home, tmp_path: Path, select: str, window: date | None, scoped: bool) -> dict[str, int]:
    """Run `dbt test`; the failures of each test by name."""
    return {r["unique_id"].split(".")[2]: r["failures"] or 0
            for r in dbt(home, tmp_path, "test", select, window, scoped) if r["unique_id"].startswith("test.")}


def plant(home, sql: str) -> int:
    """Change the warehouse behind dbt's back; the number of rows changed."""
    con = duckdb.connect(str(home.warehouse))
    try:
        return con.execute(sql).fetchall()[0][0]
    finally:
        con.close()


def drop_duplicates(home) -> None:
    """Remove the planted copies (the later row of each duplicated key)."""
    assert plant(home, "delete from marts.fct_posts where rowid in (select max(rowid) from marts.fct_posts "
                "group by post_key having count(*) > 1)") > 0


UNIQUE = "unique_fct_posts_post_key"


def test_scoped_tests_see_the_rows_of_the_window_and_every_row_sharing_their_keys(demo, tmp_path: Path) -> None:
    """Planted in fct_posts: a second copy of a post of the last day (the window); a copy moved to
    the last day of a post written three days before (its key straddles the window); second copies
    of two posts of an earlier day. Planted in that earlier day's lake: an X post without an id.
    The last day's scoped tests see the first two; the earlier day's scoped tests see the last two;
    unscoped tests see all of them."""
    home, last = demo
    before, earlier = last - timedelta(days=3), last - timedelta(days=2)
    assert plant(home, f"insert into marts.fct_posts select * from marts.fct_posts "
                       f"where cast(created_at as date) = '{last}' order by post_key limit 1") == 1
    assert plant(home, f"insert into marts.fct_posts by name select * replace "
                       f"(created_at + interval 3 day as created_at) from marts.fct_posts "
                       f"where cast(created_at as date) = '{before}' order by post_key limit 1") == 1
    assert plant(home, f"insert into marts.fct_posts select * from marts.fct_posts "
                       f"where cast(created_at as date) = '{earlier}' order by post_key limit 2") == 2
    # the copied warehouse's views read the template's lake: point X's at the copy's
    ran = dbt(home, tmp_path, "run", "stg_x__posts")
    assert [r["status"] for r in ran if r["unique_id"].startswith("model.")] == ["success"]
    folder = home.root / "lake" / "x" / "posts" / f"day={earlier.isoformat()}"
    table = pq.read_table(sorted(folder.glob("*.parquet"))[0]).slice(0, 1)
    table = table.set_column(table.schema.get_field_index("id"), "id", pa.nulls(1, table.schema.field("id").type))
    pq.write_table(table, folder / "zz-planted.parquet")
    keys = "not_null_stg_x__posts_post_key"
    try:
        scoped_last_day = dbt_test(home, tmp_path, "fct_posts stg_x__posts", last, scoped=True)
        assert (scoped_last_day[UNIQUE], scoped_last_day[keys]) == (2, 0)
        scoped_earlier_day = dbt_test(home, tmp_path, "fct_posts stg_x__posts", earlier, scoped=True)
        assert (scoped_earlier_day[UNIQUE], scoped_earlier_day[keys]) == (2, 1)
        unscoped = dbt_test(home, tmp_path, "fct_posts stg_x__posts", last, scoped=False)
        assert (unscoped[UNIQUE], unscoped[keys]) == (4, 1)
    finally:
        (folder / "zz-planted.parquet").unlink()
        drop_duplicates(home)


def test_dagster_scopes_the_tests_only_of_an_incremental_build_over_a_window(demo, tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    home, _ = demo
    monkeypatch.setenv(TESTS_IN_WINDOW_ENV, "1")  # left over from elsewhere: never trusted

    def scoped(tags, warehouse, previous_passed=True) -> bool:
        with scope_tests_to_window(tags, warehouse, previous_passed):
            return os.environ.get(TESTS_IN_WINDOW_ENV) == "1"

    tables = incremental_tables(DBT_PROJECT_DIR / "target" / "manifest.json")
    assert ("marts", "fct_posts") in tables and ("intermediate", "int_posts_unioned") in tables
    assert scoped(WINDOWED, home.warehouse)
    assert not scoped(WINDOWED, home.warehouse, previous_passed=False)  # the build after a failure
    assert not scoped({}, home.warehouse)  # no window: every day is built
    assert not scoped({**WINDOWED, "escucha/full_refresh": "true"}, home.warehouse)
    assert not scoped(WINDOWED, tmp_path / "missing.duckdb")  # the first build
    # an incremental model without its table is built whole: its rows are not only the window's
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(home.warehouse, copy)
    con = duckdb.connect(str(copy))
    con.execute("drop table intermediate.int_post_sentiments_scored")
    con.close()
    assert not scoped(WINDOWED, copy)
    assert os.environ[TESTS_IN_WINDOW_ENV] == "1"  # restored after the block


def test_a_build_leaves_the_seeds_out_only_while_the_warehouse_holds_these_seed_files(
        demo, tmp_path: Path) -> None:
    home, _ = demo
    fingerprint = seeds_fingerprint(DBT_PROJECT_DIR)
    recorded = home.dbt_target / SEEDS_FILE
    assert recorded.read_text(encoding="utf-8") == fingerprint  # written by the template's build, which passed
    assert seeds_loaded(home.dbt_target, home.warehouse, fingerprint)
    assert not seeds_loaded(home.dbt_target, home.warehouse, "another fingerprint")  # a seed file changed
    assert not seeds_loaded(home.dbt_target, tmp_path / "missing.duckdb", fingerprint)  # a new warehouse
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(home.warehouse, copy)
    con = duckdb.connect(str(copy))
    con.execute("drop table reference.peru_provinces")  # a seed table gone (dropped by hand)
    con.close()
    assert not seeds_loaded(home.dbt_target, copy, fingerprint)
    assert not seeds_loaded(tmp_path, home.warehouse, fingerprint)  # nothing recorded

    # the fingerprint follows the seed files' contents, and only theirs among the project's files
    project = tmp_path / "project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    assert seeds_fingerprint(project) == fingerprint
    (project / "models" / "staging" / "extra.sql").write_text("select 1", encoding="utf-8")
    assert seeds_fingerprint(project) == fingerprint
    provinces = project / "seeds" / "reference" / "peru_provinces.csv"
    provinces.write_text(provinces.read_text(encoding="utf-8").replace("Lima", "Lima Metropolitana", 1),
                         encoding="utf-8")
    assert seeds_fingerprint(project) != fingerprint


def test_a_null_in_a_constrained_mart_column_fails_its_model_and_keeps_the_table(demo, tmp_path: Path) -> None:
    """The table marts check not_null with contract constraints instead of tests: a null fails the
    model itself, with the column named, and the mart keeps the rows of its last good build."""
    home, _ = demo
    con = duckdb.connect(str(home.warehouse), read_only=True)
    nullable = dict(con.execute("select column_name, is_nullable from information_schema.columns "
                                "where table_schema = 'marts' and table_name = 'fct_event_impact'").fetchall())
    before = con.execute("select count(*), count(distinct topic_id), sum(actual) "
                         "from marts.fct_event_impact").fetchall()[0]
    con.close()
    assert (nullable["event_id"], nullable["topic_id"], nullable["effect"]) == ("NO", "NO", "YES")
    assert before[0] > 0
    assert plant(home, "insert into intermediate.int_event_impacts_estimated select * replace (null as topic_id) "
                       "from intermediate.int_event_impacts_estimated limit 1") == 1
    try:
        result = dbt_model(home, tmp_path, "run", "fct_event_impact")
        assert result["status"] == "error"
        assert "NOT NULL constraint failed" in result["message"] and "topic_id" in result["message"]
        con = duckdb.connect(str(home.warehouse), read_only=True)
        assert con.execute("select count(*), count(distinct topic_id), sum(actual) "
                           "from marts.fct_event_impact").fetchall()[0] == before
        con.close()
    finally:
        assert plant(home, "delete from intermediate.int_event_impacts_estimated where topic_id is null") == 1


def test_the_influence_mart_rewrites_only_the_topic_months_that_changed(demo, tmp_path: Path) -> None:
    """fct_author_influence is incremental by slice (macros/incremental_slices.sql): a build
    rewrites the topic-months whose ranks changed in int_author_influence_ranked, deletes the ones
    it no longer has, and reads no other slice into the build."""
    home, _ = demo
    ranked, mart = "intermediate.int_author_influence_ranked", "marts.fct_author_influence"

    def compared(relation: str) -> str:
        month = "period_start" if relation == ranked else "month"
        return f"select topic_id, {month} as month, author_key, score, overall_rank, rank_reasons from {relation}"

    with duckdb.connect(str(home.warehouse)) as con:
        (changed_topic, changed_month), (gone_topic, gone_month) = con.execute(
            f"select topic_id, period_start from {ranked} group by all "
            f"order by count(*) desc, topic_id, period_start limit 2").fetchall()
        in_slices = (f"(topic_id = '{changed_topic}' and period_start = '{changed_month}') "
                     f"or (topic_id = '{gone_topic}' and period_start = '{gone_month}')")
        con.execute(f"create table main.saved_ranked as select * from {ranked} where {in_slices}")
        changed_rows = con.execute(f"update {ranked} set score = score + 1 where topic_id = '{changed_topic}' "
                                   f"and period_start = '{changed_month}'").fetchall()[0][0]
        gone_rows = con.execute(f"delete from {ranked} where topic_id = '{gone_topic}' "
                                f"and period_start = '{gone_month}'").fetchall()[0][0]
        total = con.execute(f"select count(*) from {mart}").fetchall()[0][0]
    assert changed_rows > 0 and gone_rows > 0 and total > changed_rows + gone_rows
    try:
        compiled = dbt_model(home, tmp_path, "compile", "fct_author_influence")
        with duckdb.connect(str(home.warehouse), read_only=True) as con:  # what the build writes
            written = con.execute(f"select topic_id, month, count(*) from ({compiled['compiled_code']}) "
                                  f"group by all").fetchall()
        assert written == [(changed_topic, changed_month, changed_rows)]
        result = dbt_model(home, tmp_path, "run", "fct_author_influence")
        assert result["status"] == "success", result["message"]
        with duckdb.connect(str(home.warehouse), read_only=True) as con:
            for a, b in ((ranked, mart), (mart, ranked)):  # the mart holds the ranks, changed and gone
                assert con.execute(f"select count(*) from ({compared(a)} except all {compared(b)})").fetchall() == [(0,)]
            assert con.execute(f"select count(*) from {mart}").fetchall()[0][0] == total - gone_rows
    finally:
        with duckdb.connect(str(home.warehouse)) as con:
            con.execute(f"delete from {ranked} where {in_slices}")
            con.execute(f"insert into {ranked} select * from main.saved_ranked")
            con.execute("drop table main.saved_ranked")
        result = dbt_model(home, tmp_path, "run", "fct_author_influence")
        assert result["status"] == "success"


def test_a_failed_test_fails_every_run_until_one_passes(demo_template, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Real pipeline runs. A duplicate planted on an earlier day is outside the last day's window:
    after a build that passed, the last day's run tests its own rows and succeeds. After a failed
    build every row is tested, so the run fails on the duplicate, and leaves no marker of a pass."""
    from orchestration.run import run_pipeline

    template, _ = demo_template
    home = copy_home(template, tmp_path / "home")
    monkeypatch.setenv("ESCUCHA_HOME", str(home.root))
    con = duckdb.connect(str(home.warehouse))
    last, earlier = con.execute("select max(cast(created_at as date)), min(cast(created_at as date)) "
                                "from marts.fct_posts").fetchall()[0]
    con.close()
    warehouse_step = build_passed_marker(home.dbt_target, "warehouse_models")
    assert warehouse_step.is_file()  # the template's build passed
    # a post of no topic: the marts built on the topics' posts do not inherit the duplicate
    assert plant(home, f"insert into marts.fct_posts select * from marts.fct_posts as p "
                       f"where cast(created_at as date) = '{earlier}' and not exists (select 1 from "
                       f"marts.fct_post_topics as t where t.post_key = p.post_key) order by post_key limit 1") == 1

    seeds = home.dbt_target / SEEDS_FILE
    assert seeds.read_text(encoding="utf-8") == seeds_fingerprint(DBT_PROJECT_DIR)
    seed_checks = {"reference/peru_provinces:unique_peru_provinces_ubigeo",
                   "reference/networks:unique_networks_network"}

    outcome = run_pipeline(home, last, last)
    assert outcome.success and outcome.checks[f"marts/fct_posts:{UNIQUE}"]
    assert warehouse_step.is_file()
    # the warehouse holds these seed files, loaded by a build that passed: neither loaded nor tested again
    assert not seed_checks & set(outcome.checks) and not any(c.startswith("reference/") for c in outcome.checks)
    assert seeds.read_text(encoding="utf-8") == seeds_fingerprint(DBT_PROJECT_DIR)

    warehouse_step.unlink()  # as a failed build leaves it
    seeds.write_text("the fingerprint of other seed files", encoding="utf-8")  # as after a seed file changed
    outcome = run_pipeline(home, last, last)
    assert not outcome.success and outcome.checks[f"marts/fct_posts:{UNIQUE}"] is False
    assert not warehouse_step.is_file()  # so the next run tests every row again
    # the changed seeds were loaded and tested; the build failed, so the next one loads them again
    assert all(outcome.checks[c] for c in seed_checks)
    assert not seeds.exists()
