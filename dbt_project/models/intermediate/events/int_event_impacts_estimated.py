"""What each declared event did to its topics, against what would have happened without it
(escucha.events.impact.estimate_impact): an interrupted time series fitted on the weeks before the
event, with the topic's own trend and weekly rhythm and the volume of unaffected control topics.

Controls are the active topics that no declared event touches from the fitting period to the end
of the event. Every control is also estimated as if it were affected (role 'control', a placebo):
its interval should hold 0, which shows how far to trust the affected topics' estimates.

An estimate is deterministic (its simulations are seeded): each row keeps a fingerprint of what it
was computed from (the days of the topic and its controls it reads, the event, the estimator's
code), and a build reuses the previous row when the fingerprint is the same. A daily run then
estimates only the events whose days it touched.
"""
import hashlib
import inspect
from datetime import timedelta

import pandas as pd

import escucha.events.impact as impact
from escucha.events.impact import estimate_impact

PRE_DAYS = 56
#: the measure estimated; the only column of the series an estimate reads besides topic_id and day
MEASURE = "posts"
COLUMNS = ["event_id", "topic_id", "role", "measure", "method", "controls", "start_date", "end_date",
           "pre_start", "pre_end", "days", "n_pre", "actual", "counterfactual", "counterfactual_low",
           "counterfactual_high", "effect", "effect_low", "effect_high", "relative_effect", "relative_low",
           "relative_high", "p_value", "significant", "r2_pre", "inputs_fingerprint"]

TYPES = {**dict.fromkeys(COLUMNS, "float64"),
         **dict.fromkeys(["event_id", "topic_id", "role", "measure", "method", "controls", "inputs_fingerprint"],
                         "str"),
         **dict.fromkeys(["start_date", "end_date", "pre_start", "pre_end"], "datetime64[s]"),
         "days": "int64", "n_pre": "int64", "significant": "bool"}


def controls_for(events: pd.DataFrame, topics: list[str], start, end) -> list[str]:
    """Active topics that no event touches from PRE_DAYS before start to end."""
    lo = start - timedelta(days=PRE_DAYS)
    touched = set(events.loc[(events["start_date"] <= end) & (events["end_date"] >= lo), "topic_id"])
    return [t for t in topics if t not in touched]


CODE = hashlib.sha256(inspect.getsource(impact).encode() + f"pre_days={PRE_DAYS}".encode()).hexdigest()


def inputs_fingerprint(series: pd.DataFrame, topic_id: str, role: str, controls: list[str], start, end) -> str:
    """A hash of everything an estimate reads: the measure of the topic and its controls from the
    fitting period to the event's end, the event's dates, the role and the estimator's code. Other
    columns stay out: the reach of every past day moves whenever an author's follower count does,
    and it would make each daily run estimate every event again."""
    read = series.loc[series["topic_id"].isin([topic_id, *controls])
                      & (series["day"] >= start - timedelta(days=PRE_DAYS)) & (series["day"] <= end),
                      ["topic_id", "day", MEASURE]]
    digest = hashlib.sha256(f"{CODE}|{MEASURE}|{topic_id}|{role}|{','.join(controls)}|{start}|{end}".encode())
    digest.update(read.sort_values(["topic_id", "day"]).to_csv(index=False).encode())
    return digest.hexdigest()


def previous_rows(dbt, session) -> dict[tuple[str, str, str], dict]:
    """The rows the last build wrote, by (event, topic, fingerprint); none on a first build."""
    cols = session.execute("select column_name from information_schema.columns where table_schema = ? "
                           "and table_name = ?", [dbt.this.schema, dbt.this.identifier]).fetchall()
    if "inputs_fingerprint" not in {c[0] for c in cols}:
        return {}
    old = session.execute(f"select * from {dbt.this}").df()
    return {(r["event_id"], r["topic_id"], r["inputs_fingerprint"]): r for r in old.to_dict("records")}


def model(dbt, session):
    dbt.config(materialized="table")
    series = dbt.ref("int_topic_daily_totals").df()
    events = dbt.ref("stg_events__events").df()
    series["day"] = pd.to_datetime(series["day"]).dt.date
    for col in ("start_date", "end_date"):
        events[col] = pd.to_datetime(events[col]).dt.date
    topics = sorted(series["topic_id"].unique())
    previous = previous_rows(dbt, session)
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
            fingerprint = inputs_fingerprint(series, topic_id, role, used, start, end)
            if (event_id, topic_id, fingerprint) in previous:
                rows.append(previous[(event_id, topic_id, fingerprint)])
                continue
            est = estimate_impact(series, topic_id, start, end, used, measure=MEASURE, pre_days=PRE_DAYS)
            rows.append({
                "event_id": event_id, "topic_id": topic_id, "role": role, "measure": est.measure,
                "method": est.method, "controls": ",".join(est.controls), "start_date": est.start,
                "end_date": est.end, "pre_start": est.pre_start, "pre_end": est.pre_end, "days": est.days,
                "n_pre": est.n_pre, "actual": est.actual, "counterfactual": est.counterfactual,
                "counterfactual_low": est.counterfactual_low, "counterfactual_high": est.counterfactual_high,
                "effect": est.effect, "effect_low": est.effect_low, "effect_high": est.effect_high,
                "relative_effect": est.relative_effect, "relative_low": est.relative_low,
                "relative_high": est.relative_high, "p_value": est.p_value, "significant": bool(est.significant),
                "r2_pre": est.r2_pre, "inputs_fingerprint": fingerprint,
            })
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.astype(TYPES)
