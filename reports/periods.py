"""Report periods: a month ``2022-01``, a quarter ``2022-Q1`` or a year ``2022``, their days,
the period before, the latest ones to report, and their titles in words."""
from __future__ import annotations

import re
from datetime import date, timedelta

from reports.labels import MONTH_NAMES, QUARTER_PREFIX, check_lang

_PERIOD_SPEC = re.compile(r"^(\d{4})(?:-(?:(0[1-9]|1[0-2])|[Qq]([1-4])))?$")


def _add_months(first: date, months: int) -> date:
    """The first day of the month ``months`` after (or before) the month of ``first``."""
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_bounds(spec: str) -> tuple[date, date]:
    """First and last day of a period: a month ``2022-01``, a quarter ``2022-Q1`` or a year ``2022``."""
    match = _PERIOD_SPEC.match(spec.strip()) if isinstance(spec, str) else None
    if not match or int(match[1]) < 1:
        raise ValueError(f"not a period: {spec!r}; use a month (2022-01), a quarter (2022-Q1) or a year (2022)")
    year, month, quarter = int(match[1]), match[2], match[3]
    if month:
        start, months = date(year, int(month), 1), 1
    elif quarter:
        start, months = date(year, 3 * int(quarter) - 2, 1), 3
    else:
        start, months = date(year, 1, 1), 12
    return start, _add_months(start, months) - timedelta(days=1)


def previous_period(start: date, end: date) -> tuple[date, date]:
    """The period just before [start, end]: as many whole months when it is whole months, else as many days."""
    if start.day == 1 and (end + timedelta(days=1)).day == 1:
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        return _add_months(start, -months), start - timedelta(days=1)
    days = (end - start).days + 1
    return start - timedelta(days=days), start - timedelta(days=1)


def latest_periods(last_day: date) -> list[str]:
    """The periods to report given the data's last day: the latest complete month, the latest
    complete quarter, and the calendar year of the last day (complete or not)."""
    next_day = last_day + timedelta(days=1)
    month_start = _add_months(date(next_day.year, next_day.month, 1), -1)
    quarter_first = date(next_day.year, 3 * ((next_day.month - 1) // 3) + 1, 1)
    quarter_start = _add_months(quarter_first, -3)
    return [
        f"{month_start.year}-{month_start.month:02d}",
        f"{quarter_start.year}-Q{(quarter_start.month - 1) // 3 + 1}",
        f"{last_day.year}",
    ]


def period_title(label: str, lang: str = "es") -> str:
    """A period spec in words (``2022-01`` -> ``enero 2022``, ``2022-Q1`` -> ``T1 2022``); other labels as given."""
    match = _PERIOD_SPEC.match(label.strip())
    if not match:
        return label
    year, month, quarter = match[1], match[2], match[3]
    if month:
        return f"{MONTH_NAMES[check_lang(lang)][int(month) - 1]} {year}"
    if quarter:
        return f"{QUARTER_PREFIX[check_lang(lang)]}{quarter} {year}"
    return year
