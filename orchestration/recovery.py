"""Runs whose process is gone (killed with SIGKILL, out of memory, a power cut).

Such a run never records its end: Dagster keeps showing it as started, and the slots it held in the
`lake_writer` and `warehouse_writer` pools (one slot each) stay taken, so every later run waits for
them forever. Before a run starts, :func:`release_dead_runs` marks each run whose process has
vanished as failed and frees its slots.
"""
from __future__ import annotations

import logging

import dagster as dg
from dagster._core.events import DagsterEventType
from dagster._core.storage.dagster_run import FINISHED_STATUSES

from escucha.processes import process_alive

log = logging.getLogger(__name__)
IN_PROGRESS = [dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING]


def run_pid(instance: dg.DagsterInstance, run_id: str) -> int | None:
    """The id of the process that started executing the run (its RUN_START event), if it started."""
    records = instance.get_records_for_run(run_id, of_type=DagsterEventType.RUN_START, limit=1).records
    event = records[0].event_log_entry.dagster_event if records else None
    return event.pid if event is not None else None


def release_dead_runs(instance: dg.DagsterInstance) -> list[str]:
    """Mark failed every unfinished run whose process is gone, and free the pool slots of it and of
    any finished run still holding some. Returns the runs marked failed."""
    storage = instance.event_log_storage
    holding = set(storage.get_concurrency_run_ids()) if storage.supports_global_concurrency_limits else set()
    unfinished = {r.dagster_run.run_id for r in instance.get_run_records(dg.RunsFilter(statuses=IN_PROGRESS))}
    failed = []
    for run_id in sorted(holding | unfinished):
        run = instance.get_run_by_id(run_id)
        if run is not None and run.status not in FINISHED_STATUSES:
            pid = run_pid(instance, run_id)
            if pid is None or process_alive(pid):
                continue
            instance.report_run_failed(run, f"the process running it (PID {pid}) is gone: it was killed "
                                            "or crashed; its pool slots are freed")
            log.warning(f"run {run_id} was left unfinished by PID {pid}, which is gone: marked failed")
            failed.append(run_id)
        if run_id in holding:
            storage.free_concurrency_slots_for_run(run_id)
    return failed
