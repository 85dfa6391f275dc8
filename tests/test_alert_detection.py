"""Volume alerts on synthetic Poisson series: silence on ordinary rhythms, one alert per real event."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from escucha.alerts.detect import (
    ANOMALY_COLUMNS,
    EPISODE_COLUMNS,
    SEVERITIES,
    DetectionParams,
    alert_episodes,
    densify,
    lima_days,
    detect_alerts,
    volume_anomalies,
)

H = pd.Timedelta(hours=1)
D = pd.Timedelta(days=1)
START = pd.Timestamp("2024-01-01 05:00")  # Monday 00:00 in Lima
# Posts per Lima hour of day relative to midday: night ~10%, a sharp morning rise, busy evening.
PROFILE = np.array([0.25, 0.15, 0.10, 0.10, 0.10, 0.12, 0.20, 0.40, 0.65, 0.85, 0.95, 1.00,
                    1.00, 1.00, 0.95, 0.95, 0.95, 1.00, 1.00, 0.95, 0.90, 0.80, 0.60, 0.40])
SEEDS = range(10)


def rates(days: int, level: float, diurnal: bool = True, weekly: bool = True,
          trend: float = 0.0) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """Expected posts per hour: ``level`` at a weekday midday, shaped by Lima's day and week."""
    hours = pd.date_range(START, periods=days * 24, freq="h")
    lima = hours - pd.Timedelta(hours=5)
    rate = np.full(len(hours), float(level))
    if diurnal:
        rate *= PROFILE[lima.hour]
    if weekly:
        rate *= np.where(lima.day_of_week >= 5, 0.6, 1.0)
    return hours, rate * (1 + trend * np.arange(len(hours)) / len(hours))


def sample(hours: pd.DatetimeIndex, rate: np.ndarray, seed: int, topic: str = "t") -> pd.DataFrame:
    """A sparse hourly frame (no rows for silent hours), as the warehouse gives it."""
    posts = np.random.default_rng(seed).poisson(rate)
    frame = pd.DataFrame({"topic_id": topic, "hour": hours, "posts": posts})
    return frame.loc[frame["posts"] > 0].reset_index(drop=True)


def topics(n_seeds: range, days: int = 120, level: float = 40, **shape) -> pd.DataFrame:
    """One topic per seed, all with the same shape."""
    hours, rate = rates(days, level, **shape)
    return pd.concat([sample(hours, rate, seed, f"s{seed}") for seed in n_seeds], ignore_index=True)


def with_spike(hours: pd.DatetimeIndex, rate: np.ndarray, start: pd.Timestamp, length: pd.Timedelta,
               factor: float) -> np.ndarray:
    return np.where((hours >= start) & (hours < start + length), rate * factor, rate)


def oil_spill(hours: pd.DatetimeIndex, rate: np.ndarray, onset: pd.Timestamp, burst: bool = True) -> np.ndarray:
    """A multi-day event: x2 at once, ramping to x4 over 5 days, back to x1 over the next week.

    With ``burst`` the first 4 hours are x6 (the news breaks); without it the event only
    ever changes slowly, which the hourly detector is right not to see.
    """
    t = np.asarray((hours - onset) / D)
    factor = np.ones(len(hours))
    ramp = (t >= 0) & (t < 5)
    factor[ramp] = 2 + 2 * t[ramp] / 5
    decay = (t >= 5) & (t < 12)
    factor[decay] = 4 - 3 * (t[decay] - 5) / 7
    if burst:
        factor[(t >= 0) & (t < 4 / 24)] = 6
    return rate * factor


def describe(frame: pd.DataFrame) -> str:
    return frame.to_string(max_cols=20) if len(frame) else "(none)"


# --- no alerts on ordinary series -------------------------------------------------------------

@pytest.mark.parametrize("level", [5, 40, 200])
def test_flat_series_give_no_alerts(level: float) -> None:
    anomalies = volume_anomalies(topics(SEEDS, level=level, diurnal=False, weekly=False))
    assert anomalies.empty, describe(anomalies)


@pytest.mark.parametrize("level", [5, 12, 40, 200])
def test_daily_and_weekly_rhythms_give_no_alerts(level: float) -> None:
    anomalies = volume_anomalies(topics(SEEDS, level=level))
    assert anomalies.empty, describe(anomalies)


def test_slow_trend_gives_no_alerts() -> None:
    anomalies = volume_anomalies(topics(range(5), level=30, trend=0.5))
    assert anomalies.empty, describe(anomalies)


