"""Faults: a run killed with SIGKILL in the middle of ingestion or of dbt, then run again, gives the
marts of a clean run; a warehouse held by another process (another writer, an analyst's session)
makes the run wait, and fail with a message naming the holder when it is never let go, without
touching the warehouse.

The clean run is the session's demo template (tests/conftest.py): the same inputs, run once in
another home. Every table of `marts` is compared in full, row by row in order. The only columns
left out are those that record when a raw file was archived (`archived_at`, through each post's
first-seen time): the ingestion test archives its files again, so those times are the rerun's."""
from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from escucha.home import DataHome
from escucha.landing import manifests
from escucha.warehouse import TIMEOUT_ENV, WarehouseLocked, connect, wait_until_free
from tests.conftest import DEMO_END, DEMO_START, copy_home

ESCUCHA = str(Path(sys.executable).with_name("escucha"))
RUN = ["run", "--from", DEMO_START.isoformat(), "--to", DEMO_END.isoformat()]
# columns that record when a raw file was archived: run-time dependent when files are archived again
ARCHIVE_TIME_COLUMNS = {"fct_posts": {"first_seen_at"}, "fct_alerts": {"detected_at", "last_seen"}}

# Another process holding the warehouse: it opens it (read-only for an analyst's session), says
# "holding", and lets go when a line arrives on its stdin.
HOLDER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == "read-only")
con.execute("select count(*) from marts.fct_posts").fetchall()
print("holding", flush=True)
sys.stdin.readline()
con.close()
print("released", flush=True)
"""
HOLDERS = {"read-write": "read-write: another run or writer",
           "read-only": "read-only: an analyst's session or a report"}
ADVICE = {"read-write": "wait for that run to finish",
          "read-only": "close that session (a DuckDB client, a notebook, `escucha query`)"}


# ------------------------------------------------------------------------------------------ helpers


def marts(warehouse: Path, exclude: dict[str, set[str]] | None = None) -> dict[str, list[tuple]]:
    """Every table of the marts schema, its rows in order (without the `exclude`d columns)."""
    exclude = exclude or {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = [r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' "
            "order by 1").fetchall()]
        out = {}
        for table in tables:
            columns = [r[0] for r in con.execute(
                "select column_name from information_schema.columns where table_schema = 'marts' "
                "and table_name = ? order by ordinal_position", [table]).fetchall()]
            kept = ", ".join(f'"{c}"' for c in columns if c not in exclude.get(table, set()))
            out[table] = con.execute(f"select {kept} from marts.{table} order by all").fetchall()
    return out


def wait_for(condition: Callable[[], bool], what: str, proc: subprocess.Popen | None = None,
             timeout: float = 240) -> None:
    """Poll until `condition` holds; fail when the deadline passes or `proc` ends first."""
    deadline = time.monotonic() + timeout
    while not condition():
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"the run ended (exit {proc.returncode}) before {what}")
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.005)


def start_run(home: DataHome, log: Path, **env: str) -> subprocess.Popen:
    """`escucha run` over the demo window in its own process group, output to `log`."""
    with open(log, "w") as out:
        return subprocess.Popen([ESCUCHA, "--home", str(home.root), *RUN], stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True,
                                env=os.environ | {"PYTHONUNBUFFERED": "1"} | env)


def kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL the run and every process it started (dbt), and reap it."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=60)


def run_to_end(home: DataHome, log: Path, **env: str) -> tuple[int, str]:
    proc = start_run(home, log, **env)
    try:
        code = proc.wait(timeout=600)
    finally:
        kill_group(proc)
    return code, log.read_text()


def hold(warehouse: Path, mode: str) -> subprocess.Popen:
    """Another process holding the warehouse (`mode`: read-write or read-only) until `release`."""
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(warehouse), mode], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, start_new_session=True)
    assert proc.stdout.readline().strip() == "holding"
    return proc


def release(holder: subprocess.Popen) -> None:
    holder.stdin.write("\n")
    holder.stdin.flush()
    assert holder.stdout.readline().strip() == "released"
    holder.wait(timeout=30)


def stop(proc: subprocess.Popen) -> None:
    """Kill a process started here in its own session, if it still runs."""
    if proc.poll() is None:
        kill_group(proc)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def unarchive(home: DataHome) -> list[tuple[str, str]]:
    """Put the raw files archived without a mapping back in the inbox, as if they had just arrived:
    their manifest and parsed form go. Returns (original name, sha256) of each."""
    moved = []
    for m in manifests(home):
        if "mapping" in m:
            continue
        sha = m["sha256"]
        os.replace(home.archive / f"{sha}{Path(m['original_name']).suffix}", home.inbox / m["original_name"])
        (home.archive / f"{sha}.json").unlink()
        shutil.rmtree(home.archive / f"{sha}.parsed")
        moved.append((m["original_name"], sha))
    return moved


def leftovers(home: DataHome) -> list[str]:
    """What a killed archiver or dbt leaves that a finished run does not."""
    found = [*home.archive.glob(".tmp-*"), *home.archive.glob("*.json.tmp")]
    found += [p for p in home.dbt_target.iterdir() if p.is_dir()] if home.dbt_target.exists() else []
    return sorted(str(p.relative_to(home.root)) for p in found)


@pytest.fixture(scope="module")
def clean(demo_template) -> dict[str, dict[str, list[tuple]]]:
    """The marts of the clean run (the demo template), in full and without archive times."""
    template, outcome = demo_template
    assert outcome.success
    return {"full": marts(template.warehouse),
            "no_archive_times": marts(template.warehouse, ARCHIVE_TIME_COLUMNS)}


# ------------------------------------------------------------------------------- the lock, alone


@pytest.mark.parametrize("mode", ["read-write", "read-only"])
def test_a_held_warehouse_is_waited_for_then_refused_naming_its_holder(demo_template, tmp_path, mode,
                                                                       monkeypatch):
    template, _ = demo_template
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(template.warehouse, warehouse)
    heard: list[str] = []
    holder = hold(warehouse, mode)
    try:
        monkeypatch.setenv(TIMEOUT_ENV, "1")
        with pytest.raises(WarehouseLocked) as refused:
            wait_until_free(warehouse, on_wait=heard.append)
        holder_is = (f"locked by PID {holder.pid} ({Path(sys.executable).resolve()}), which has it open "
                     + HOLDERS[mode])
        assert str(refused.value) == (
            f"cannot write the warehouse {warehouse}: it is {holder_is}. Gave up after waiting 1 s (set "
            f"ESCUCHA_LOCK_TIMEOUT to wait longer); {ADVICE[mode]}, or stop process {holder.pid}, then try "
            "again. Nothing was changed.")
        assert heard == [f"the warehouse {warehouse} is {holder_is}; waiting up to 1 s "
                         "(ESCUCHA_LOCK_TIMEOUT)"]
        if mode == "read-write":  # a reader waits for a writer; readers never wait for readers
            with pytest.raises(WarehouseLocked, match="^cannot read the warehouse"):
                connect(warehouse, read_only=True)
        else:
            connect(warehouse, read_only=True, timeout=0).close()

        monkeypatch.setenv(TIMEOUT_ENV, "120")
        letting_go = threading.Timer(2.0, release, [holder])
        letting_go.start()
        try:
            wait_until_free(warehouse, on_wait=heard.append)  # returns once the holder lets go
        finally:
            letting_go.join()
        assert holder.poll() is not None and len(heard) == 2
        connect(warehouse, timeout=0).close()
    finally:
        stop(holder)


def test_a_query_waits_while_a_run_writes_and_says_so(demo_template, tmp_path):
    """`escucha query` meets a writer: it says it waits and for whom, and answers once the writer
    is done; a writer that stays past ESCUCHA_LOCK_TIMEOUT gets named in the refusal."""
    template, _ = demo_template
    home = tmp_path / "home"
    home.mkdir()
    shutil.copyfile(template.warehouse, home / "warehouse.duckdb")
    sql = "select count(*) as posts from marts.fct_posts"
    expected = marts(home / "warehouse.duckdb")["fct_posts"]
    writer = hold(home / "warehouse.duckdb", "read-write")
    try:
        query = subprocess.Popen([ESCUCHA, "--home", str(home), "query", "--csv", sql],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                 start_new_session=True, env=os.environ | {TIMEOUT_ENV: "120"})
        try:
            waiting = query.stderr.readline()
            assert waiting == (f"the warehouse {home / 'warehouse.duckdb'} is locked by PID {writer.pid} "
                               f"({Path(sys.executable).resolve()}), which has it open read-write: another "
                               "run or writer; waiting up to 120 s (ESCUCHA_LOCK_TIMEOUT)\n")
            release(writer)
            out, _ = query.communicate(timeout=60)
        finally:
            stop(query)
        assert query.returncode == 0 and out == f"posts\n{len(expected)}\n"
        writer = hold(home / "warehouse.duckdb", "read-write")
        refused = subprocess.run([ESCUCHA, "--home", str(home), "query", sql], capture_output=True, text=True,
                                 env=os.environ | {TIMEOUT_ENV: "1"}, timeout=60)
        assert refused.returncode == 1 and refused.stdout == ""
        assert refused.stderr.splitlines()[-1].startswith(
            f"query failed: cannot read the warehouse {home / 'warehouse.duckdb'}: it is locked by PID "
            f"{writer.pid} ")
    finally:
        stop(writer)


# ------------------------------------------------------------------------------------ the run


def test_a_run_refused_by_an_analysts_session_names_it_and_changes_nothing(demo_template, tmp_path, clean):
    """An analyst's session never closed: the run waits ESCUCHA_LOCK_TIMEOUT seconds, then fails
    naming the holder; the warehouse is as it was, and opens fine once the session is closed."""
    template, _ = demo_template
    mode = "read-only"
    home = copy_home(template, tmp_path / "home")
    holder = hold(home.warehouse, mode)
    try:
        before = sha256(home.warehouse)
        code, out = run_to_end(home, tmp_path / "run.log", **{TIMEOUT_ENV: "2"})
        assert code == 1
        assert "steps not completed: warehouse_models\n" in out
        assert (f"\nwarehouse_models failed: escucha.warehouse.WarehouseLocked: cannot write the warehouse "
                f"{home.warehouse}: it is locked by PID {holder.pid} ({Path(sys.executable).resolve()}), "
                f"which has it open {mode}") in out
        assert sha256(home.warehouse) == before
        release(holder)
    finally:
        stop(holder)
    with connect(home.warehouse, timeout=0) as con:  # opens fine, read-write
        assert con.execute("select count(*) from marts.fct_posts").fetchone()[0] > 0
    assert marts(home.warehouse) == clean["full"]


def rerun_past_a_holder(home: DataHome, mode: str, log: Path) -> None:
    """Rerun while another process holds the warehouse (`mode`): the rerun says it waits for that
    PID, goes on once the holder lets go, and succeeds."""
    holder = hold(home.warehouse, mode)
    try:
        rerun = start_run(home, log)
        try:
            wait_for(lambda: f"locked by PID {holder.pid} " in log.read_text(),
                     "the rerun waits for the warehouse", rerun)
            release(holder)
            assert rerun.wait(timeout=600) == 0, log.read_text()[-3000:]
            # nothing the run started outlives it for long (the gate's child, multiprocessing's
            # resource tracker, dbt)
            wait_for(lambda: not group_members(rerun.pid),
                     f"the run's processes to end (in its group when the wait began: {group_members(rerun.pid)})", timeout=30)
        finally:
            stop(rerun)
    finally:
        stop(holder)
    # a new `escucha run` validates in the child it started importing great-expectations at its top
    assert gate_validated_in(home) == "child process"


def group_members(pgid: int) -> list[str]:
    """The command lines of the processes still in a process group."""
    import psutil

    members = []
    for proc in psutil.process_iter(["cmdline"]):
        try:
            if os.getpgid(proc.pid) == pgid:
                members.append(" ".join(proc.info["cmdline"] or []))
        except (ProcessLookupError, psutil.Error):
            pass
    return members


def gate_validated_in(home: DataHome) -> str:
    """Where the latest successful run's gate validated its window (the check's metadata)."""
    import dagster as dg

    with dg.DagsterInstance.from_config(str(home.dagster_home)) as instance:
        [record] = instance.get_run_records(dg.RunsFilter(statuses=[dg.DagsterRunStatus.SUCCESS]), limit=1)
        [gate] = [e.dagster_event.event_specific_data for e in instance.all_logs(record.dagster_run.run_id)
                  if e.dagster_event and e.dagster_event.event_type_value == "ASSET_CHECK_EVALUATION"
                  and e.dagster_event.event_specific_data.check_name == "expectations"]
    assert gate.passed
    return gate.metadata["validated_in"].value


def test_killed_in_ingestion_the_rerun_gives_the_clean_marts(demo_template, tmp_path, clean):
    """Killed while archiving its inbox; the rerun meets another writer holding the warehouse, waits
    for it, and gives the clean run's marts."""
    template, _ = demo_template
    home = copy_home(template, tmp_path / "home")
    arrived = unarchive(home)
    assert len(arrived) >= 5
    kept = len(manifests(home))
    run = start_run(home, tmp_path / "killed.log")
    try:
        # one file archived again at least, and the next one being parsed
        wait_for(lambda: len(manifests(home)) > kept and any(home.archive.glob(".tmp-*")),
                 "archiving is half-way", run)
        kill_group(run)
    finally:
        stop(run)
    # no half-archived file: each is still in the inbox, or archived with its raw file and manifest
    done = {m["sha256"] for m in manifests(home)}
    for name, sha in arrived:
        archived = sha in done and (home.archive / f"{sha}{Path(name).suffix}").is_file()
        assert (home.inbox / name).is_file() or archived, name
    assert 0 < sum(sha in done for _, sha in arrived) < len(arrived)

    rerun_past_a_holder(home, "read-write", tmp_path / "rerun.log")
    assert sorted(p.name for p in home.inbox.iterdir()) == []
    assert leftovers(home) == []
    assert marts(home.warehouse, ARCHIVE_TIME_COLUMNS) == clean["no_archive_times"]


