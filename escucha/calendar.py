"""The collection calendar: the days the warehouse is partitioned over."""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

# X (then Twitter) opened in March 2006: nothing older is a real social media post date.
EARLIEST_DAY = date(2006, 3, 21)


@dataclass(frozen=True)
class Calendar:
    """Days a post may land in: from `start` to `end`, inclusive."""

    start: date
    end: date

    def describe(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


def calendar_start() -> date:
    """First partition day: $ESCUCHA_START, default 2021-11-01 (the demo year's first day)."""
    start = date.fromisoformat(os.environ.get("ESCUCHA_START", "2021-11-01"))
    return max(start, EARLIEST_DAY)


def collection_calendar() -> Calendar:
    """From the first partition day to today (UTC): later dates are in the future."""
    return Calendar(calendar_start(), datetime.now(timezone.utc).date())


#: Days without new data a run may rebuild to save another run. A run has a fixed cost (at 10M
#: posts a one-day run took 151 s, most of it the running month's and quarter's graph models) and a
#: cost per day of its window (the full year took 1,388 s, under 4 s a day): a gap of up to a month
#: costs less than a second run, and the month's models are rebuilt either way.
RUN_BRIDGE_DAYS = 31


def contiguous_ranges(days: list[date], bridge_days: int = 0) -> list[tuple[date, date]]:
    """Runs of consecutive days as (first, last) pairs: [1,2,3,7] -> [(1,3), (7,7)]; ranges up to
    ``bridge_days`` apart are one range: with 3, [1,2,3,7] -> [(1,7)]."""
    ranges: list[tuple[date, date]] = []
    for day in sorted(set(days)):
        if ranges and day <= ranges[-1][1] + timedelta(days=1 + bridge_days):
            ranges[-1] = (ranges[-1][0], day)
        else:
            ranges.append((day, day))
    return ranges


def run_windows(days: list[date]) -> list[tuple[date, date]]:
    """The windows of the runs that land ``days``: their ranges, those up to RUN_BRIDGE_DAYS days
    apart run as one (rebuilding the days between, which changes none of them)."""
    return contiguous_ranges(days, RUN_BRIDGE_DAYS)