def test_a_weekly_busy_slot_and_busy_monday_give_no_alerts() -> None:
    """Every Monday is x2.5 and every Monday 20:00 (Lima) a TV show makes it x4 more."""
    hours, rate = rates(120, 30)
    lima = hours - pd.Timedelta(hours=5)
    monday = lima.day_of_week == 0
    rate = rate * np.where(monday, 2.5, 1.0) * np.where(monday & (lima.hour == 20), 4.0, 1.0)
    hourly = pd.concat([sample(hours, rate, seed, f"s{seed}") for seed in range(5)], ignore_index=True)
    anomalies = volume_anomalies(hourly)
    assert anomalies.empty, describe(anomalies)


def test_a_few_posts_on_a_dormant_topic_do_not_fire() -> None:
    """A topic with one post a day at noon: 9 posts at night is below the minimum count, 10 is not."""
    days = pd.date_range(START, periods=60, freq="D") + 7 * H
    daily_post = pd.DataFrame({"topic_id": "t", "hour": days, "posts": 1})
    burst_hour = START + 40 * D + 22 * H
    for posts, alerts in ((9, 0), (10, 1)):
        burst = pd.DataFrame({"topic_id": "t", "hour": [burst_hour], "posts": [posts]})
        found = detect_alerts(pd.concat([daily_post, burst], ignore_index=True))
        assert len(found) == alerts, describe(found)


# --- planted events ---------------------------------------------------------------------------

SPIKE = START + 59 * D + 10 * H  # Thursday 2024-02-29, 10:00 in Lima


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_six_hour_spike_gives_one_alert_detected_within_two_hours(seed: int) -> None:
    hours, rate = rates(120, 40)
    hourly = sample(hours, with_spike(hours, rate, SPIKE, 6 * H, 5), seed)
    alerts = detect_alerts(hourly)
    assert len(alerts) == 1, describe(alerts)
    alert = alerts.iloc[0]
    assert SPIKE <= alert["onset"] < SPIKE + 6 * H
    assert alert["detected_at"] <= SPIKE + 2 * H
    assert alert["alert_id"] == f"volume:t:{alert['onset']:%Y-%m-%dT%H}"
    assert alert["kind"] == "volume_spike"
    assert "hour" in alert["granularities"].split(",")


@pytest.mark.parametrize("seed", [4, 5, 6])
def test_a_multi_day_event_is_one_alert_over_hours_and_days(seed: int) -> None:
    onset = START + 50 * D + 14 * H
    hours, rate = rates(120, 40)
    anomalies = volume_anomalies(sample(hours, oil_spill(hours, rate, onset), seed))
    alerts = alert_episodes(anomalies)
    assert len(alerts) == 1, describe(alerts)
    alert = alerts.iloc[0]
    assert alert["periods"] == len(anomalies) > 1
    assert alert["peak_posts"] == anomalies["posts"].max()
    assert alert["severity"] == max(anomalies["severity"], key=SEVERITIES.index)
    assert alert["detected_at"] == anomalies["period_end"].min()
    assert alert["granularities"] == "hour,day"
    assert onset <= alert["onset"] < onset + 4 * H
    assert alert["last_seen"] >= onset + 5 * D  # followed through the ramp, weekend included


@pytest.mark.parametrize("seed", [7, 8])
def test_a_slow_multi_day_event_without_a_burst_is_one_alert(seed: int) -> None:
    """Days carry it (an odd hour may also stand out 3x once the ramp is steep)."""
    onset = START + 50 * D + 14 * H
    hours, rate = rates(120, 40)
    alerts = detect_alerts(sample(hours, oil_spill(hours, rate, onset, burst=False), seed))
    assert len(alerts) == 1, describe(alerts)
    assert "day" in alerts.iloc[0]["granularities"].split(",")
    assert alerts.iloc[0]["periods"] >= 3
    assert alerts.iloc[0]["last_seen"] >= onset + 5 * D


def test_two_spikes_ten_days_apart_give_two_alerts() -> None:
    hours, rate = rates(120, 40)
    rate = with_spike(hours, with_spike(hours, rate, SPIKE, 6 * H, 5), SPIKE + 10 * D, 6 * H, 5)
    alerts = detect_alerts(sample(hours, rate, 8))
    assert len(alerts) == 2, describe(alerts)
    assert alerts["alert_id"].is_unique
    for alert, start in zip(alerts.itertuples(), [SPIKE, SPIKE + 10 * D]):
        assert start <= alert.onset < start + 6 * H


def test_a_spike_on_one_topic_does_not_alert_another() -> None:
    hours, rate = rates(120, 40)
    hourly = pd.concat([sample(hours, with_spike(hours, rate, SPIKE, 6 * H, 5), 9, "spill"),
                        sample(hours, rate, 10, "quiet")], ignore_index=True)
    alerts = detect_alerts(hourly)
    assert alerts["topic_id"].tolist() == ["spill"], describe(alerts)


