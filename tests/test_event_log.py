"""The run history's storage (orchestration/event_log.py) and the dagster.yaml escucha writes for it."""
from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

from escucha.home import data_home
from orchestration.event_log import KEEP_ENGINES, PooledSqliteEventLogStorage
from orchestration.run import DAGSTER_YAML_MARK, OLD_DAGSTER_YAML, write_dagster_yaml


@dg.asset
def first() -> int:
    return 1


@dg.asset_check(asset=first)
def first_is_one(first: int) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=first == 1)


@dg.asset
def second(first: int) -> int:
    return first + 1


JOB = dg.Definitions(assets=[first, second], asset_checks=[first_is_one]).resolve_implicit_global_asset_job_def()


def run_jobs(dagster_home: Path, n: int) -> list[str]:
    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        storage = instance.event_log_storage
        assert isinstance(storage, PooledSqliteEventLogStorage)
        run_ids = [JOB.execute_in_process(instance=instance).run_id for _ in range(n)]
        assert len(storage._engines) <= KEEP_ENGINES
        engines = dict(storage._engines)
    assert not storage._engines  # closing the instance disposed them
    assert all(e.pool.checkedin() == 0 and e.pool.checkedout() == 0 for e in engines.values())
    return run_ids


def test_runs_stored_through_the_pool_read_back_with_dagster_s_own_storage(tmp_path: Path) -> None:
    home = data_home(tmp_path / "home").ensure()
    write_dagster_yaml(home)
    run_ids = run_jobs(home.dagster_home, KEEP_ENGINES + 2)  # more runs than engines kept

    stock = SqliteEventLogStorage(str(home.dagster_home / "history" / "runs"))
    for run_id in run_ids:
        kinds = [e.dagster_event.event_type_value for e in stock.get_logs_for_run(run_id) if e.dagster_event]
        assert kinds.count("ASSET_MATERIALIZATION") == 2 and kinds.count("ASSET_CHECK_EVALUATION") == 1
        assert kinds[-1] == "PIPELINE_SUCCESS"
    latest = stock.get_latest_materialization_events([dg.AssetKey("second")])[dg.AssetKey("second")]
    assert latest is not None and latest.run_id == run_ids[-1]  # the cross-run index was written too
    stock.dispose()


def test_one_engine_per_database_and_none_inherited_by_a_forked_child(tmp_path: Path) -> None:
    home = data_home(tmp_path / "home").ensure()
    write_dagster_yaml(home)
    with dg.DagsterInstance.from_config(str(home.dagster_home)) as instance:
        storage = instance.event_log_storage
        run_id = JOB.execute_in_process(instance=instance).run_id
        assert set(storage._engines) == {"index", run_id}  # ~20 events, two engines
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child reports how many of the parent's engines it still holds
            os.write(write, str(len(storage._engines)).encode())
            os._exit(0)
        os.waitpid(pid, 0)
        assert os.read(read, 10) == b"0"
        assert len(storage._engines) == 2  # the parent keeps its own


def test_dagster_yaml_is_written_rewritten_for_a_copied_home_and_a_user_s_own_kept(tmp_path: Path) -> None:
    home = data_home(tmp_path / "home").ensure()
    cfg = home.dagster_home / "dagster.yaml"
    write_dagster_yaml(home)
    assert cfg.read_text().startswith(DAGSTER_YAML_MARK)
    assert f'base_dir: "{home.dagster_home / "history" / "runs"}"' in cfg.read_text()

    copied = data_home(tmp_path / "copy").ensure()
    (copied.dagster_home / "dagster.yaml").write_text(cfg.read_text())  # a home copied elsewhere
    write_dagster_yaml(copied)
    assert f'base_dir: "{copied.dagster_home / "history" / "runs"}"' in (copied.dagster_home / "dagster.yaml").read_text()

    cfg.write_text(OLD_DAGSTER_YAML)  # what escucha wrote before
    write_dagster_yaml(home)
    assert "PooledSqliteEventLogStorage" in cfg.read_text()

    own = "telemetry:\n  enabled: true\n"  # the user's own file, without escucha's first line
    cfg.write_text(own)
    write_dagster_yaml(home)
    assert cfg.read_text() == own


def test_a_table_is_looked_up_once_and_a_missing_one_every_time(tmp_path: Path, monkeypatch) -> None:
    """Dagster asks whether a table exists before storing each check result and each event's tags;
    the pooled storage asks the database once per table that is there, and again for one that is not."""
    asked: list[str] = []
    stock_has_table = SqliteEventLogStorage.has_table

    def counted(self, table_name: str) -> bool:  # the stock lookup, counted
        asked.append(table_name)
        return stock_has_table(self, table_name)

    monkeypatch.setattr(SqliteEventLogStorage, "has_table", counted)
    home = data_home(tmp_path / "home").ensure()
    write_dagster_yaml(home)
    with dg.DagsterInstance.from_config(str(home.dagster_home)) as instance:
        storage = instance.event_log_storage
        asked.clear()  # what the instance asked while it was set up
        for _ in range(3):
            assert JOB.execute_in_process(instance=instance).success
        checks = storage.get_asset_check_execution_history(
            dg.AssetCheckKey(dg.AssetKey("first"), "first_is_one"), limit=10)
        assert len(checks) == 3  # three runs' check results stored through the remembered answer
        assert asked.count("asset_check_executions") <= 1
        assert len(asked) == len(set(asked))  # no table asked about twice
        assert storage.has_table("asset_check_executions")
        assert not storage.has_table("no_such_table") and not storage.has_table("no_such_table")
        assert asked.count("no_such_table") == 2
