"""Ingestion: archive what waits in the inbox, land the window's day partitions, gate them."""

from collections.abc import Iterator
from datetime import timedelta

import dagster as dg

from escucha.landing import archive_inbox, land_window
from escucha.lake import landed_posts as read_landed_posts
from escucha.lake import parsed_posts_count
from orchestration.partitions import daily_partitions
from orchestration.resources import EscuchaHome

LAKE_KEYS = {
    "x/posts": dg.AssetKey(["lake", "x", "posts"]),
    "x/users": dg.AssetKey(["lake", "x", "users"]),
    "facebook/posts": dg.AssetKey(["lake", "facebook", "posts"]),
    "instagram/posts": dg.AssetKey(["lake", "instagram", "posts"]),
    "archive/files": dg.AssetKey(["lake", "archive", "files"]),
    "archive/quarantine": dg.AssetKey(["lake", "archive", "quarantine"]),
}
POSTS_KEYS = [k for name, k in LAKE_KEYS.items() if name.endswith("/posts")]


def _window(context: "dg.AssetExecutionContext | dg.AssetCheckExecutionContext") -> tuple:
    window = context.partition_time_window if isinstance(context, dg.AssetExecutionContext) else \
        context.op_execution_context.partition_time_window
    return window.start.date(), (window.end - timedelta(days=1)).date()


@dg.multi_asset(
    specs=[
        dg.AssetSpec(key, group_name="ingest",
                     description=f"Lake entity {name}: raw exports archived by checksum and parsed "
                                 "by DuckDB, one Parquet folder per UTC day (day=YYYY-MM-DD).")
        for name, key in LAKE_KEYS.items()
    ],
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool="lake_writer",
)
def landed_posts(context: dg.AssetExecutionContext, escucha_home: EscuchaHome) -> Iterator[dg.MaterializeResult]:
    """Archive the inbox, then rewrite every lake entity's days of the window."""
    home = escucha_home.home()
    archived = archive_inbox(home)
    for f in archived:
        if f.status == "rejected":
            context.log.error(f.error)
    start, end = _window(context)
    summary = land_window(home, start, end)
    context.log.info(f"landed {start}..{end}: {summary.rows}")
    common = {
        "window": f"{start}..{end}",
        "files_archived": sum(f.status == "archived" for f in archived),
        "files_rejected": dg.MetadataValue.md(
            "\n".join(f"- {f.error}" for f in archived if f.status == "rejected") or "none"),
        "files_in_window": len(summary.files),
    }
    for name, key in LAKE_KEYS.items():
        rows = summary.rows.get(name)
        yield dg.MaterializeResult(asset_key=key, metadata=common | ({"rows": rows} if rows is not None else {}))


@dg.multi_asset_check(
    specs=[
        dg.AssetCheckSpec("expectations", asset=key, blocking=True,
                          description="great-expectations suite on the window's landed posts; when "
                                      "it fails no mart and no report is built from this run.")
        for key in POSTS_KEYS
    ],
)
def landed_posts_expectations(context: dg.AssetCheckExecutionContext,
                              escucha_home: EscuchaHome) -> Iterator[dg.AssetCheckResult]:
    """One validation of every network's landed posts, reported on each posts asset."""
    from expectations.gate import check_result
    from expectations.landed_posts import SUITE_NAME, landed_posts_expectations as suite

    home = escucha_home.home()
    start, end = _window(context)
    df = read_landed_posts(home, start, end)
    expected = parsed_posts_count(home, start, end)
    result = check_result(df, SUITE_NAME, suite(start, end, expected),
                          extra={"window": f"{start}..{end}", "expected_rows": expected})
    for key in POSTS_KEYS:
        yield result._replace(asset_key=key) if hasattr(result, "_replace") else dg.AssetCheckResult(
            asset_key=key, check_name="expectations", passed=result.passed, severity=result.severity,
            metadata=result.metadata, description=result.description)