def test_severity_rises_with_the_size_of_the_spike() -> None:
    hours, rate = rates(120, 40)
    ranks = []
    for factor in (4, 8, 40):
        alerts = detect_alerts(sample(hours, with_spike(hours, rate, SPIKE, 6 * H, factor), 11))
        assert len(alerts) == 1, describe(alerts)
        ranks.append(SEVERITIES.index(alerts.iloc[0]["severity"]))
    assert ranks == sorted(ranks) and ranks[0] < ranks[-1]
    assert ranks[-1] == SEVERITIES.index("critical")


def anomaly(topic: str, granularity: str, start: str, severity: str, posts: int = 50) -> dict:
    length = H if granularity == "hour" else D
    return {"topic_id": topic, "granularity": granularity, "period_start": pd.Timestamp(start),
            "period_end": pd.Timestamp(start) + length, "posts": posts, "baseline": 10.0,
            "week_ago": 10, "ratio": posts / 10, "zscore": 8.0, "severity": severity}


def test_episode_rules() -> None:
    """Joined within the gap after the latest end; onset = first period revealed; max severity."""
    rows = [anomaly("a", "hour", "2024-03-05 14:00", "low"),
            anomaly("a", "day", "2024-03-05 05:00", "high", 900),       # revealed later, starts earlier
            anomaly("a", "hour", "2024-03-07 05:00", "medium"),         # exactly 24 h after the day ends
            anomaly("a", "hour", "2024-03-08 06:01", "low"),            # 24 h 1 min after: a new episode
            anomaly("b", "hour", "2024-03-05 15:00", "critical")]
    episodes = alert_episodes(pd.DataFrame(rows)).set_index("alert_id")
    assert list(episodes.index) == ["volume:a:2024-03-05T14", "volume:a:2024-03-08T06", "volume:b:2024-03-05T15"]
    first = episodes.loc["volume:a:2024-03-05T14"]
    assert first["onset"] == pd.Timestamp("2024-03-05 14:00")
    assert first["detected_at"] == pd.Timestamp("2024-03-05 15:00")
    assert first["last_seen"] == pd.Timestamp("2024-03-07 06:00")
    assert (first["periods"], first["peak_posts"]) == (3, 900)
    assert (first["severity"], first["first_severity"]) == ("high", "low")
    assert first["granularities"] == "hour,day"
    assert episodes.loc["volume:a:2024-03-08T06", "periods"] == 1
    assert episodes.loc["volume:b:2024-03-05T15", "severity"] == "critical"


# --- incremental runs -------------------------------------------------------------------------

def test_longer_runs_keep_earlier_episodes() -> None:
    """Cut the data at several moments (mid-hour, mid-day, during an event) and extend by 5 days."""
    hours, rate = rates(110, 40)
    rate = oil_spill(hours, with_spike(hours, rate, SPIKE - 20 * D, 6 * H, 5), START + 70 * D + 14 * H)
    hourly = pd.concat([sample(hours, rate, 12, "spill"), sample(hours, rate * 0.5, 13, "other")],
                       ignore_index=True)
    checked = grew = 0
    for cut in [START + 40 * D + 1 * H, START + 70 * D + 16 * H, START + 72 * D + 7 * H + pd.Timedelta(minutes=30),
                START + 75 * D, START + 81 * D + 19 * H]:
        longer = cut + 5 * D
        short_anoms = volume_anomalies(hourly[hourly["hour"] < cut], until=cut)
        long_anoms = volume_anomalies(hourly[hourly["hour"] < longer], until=longer)
        pd.testing.assert_frame_equal(short_anoms, long_anoms[long_anoms["period_end"] <= cut].reset_index(drop=True))
        short = alert_episodes(short_anoms).set_index("alert_id")
        long = alert_episodes(long_anoms).set_index("alert_id")
        assert set(short.index) <= set(long.index), (cut, describe(short), describe(long))
        for alert_id, before in short.iterrows():
            after = long.loc[alert_id]
            for same in ("topic_id", "onset", "detected_at", "first_severity"):
                assert after[same] == before[same], (cut, alert_id, same)
            assert SEVERITIES.index(after["severity"]) >= SEVERITIES.index(before["severity"])
            assert after["periods"] >= before["periods"] and after["last_seen"] >= before["last_seen"]
            checked += 1
            grew += after["periods"] > before["periods"]
    assert checked >= 4 and grew >= 1  # cuts fall after onsets, and one cuts through the event


def test_only_complete_periods_are_judged() -> None:
    hours, rate = rates(60, 40)
    spike = START + 40 * D + 15 * H
    hourly = sample(hours, with_spike(hours, rate, spike, H, 8), 14)
    hourly = hourly[hourly["hour"] <= spike]
    assert volume_anomalies(hourly, until=spike + pd.Timedelta(minutes=30)).empty
    found = volume_anomalies(hourly)  # default until: the last hour + 1 h
    assert found["granularity"].tolist() == ["hour"]
    assert found["period_end"].tolist() == [spike + H]


