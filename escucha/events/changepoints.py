"""Changepoints: days on which a topic's daily volume moved to a new level and stayed there.

Method: ``log(1 + y)``, minus the day-of-week pattern (each weekday's mean on the log scale, centred),
segmented by penalised optimal partitioning (PELT-style pruning) with the ``l2`` cost: a change in
the *mean* of the log series, which is what a lasting rise or fall in volume is.  ``rbf`` would also
react to changes in spread or shape, and its bounded kernel cost has no noise scale, so its penalty
could not be set from the noise level.  The search runs in ``ruptures.KernelCPD`` with the linear
kernel, which is the ``l2`` cost (same segmentation as ``Pelt(model="l2")``) in compiled code, about
a thousand times faster on a year of days.

The default penalty is BIC-like, ``3 * sigma_lr**2 * log(n)``.  ``sigma_lr**2`` is the long-run
variance of the noise, ``sigma**2 * (1 + rho) / (1 - rho)``, both estimated robustly from the
central 90 % of the day-to-day differences (lag 7 for ``sigma``, lag 1 for ``rho``): a level shift
spoils a few differences, which fall in the trimmed 10 %, and day-to-day persistence, which real
series have and the plain BIC ignores, makes segment means noisier than independent days would.
(A median absolute deviation, the usual robust choice, collapses on the few distinct values the log
counts of a quiet topic take and let noise through on topics with a handful of posts a day.)  Sigma
is never taken below the Poisson noise of the series' mean count, which matters for topics with a
post every few days, where most differences are 0.  The factor 3 rather
than the textbook 2 was set on synthetic years (Poisson counts of 3 to 300 a day, weekly pattern,
AR(1) log-noise up to rho = 0.7): it removes most spurious changes and still finds x3 shifts.
A clear change can still be small in practice, so changes whose segment means (original scale)
differ by less than ``min_ratio`` are merged away, the weakest first, recomputing the neighbouring
segments each time.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Sequence

import numpy as np
import pandas as pd

# ruptures and scipy.stats are imported where a series is long enough to search (about 1.2 s, in
# every dbt build that runs the changepoint model, for nothing while the data is shorter than two
# segments)
PENALTY_FACTOR = 3.0
TRIM = 0.1          # share of the largest differences left out of the noise estimate


@dataclass(frozen=True)
class Changepoint:
    """A lasting change: ``day`` is the first day of the new level."""

    day: date
    before_mean: float
    after_mean: float
    ratio: float       # after_mean / before_mean (inf when the volume before was 0)
    direction: str     # "up" or "down"


def _deseasonalised_log(days: Sequence[date], values: np.ndarray) -> np.ndarray:
    """log1p(values) minus the centred day-of-week means."""
    log = np.log1p(values)
    dow = pd.DatetimeIndex(days).day_of_week.to_numpy()
    effect = np.zeros(7)
    for d in range(7):
        if np.any(dow == d):
            effect[d] = log[dow == d].mean()
    present = np.unique(dow)
    effect[present] -= effect[present].mean()
    return log - effect[dow]


def _robust_sd(diffs: np.ndarray, trim: float = TRIM) -> float:
    """Noise sd from differences x[t] - x[t-lag]: root mean square of the central ``1 - trim`` of them,
    rescaled to a normal's sd, divided by sqrt(2).

    Dropping the largest differences makes it robust to the few that straddle a level shift; unlike
    the MAD it does not collapse on the few distinct values that log counts of a quiet topic take."""
    if len(diffs) == 0:
        return 0.0
    diffs = np.abs(diffs - np.median(diffs))
    kept = np.sort(diffs)[: int(np.ceil((1 - trim) * len(diffs)))]
    if not kept.any():                 # a sparse topic (mostly 0 a day): the trimmed part is all 0
        return float(np.sqrt(np.mean(diffs**2) / 2))
    from scipy import stats

    cut = stats.norm.ppf(1 - trim / 2)
    return float(np.sqrt(np.mean(kept**2) / stats.truncnorm(-cut, cut).var() / 2))


def poisson_log_sd(mean: float) -> float:
    """Standard deviation of log(1 + X) for X ~ Poisson(mean): the least noise counts can have."""
    from scipy import stats

    k = np.arange(int(mean + 10 * np.sqrt(mean) + 10))
    p = stats.poisson.pmf(k, mean)
    m = float(np.sum(p * np.log1p(k)))
    return float(np.sqrt(np.sum(p * (np.log1p(k) - m) ** 2)))


def noise_level(signal: np.ndarray, mean_count: float | None = None) -> tuple[float, float]:
    """(sigma, rho): robust sd of the noise and its lag-1 autocorrelation.

    Differences at lag 7 give the sd (they also cancel any weekly pattern left); differences at
    lag 1 give sd * sqrt(1 - rho).  A level shift spoils a handful of differences, which are trimmed.
    With ``mean_count``, sigma is at least the Poisson noise of that mean: on a topic with a post
    every few days most differences are 0 and the trimmed estimate alone would call any cluster a change."""
    sigma = _robust_sd(signal[7:] - signal[:-7]) if len(signal) > 7 else _robust_sd(np.diff(signal))
    if mean_count is not None:
        sigma = max(sigma, poisson_log_sd(mean_count))
    short = _robust_sd(np.diff(signal))
    rho = float(np.clip(1.0 - (short / sigma) ** 2, 0.0, 0.9)) if sigma > 0 else 0.0
    return sigma, rho


def default_penalty(signal: np.ndarray, mean_count: float | None = None) -> float:
    """BIC-like ``PENALTY_FACTOR * sigma_lr**2 * log(n)``, with the long-run variance of the noise.

    ``sigma_lr**2 = sigma**2 * (1 + rho) / (1 - rho)``: with day-to-day persistence a segment mean
    is noisier than independent days would make it, so the price of a changepoint rises with it."""
    sigma, rho = noise_level(signal, mean_count)
    long_run = max(sigma, 1e-3) ** 2 * (1 + rho) / (1 - rho)   # a flat series would otherwise cut everywhere
    return PENALTY_FACTOR * long_run * float(np.log(len(signal)))


def _ratio(before: float, after: float) -> float:
    if before > 0:
        return after / before
    return float("inf") if after > 0 else 1.0


def _strength(before: float, after: float) -> float:
    """How many times larger the larger segment mean is (>= 1)."""
    r = _ratio(before, after)
    return max(r, 1.0 / r) if r > 0 else float("inf")


def detect_changepoints(days: Sequence[date], values: Sequence[float], *, min_size: int = 7,
                        penalty: float | None = None, min_ratio: float = 1.5) -> list[Changepoint]:
    """Level shifts in a daily series (consecutive days, oldest first); see the module doc."""
    y = np.asarray(values, dtype=float)
    if len(days) != len(y):
        raise ValueError(f"{len(days)} days but {len(y)} values")
    if not np.all(np.isfinite(y)) or np.any(y < 0):
        raise ValueError("values must be finite and non-negative (fill missing days with 0)")
    index = pd.DatetimeIndex(days)
    if len(index) > 1 and not (index[1:] - index[:-1] == pd.Timedelta(days=1)).all():
        raise ValueError("days must be consecutive and in order (fill missing days with 0)")
    if len(y) < 2 * min_size:
        return []
    import ruptures as rpt

    signal = _deseasonalised_log(days, y)
    pen = default_penalty(signal, float(y.mean())) if penalty is None else penalty
    search = rpt.KernelCPD(kernel="linear", min_size=min_size, jump=1).fit(signal.reshape(-1, 1))
    breaks = search.predict(pen=pen)[:-1]          # ruptures ends the list with len(signal)

    while breaks:                                   # merge away the weakest change below min_ratio
        edges = [0, *breaks, len(y)]
        means = [y[a:b].mean() for a, b in zip(edges[:-1], edges[1:])]
        strengths = [_strength(means[i], means[i + 1]) for i in range(len(breaks))]
        weakest = int(np.argmin(strengths))
        if strengths[weakest] >= min_ratio:
            break
        del breaks[weakest]

    edges = [0, *breaks, len(y)]
    means = [float(y[a:b].mean()) for a, b in zip(edges[:-1], edges[1:])]
    return [
        Changepoint(day=index[b].date(), before_mean=means[i], after_mean=means[i + 1],
                    ratio=_ratio(means[i], means[i + 1]),
                    direction="up" if means[i + 1] > means[i] else "down")
        for i, b in enumerate(breaks)
    ]


def changepoints_frame(series: pd.DataFrame, measure: str = "posts", **options) -> pd.DataFrame:
    """:func:`detect_changepoints` per topic of a daily frame (day, topic_id, ``measure``).

    Each topic is made dense from its first to its last day, missing days as 0.  Columns: topic_id,
    day, before_mean, after_mean, ratio, direction.  ``options`` go to :func:`detect_changepoints`."""
    columns = ["topic_id", "day", "before_mean", "after_mean", "ratio", "direction"]
    missing = {"day", "topic_id", measure} - set(series.columns)
    if missing:
        raise ValueError(f"series lacks column(s) {sorted(missing)}")
    rows = []
    frame = series.assign(day=pd.to_datetime(series["day"]).dt.normalize())
    for topic_id, group in frame.groupby("topic_id", sort=True):
        daily = group.groupby("day")[measure].sum()
        daily = daily.reindex(pd.date_range(daily.index.min(), daily.index.max(), freq="D"), fill_value=0)
        for cp in detect_changepoints(list(daily.index.date), daily.to_numpy(dtype=float), **options):
            rows.append({"topic_id": topic_id, "day": cp.day, "before_mean": cp.before_mean,
                         "after_mean": cp.after_mean, "ratio": cp.ratio, "direction": cp.direction})
    return pd.DataFrame(rows, columns=columns)
