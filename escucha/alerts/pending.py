"""Alerts read from the warehouse (marts.fct_alerts and fct_alert_posts) as notify.Alert, with a
one-sentence Spanish summary of what moved and by how much, and the dispatch of the new ones."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from escucha.alerts.notify import Alert, DispatchReport, NotificationLedger, SmtpSettings, TopPost, dispatch
from escucha.home import DataHome
from escucha.topics.registry import Programme, config_path, load_config
from escucha.warehouse import connect
from reports.formats import fmt_num0, fmt_num1

LIMA = timedelta(hours=-5)
SEVERITY_ES = {"low": "baja", "medium": "media", "high": "alta", "critical": "crítica"}


def programmes() -> dict[str, Programme]:
    """The programmes of config/programmes.yaml (or $ESCUCHA_PROGRAMMES): labels and focal points."""
    return load_config(config_path())[0]


def summarise(kind: str, topic_label: str, peak: int, baseline: float | None, ratio: float | None,
              onset: datetime, author: str | None = None) -> str:
    """One Spanish sentence: what moved, by how much, since when (Lima time)."""
    when = (onset + LIMA).strftime("%d/%m/%Y %H:%M")
    times = f"{fmt_num1(ratio)} veces" if ratio is not None else "muy por encima de"
    usual = f" ({fmt_num0(baseline)})" if baseline is not None else ""
    if kind == "viral_post":
        who = f"@{author}" if author else "una cuenta"
        return (f"{topic_label}: una publicación de {who} tiene {fmt_num0(peak)} interacciones, "
                f"{times} lo que la cuenta suele recibir{usual}; publicada el {when} (Lima).")
    return (f"{topic_label}: {fmt_num0(peak)} publicaciones en el periodo pico, {times} lo habitual{usual}; "
            f"desde el {when} (Lima).")


ALERTS_SQL = """
select a.alert_id, a.kind, a.topic_id, coalesce(a.topic_label, a.topic_id), a.programme_id, a.severity,
    a.onset, a.detected_at, a.last_seen, a.peak_posts, a.baseline, a.ratio
from marts.fct_alerts as a
where a.last_seen >= ?
order by a.detected_at, a.alert_id
"""
POSTS_SQL = """
select alert_id, post_key, network, author_handle, text, engagement, created_at
from marts.fct_alert_posts
where alert_id in (select alert_id from marts.fct_alerts where last_seen >= ?)
order by alert_id, post_rank
"""


def read_alerts(warehouse: Path, since: datetime) -> list[Alert]:
    """Alerts whose last anomalous period ends at or after ``since`` (UTC), oldest first; the
    warehouse is opened read-only."""
    with connect(warehouse, read_only=True) as con:
        rows = con.execute(ALERTS_SQL, [since]).fetchall()
        posts = con.execute(POSTS_SQL, [since]).fetchall()
    labels = {pid: p.label for pid, p in programmes().items()}
    by_alert: dict[str, list[TopPost]] = {}
    for alert_id, post_key, network, handle, text, engagement, created_at in posts:
        by_alert.setdefault(alert_id, []).append(
            TopPost(post_key=post_key, network=network, author=handle or "", text=text or "", url=None,
                    engagement=int(engagement or 0), created_at=created_at))
    alerts = []
    for (alert_id, kind, topic_id, topic_label, programme_id, severity, onset, detected_at, last_seen,
         peak, baseline, ratio) in rows:
        top = tuple(by_alert.get(alert_id, []))
        author = top[0].author if kind == "viral_post" and top else None
        alerts.append(Alert(
            alert_id=alert_id, kind=kind, topic_id=topic_id, topic_label=topic_label, programme_id=programme_id,
            programme_label=labels.get(programme_id, programme_id), severity=severity, onset=onset,
            detected_at=detected_at, last_seen=last_seen, posts=int(peak or 0),
            baseline=float(baseline) if baseline is not None else 0.0, ratio=float(ratio) if ratio is not None else 0.0,
            summary=summarise(kind, topic_label, int(peak or 0), baseline, ratio, onset, author), top_posts=top))
    return alerts


@dataclass(frozen=True)
class AlertSending:
    """Where alerts go: SMTP from the environment, an optional webhook, and the rate limit."""

    smtp: SmtpSettings | None
    webhook_url: str | None
    max_emails_per_hour: int = 4


def ledger_path(home: DataHome) -> Path:
    return home.root / "alerts" / "notifications.sqlite"


def send_pending(home: DataHome, sending: AlertSending, since: datetime, now: datetime,
                 alerts: Sequence[Alert] | None = None) -> DispatchReport:
    """Send every alert last seen since ``since`` that was not sent yet at its severity, to its
    programme's focal points (and the webhook), within the rate limit."""
    alerts = read_alerts(home.warehouse, since) if alerts is None else alerts
    focal = {pid: list(p.focal_points) for pid, p in programmes().items()}
    ledger = NotificationLedger(ledger_path(home))
    return dispatch(alerts, focal, ledger, sending.smtp, sending.webhook_url, now,
                    max_emails_per_hour=sending.max_emails_per_hour)