# --- input shapes -----------------------------------------------------------------------------

def test_missing_hours_are_zeros() -> None:
    hours, rate = rates(60, 5)
    rate = with_spike(hours, rate, START + 40 * D + 14 * H, 4 * H, 8)
    posts = np.random.default_rng(15).poisson(rate)
    dense = pd.DataFrame({"topic_id": "t", "hour": hours, "posts": posts})
    assert (dense["posts"] == 0).sum() > 100
    sparse = dense[dense["posts"] > 0].sample(frac=1.0, random_state=1)  # also shuffled
    end = hours[-1] + H
    expected = volume_anomalies(dense, until=end)
    assert len(expected) > 0
    pd.testing.assert_frame_equal(volume_anomalies(sparse, until=end), expected)


def test_densify_fills_each_topic_from_its_first_hour_to_until() -> None:
    hourly = pd.DataFrame({"topic_id": ["a", "a", "b", "b"],
                           "hour": pd.to_datetime(["2024-03-01 10:00", "2024-03-01 13:00",
                                                   "2024-03-01 12:00", "2024-03-01 12:00"]),
                           "posts": [2, 3, 1, 4]})
    dense = densify(hourly, until=pd.Timestamp("2024-03-01 15:00"))
    assert dense.loc[dense["topic_id"] == "a", "posts"].tolist() == [2, 0, 0, 3, 0]
    assert dense.loc[dense["topic_id"] == "b", "posts"].tolist() == [5, 0, 0]  # duplicates summed
    assert dense["hour"].max() == pd.Timestamp("2024-03-01 14:00")


def test_lima_days_run_from_5_utc_and_skip_a_partial_first_day() -> None:
    lima = pd.to_datetime(["2024-03-01 20:00", "2024-03-02 08:00", "2024-03-02 23:00", "2024-03-03 00:00"])
    hourly = pd.DataFrame({"topic_id": "t", "hour": lima.tz_localize("America/Lima"), "posts": [7, 1, 2, 4]})
    dense = densify(hourly)  # aware timestamps are converted to naive UTC
    assert dense["hour"].min() == pd.Timestamp("2024-03-02 01:00")
    days = lima_days(dense)
    assert days["day"].tolist() == [pd.Timestamp("2024-03-02 05:00"), pd.Timestamp("2024-03-03 05:00")]
    assert days["posts"].tolist() == [3, 4]  # the 20:00 post of March 1 fell in a partial day
    assert days["hours"].tolist() == [24, 1]


def test_empty_input_gives_empty_typed_frames() -> None:
    empty = pd.DataFrame({"topic_id": pd.Series([], dtype="str"),
                          "hour": pd.Series([], dtype="datetime64[us]"),
                          "posts": pd.Series([], dtype="int64")})
    anomalies = volume_anomalies(empty)
    assert list(anomalies.columns) == list(ANOMALY_COLUMNS) and anomalies.empty
    assert anomalies.dtypes.astype(str).to_dict() == ANOMALY_COLUMNS
    for episodes in (alert_episodes(anomalies), detect_alerts(empty)):
        assert list(episodes.columns) == list(EPISODE_COLUMNS) and episodes.empty
        assert episodes.dtypes.astype(str).to_dict() == EPISODE_COLUMNS
    short = topics(range(1), days=3)  # too little history to judge anything
    assert volume_anomalies(short).dtypes.astype(str).to_dict() == ANOMALY_COLUMNS


def test_non_empty_results_have_the_documented_dtypes() -> None:
    hours, rate = rates(60, 40)
    alerts_in = sample(hours, with_spike(hours, rate, START + 40 * D + 15 * H, 6 * H, 6), 16)
    anomalies = volume_anomalies(alerts_in)
    assert anomalies.dtypes.astype(str).to_dict() == ANOMALY_COLUMNS
    assert alert_episodes(anomalies).dtypes.astype(str).to_dict() == EPISODE_COLUMNS


def test_day_window_must_be_whole_weeks() -> None:
    with pytest.raises(ValueError):
        DetectionParams(day_window=10)
    assert DetectionParams(day_window=21).day_window == 21


def test_a_window_shorter_than_a_lima_day_gives_no_anomaly_and_no_error():
    """Two hours of one topic (a one-day run over a new warehouse): nothing to judge yet."""
    hourly = pd.DataFrame({"topic_id": ["t", "t"], "hour": pd.to_datetime(["2022-01-16 10:00", "2022-01-16 11:00"]),
                           "posts": [3, 4]})
    assert volume_anomalies(hourly).empty
    assert alert_episodes(volume_anomalies(hourly)).empty
