"""Unusual spread of a topic's volume: anomalous hours and Lima days, grouped into alert episodes.

Pure functions over pandas. The input is a sparse frame of posts per topic and hour
(``topic_id``, ``hour`` as tz-naive UTC start of the hour, ``posts``); missing hours are zeros.

* :func:`volume_anomalies` judges every complete hour and every complete Lima day
  (05:00 UTC to 05:00 UTC) against its own recent past, one row per anomalous period.
* :func:`alert_episodes` groups the anomalous periods of a topic into episodes: one event,
  one alert (with a stable ``alert_id``) that updates while the event goes on.
* :func:`detect_alerts` is both in one call.

Every score looks only backwards, so the anomalies of a period never change when later data
arrives, and episodes are grown in the order the data revealed their periods: re-running on a
longer series keeps the earlier episodes and their ids (their severity can only rise).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

HOUR = pd.Timedelta(hours=1)
DAY = pd.Timedelta(days=1)
WEEK_HOURS = 7 * 24
LIMA_OFFSET = pd.Timedelta(hours=5)  # Lima is UTC-5 all year: its day starts at 05:00 UTC
SEVERITIES = ("low", "medium", "high", "critical")  # same ranks as escucha.alerts.ledger
KIND = "volume_spike"
TIME = "datetime64[us]"
TEXT = "str"

DENSE_COLUMNS: dict[str, str] = {"topic_id": TEXT, "hour": TIME, "posts": "int64", "pos": "int64"}
ANOMALY_COLUMNS: dict[str, str] = {
    "topic_id": TEXT,
    "granularity": TEXT,
    "period_start": TIME,
    "period_end": TIME,
    "posts": "int64",
    "baseline": "float64",
    "week_ago": "int64",
    "ratio": "float64",
    "zscore": "float64",
    "severity": TEXT,
}
EPISODE_COLUMNS: dict[str, str] = {
    "alert_id": TEXT,
    "topic_id": TEXT,
    "kind": TEXT,
    "onset": TIME,
    "detected_at": TIME,
    "last_seen": TIME,
    "periods": "int64",
    "peak_posts": "int64",
    "peak_ratio": "float64",
    "peak_zscore": "float64",
    "severity": TEXT,
    "first_severity": TEXT,
    "granularities": TEXT,
}


@dataclass(frozen=True)
class DetectionParams:
    """Thresholds of the volume detector; a period is anomalous only when it passes all of them.

    Hourly: ``baseline = max(mean of the previous 12 h, mean of the same hour over the previous
    7 days)``; the second term carries the diurnal rhythm, so the morning rise is expected.
    Scores use a cautious ``upper`` = each mean plus ``baseline_margin`` (2) Poisson standard
    errors of that mean (a baseline from a few small counts is often low by luck), and
    ``zscore = (posts - upper) / sqrt(upper + poisson_pad)``: a Poisson z, so a few posts never
    make a big score. An hour must have >= 10 posts, >= 3x the baseline, z >= 6 and >= 2x the
    same hour a week before (a weekly slot that is always busy is not news). In simulated Poisson
    series (0.5 to 200 posts an hour, with and without daily and weekly rhythms) no ordinary hour
    fired in several million; with z >= 5 about one in 700,000 did.

    Daily (Lima days, 05:00 to 05:00 UTC): the previous 14 days, each divided by its weekday's
    factor from the previous 4 weeks (see :func:`weekday_profile`); ``baseline`` = their median
    times the judged weekday's factor, spread = ``max(1.4826 * MAD (scaled the same way),
    sqrt(upper + poisson_pad))``: robust to past spikes, never tighter than Poisson noise. A day
    must have >= 20 posts, >= 2x the baseline, z >= 5 and >= 1.5x the same weekday a week
    before (a Monday that is always busy is not news).

    ``ratio = posts / max(baseline, baseline_floor)``, so a dormant topic gives a finite ratio.

    Severity: ``low`` when anomalous; ``medium`` / ``high`` / ``critical`` when both the ratio
    and z reach the tier's cut-off: ratio (5, 10, 20) for hours, (3, 5, 10) for days (a tripled
    day is already a big event), z (10, 20, 40) for both.

    A topic is judged once it has the history the windows need: 7 days for hours, 4 full
    Lima weeks for days. ``day_window`` must be whole weeks, at most ``profile_weeks`` weeks.
    """

    hour_window: int = 12
    diurnal_days: int = 7
    hour_min_posts: int = 10
    hour_min_ratio: float = 3.0
    hour_min_z: float = 6.0
    hour_week_ratio: float = 2.0
    day_window: int = 14
    profile_weeks: int = 4
    day_min_posts: int = 20
    day_min_ratio: float = 2.0
    day_min_z: float = 5.0
    day_week_ratio: float = 1.5
    baseline_floor: float = 1.0
    baseline_margin: float = 2.0
    poisson_pad: float = 1.0
    hour_severity_ratio: tuple[float, float, float] = (5.0, 10.0, 20.0)
    day_severity_ratio: tuple[float, float, float] = (3.0, 5.0, 10.0)
    severity_z: tuple[float, float, float] = (10.0, 20.0, 40.0)

    def __post_init__(self) -> None:
        if self.day_window % 7 or not 0 < self.day_window <= 7 * self.profile_weeks:
            raise ValueError("day_window must be whole weeks, at most profile_weeks weeks")


def _typed(frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """The frame with exactly these columns, in this order and of these dtypes."""
    return frame[list(columns)].astype(columns).reset_index(drop=True)


def _empty(columns: dict[str, str]) -> pd.DataFrame:
    return _typed(pd.DataFrame({name: [] for name in columns}), columns)


def _as_utc_naive(values: pd.Series) -> pd.Series:
    """Timestamps as tz-naive UTC (aware ones are converted) at microsecond resolution."""
    stamps = pd.to_datetime(values)
    if stamps.dt.tz is not None:
        stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
    return stamps.astype(TIME)


def _until(hours: pd.Series, until: pd.Timestamp | None) -> pd.Timestamp:
    """End of the data: the given timestamp (made tz-naive UTC), or the last hour + 1 h."""
    if until is None:
        return hours.max() + HOUR
    stamp = pd.Timestamp(until)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return stamp


def densify(hourly: pd.DataFrame, until: pd.Timestamp | None = None) -> pd.DataFrame:
    """Every hour of every topic from its first hour to ``until`` (exclusive), missing ones as 0.

    Returns ``topic_id``, ``hour``, ``posts`` (int64) and ``pos`` (the hour's index within its
    topic), sorted by topic then hour so that each topic is one contiguous run. Hours are
    floored to the hour; duplicates are summed; hours at or after ``until`` are dropped.
    """
    if hourly.empty:
        return _empty(DENSE_COLUMNS)
    hours = _as_utc_naive(hourly["hour"]).dt.floor("h")
    end = _until(hours, until)
    sparse = (pd.DataFrame({"topic_id": hourly["topic_id"].astype(TEXT), "hour": hours,
                            "posts": hourly["posts"].astype("int64")})
              .loc[lambda f: f["hour"] < end]
              .groupby(["topic_id", "hour"], as_index=False)["posts"].sum())
    firsts = sparse.groupby("topic_id")["hour"].min()
    last = (end - pd.Timedelta(1, "us")).floor("h")
    lengths = ((last - firsts) // HOUR + 1).astype("int64")
    if lengths.empty:
        return _empty(DENSE_COLUMNS)
    pos = np.arange(lengths.sum()) - np.repeat(lengths.cumsum().to_numpy() - lengths.to_numpy(), lengths)
    grid = pd.DataFrame({"topic_id": np.repeat(lengths.index.to_numpy(), lengths),
                         "hour": np.repeat(firsts.to_numpy(), lengths) + pos * np.timedelta64(1, "h")})
    dense = grid.merge(sparse, on=["topic_id", "hour"], how="left")
    dense["posts"] = dense["posts"].fillna(0).astype("int64")
    dense["pos"] = pos
    return dense.astype({"topic_id": TEXT, "hour": TIME})


def lima_days(dense: pd.DataFrame) -> pd.DataFrame:
    """Posts per topic and Lima day from :func:`densify` output.

    ``day`` is the day's start in UTC (05:00). A topic's first day is dropped when its data
    starts after 05:00 (a partial day would look like a dip); ``hours`` counts the hours
    the day has data for (the last day may be partial), ``pos`` indexes the days of a topic.
    """
    day = (dense["hour"] - LIMA_OFFSET).dt.floor("D") + LIMA_OFFSET
    days = (dense.assign(day=day)
            .groupby(["topic_id", "day"], as_index=False, sort=True)
            .agg(posts=("posts", "sum"), hours=("posts", "size")))
    first = ~days["topic_id"].duplicated()
    days = days.loc[~(first & (days["hours"] < 24))].reset_index(drop=True)
    days["pos"] = days.groupby("topic_id").cumcount().astype("int64")
    return days


def _trailing(x: np.ndarray, window: int, step: int = 1) -> np.ndarray:
    """For each row, the ``window`` values before it taken every ``step`` (2-D view, NaN-padded).

    Row i holds x[i - window], x[i - window + step], ..., x[i - step]; rows without that much
    history within their topic must be masked by the caller (``pos < window``).
    """
    padded = np.concatenate([np.full(window, np.nan), x])
    return sliding_window_view(padded, window)[: len(x), ::step]


def _lag(x: np.ndarray, pos: np.ndarray, k: int) -> np.ndarray:
    """x from k rows earlier in the same topic, NaN where the topic has no such row."""
    return np.where(pos >= k, _trailing(x, k)[:, 0], np.nan)


def _upper(mean: np.ndarray, n: int, p: DetectionParams) -> np.ndarray:
    """A cautious baseline: the mean of n counts plus ``baseline_margin`` of its Poisson standard error.

    A baseline estimated from a few small counts is often low by chance; scoring against
    this bound keeps such luck from turning an ordinary count into an alert.
    """
    return mean + p.baseline_margin * np.sqrt((mean + p.poisson_pad) / n)


def _severity(ratio: np.ndarray, z: np.ndarray, ratio_cuts: tuple[float, ...],
              z_cuts: tuple[float, ...]) -> np.ndarray:
    """Severity names: the highest tier whose ratio and z cut-offs are both reached, else low."""
    tiers = [(ratio >= r) & (z >= c) for r, c in zip(ratio_cuts, z_cuts)]
    return np.select(tiers[::-1], list(SEVERITIES[1:])[::-1], default=SEVERITIES[0])


def _anomalies(frame: pd.DataFrame, granularity: str, length: pd.Timedelta, until: pd.Timestamp,
               thresholds: tuple[int, float, float, float], ratio_cuts: tuple[float, ...],
               p: DetectionParams) -> pd.DataFrame:
    """Keep the judged rows of ``frame`` (period_start, posts, baseline, spread, week_ago) that pass."""
    min_posts, min_ratio, min_z, week_ratio = thresholds
    posts = frame["posts"].to_numpy(float)
    baseline = frame["baseline"].to_numpy(float)
    week_ago = frame["week_ago"].to_numpy(float)
    ratio = posts / np.fmax(baseline, p.baseline_floor)
    z = (posts - frame["upper"].to_numpy(float)) / frame["spread"].to_numpy(float)
    complete = (frame["period_start"] + length <= until).to_numpy()
    known = ~np.isnan(baseline) & ~np.isnan(week_ago)
    with np.errstate(invalid="ignore"):
        hit = (complete & known & (posts >= min_posts) & (ratio >= min_ratio) & (z >= min_z)
               & (posts >= week_ratio * np.fmax(week_ago, p.baseline_floor)))
    out = frame.loc[hit, ["topic_id", "period_start", "posts", "baseline", "week_ago"]].copy()
    out["granularity"] = granularity
    out["period_end"] = out["period_start"] + length
    out["ratio"] = ratio[hit]
    out["zscore"] = z[hit]
    out["severity"] = _severity(ratio[hit], z[hit], ratio_cuts, p.severity_z)
    return out


def hourly_scores(dense: pd.DataFrame, p: DetectionParams) -> pd.DataFrame:
    """Baseline, Poisson spread and week-ago count of every hour of :func:`densify` output."""
    x = dense["posts"].to_numpy(float)
    pos = dense["pos"].to_numpy()
    recent = np.where(pos >= p.hour_window, _trailing(x, p.hour_window).mean(axis=1), np.nan)
    span = 24 * p.diurnal_days
    diurnal = np.where(pos >= span, _trailing(x, span, step=24).mean(axis=1), np.nan)
    upper = np.maximum(_upper(recent, p.hour_window, p), _upper(diurnal, p.diurnal_days, p))
    return pd.DataFrame({"topic_id": dense["topic_id"], "period_start": dense["hour"], "posts": dense["posts"],
                         "baseline": np.maximum(recent, diurnal),  # NaN until both windows have history
                         "upper": upper, "spread": np.sqrt(upper + p.poisson_pad),
                         "week_ago": _lag(x, pos, WEEK_HOURS)})


def weekday_profile(weeks: np.ndarray, pad: float) -> np.ndarray:
    """Relative level of each weekday from rows of 7*k trailing days, shape (n, 7).

    Column c is the weekday c days after the first day of the window; windows whose length is a
    multiple of 7 make column 0 the weekday of the day being judged. Each weekday is the median
    of its k values (so one busy day of a past event barely moves it), relative to the mean
    over the week; ``pad`` keeps an always-silent weekday from dividing by zero.
    """
    by_weekday = np.median(weeks.reshape(len(weeks), weeks.shape[1] // 7, 7), axis=1)
    return (by_weekday + pad) / (by_weekday.mean(axis=1, keepdims=True) + pad)


def daily_scores(days: pd.DataFrame, p: DetectionParams) -> pd.DataFrame:
    """Expected posts, robust spread and week-ago count of every Lima day of :func:`lima_days` output.

    The previous ``day_window`` days are divided by the topic's weekday profile (from the
    previous ``profile_weeks`` weeks), their median and MAD taken, and both multiplied back by
    the judged weekday's factor: a Saturday is expected to look like past Saturdays, so an event
    running through a quiet weekend keeps standing out instead of splitting into two alerts.
    """
    x = days["posts"].to_numpy(float)
    pos = days["pos"].to_numpy()
    history = 7 * p.profile_weeks
    windows = _trailing(x, history)
    with np.errstate(invalid="ignore"):
        profile = weekday_profile(windows, p.poisson_pad)
        recent = windows[:, -p.day_window:] / np.tile(profile, p.day_window // 7)
        level = np.median(recent, axis=1)
        mad = np.median(np.abs(recent - level[:, None]), axis=1)
    factor = profile[:, 0]
    expected = np.where(pos >= history, level * factor, np.nan)
    upper = _upper(expected, p.day_window, p)
    spread = np.fmax(1.4826 * mad * factor, np.sqrt(upper + p.poisson_pad))
    return pd.DataFrame({"topic_id": days["topic_id"], "period_start": days["day"], "posts": days["posts"],
                         "baseline": expected, "upper": upper, "spread": spread, "week_ago": _lag(x, pos, 7)})


def volume_anomalies(hourly: pd.DataFrame, until: pd.Timestamp | None = None,
                     params: DetectionParams = DetectionParams()) -> pd.DataFrame:
    """One row per anomalous complete hour or Lima day of each topic (see :class:`DetectionParams`).

    ``until`` is the end of the data (tz-naive UTC, default the last hour + 1 h): a period
    ending after it is not judged. Sorted by topic, period_end, period_start.
    """
    dense = densify(hourly, until)
    if dense.empty:
        return _empty(ANOMALY_COLUMNS)
    end = _until(dense["hour"], until)
    p = params
    hours = _anomalies(hourly_scores(dense, p), "hour", HOUR, end,
                       (p.hour_min_posts, p.hour_min_ratio, p.hour_min_z, p.hour_week_ratio),
                       p.hour_severity_ratio, p)
    days = _anomalies(daily_scores(lima_days(dense), p), "day", DAY, end,
                      (p.day_min_posts, p.day_min_ratio, p.day_min_z, p.day_week_ratio),
                      p.day_severity_ratio, p)
    found = [f for f in (hours, days) if not f.empty]
    if not found:
        return _empty(ANOMALY_COLUMNS)
    both = pd.concat(found, ignore_index=True).sort_values(["topic_id", "period_end", "period_start"])
    return _typed(both, ANOMALY_COLUMNS)


def alert_episodes(anomalies: pd.DataFrame, gap: pd.Timedelta = pd.Timedelta(hours=24)) -> pd.DataFrame:
    """Group a topic's anomalous periods into episodes, one row (one alert) per episode.

    Periods are taken in the order the data revealed them (period_end, then period_start); a
    period joins the topic's current episode when it starts at most ``gap`` after the latest
    period_end seen so far, else it opens a new one. The onset is the period_start of the first
    period revealed, so ``alert_id`` = ``volume:<topic>:<onset %Y-%m-%dT%H>`` never changes when
    later data extends the episode (a later, longer day cannot move the onset back).
    """
    if anomalies.empty:
        return _empty(EPISODE_COLUMNS)
    a = anomalies.sort_values(["topic_id", "period_end", "period_start", "granularity"]).reset_index(drop=True)
    reach = a.groupby("topic_id")["period_end"].cummax()
    previous = reach.groupby(a["topic_id"]).shift(1)
    a["episode"] = (previous.isna() | (a["period_start"] > previous + gap)).cumsum()
    a["rank"] = a["severity"].map({name: rank for rank, name in enumerate(SEVERITIES)})
    a["is_hour"] = a["granularity"] == "hour"
    a["is_day"] = a["granularity"] == "day"
    e = a.groupby("episode", sort=True).agg(
        topic_id=("topic_id", "first"), onset=("period_start", "first"), detected_at=("period_end", "first"),
        last_seen=("period_end", "max"), periods=("period_end", "size"), peak_posts=("posts", "max"),
        peak_ratio=("ratio", "max"), peak_zscore=("zscore", "max"), rank=("rank", "max"),
        first_rank=("rank", "first"), has_hour=("is_hour", "any"), has_day=("is_day", "any"))
    e["alert_id"] = "volume:" + e["topic_id"].astype(str) + ":" + e["onset"].dt.strftime("%Y-%m-%dT%H")
    e["kind"] = KIND
    names = np.array(SEVERITIES)
    e["severity"] = names[e["rank"].to_numpy()]
    e["first_severity"] = names[e["first_rank"].to_numpy()]
    e["granularities"] = np.select([e["has_hour"] & e["has_day"], e["has_hour"]], ["hour,day", "hour"], "day")
    return _typed(e.sort_values(["topic_id", "onset"]), EPISODE_COLUMNS)


def detect_alerts(hourly: pd.DataFrame, until: pd.Timestamp | None = None,
                  params: DetectionParams = DetectionParams(),
                  gap: pd.Timedelta = pd.Timedelta(hours=24)) -> pd.DataFrame:
    """Alert episodes of a topic-hour series: :func:`alert_episodes` of :func:`volume_anomalies`."""
    return alert_episodes(volume_anomalies(hourly, until, params), gap)
