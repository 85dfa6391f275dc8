"""dbt models (staging, intermediate, marts, internal) as Dagster assets."""

import shutil
from collections.abc import Iterator
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.resources import dbt_project

DBT_PROJECT = dbt_project()


@dbt_assets(manifest=DBT_PROJECT.manifest_path, pool="warehouse_writer")
def warehouse_models(context: dg.AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
    """Build and test every dbt model; the warehouse is rebuilt from the whole lake."""
    invocation = dbt.cli(["build"], context=context)
    yield from invocation.stream()
    # dagster-dbt gives each run its own target folder; keep only the project's own target/
    shutil.rmtree(invocation.target_path, ignore_errors=True)
