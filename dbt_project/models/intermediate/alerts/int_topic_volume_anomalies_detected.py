"""Hours and Lima days in which a topic's volume stood out from its own recent baseline
(escucha.alerts.detect.volume_anomalies): the last hour against the previous 12 and the same hour
over the week before, the day against the previous 14 confirmed against the same day a week before.

Rebuilt whole at every run: a year of hourly counts per topic is small, and a whole rebuild keeps
every period judged against the same data.
"""
import pandas as pd

from escucha.alerts.detect import volume_anomalies


def model(dbt, session):
    dbt.config(materialized="table")
    hourly = dbt.ref("int_topic_hourly_counted").df()
    posts = dbt.ref("fct_posts")
    last = posts.aggregate("max(created_at) as last_post").df()["last_post"].iloc[0]
    until = None if pd.isna(last) else pd.Timestamp(last).floor("h") + pd.Timedelta(hours=1)
    return volume_anomalies(hourly, until=until)
