"""Jobs: the whole pipeline, run once per window (a backfill is one run)."""
from __future__ import annotations

import dagster as dg

pipeline_job = dg.define_asset_job(
    "pipeline",
    selection=dg.AssetSelection.all(),
    description="Archive and land the window, gate it, build the warehouse, render the reports.",
    executor_def=dg.in_process_executor,
)
