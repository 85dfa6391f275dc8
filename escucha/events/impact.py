"""Effect of an event on a topic's daily volume, against a counterfactual (interrupted time series).

The counterfactual is what the topic would have done without the event, predicted from the weeks
before it: an OLS fit of ``log(1 + y)`` on a linear trend, day-of-week dummies and the mean
``log(1 + y)`` of *control* topics (topics the event did not touch, which carry the shocks common to
the whole conversation: a holiday, an outage of the collector, a slow drift of the panel).

Choices, and why:

* **Trend held flat over the window.**  A trend fitted on 8 weeks and extrapolated over a 6-week
  window can run far off; over the window the trend term stays at its value on the last pre-period
  day (the parameter uncertainty of that level still enters through the simulation).  Common drift
  over the window is carried by the controls instead.
* **Interval for the sum, by simulation.**  Each draw takes the residual variance from its scaled
  inverse chi-square posterior, the coefficients from N(beta, cov_params) scaled to it, and a path of
  residuals over the window; each path is transformed back with ``expm1`` and summed over the
  window.  The percentiles of these sums give the interval, the share beyond the actual sum the
  p-value, and their median the counterfactual.
* **Persistent noise.**  Daily social media series have shocks that last: treating residuals as
  independent would make the interval of a multi-day sum too narrow, and OLS's cov_params too
  small.  So the residual paths are AR(1) with the lag-1 autocorrelation rho of the pre-period
  residuals (bias-corrected), and cov_params is multiplied by the AR(1) long-run variance factor
  (1 + rho) / (1 - rho).  On synthetic panels (Poisson counts, weekly pattern, common shocks,
  AR(1) topic noise) the 95 % interval held a planted x2 effect 95-97 % of the time for 10- and
  45-day windows.  On topics with a few posts a day it is wider than it needs to be and the
  estimate leans towards no effect (a x2 on 1 post a day came out as +78 % in the median):
  ``log(1 + y)`` with normal noise is a poor model of small counts.
* **Controls are the caller's choice.**  A control that the event also moved (a vacancy motion
  lifts *congreso* and *elecciones*) raises the counterfactual and hides part of the effect: pass
  only topics the event cannot plausibly have touched, and no topic with an event of its own in the
  window or the pre-period.  The same holds for the topic itself: an earlier event inside the
  pre-period inflates the baseline.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Sequence

import numpy as np
import pandas as pd

MIN_PRE_DAYS = 21
N_SIMS = 2000
SEED = 20220115
_NAN = float("nan")


@dataclass(frozen=True)
class ImpactEstimate:
    """Actual vs counterfactual volume of one topic over an event window (sums over the window)."""

    topic_id: str
    measure: str
    start: date
    end: date
    pre_start: date | None
    pre_end: date | None
    days: int
    n_pre: int
    controls: tuple[str, ...]
    method: str
    actual: float
    counterfactual: float
    counterfactual_low: float
    counterfactual_high: float
    effect: float
    effect_low: float
    effect_high: float
    relative_effect: float
    relative_low: float
    relative_high: float
    p_value: float
    significant: bool
    r2_pre: float


def _wide(series: pd.DataFrame, measure: str) -> pd.DataFrame:
    """Days x topics, dense from the first to the last day, missing days and topics filled with 0."""
    missing = {"day", "topic_id", measure} - set(series.columns)
    if missing:
        raise ValueError(f"series lacks column(s) {sorted(missing)}")
    frame = series.assign(day=pd.to_datetime(series["day"]).dt.normalize())
    wide = frame.pivot_table(index="day", columns="topic_id", values=measure, aggfunc="sum", fill_value=0)
    if wide.empty:
        return wide
    days = pd.date_range(wide.index.min(), wide.index.max(), freq="D")
    return wide.reindex(days, fill_value=0).astype(float)


def _design(days: pd.DatetimeIndex, trend: np.ndarray, control: np.ndarray | None) -> np.ndarray:
    """Columns: const, trend (weeks), Tue..Sun dummies (Monday is the reference), control log volume."""
    dow = days.day_of_week.to_numpy()
    columns = [np.ones(len(days)), trend / 7.0] + [(dow == d).astype(float) for d in range(1, 7)]
    if control is not None:
        columns.append(control)
    return np.column_stack(columns)


def _not_estimated(topic_id: str, measure: str, start: date, end: date, controls: tuple[str, ...],
                   reason: str, actual: float = _NAN,
                   pre: tuple[date | None, date | None, int] = (None, None, 0)) -> ImpactEstimate:
    return ImpactEstimate(
        topic_id=topic_id, measure=measure, start=start, end=end, pre_start=pre[0], pre_end=pre[1],
        days=(end - start).days + 1, n_pre=pre[2], controls=controls, method=f"not estimated: {reason}",
        actual=actual, counterfactual=_NAN, counterfactual_low=_NAN, counterfactual_high=_NAN,
        effect=_NAN, effect_low=_NAN, effect_high=_NAN, relative_effect=_NAN, relative_low=_NAN,
        relative_high=_NAN, p_value=_NAN, significant=False, r2_pre=_NAN)


def _residual_rho(resid: np.ndarray, k: int) -> float:
    """Lag-1 autocorrelation of OLS residuals, corrected for its small-sample downward bias.

    The raw estimate from n residuals of a fit with k coefficients runs low by about
    (1 + 3 rho + k) / n (Marriott-Pope for the mean, plus the k fitted coefficients); uncorrected,
    the interval of a multi-day sum comes out too narrow.  Kept within [0, 0.9]."""
    from statsmodels.tsa.stattools import acf  # imported when an estimate is made (~1.3 s)

    n = len(resid)
    r = float(acf(resid, nlags=1, fft=False)[1])
    return float(np.clip(r + (1 + 3 * r + k) / n, 0.0, 0.9))


def _simulate_sums(fit, x_window: np.ndarray, rho: float, n_sims: int, seed: int) -> np.ndarray:
    """Simulated window sums of expm1(X beta + e): parameter, variance and AR(1) noise uncertainty."""
    rng = np.random.default_rng(seed)
    df, scale = fit.df_resid, fit.scale
    sigma2 = scale * df / rng.chisquare(df, n_sims)
    shrink = np.sqrt(sigma2 / scale) if scale > 0 else np.zeros(n_sims)
    inflation = (1 + rho) / (1 - rho)       # AR(1) errors: fewer independent days than n_pre
    z = rng.multivariate_normal(np.zeros(len(fit.params)), fit.cov_params() * inflation, n_sims)
    mean = (fit.params + z * shrink[:, None]) @ x_window.T                   # (n_sims, days)
    innovations = rng.standard_normal(mean.shape)
    noise = np.empty_like(innovations)
    noise[:, 0] = innovations[:, 0]
    for j in range(1, noise.shape[1]):
        noise[:, j] = rho * noise[:, j - 1] + np.sqrt(1.0 - rho**2) * innovations[:, j]
    log_y = mean + noise * np.sqrt(sigma2)[:, None]
    return np.clip(np.expm1(log_y), 0.0, None).sum(axis=1)


def estimate_impact(series: pd.DataFrame, topic_id: str, start: date, end: date, controls: Sequence[str],
                    measure: str = "posts", pre_days: int = 56, alpha: float = 0.05, *,
                    n_sims: int = N_SIMS, seed: int = SEED) -> ImpactEstimate:
    """Actual vs counterfactual sum of ``measure`` for ``topic_id`` over [start, end] (see the module doc).

    ``series`` has columns day, topic_id and ``measure``, one row per day and topic.  ``controls`` are
    topic ids the event did not affect.  With fewer than 21 days of data before ``start`` the
    estimate is returned with NaN numbers and ``method`` saying why."""
    controls = tuple(dict.fromkeys(controls))
    start, end = pd.Timestamp(start).date(), pd.Timestamp(end).date()
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    if topic_id in controls:
        raise ValueError(f"topic {topic_id!r} cannot be its own control")
    wide = _wide(series, measure)
    unknown = [t for t in (topic_id, *controls) if t not in wide.columns]
    if unknown:
        raise ValueError(f"topic(s) {unknown} not in the series (topics: {sorted(map(str, wide.columns))})")

    if (wide[[topic_id, *controls]] < 0).to_numpy().any():
        raise ValueError(f"{measure} must be a non-negative count (it is modelled as log(1 + {measure}))")
    first, last = wide.index.min().date(), wide.index.max().date()
    note = ""
    if start > last:
        return _not_estimated(topic_id, measure, start, end, controls,
                              f"no data in the window (the data end on {last})")
    if end > last:
        note = f"; window cut at the last day of data, {last}"
    window_end = min(end, last)
    pre_end = start - timedelta(days=1)
    pre_start = max(start - timedelta(days=pre_days), first)
    n_pre = max((pre_end - pre_start).days + 1, 0)
    window = wide.loc[pd.Timestamp(start):pd.Timestamp(window_end)]
    actual = float(window[topic_id].sum())
    if n_pre < MIN_PRE_DAYS:
        return _not_estimated(
            topic_id, measure, start, window_end, controls,
            f"only {n_pre} day(s) of data before {start} (the data start on {first}); "
            f"need at least {MIN_PRE_DAYS} to fit a counterfactual",
            actual=actual, pre=(pre_start if n_pre else None, pre_end if n_pre else None, n_pre))

    pre = wide.loc[pd.Timestamp(pre_start):pd.Timestamp(pre_end)]
    log = np.log1p
    control_pre = log(pre[list(controls)]).mean(axis=1).to_numpy() if controls else None
    control_win = log(window[list(controls)]).mean(axis=1).to_numpy() if controls else None
    trend_pre = np.arange(n_pre, dtype=float)
    trend_win = np.full(len(window), n_pre - 1, dtype=float)           # held at the last pre-period day
    import statsmodels.api as sm  # imported when an estimate is made (~1.3 s), not with the module

    fit = sm.OLS(log(pre[topic_id].to_numpy()), _design(pre.index, trend_pre, control_pre)).fit()
    rho = _residual_rho(fit.resid, len(fit.params)) if fit.scale > 0 else 0.0
    sums = _simulate_sums(fit, _design(window.index, trend_win, control_win), rho, n_sims, seed)

    cf = float(np.median(sums))
    cf_low, cf_high = (float(v) for v in np.quantile(sums, [alpha / 2, 1 - alpha / 2]))
    above, below = np.sum(sums >= actual), np.sum(sums <= actual)
    p_value = min(1.0, 2 * (min(above, below) + 1) / (n_sims + 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = float(np.float64(actual) / cf - 1)
        rel_low = float(np.float64(actual) / cf_high - 1)
        rel_high = float(np.float64(actual) / cf_low - 1)
    effect_low, effect_high = actual - cf_high, actual - cf_low
    n_ctl = len(controls)
    trend = "trend (held at its last pre-period value over the window)"
    if controls:
        regressors = (f"{trend}, day of week and the mean log volume of {n_ctl} unaffected control "
                      f"topic{'s' if n_ctl != 1 else ''}")
    else:
        regressors = f"{trend} and day of week (no control topics)"
    asked = f" (of {pre_days} asked; the data start on {first})" if n_pre < pre_days else ""
    method = (f"OLS on log(1+{measure}) over the {n_pre} days before {start}{asked}: {regressors}; "
              f"AR(1) residuals (lag-1 autocorrelation {rho:.2f}, bias-corrected); "
              f"{100 * (1 - alpha):g}% prediction interval by simulation ({n_sims:,} draws of parameters "
              f"and noise){note}")
    return ImpactEstimate(
        topic_id=topic_id, measure=measure, start=start, end=window_end, pre_start=pre_start, pre_end=pre_end,
        days=len(window), n_pre=n_pre, controls=controls, method=method, actual=actual, counterfactual=cf,
        counterfactual_low=cf_low, counterfactual_high=cf_high, effect=actual - cf, effect_low=effect_low,
        effect_high=effect_high, relative_effect=rel, relative_low=rel_low, relative_high=rel_high,
        p_value=float(p_value), significant=bool(effect_low > 0 or effect_high < 0),
        r2_pre=float(fit.rsquared))
