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


def contiguous_ranges(days: list[date]) -> list[tuple[date, date]]:
    """Runs of consecutive days as (first, last) pairs: [1,2,3,7] -> [(1,3), (7,7)]."""
    ranges: list[tuple[date, date]] = []
    for day in sorted(set(days)):
        if ranges and day == ranges[-1][1] + timedelta(days=1):
            ranges[-1] = (ranges[-1][0], day)
        else:
            ranges.append((day, day))
    return ranges
