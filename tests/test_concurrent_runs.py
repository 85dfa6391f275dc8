"""Runs that overlap: the inbox sensor's run and a manual backfill over the same days lose nothing and
duplicate nothing. Each run audits and publishes its own candidate; the lake is published under a lock,
and a day staged from a later archive is never replaced by an older staging of it; the dbt steps share
a Dagster pool of one."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from escucha.connectors import posts_entities
from escucha.landing import (archive_generation, archive_inbox, candidate_root, manifests, publish_candidate,
                             published_days, stage_window)
from tests.conftest import FIXTURES, copy_home, drop

REPO = Path(__file__).resolve().parents[1]
ESCUCHA = str(Path(sys.executable).with_name("escucha"))
DAY1, DAY2 = date(2022, 1, 16), date(2022, 1, 17)


def keys_sql(parquet: str, entity: str) -> str:
    """SQL giving the post key of every row of a posts entity's Parquet files."""
    gate = posts_entities()[entity]
    return f"select {gate.network} || ':' || {gate.post_id} from read_parquet('{parquet}', union_by_name=true)"


def lake_post_keys(home) -> list[str]:
    """Every post key in the published lake, one entry per row."""
    parts = [keys_sql(f"{home.lake}/{e}/**/*.parquet", e) for e in posts_entities()
             if any((home.lake / e).glob("day=*"))]
    with duckdb.connect() as con:
        return sorted(r[0] for r in con.execute(" union all ".join(parts)).fetchall())


def parsed_post_keys(home, after: str = "") -> set[str]:
    """The post keys of every file archived after ``after`` (its parsed form)."""
    parts = [keys_sql(str(f), e) for m in manifests(home) if m["archived_at"] > after
             for e in posts_entities()
             if (f := home.archive / f"{m['sha256']}.parsed" / f"{e.replace('/', '__')}.parquet").exists()]
    with duckdb.connect() as con:
        return {r[0] for r in con.execute(" union all ".join(parts)).fetchall()}


def test_an_older_staging_never_replaces_days_a_newer_one_published(home):
    drop(home, "x_twarc2_sample.jsonl")
    archive_inbox(home)
    stage_window(home, DAY1, DAY2, "backfill")          # staged before the second file arrived
    drop(home, "ct_facebook_sample.csv")
    archive_inbox(home)
    stage_window(home, DAY1, DAY2, "sensor")            # staged from both files
    newer = publish_candidate(home, "sensor")
    older = publish_candidate(home, "backfill")          # the slower run publishes last
    assert newer.kept_newer == [] and older.kept_newer == [DAY1.isoformat(), DAY2.isoformat()]
    keys = lake_post_keys(home)
    assert keys == sorted(parsed_post_keys(home)) and len(keys) == 4 + 2   # X and Facebook posts, each once
    generation = archive_generation(manifests(home))
    assert published_days(home) == {DAY1.isoformat(): generation, DAY2.isoformat(): generation}
    assert not any((home.lake / "_candidate").iterdir())


def test_runs_over_different_days_keep_their_own_candidates(home):
    drop(home, "x_twarc2_sample.jsonl", "ct_facebook_sample.csv")
    archive_inbox(home)
    first = stage_window(home, DAY1, DAY1, "first")
    second = stage_window(home, DAY2, DAY2, "second")   # staging never touches another run's candidate
    assert candidate_root(home, "first").exists() and candidate_root(home, "second").exists()
    assert publish_candidate(home, "first").start == DAY1
    assert publish_candidate(home, "second").start == DAY2
    assert publish_candidate(home, "second") is None     # nothing left to publish twice
    assert first.expected_posts + second.expected_posts == len(lake_post_keys(home)) == 6
    assert lake_post_keys(home) == sorted(parsed_post_keys(home))


def test_a_same_generation_rerun_publishes_again(home):
    drop(home, "x_twarc2_sample.jsonl")
    archive_inbox(home)
    stage_window(home, DAY1, DAY2, "one")
    publish_candidate(home, "one")
    shutil.rmtree(home.lake / "x" / "posts" / f"day={DAY2.isoformat()}")   # a day lost by hand
    stage_window(home, DAY1, DAY2, "two")
    assert publish_candidate(home, "two").kept_newer == []
    assert lake_post_keys(home) == sorted(parsed_post_keys(home))


@pytest.mark.parametrize("run_id", ["", "../x", "a/b", "run id"])
def test_a_candidate_is_only_ever_a_run_ids_folder(home, run_id):
    with pytest.raises(ValueError):
        candidate_root(home, run_id)


