"""The inbox sensor: new raw files become runs over the days they touch (escucha.calendar.run_windows)."""
from datetime import date

import dagster as dg

from escucha.calendar import run_windows
from escucha.landing import archive_inbox, manifests
from orchestration.jobs import pipeline_job
from orchestration.recovery import release_dead_runs
from orchestration.resources import EscuchaHome

RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"


@dg.sensor(job=pipeline_job, minimum_interval_seconds=30, default_status=dg.DefaultSensorStatus.RUNNING,
           description="Archives files dropped in <home>/inbox/ (or archived by `escucha ingest`) and "
                       "requests a run per window of the days they touch (days up to a month apart run as one).")
def inbox_sensor(context: dg.SensorEvaluationContext, escucha_home: EscuchaHome) -> dg.SensorResult | dg.SkipReason:
    home = escucha_home.home()
    release_dead_runs(context.instance)  # a killed run's pool slots would hold every new run back
    for f in archive_inbox(home):
        if f.status == "rejected":
            context.log.warning(f.error)
    cursor = context.cursor or ""
    new = [m for m in manifests(home) if m["archived_at"] > cursor]
    if not new:
        return dg.SkipReason("no new files")
    days = [date.fromisoformat(d) for m in new for d in m.get("days", [])]
    high_water = max(m["archived_at"] for m in new)
    requests = [
        dg.RunRequest(
            run_key=f"inbox:{high_water}:{first}:{last}",
            tags={RANGE_START: first.isoformat(), RANGE_END: last.isoformat(), "escucha/trigger": "inbox"},
        )
        for first, last in run_windows(days)
    ]
    context.log.info(f"{len(new)} new file(s): {len(requests)} run(s) for {len(set(days))} day(s)")
    return dg.SensorResult(run_requests=requests, cursor=high_water)
