"""Close to real time: files dropped in the inbox reach the marts through the sensor, nothing lost."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from escucha.home import data_home
from orchestration.run import prepare_dagster_home, run_pipeline
from tests.conftest import FIXTURES

ESCUCHA = str(Path(sys.executable).with_name("escucha"))
CURSOR: dict[str, str | None] = {"value": None}  # the sensor's cursor between ticks, as the daemon keeps it


def evaluate_sensor(home, cursor: str | None):
    """One tick of the inbox sensor, as the daemon would run it."""
    from orchestration.definitions import defs
    from orchestration.resources import EscuchaHome

    sensor = defs.resolve_sensor_def("inbox_sensor")
    with dg.DagsterInstance.from_config(str(home.dagster_home)) as instance, \
            dg.build_sensor_context(cursor=cursor, instance=instance, definitions=defs,
                                    resources={"escucha_home": EscuchaHome(root=str(home.root))}) as ctx:
        return sensor.evaluate_tick(ctx)


def run_requests(home, tick) -> list[tuple[date, date]]:
    """Execute each requested run in-process, as the daemon would launch it; return the windows."""
    windows = []
    for req in tick.run_requests or []:
        first = date.fromisoformat(req.tags["dagster/asset_partition_range_start"])
        last = date.fromisoformat(req.tags["dagster/asset_partition_range_end"])
        assert run_pipeline(home, first, last).success
        windows.append((first, last))
    return windows


def topic_daily(home) -> list[tuple]:
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        return con.execute("select * from marts.fct_topic_daily order by all").fetchall()


def later_collection(path: Path, dest: Path) -> None:
    """The first page again, collected a day later with more likes."""
    page = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    page["__twarc"]["retrieved_at"] = "2022-01-19T00:00:00+00:00"
    for tw in page["data"]:
        tw["public_metrics"]["like_count"] += 100
    dest.write_text(json.dumps(page, ensure_ascii=False) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    h = data_home(tmp_path_factory.mktemp("sensor")).ensure()
    mp.setenv("ESCUCHA_HOME", str(h.root))
    prepare_dagster_home(h)
    yield h
    mp.undo()


def test_a_dropped_file_reaches_the_marts_through_the_sensor(home):
    shutil.copy(FIXTURES / "x_twarc2_sample.jsonl", home.inbox / "x.jsonl")
    tick = evaluate_sensor(home, None)
    assert run_requests(home, tick) == [(date(2022, 1, 16), date(2022, 1, 17))]  # exactly its days
    rows = topic_daily(home)
    assert (date(2022, 1, 16), "derrame_petroleo", "x") in {r[:3] for r in rows}
    CURSOR['value'] = tick.cursor
    assert evaluate_sensor(home, tick.cursor).run_requests in (None, [])  # nothing new: no run


def test_the_same_file_again_changes_nothing(home):
    before = topic_daily(home)
    shutil.copy(FIXTURES / "x_twarc2_sample.jsonl", home.inbox / "x_again.jsonl")
    tick = evaluate_sensor(home, CURSOR['value'])
    assert not tick.run_requests
    assert not (home.inbox / "x_again.jsonl").exists()  # archived once, by checksum
    assert topic_daily(home) == before


def test_a_later_collection_updates_metrics_and_keeps_first_seen(home):
    later_collection(FIXTURES / "x_twarc2_sample.jsonl", home.inbox / "x_later.jsonl")
    tick = evaluate_sensor(home, CURSOR['value'])
    CURSOR['value'] = tick.cursor
    assert run_requests(home, tick) == [(date(2022, 1, 16), date(2022, 1, 16))]
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        likes, first_seen, times = con.execute(
            "select likes, first_seen_at, times_collected from marts.fct_posts "
            "where post_key = 'x:1482345678901234567'").fetchone()
    assert likes == 110 and times == 2
    assert first_seen.isoformat() == "2022-01-18T00:00:00"


def test_bad_rows_are_quarantined_while_good_rows_land(home):
    shutil.copy(FIXTURES / "ct_facebook_sample.csv", home.inbox / "fb.csv")
    tick = evaluate_sensor(home, CURSOR['value'])
    CURSOR['value'] = tick.cursor
    run_requests(home, tick)
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        reasons = con.execute("select file_name, line, reason from internal.quarantine order by all").fetchall()
        fb = con.execute("select count(*) from marts.fct_posts where network = 'facebook'").fetchone()[0]
        files = con.execute("select file_name, rows_in, rows_parsed, rows_quarantined, rows_duplicate "
                            "from internal.raw_files order by file_name").fetchall()
    assert ("fb.csv", 4, "URL has no post id: (empty)") in reasons
    assert ("x.jsonl", 3, "line is not valid JSON") in reasons
    assert fb == 2
    assert ("x_later.jsonl", 2, 2, 0, 2) in files  # both tweets were already collected
    for _, rows_in, parsed, quarantined, _dup in files:
        assert rows_in == parsed + quarantined


def test_ingest_prints_counts_that_reconcile(tmp_path):
    h = tmp_path / "h"
    later_collection(FIXTURES / "x_twarc2_sample.jsonl", tmp_path / "x_later.jsonl")
    out = subprocess.run([ESCUCHA, "--home", str(h), "ingest", str(FIXTURES / "x_twarc2_sample.jsonl"),
                          str(tmp_path / "x_later.jsonl")], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].startswith("x_twarc2_sample.jsonl: 6 rows in = 4 landed + 0 duplicate + 2 quarantined")
    assert lines[1].startswith("x_later.jsonl: 2 rows in = 0 landed + 2 duplicate + 0 quarantined")
    bad = tmp_path / "nothing.jsonl"
    bad.write_text('{"hello": 1}\n')
    out = subprocess.run([ESCUCHA, "--home", str(h), "ingest", str(bad)], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 1
    assert out.stderr.strip().startswith("rejected: nothing.jsonl: format not recognised")
    assert len(out.stderr.strip().splitlines()) == 1
    out = subprocess.run([ESCUCHA, "--home", str(h), "ingest", "--format", "twarc2", str(bad)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 1
    assert out.stderr.strip() == ("rejected: nothing.jsonl: not an X API v2 / twarc2 file: "
                                  "no line has 'data' or 'meta'")


def test_collection_gaps_are_visible_and_warned(home):
    shutil.copy(FIXTURES / "ct_instagram_sample.csv", home.inbox / "ig.csv")  # May: the span grows
    tick = evaluate_sensor(home, CURSOR["value"])
    CURSOR["value"] = tick.cursor
    assert run_requests(home, tick) == [(date(2022, 5, 10), date(2022, 5, 10))]
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        rows = {(r[0], r[1]): r[2:] for r in con.execute(
            "select network, day, files, rows_collected, posts, has_collection "
            "from marts.fct_collection_daily").fetchall()}
    assert rows[("x", date(2022, 1, 16))] == (2, 6, 4, True)  # two collections of the same day
    assert rows[("facebook", date(2022, 1, 16))] == (1, 2, 2, True)
    assert rows[("facebook", date(2022, 1, 20))] == (0, 0, 0, False)  # a gap, not silence
    outcome = run_pipeline(home, date(2022, 1, 16), date(2022, 1, 16))
    assert outcome.success  # a gap warns, it does not stop the run
    gap = "marts/fct_collection_daily:no_collection_gaps"
    assert outcome.checks[gap] is False and outcome.check_severities[gap] == "WARN"


def test_ingest_with_a_mapping_file_lands_an_unknown_export(tmp_path):
    h = tmp_path / "h"
    out = subprocess.run([ESCUCHA, "--home", str(h), "ingest", str(FIXTURES / "monitor_andino_latin1.csv"),
                          "--mapping", str(FIXTURES / "monitor_andino.mapping.yaml"), "--run"],
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.splitlines()[0].startswith(
        "monitor_andino_latin1.csv: 8 rows in = 5 landed + 0 duplicate + 3 quarantined (mapping")
    with duckdb.connect(str(h / "warehouse.duckdb"), read_only=True) as con:
        texts = dict(con.execute("select post_key, text from marts.fct_posts").fetchall())
        reasons = [r[0] for r in con.execute("select reason from internal.quarantine").fetchall()]
    assert texts["x:1482345678901234567"].startswith("Terrible el derrame de petróleo en Ventanilla")
    assert "Continúan las labores" in texts["facebook:5123456789012345"]  # Latin-1 read right
    assert len(texts) == 5 and len(reasons) == 3 and all(reasons)