SENSOR_SCRIPT = """
import shutil, sys
from pathlib import Path
from escucha.home import data_home
from orchestration.run import prepare_dagster_home
from tests.test_ingest_sensor import evaluate_sensor, run_requests
home = data_home(sys.argv[1])
prepare_dagster_home(home)
for name in sys.argv[3:]:
    shutil.copy(Path("tests/fixtures") / name, home.inbox / name)
tick = evaluate_sensor(home, sys.argv[2])
print(run_requests(home, tick))
"""


def run_windows(home) -> list[tuple[str, float, float, str]]:
    """Every Dagster run of the home, newest first: its window, start, end and status."""
    with dg.DagsterInstance.from_config(str(home.dagster_home)) as instance:
        return [(f"{r.dagster_run.tags['dagster/asset_partition_range_start']}.."
                 f"{r.dagster_run.tags['dagster/asset_partition_range_end']}", r.start_time, r.end_time,
                 r.dagster_run.status.value) for r in instance.get_run_records()]


def test_the_inbox_sensor_and_a_backfill_at_once_lose_and_duplicate_nothing(demo_template, tmp_path,
                                                                             monkeypatch):
    template, _ = demo_template
    home = copy_home(template, tmp_path / "home")
    monkeypatch.setenv("ESCUCHA_HOME", str(home.root))
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        before = {r[0] for r in con.execute("select post_key from marts.fct_posts").fetchall()}
    runs_before = len(run_windows(home))
    cursor = archive_generation(manifests(home))
    drop(home, "x_twarc2_sample.jsonl")                   # waiting for the backfill
    env = {**os.environ, "ESCUCHA_HOME": str(home.root), "PYTHONPATH": str(REPO)}
    backfill = subprocess.Popen([ESCUCHA, "--home", str(home.root), "run", "--from", "2022-01-14",
                                 "--to", "2022-01-17"], cwd=REPO, env=env, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    sensor = subprocess.Popen([sys.executable, "-c", SENSOR_SCRIPT, str(home.root), cursor,
                               "ct_facebook_sample.csv", "youtube_videos.json"],
                              cwd=REPO, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        backfill_out, _ = backfill.communicate(timeout=600)
        sensor_out, _ = sensor.communicate(timeout=600)
    finally:
        for proc in (backfill, sensor):
            if proc.poll() is None:
                proc.kill()
    assert backfill.returncode == 0, backfill_out[-3000:]
    assert sensor.returncode == 0, sensor_out[-3000:]

    runs = run_windows(home)
    runs = runs[: len(runs) - runs_before]
    assert sorted(w for w, *_ in runs) == ["2022-01-14..2022-01-17", "2022-01-16..2022-01-17"]
    assert all(status == "SUCCESS" for *_, status in runs)
    (_, s1, e1, _), (_, s2, e2, _) = runs
    assert s1 < e2 and s2 < e1, "the two runs did not overlap"

    new_files = [m for m in manifests(home) if m["archived_at"] > cursor]
    assert sorted(m["original_name"] for m in new_files) == sorted(
        ["x_twarc2_sample.jsonl", "ct_facebook_sample.csv", "youtube_videos.json"])
    added = parsed_post_keys(home, after=cursor)
    assert len(added) == 4 + 2 + 2
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        keys = [r[0] for r in con.execute("select post_key from marts.fct_posts").fetchall()]
        daily = con.execute("select sum(posts) from marts.fct_topic_daily").fetchone()[0]
        matched = con.execute("select count(*) from marts.fct_post_topics where is_relevant").fetchone()[0]
        leftovers = con.execute("select table_name from information_schema.tables "
                                "where contains(table_name, '__dbt_tmp')").fetchall()
    assert leftovers == []                                # incremental builds leave no scratch tables
    assert len(keys) == len(set(keys))                    # no duplicates
    assert set(keys) == before | added                    # nothing lost
    assert daily == matched


def test_a_staging_left_by_a_killed_process_is_removed_and_a_live_one_kept(home):
    drop(home, "x_twarc2_sample.jsonl")
    archive_inbox(home)
    dead = home.lake / ".staging-pid999999999-01234567"     # above any pid_max: no such process
    live = home.lake / f".staging-pid{os.getpid()}-01234567"  # another staging of a running process
    for folder in (dead, live):
        (folder / "x" / "posts").mkdir(parents=True)
    stage_window(home, DAY1, DAY2, "after-a-kill")
    assert not dead.exists() and live.exists()
    assert publish_candidate(home, "after-a-kill").kept_newer == []
    assert lake_post_keys(home) == sorted(parsed_post_keys(home))
