"""One alert per episode of unusual volume (escucha.alerts.detect.alert_episodes): anomalous hours
and days of a topic that follow each other within 24 hours are one event. The alert keeps its id
(topic and onset) while later periods extend it and raise its severity: an event gives one alert
that updates, not a storm.
"""
from escucha.alerts.detect import alert_episodes


def model(dbt, session):
    dbt.config(materialized="table")
    return alert_episodes(dbt.ref("int_topic_volume_anomalies_detected").df())
