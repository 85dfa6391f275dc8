"""The one Definitions of escucha."""
from __future__ import annotations

import dagster as dg

from assets.events import event_calendar
from assets.ingest import published_lake, staged_posts, staged_posts_expectations
from assets.reports import evolution_reports, overview_report
from assets.topics import topic_registry
from assets.transform import DBT_PROJECT, warehouse_models
from orchestration.alerting import AlertChannels, alerts_sensor, notify_alerts_job
from orchestration.digest import weekly_digest, weekly_digest_schedule
from orchestration.jobs import pipeline_job
from orchestration.resources import EscuchaHome, dbt_resource
from orchestration.sensors import inbox_sensor

defs = dg.Definitions(
    assets=[staged_posts, published_lake, topic_registry, warehouse_models,
            event_calendar, overview_report, evolution_reports],
    asset_checks=[staged_posts_expectations],
    jobs=[pipeline_job, notify_alerts_job, weekly_digest],
    schedules=[weekly_digest_schedule],
    sensors=[inbox_sensor, alerts_sensor],
    resources={"escucha_home": EscuchaHome(), "dbt": dbt_resource(DBT_PROJECT),
               "alert_channels": AlertChannels()},
    executor=dg.in_process_executor,
)