def test_killed_in_dbt_the_rerun_gives_the_clean_marts(demo_template, tmp_path, clean):
    """Killed while dbt builds the models; the rerun meets an analyst's session left open, waits for
    it, and gives the clean run's marts."""
    template, _ = demo_template
    home = copy_home(template, tmp_path / "home")
    log = tmp_path / "killed.log"
    run = start_run(home, log)
    try:
        wait_for(lambda: log.read_text().count(" OK created ") >= 20, "dbt has built 20 models", run,
                 timeout=400)
        kill_group(run)
    finally:
        stop(run)
    assert any(p.is_dir() for p in home.dbt_target.iterdir())  # the killed dbt's run folder

    rerun_past_a_holder(home, "read-only", tmp_path / "rerun.log")
    assert leftovers(home) == []
    assert marts(home.warehouse) == clean["full"]
    # the killed run held the warehouse_writer pool's slot: the rerun freed it and marked the run failed
    assert runs_by_status(home) == {"SUCCESS": 2, "FAILURE": 1}


def runs_by_status(home: DataHome) -> dict[str, int]:
    """How many runs of the home's Dagster history ended (or stand) in each status."""
    import dagster as dg

    with dg.DagsterInstance.from_config(str(home.dagster_home)) as instance:
        statuses = [r.dagster_run.status.value for r in instance.get_run_records()]
        assert instance.event_log_storage.get_concurrency_run_ids() == set()
    return {s: statuses.count(s) for s in sorted(set(statuses))}
