"""`escucha alerts list|send`: the alerts in the warehouse, and sending the new ones now (what the
alerts sensor does every minute under `escucha ui`)."""
from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime, timedelta, timezone

from escucha.home import DataHome


def _since(args: argparse.Namespace) -> datetime:
    if args.since:
        return datetime.fromisoformat(args.since)
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    return now - timedelta(hours=args.hours)


def cmd_alerts_list(args: argparse.Namespace, home: DataHome) -> int:
    """Print the alerts last seen since --since (or within --hours), most recent first."""
    from escucha.alerts.pending import read_alerts
    from escucha.cli import format_table, warehouse_missing

    if warehouse_missing(home):
        return 1
    alerts = sorted(read_alerts(home.warehouse, _since(args)), key=lambda a: a.detected_at, reverse=True)
    rows = [(a.detected_at.strftime("%Y-%m-%d %H:%M"), a.severity, a.kind, a.topic_id, a.programme_id, a.summary)
            for a in alerts]
    print(format_table(["detected_at (UTC)", "severity", "kind", "topic", "programme", "summary"], rows))
    return 0


def cmd_alerts_send(args: argparse.Namespace, home: DataHome) -> int:
    """Send the alerts not yet sent at their severity to the focal points (SMTP from ESCUCHA_SMTP_*)
    and to ESCUCHA_ALERT_WEBHOOK."""
    from escucha.alerts.notify import NotificationError, SmtpSettings
    from escucha.alerts.pending import AlertSending, send_pending
    from escucha.cli import warehouse_missing

    if warehouse_missing(home):
        return 1
    try:
        smtp = SmtpSettings.from_env()
    except (ValueError, NotificationError) as exc:
        print(f"alerts: {exc}", file=sys.stderr)
        return 2
    webhook = os.environ.get("ESCUCHA_ALERT_WEBHOOK") or None
    if smtp is None and webhook is None:
        print("alerts: no channel; set ESCUCHA_SMTP_HOST (and _PORT, _SECURITY, _USER, _PASSWORD, _FROM) "
              "or ESCUCHA_ALERT_WEBHOOK", file=sys.stderr)
        return 2
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    report = send_pending(home, AlertSending(smtp, webhook, args.max_per_hour), _since(args), now)
    print(f"emails sent: {report.sent_emails}; webhooks sent: {report.sent_webhooks}; "
          f"already sent: {report.skipped_duplicates}; held by the rate limit: {report.suppressed_by_rate_limit}")
    for failure in report.failures:
        print(f"failed: {failure}", file=sys.stderr)
    return 1 if report.failures else 0


def add_alerts_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    a = subparsers.add_parser("alerts", help="unusual spread: list the alerts, send the new ones")
    sub = a.add_subparsers(dest="alerts_command", required=True)
    for name, func, text in (("list", cmd_alerts_list, "alerts last seen recently"),
                             ("send", cmd_alerts_send, "send new alerts and severity rises now")):
        sp = sub.add_parser(name, help=text)
        when = sp.add_mutually_exclusive_group()
        when.add_argument("--since", help="alerts last seen since this UTC time (YYYY-MM-DD[THH:MM])")
        when.add_argument("--hours", type=float, default=48, help="alerts last seen in the last N hours (48)")
        if name == "send":
            sp.add_argument("--max-per-hour", type=int, default=4, help="emails per programme per hour (4)")
        sp.set_defaults(func=func)
    return a
