"""Changepoints: planted level shifts are found near their day; a stationary series gives none."""
from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from escucha.events.changepoints import changepoints_frame, detect_changepoints

WEEKDAY = np.array([1.06, 1.08, 1.08, 1.06, 1.02, 0.85, 0.72])
FIRST = date(2022, 1, 3)


def daily(seed: int, base: float = 40.0, shifts: tuple[tuple[int, float], ...] = (), n: int = 365,
          noise: float = 0.1) -> tuple[list[date], np.ndarray]:
    """Poisson counts with a weekly pattern, persistent log-noise (AR(1), rho 0.5) and level shifts
    (day index, factor)."""
    rng = np.random.default_rng(seed)
    days = pd.date_range(FIRST, periods=n)
    level = np.full(n, base)
    for at, factor in shifts:
        level[at:] *= factor
    log_noise = np.zeros(n)
    innovations = rng.normal(0, noise, n)
    for i in range(n):
        log_noise[i] = 0.5 * log_noise[i - 1] * (i > 0) + innovations[i]
    return list(days.date), rng.poisson(level * WEEKDAY[days.day_of_week] * np.exp(log_noise)).astype(float)


@pytest.mark.parametrize("seed", range(10))
def test_a_threefold_shift_is_found_within_three_days(seed: int) -> None:
    days, values = daily(seed, shifts=((200, 3.0),))
    [change] = detect_changepoints(days, values)
    assert abs((change.day - days[200]).days) <= 3
    assert change.direction == "up" and 2.5 < change.ratio < 3.5
    assert change.ratio == pytest.approx(change.after_mean / change.before_mean)


def test_a_stationary_weekly_series_has_no_changepoints() -> None:
    found = {seed: detect_changepoints(*daily(seed)) for seed in range(20)}
    assert all(not changes for changes in found.values()), {s: c for s, c in found.items() if c}
    low_volume = {seed: detect_changepoints(*daily(seed, base=4.0)) for seed in range(20)}
    assert all(not changes for changes in low_volume.values()), {s: c for s, c in low_volume.items() if c}


@pytest.mark.parametrize("seed", range(5))
def test_two_shifts_are_both_found(seed: int) -> None:
    days, values = daily(seed, shifts=((120, 3.0), (250, 0.4)))
    up, down = detect_changepoints(days, values)
    assert abs((up.day - days[120]).days) <= 3 and up.direction == "up"
    assert abs((down.day - days[250]).days) <= 3 and down.direction == "down"
    assert 0.3 < down.ratio < 0.5
    assert up.after_mean == down.before_mean          # the middle segment is shared


def test_a_quiet_topic_has_no_changepoints_until_it_wakes_up() -> None:
    """A post every ten days or so: isolated posts and small clusters are not changes; a jump to a
    few posts a day is."""
    days = list(pd.date_range(FIRST, periods=365).date)
    for seed in range(10):
        rng = np.random.default_rng(seed)
        assert detect_changepoints(days, rng.poisson(0.1, 365)) == []
        [change] = detect_changepoints(days, np.r_[rng.poisson(0.1, 200), rng.poisson(3.0, 165)])
        assert abs((change.day - days[200]).days) <= 3 and change.direction == "up"
    assert detect_changepoints(days, np.zeros(365)) == []


def test_min_ratio_drops_real_but_small_shifts() -> None:
    """A x1.3 shift on a large, clean series is statistically clear but below the default 1.5."""
    days, values = daily(0, base=2000.0, shifts=((180, 1.3),), noise=0.02)
    assert detect_changepoints(days, values) == []
    [change] = detect_changepoints(days, values, min_ratio=1.2)
    assert abs((change.day - days[180]).days) <= 3 and change.direction == "up"


def test_an_explicit_penalty_is_used() -> None:
    days, values = daily(1, shifts=((200, 3.0),))
    assert detect_changepoints(days, values, penalty=1e6) == []


def test_short_and_malformed_input() -> None:
    days, values = daily(0, n=13)
    assert detect_changepoints(days, values) == []                 # fewer than 2 * min_size days
    days, values = daily(0, n=60)
    with pytest.raises(ValueError, match="consecutive"):
        detect_changepoints(days[:10] + days[11:], np.r_[values[:10], values[11:]])
    with pytest.raises(ValueError, match="days but"):
        detect_changepoints(days, values[:-1])
    with pytest.raises(ValueError, match="non-negative"):
        detect_changepoints(days, np.r_[values[:-1], np.nan])


def test_changepoints_frame_runs_per_topic_and_fills_missing_days() -> None:
    days, shifted = daily(2, shifts=((150, 3.0),))
    _, flat = daily(3)
    series = pd.DataFrame({"day": days * 2, "topic_id": ["sube"] * len(days) + ["plano"] * len(days),
                           "posts": np.r_[shifted, flat]})
    series = series[~((series.topic_id == "plano") & (series.day == days[100]))]   # a day missing: a 0
    frame = changepoints_frame(series)
    assert list(frame.columns) == ["topic_id", "day", "before_mean", "after_mean", "ratio", "direction"]
    assert frame.topic_id.tolist() == ["sube"] and frame.direction.tolist() == ["up"]
    assert abs((frame.day.iloc[0] - days[150]).days) <= 3
    assert changepoints_frame(series.iloc[:0]).empty
    long_gap = pd.DataFrame({"day": [FIRST + timedelta(days=i) for i in (*range(60), *range(120, 180))],
                             "topic_id": "hueco", "posts": 50.0})
    [gap_down, gap_up] = changepoints_frame(long_gap).itertuples()         # 60 missing days are zeros
    assert (gap_down.direction, gap_up.direction) == ("down", "up")
    assert gap_down.day == FIRST + timedelta(days=60) and gap_up.day == FIRST + timedelta(days=120)
