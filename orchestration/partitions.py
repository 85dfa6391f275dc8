"""Daily partitions by created_at (UTC), from the calendar start to today."""
from __future__ import annotations

import dagster as dg

from escucha.calendar import calendar_start

daily_partitions = dg.DailyPartitionsDefinition(
    start_date=calendar_start().isoformat(), end_offset=1, timezone="UTC"
)
