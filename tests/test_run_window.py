"""The run's window reaches dbt through the environment: vars win, then the environment, then every day."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from assets.transform import dbt_build_args, run_window_of
from escucha.run_window import END_ENV, START_ENV, WHOLE, window, window_environment


def test_vars_win_over_the_environment_and_no_window_is_every_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(START_ENV, raising=False)
    monkeypatch.delenv(END_ENV, raising=False)
    assert window() == WHOLE
    assert window("", "") == WHOLE  # the models' config when no vars were given
    monkeypatch.setenv(START_ENV, "2022-01-15")
    monkeypatch.setenv(END_ENV, "2022-01-16")
    assert window() == ("2022-01-15", "2022-01-16")
    assert window("2022-03-10", "2022-03-11") == ("2022-03-10", "2022-03-11")


def test_a_malformed_window_fails_before_any_sql(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(START_ENV, "2022-01-15'; drop table x; --")
    with pytest.raises(ValueError):
        window()
    with pytest.raises(ValueError):
        with window_environment("yesterday", "2022-01-16"):
            pass


def test_the_environment_is_set_inside_the_block_and_restored_after(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(START_ENV, "2021-01-01")
    monkeypatch.delenv(END_ENV, raising=False)
    with window_environment("2022-01-15", "2022-01-16"):
        assert (os.environ[START_ENV], os.environ[END_ENV]) == ("2022-01-15", "2022-01-16")
    assert os.environ[START_ENV] == "2021-01-01" and END_ENV not in os.environ
    with window_environment(None, None):  # a run without a window builds every day
        assert START_ENV not in os.environ and END_ENV not in os.environ
    assert os.environ[START_ENV] == "2021-01-01"


def test_runs_pass_no_vars_so_dbt_keeps_its_parse() -> None:
    ranged = {"dagster/asset_partition_range_start": "2022-01-15", "dagster/asset_partition_range_end": "2022-01-17"}
    assert run_window_of(ranged) == ("2022-01-15", "2022-01-17")
    assert run_window_of({"dagster/partition": "2022-01-15"}) == ("2022-01-15", "2022-01-15")
    assert run_window_of({}) == (None, None)
    args = dbt_build_args(ranged)
    assert "--vars" not in args
    assert args[args.index("--exclude-resource-type") + 1] == "unit_test"
    assert dbt_build_args({"escucha/full_refresh": "true"})[-1] == "--full-refresh"
    assert "resource_type:seed" not in args  # seeds load unless the warehouse holds these files already
    kept = dbt_build_args(ranged, seeds_loaded=True)
    assert kept[kept.index("--exclude") + 1] == "resource_type:seed"
    # a full refresh rebuilds everything, the seeds too
    assert "--exclude" not in dbt_build_args({"escucha/full_refresh": "true"}, seeds_loaded=True)
    assert "--no-write-json" in args  # Dagster streams dbt's events: the artifacts were only a cost


def test_vars_given_by_hand_reach_every_python_model_that_reads_the_window(tmp_path, monkeypatch) -> None:
    """dbt hands a Python model only the config keys it finds read as `dbt.config.get(...)` in the
    model's code; a read nested in `*window(...)` was not found, so `dbt build --vars` by hand left
    the graph models without their window (they recomputed the whole year and, before the fix in
    escucha.graph.refresh.plan, appended it twice). Every model that calls `window(` gets the vars."""
    from dbt.cli.main import dbtRunner

    project = Path(__file__).resolve().parents[1] / "dbt_project"
    readers = sorted(p.stem for p in project.glob("models/**/*.py") if "window(" in p.read_text())
    assert len(readers) >= 8
    monkeypatch.setenv("ESCUCHA_HOME", str(tmp_path))
    monkeypatch.chdir(project)
    target = tmp_path / "target"
    result = dbtRunner().invoke(["compile", "--select", *readers, "--vars", '{"min_date": "2022-01-10", '
                                 '"max_date": "2022-01-11"}', "--target-path", str(target), "--quiet"])
    assert result.success, result.exception
    compiled = {p.stem: p.read_text() for p in target.glob("compiled/**/*.py")}
    assert sorted(compiled) == readers
    for name, code in compiled.items():
        assert "config_dict = {'min_date': '2022-01-10', 'max_date': '2022-01-11'}" in code, name
