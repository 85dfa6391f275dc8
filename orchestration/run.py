"""Run the pipeline in-process for one window of days: one Dagster run per backfill, shown in the UI."""
from __future__ import annotations

import contextlib
import json
import os
import sys
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from escucha.home import DataHome
from expectations.warm_process import warm_gate_process

if TYPE_CHECKING:
    from dagster._utils.error import SerializableErrorInfo

DAGSTER_YAML_MARK = "# written by escucha for this home; delete this line to keep your own edits\n"

#: what escucha wrote before the event log storage was configured (rewritten when found)
OLD_DAGSTER_YAML = """\
telemetry:
  enabled: false
concurrency:
  pools:
    default_limit: 1
"""


def dagster_yaml(home: DataHome) -> str:
    """The instance's configuration: no telemetry, one writer of the warehouse at a time, and the run
    history in Dagster's usual SQLite files (<home>/dagster/history) written through
    orchestration.event_log (each database opened once per process)."""
    events = home.dagster_home / "history" / "runs"
    return DAGSTER_YAML_MARK + OLD_DAGSTER_YAML + (
        "event_log_storage:\n"
        "  module: orchestration.event_log\n"
        "  class: PooledSqliteEventLogStorage\n"
        "  config:\n"
        f"    base_dir: {json.dumps(str(events))}\n")


def write_dagster_yaml(home: DataHome) -> None:
    """Write the home's dagster.yaml when it is missing, is escucha's older one, or is escucha's for
    another folder (a copied home); a file without escucha's first line is the user's and is kept."""
    cfg = home.dagster_home / "dagster.yaml"
    wanted = dagster_yaml(home)
    current = cfg.read_text(encoding="utf-8") if cfg.exists() else None
    if current is None or current == OLD_DAGSTER_YAML or (current.startswith(DAGSTER_YAML_MARK) and current != wanted):
        cfg.write_text(wanted, encoding="utf-8")


def prepare_dagster_home(home: DataHome) -> None:
    """Point DAGSTER_HOME at <home>/dagster so CLI runs and `escucha ui` share one run history."""
    home.ensure()
    write_dagster_yaml(home)
    os.environ["DAGSTER_HOME"] = str(home.dagster_home)
    os.environ["ESCUCHA_HOME"] = str(home.root)


@dataclass
class RunOutcome:
    """What a pipeline run did: success, and each step's and check's fate."""

    run_id: str
    success: bool
    steps: dict[str, str]
    checks: dict[str, bool]
    check_descriptions: dict[str, str]
    check_severities: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)  # failed step -> what went wrong, in a line


def run_pipeline(home: DataHome, start: date, end: date, log_level: str | None = None,
                 full_refresh: bool = False, refresh_graphs: bool = False) -> RunOutcome:
    """Materialise every asset for start..end (inclusive) in one in-process run (``refresh_graphs``:
    compute the running period's graphs again even when they are younger than their cadence).

    The console shows warnings and errors only (ESCUCHA_LOG_LEVEL=INFO or DEBUG for more); the full
    event log is kept by the Dagster instance and shown in the UI."""
    log_level = log_level or os.environ.get("ESCUCHA_LOG_LEVEL", "WARNING")
    prepare_dagster_home(home)
    # a new process imports great-expectations for the gate on the other core while it loads Dagster;
    # one that has loaded Dagster already (a second run) has nothing to overlap: it imports it itself
    new_process = "orchestration.definitions" not in sys.modules
    with warm_gate_process() if new_process else contextlib.nullcontext():
        return _execute(home, start, end, log_level, full_refresh, refresh_graphs)


def _execute(home: DataHome, start: date, end: date, log_level: str, full_refresh: bool,
             refresh_graphs: bool) -> RunOutcome:
    """The run of :func:`run_pipeline`, in this process, and what it did."""
    import dagster as dg

    from orchestration.definitions import defs
    from orchestration.recovery import release_dead_runs

    job = defs.resolve_job_def("pipeline")
    with dg.DagsterInstance.get() as instance:
        release_dead_runs(instance)  # a killed run's pool slots would hold this one up forever
        result = job.execute_in_process(
            instance=instance,
            run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
            tags={
                "dagster/asset_partition_range_start": start.isoformat(),
                "dagster/asset_partition_range_end": end.isoformat(),
                **({"escucha/full_refresh": "true"} if full_refresh else {}),
                **({"escucha/refresh_graphs": "true"} if refresh_graphs else {}),
            },
            raise_on_error=False,
        )
    steps: dict[str, str] = {}
    checks: dict[str, bool] = {}
    descriptions: dict[str, str] = {}
    severities: dict[str, str] = {}
    errors: dict[str, str] = {}
    for event in result.all_events:
        kind = event.event_type_value
        if kind in ("STEP_SUCCESS", "STEP_FAILURE", "STEP_SKIPPED") and event.step_key:
            steps[event.step_key] = kind.removeprefix("STEP_").lower()
        if kind == "STEP_FAILURE" and event.step_key and event.event_specific_data.error:
            errors[event.step_key] = root_cause(event.event_specific_data.error)
        if kind == "ASSET_CHECK_EVALUATION":
            ev = event.event_specific_data
            name = f"{ev.asset_key.to_user_string()}:{ev.check_name}"
            checks[name] = ev.passed
            descriptions[name] = ev.description or ""
            severities[name] = ev.severity.value
    return RunOutcome(result.run_id, result.success, steps, checks, descriptions, severities, errors)


def root_cause(error: SerializableErrorInfo) -> str:
    """The first line of the innermost error of a step failure (what the step's code raised,
    without Dagster's wrapping)."""
    while error.cause is not None:
        error = error.cause
    return error.message.strip().splitlines()[0] if error.message.strip() else error.cls_name or "error"
