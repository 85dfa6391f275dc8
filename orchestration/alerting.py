"""Alerts leave the warehouse: a sensor watches marts.fct_alerts and launches a run that emails
the programmes' focal points (and posts to an optional webhook) about new alerts and rises in
severity, deduplicated by a ledger and rate-limited per programme."""

import hashlib
import os
from datetime import datetime, timedelta, timezone

import dagster as dg
import duckdb

from escucha.alerts.notify import NotificationLedger, SmtpSettings
from escucha.alerts.pending import AlertSending, ledger_path, read_alerts, send_pending
from orchestration.resources import EscuchaHome

FCT_ALERTS = dg.AssetKey(["marts", "fct_alerts"])


class AlertChannels(dg.ConfigurableResource):
    """How alerts are sent. SMTP comes from ESCUCHA_SMTP_* and the webhook from
    ESCUCHA_ALERT_WEBHOOK, never from the repository."""

    max_age_hours: int = 48
    max_emails_per_hour: int = 4

    def sending(self) -> AlertSending:
        return AlertSending(SmtpSettings.from_env(), os.environ.get("ESCUCHA_ALERT_WEBHOOK") or None,
                            self.max_emails_per_hour)


def utc_now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class SendConfig(dg.Config):
    since: str  # ISO timestamp (UTC): alerts last seen since then


@dg.op(description="Send the alerts not yet sent at their severity; records every attempt in "
                   "<home>/alerts/notifications.sqlite.")
def send_alerts(context: dg.OpExecutionContext, config: SendConfig, escucha_home: EscuchaHome,
                alert_channels: AlertChannels) -> None:
    home = escucha_home.home()
    report = send_pending(home, alert_channels.sending(), datetime.fromisoformat(config.since), utc_now())
    for failure in report.failures:
        context.log.warning(failure)
    context.log_event(dg.AssetObservation(asset_key=FCT_ALERTS, metadata={
        "emails_sent": report.sent_emails, "webhooks_sent": report.sent_webhooks,
        "duplicates_skipped": report.skipped_duplicates, "rate_limited": report.suppressed_by_rate_limit,
        "failures": len(report.failures)}))
    if report.failures and not (report.sent_emails or report.sent_webhooks):
        raise dg.Failure(description="no alert could be sent", metadata={"failures": "\n".join(report.failures)})


@dg.job(description="Email and webhook notifications for new alerts (launched by alerts_sensor).")
def notify_alerts_job() -> None:
    send_alerts()


@dg.sensor(job=notify_alerts_job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING,
           description="Every minute: alerts in marts.fct_alerts last seen within max_age_hours that were "
                       "not yet sent at their severity launch one notification run.")
def alerts_sensor(context: dg.SensorEvaluationContext, escucha_home: EscuchaHome,
                  alert_channels: AlertChannels) -> dg.RunRequest | dg.SkipReason:
    home = escucha_home.home()
    sending = alert_channels.sending()
    if sending.smtp is None and sending.webhook_url is None:
        return dg.SkipReason("no channel: set ESCUCHA_SMTP_HOST and/or ESCUCHA_ALERT_WEBHOOK")
    if not home.warehouse.exists():
        return dg.SkipReason("no warehouse yet")
    now = utc_now()
    since = now - timedelta(hours=alert_channels.max_age_hours)
    try:
        alerts = read_alerts(home.warehouse, since)
    except duckdb.Error as exc:  # a run holds the write lock, or the marts are not built yet
        return dg.SkipReason(f"warehouse not readable now: {exc}")
    ledger = NotificationLedger(ledger_path(home))
    channels = [c for c, on in (("email", sending.smtp), ("webhook", sending.webhook_url)) if on]
    new = sorted({(a.alert_id, a.severity) for a in alerts for c in channels
                  if not ledger.already_sent(a.alert_id, a.severity,
                                             f"email:{a.programme_id}" if c == "email" else "webhook")})
    if not new:
        return dg.SkipReason(f"{len(alerts)} recent alert(s), none new")
    digest = hashlib.sha1(repr(new).encode()).hexdigest()[:16]
    context.log.info(f"{len(new)} new alert(s) or severity rise(s)")
    # the hour in the key retries a failed send once an hour, not every minute
    return dg.RunRequest(run_key=f"alerts:{digest}:{now:%Y%m%d%H}",
                         run_config={"ops": {"send_alerts": {"config": {"since": since.isoformat()}}}},
                         tags={"escucha/alerts": str(len(new))})
