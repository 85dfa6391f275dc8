"""Which runs land a set of touched days (escucha.calendar.run_windows)."""
from __future__ import annotations

from datetime import date, timedelta

from escucha.calendar import RUN_BRIDGE_DAYS, contiguous_ranges, run_windows

D = date(2022, 1, 1)


def days(*offsets: int) -> list[date]:
    return [D + timedelta(days=o) for o in offsets]


def test_consecutive_days_are_one_range_and_a_gap_splits_them() -> None:
    assert contiguous_ranges(days(0, 1, 2, 6)) == [(D, D + timedelta(2)), (D + timedelta(6), D + timedelta(6))]
    assert contiguous_ranges(days(6, 0, 2, 1, 2)) == contiguous_ranges(days(0, 1, 2, 6))  # order, repeats
    assert contiguous_ranges([]) == []


def test_ranges_up_to_the_bridge_apart_run_as_one() -> None:
    assert contiguous_ranges(days(0, 1, 2, 6), bridge_days=3) == [(D, D + timedelta(6))]  # 3 days between
    assert contiguous_ranges(days(0, 1, 2, 7), bridge_days=3) == [(D, D + timedelta(2)), (D + timedelta(7),) * 2]


def test_run_windows_bridge_a_month_but_not_more() -> None:
    near = 1 + RUN_BRIDGE_DAYS  # RUN_BRIDGE_DAYS days between
    assert run_windows(days(0, near)) == [(D, D + timedelta(near))]
    assert run_windows(days(0, near + 1)) == [(D, D), (D + timedelta(near + 1),) * 2]
    # a sparse year's export: a day a week is one run, a day a quarter is four
    assert run_windows(days(*range(0, 365, 7))) == [(D, D + timedelta(364))]
    assert len(run_windows(days(0, 91, 182, 273))) == 4
