"""What each declared event did to its topics, against what would have happened without it
(escucha.events.impact.estimate_impact): an interrupted time series fitted on the weeks before the
event, with the topic's own trend and weekly rhythm and the volume of unaffected control topics.

Controls are the active topics that no declared event touches from the fitting period to the end
of the event. Every control is also estimated as if it were affected (role 'control', a placebo):
its interval should hold 0, which shows how far to trust the affected topics' estimates.
"""
from datetime import timedelta

import pandas as pd

from escucha.events.impact import estimate_impact

PRE_DAYS = 56
COLUMNS = ["event_id", "topic_id", "role", "measure", "method", "controls", "start_date", "end_date",
           "pre_start", "pre_end", "days", "n_pre", "actual", "counterfactual", "counterfactual_low",
           "counterfactual_high", "effect", "effect_low", "effect_high", "relative_effect", "relative_low",
           "relative_high", "p_value", "significant", "r2_pre"]

TYPES = {**dict.fromkeys(COLUMNS, "float64"),
         **dict.fromkeys(["event_id", "topic_id", "role", "measure", "method", "controls"], "str"),
         **dict.fromkeys(["start_date", "end_date", "pre_start", "pre_end"], "datetime64[s]"),
         "days": "int64", "n_pre": "int64", "significant": "bool"}


def controls_for(events: pd.DataFrame, topics: list[str], start, end) -> list[str]:
    """Active topics that no event touches from PRE_DAYS before start to end."""
    lo = start - timedelta(days=PRE_DAYS)
    touched = set(events.loc[(events["start_date"] <= end) & (events["end_date"] >= lo), "topic_id"])
    return [t for t in topics if t not in touched]


def model(dbt, session):
    dbt.config(materialized="table")
    series = dbt.ref("int_topic_daily_totals").df()
    events = dbt.ref("stg_events__events").df()
    series["day"] = pd.to_datetime(series["day"]).dt.date
    for col in ("start_date", "end_date"):
        events[col] = pd.to_datetime(events[col]).dt.date
    topics = sorted(series["topic_id"].unique())
    first, last = (series["day"].min(), series["day"].max()) if len(series) else (None, None)
    rows = []
    for event_id, event in events.groupby("event_id", sort=True):
        start, end = event["start_date"].iloc[0], event["end_date"].iloc[0]
        if first is None or start > last or end < first:  # no day of the event has data
            continue
        controls = controls_for(events, topics, start, end)
        targets = [(t, "affected", controls) for t in sorted(event["topic_id"]) if t in topics]
        targets += [(c, "control", [x for x in controls if x != c]) for c in controls]
        for topic_id, role, used in targets:
            est = estimate_impact(series, topic_id, start, end, used, measure="posts", pre_days=PRE_DAYS)
            rows.append({
                "event_id": event_id, "topic_id": topic_id, "role": role, "measure": est.measure,
                "method": est.method, "controls": ",".join(est.controls), "start_date": est.start,
                "end_date": est.end, "pre_start": est.pre_start, "pre_end": est.pre_end, "days": est.days,
                "n_pre": est.n_pre, "actual": est.actual, "counterfactual": est.counterfactual,
                "counterfactual_low": est.counterfactual_low, "counterfactual_high": est.counterfactual_high,
                "effect": est.effect, "effect_low": est.effect_low, "effect_high": est.effect_high,
                "relative_effect": est.relative_effect, "relative_low": est.relative_low,
                "relative_high": est.relative_high, "p_value": est.p_value, "significant": bool(est.significant),
                "r2_pre": est.r2_pre,
            })
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.astype(TYPES)
