"""dbt models (staging, intermediate, marts, internal) as Dagster assets."""

import json
import shutil
from collections.abc import Iterator, Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.resources import dbt_project

DBT_PROJECT = dbt_project()


def dbt_build_args(tags: Mapping[str, str]) -> list[str]:
    """`dbt build` with the run's window of UTC days as vars (one parse per run, not per day)."""
    args = ["build"]
    start = tags.get("dagster/asset_partition_range_start") or tags.get("dagster/partition")
    end = tags.get("dagster/asset_partition_range_end") or tags.get("dagster/partition")
    if start and end:
        args += ["--vars", json.dumps({"min_date": start, "max_date": end})]
    if tags.get("escucha/full_refresh") == "true":
        args.append("--full-refresh")
    return args


@dbt_assets(manifest=DBT_PROJECT.manifest_path, pool="warehouse_writer")
def warehouse_models(context: dg.AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
    """Build and test every dbt model. Runs over a window of days (every run the CLI, the sensor or
    a backfill launches) rebuild only those days of the incremental models; a run without a window
    rebuilds every day, and the tag escucha/full_refresh=true rebuilds the tables from scratch."""
    invocation = dbt.cli(dbt_build_args(context.run.tags), context=context)
    yield from invocation.stream()
    # dagster-dbt gives each run its own target folder; keep only the project's own target/
    shutil.rmtree(invocation.target_path, ignore_errors=True)
