"""Shifts in each topic's daily volume that no one declared (escucha.events.changepoints): the
days where the level of the series (weekly rhythm removed) changes for good, with the mean before
and after."""
import pandas as pd

from escucha.events.changepoints import changepoints_frame


def model(dbt, session):
    dbt.config(materialized="table")
    series = dbt.ref("int_topic_daily_totals").df()
    series["day"] = pd.to_datetime(series["day"]).dt.date
    found = changepoints_frame(series, measure="posts")
    return found.astype({"topic_id": "str", "direction": "str", "day": "datetime64[s]",
                         "before_mean": "float64", "after_mean": "float64", "ratio": "float64"})
