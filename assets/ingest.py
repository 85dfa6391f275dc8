"""Ingestion as write-audit-publish: archive the inbox and stage the window's days, audit them with
the great-expectations gate, then publish them into the lake that dbt reads."""
from collections.abc import Iterator
from datetime import date, timedelta

import dagster as dg

from escucha.connectors import lake_entities
from escucha.landing import archive_inbox, publish_candidate, stage_window
from escucha.lake import parsed_posts_count
from orchestration.partitions import daily_partitions
from orchestration.resources import EscuchaHome

ENTITIES = lake_entities()
CANDIDATE = dg.AssetKey(["candidate", "posts"])
LAKE_KEYS = {e: dg.AssetKey(["lake", *e.split("/")]) for e in ENTITIES}
ACCOUNTING_KEYS = {e: dg.AssetKey(["lake", *e.split("/")]) for e in ("archive/files", "archive/quarantine")}


def window_of(context: dg.AssetExecutionContext) -> tuple[date, date]:
    """The run's partition window as first and last day, inclusive."""
    window = context.partition_time_window
    return window.start.date(), (window.end - timedelta(days=1)).date()


@dg.asset(
    key=CANDIDATE,
    group_name="ingest",
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool="lake_writer",
    description="The window's days of every lake entity, parsed from the archived raw files into "
                "the run's own lake/_candidate/<run id>/, waiting for the gate (write-audit-publish).",
)
def staged_posts(context: dg.AssetExecutionContext, escucha_home: EscuchaHome) -> dg.MaterializeResult:
    """Archive the inbox by checksum (parsed once by DuckDB), then write the window's candidate days."""
    home = escucha_home.home()
    archived = archive_inbox(home)
    for f in archived:
        if f.status == "rejected":
            context.log.error(f.error)
    start, end = window_of(context)
    summary = stage_window(home, start, end, context.run.run_id)
    context.log.info(f"staged {start}..{end}: {summary.rows}")
    return dg.MaterializeResult(metadata={
        "window": f"{start}..{end}",
        "files_archived": sum(f.status == "archived" for f in archived),
        "files_rejected": dg.MetadataValue.md(
            "\n".join(f"- {f.error}" for f in archived if f.status == "rejected") or "none"),
        "files_in_window": len(summary.files),
        **{f"rows {entity}": n for entity, n in summary.rows.items()},
    })


@dg.asset_check(asset=CANDIDATE, name="expectations", blocking=True,
                description="great-expectations suite on the window's posts; when it fails nothing "
                            "is published, and no mart or report is built.")
def staged_posts_expectations(context: dg.AssetCheckExecutionContext,
                              escucha_home: EscuchaHome) -> dg.AssetCheckResult:
    """Validate every network's candidate posts against the landed-posts suite (a large window in a
    child process: expectations.gate.gate_window_where_it_fits)."""
    from expectations.gate import gate_window_where_it_fits

    home = escucha_home.home()
    start, end = window_of(context.op_execution_context)
    return gate_window_where_it_fits(str(home.root), context.run.run_id, start, end,
                                     expected_rows=parsed_posts_count(home, start, end))


@dg.multi_asset(
    specs=[
        dg.AssetSpec(key, group_name="ingest", deps=[CANDIDATE],
                     description=f"The published lake of {entity} (lake/{entity}/day=YYYY-MM-DD), "
                                 "read by dbt.")
        for entity, key in LAKE_KEYS.items()
    ] + [
        dg.AssetSpec(key, group_name="ingest", deps=[CANDIDATE],
                     description=f"Accounting of every archived raw file (lake/_meta/{name.split('/')[1]}.parquet).")
        for name, key in ACCOUNTING_KEYS.items()
    ],
    pool="lake_writer",
)
def published_lake(context: dg.AssetExecutionContext, escucha_home: EscuchaHome) -> Iterator[dg.MaterializeResult]:
    """Publish the run's audited candidate: each of its day folders is swapped in whole, except days
    that an overlapping run staged from more files and published first."""
    home = escucha_home.home()
    window = publish_candidate(home, context.run.run_id)
    published = f"{window.start}..{window.end}" if window else "nothing waiting"
    kept = ", ".join(window.kept_newer) if window and window.kept_newer else "none"
    if window and window.kept_newer:
        context.log.info(f"kept the newer lake days another run published: {kept}")
    for key in [*LAKE_KEYS.values(), *ACCOUNTING_KEYS.values()]:
        yield dg.MaterializeResult(asset_key=key, metadata={"published": published, "kept_newer_days": kept})
