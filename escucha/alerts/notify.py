"""Send alerts by email (SMTP) and webhook, deduplicated and rate-limited through a ledger.

`dispatch` is the entry point: it sends each programme one email holding its new alerts and
posts each new alert to a webhook, and records every attempt in a `NotificationLedger`.

Rules (see docs in the functions):

- dedup: an alert goes out again on a channel only when its severity rose above every
  severity already sent there; sending the same alerts twice sends nothing the second time;
- rate limit: at most ``max_emails_per_hour`` messages per channel in any hour (per
  programme for email, for the webhook as a whole). Alerts held back are recorded as
  ``suppressed`` for visibility, but not as sent: they stay pending and go out with the next
  allowed message. The same holds for alerts beyond the ten an email details (``more``);
- failures: a failed channel is recorded as ``failed`` with the error (never the password),
  does not stop the other channels, and its alerts are retried at the next dispatch.

Secrets (the SMTP password) come only from the environment and never appear in reprs,
logs or exceptions.
"""
from __future__ import annotations

import json
import logging
import os
import smtplib
import ssl
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from typing import Any, Literal

from escucha.alerts.ledger import (
    SEVERITIES,
    LedgerEntry,
    NotificationLedger,
    new_send_id,
    severity_rank,
    utc_naive,
)
from escucha.plain_text import one_line
from reports.email_templates import email_environment
from reports.formats import fmt_num0, fmt_num1

log = logging.getLogger(__name__)

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
# Peru has kept UTC-5 all year since 1994: a fixed offset avoids depending on tzdata.
LIMA = timezone(timedelta(hours=-5), "America/Lima")
MAX_DETAILED = 10          # alerts detailed in one email; the rest wait for the next one
MAX_POST_CHARS = 280
WEBHOOK_CHANNEL = "webhook"
SECURITIES = ("starttls", "tls", "none")
DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}

Severity = Literal["low", "medium", "high", "critical"]
Kind = Literal["volume_spike", "viral_post"]

SEVERITY_ES = {"low": "baja", "medium": "media", "high": "alta", "critical": "crítica"}
SEVERITY_COLOURS = {"low": "#57606a", "medium": "#9a6700", "high": "#bc4c00", "critical": "#cf222e"}
KIND_ES = {"volume_spike": "Pico de volumen", "viral_post": "Publicación viral"}
NETWORK_NAMES = {
    "x": "X", "twitter": "X", "facebook": "Facebook", "instagram": "Instagram", "tiktok": "TikTok",
    "youtube": "YouTube", "reddit": "Reddit", "telegram": "Telegram", "mastodon": "Mastodon",
    "bluesky": "Bluesky",
}
MONTHS_ES = ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"]


class NotificationError(RuntimeError):
    """An email or webhook could not be delivered (the message never holds a password)."""


# --- the alert ------------------------------------------------------------------------------

@dataclass(frozen=True)
class TopPost:
    """One of the posts behind an alert."""

    post_key: str
    network: str
    author: str
    text: str
    url: str | None
    engagement: int
    created_at: datetime


@dataclass(frozen=True)
class Alert:
    """Something moved in a topic: what, how much and the posts behind it (times naive UTC)."""

    alert_id: str
    kind: Kind
    topic_id: str
    topic_label: str
    programme_id: str
    programme_label: str
    severity: Severity
    onset: datetime
    detected_at: datetime
    last_seen: datetime
    posts: int
    baseline: float
    ratio: float
    summary: str
    top_posts: tuple[TopPost, ...] = ()

    def __post_init__(self) -> None:
        severity_rank(self.severity)
        if self.kind not in KIND_ES:
            raise ValueError(f"unknown alert kind {self.kind!r}; choose one of {', '.join(KIND_ES)}")


# --- settings -------------------------------------------------------------------------------

@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send email. The password is kept out of the repr."""

    host: str
    port: int = 587
    security: Literal["starttls", "tls", "none"] = "starttls"
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    sender: str = "escucha@localhost"
    timeout: float = 30.0

    def __post_init__(self) -> None:
        if not self.host or any(c.isspace() for c in self.host):
            raise ValueError(f"SMTP host must be a host name, got {self.host!r}")
        if isinstance(self.port, bool) or not isinstance(self.port, int) or not 1 <= self.port <= 65535:
            raise ValueError(f"SMTP port must be a whole number between 1 and 65535, got {self.port!r}")
        if self.security not in SECURITIES:
            raise ValueError(f"unknown SMTP security {self.security!r}; choose one of {', '.join(SECURITIES)}")
        if self.timeout <= 0:
            raise ValueError(f"SMTP timeout must be positive, got {self.timeout!r}")
        if bool(self.user) != bool(self.password):
            raise ValueError("SMTP user and password go together: set both or neither")
        clean_address(self.sender)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "SmtpSettings | None":
        """Settings from ESCUCHA_SMTP_HOST, _PORT, _SECURITY, _USER, _PASSWORD and _FROM;
        None (email disabled) when ESCUCHA_SMTP_HOST is unset or empty. The port defaults to
        587 for starttls, 465 for tls and 25 for none."""
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = env.get(f"ESCUCHA_SMTP_{name}")
            return value.strip() if value and value.strip() else None

        host = get("HOST")
        if host is None:
            return None
        security = (get("SECURITY") or "starttls").lower()
        if security not in SECURITIES:
            raise ValueError(f"ESCUCHA_SMTP_SECURITY must be one of {', '.join(SECURITIES)}, got {security!r}")
        raw_port = get("PORT")
        if raw_port is None:
            port = DEFAULT_PORTS[security]
        else:
            try:
                port = int(raw_port)
            except ValueError:
                port = 0
            if not 1 <= port <= 65535:
                raise ValueError(f"ESCUCHA_SMTP_PORT must be a whole number between 1 and 65535, got {raw_port!r}")
        user = get("USER")
        password = env.get("ESCUCHA_SMTP_PASSWORD") or None  # spaces may belong to a password
        if bool(user) != bool(password):
            raise ValueError("ESCUCHA_SMTP_USER and ESCUCHA_SMTP_PASSWORD go together: set both or neither")
        try:
            return cls(host=host, port=port, security=security, user=user,  # type: ignore[arg-type]
                       password=password, sender=get("FROM") or cls.sender)
        except ValueError as exc:
            raise ValueError(f"invalid ESCUCHA_SMTP_* settings: {exc}") from None


# --- text helpers ---------------------------------------------------------------------------

def header_text(value: str) -> str:
    """Text safe for one header line (and one line of an email): see :func:`one_line`."""
    return one_line(value)


def clean_address(value: str) -> str:
    """An email address (optionally ``Name <addr>``) fit for a header and an SMTP envelope;
    ValueError when it is not one (control characters, such as CR and LF, are refused)."""
    if any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in value):
        raise ValueError(f"not a valid email address (control characters): {value!r}")
    text = " ".join(value.split())
    _name, addr = parseaddr(text)
    local, at, domain = addr.rpartition("@")
    if not at or not local or not domain or any(c.isspace() or c in "<>" for c in addr) \
            or "," in text or ";" in text:  # one address per entry, never a list
        raise ValueError(f"not a valid email address: {value!r}")
    return text


def _baseline(value: float) -> str:
    return fmt_num0(value) if value >= 10 or float(value).is_integer() else fmt_num1(value)


def _change(ratio: float) -> str:
    """The ratio as a change: 6.3 -> ``+530%``; empty when the ratio is unknown (0 or less)."""
    if not ratio > 0:
        return ""
    pct = round((ratio - 1) * 100)
    return f"{'+' if pct >= 0 else '−'}{fmt_num0(abs(pct))}%"


def lima_time(moment: datetime) -> str:
    """A naive-UTC moment in Lima time: ``15 ene 2022, 10:00``."""
    local = utc_naive(moment).replace(tzinfo=timezone.utc).astimezone(LIMA)
    return f"{local.day} {MONTHS_ES[local.month - 1]} {local.year}, {local:%H:%M}"


def _truncate(text: str, limit: int = MAX_POST_CHARS) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2:]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip() + "…"


def _http_url(url: str | None) -> str | None:
    """The URL when it is an absolute http(s) URL (the only ones linked), else None."""
    if not url:
        return None
    url = url.strip()
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc \
            or any(c.isspace() or unicodedata.category(c) == "Cc" for c in url):
        return None
    return url


def by_priority(alerts: Sequence[Alert]) -> list[Alert]:
    """Highest severity first, then the largest ratio, then the earliest onset."""
    return sorted(alerts, key=lambda a: (-severity_rank(a.severity), -a.ratio, a.onset, a.alert_id))


# --- email ----------------------------------------------------------------------------------

def _post_view(post: TopPost) -> dict[str, Any]:
    return {
        "author": header_text(post.author) or "—",
        "network": NETWORK_NAMES.get(post.network.lower(), post.network),
        "text": _truncate(header_text(post.text)),
        "url": _http_url(post.url),
        "engagement": fmt_num0(post.engagement),
        "created_at": lima_time(post.created_at),
    }


def _alert_view(alert: Alert) -> dict[str, Any]:
    return {
        "kind": KIND_ES[alert.kind],
        "topic": header_text(alert.topic_label),
        "severity": SEVERITY_ES[alert.severity],
        "colour": SEVERITY_COLOURS[alert.severity],
        "summary": header_text(alert.summary),
        "posts": fmt_num0(alert.posts),
        "baseline": _baseline(alert.baseline),
        "ratio": fmt_num1(alert.ratio) if alert.ratio > 0 else "—",
        "change": _change(alert.ratio),
        "onset": lima_time(alert.onset),
        "last_seen": lima_time(alert.last_seen),
        "top_posts": [_post_view(p) for p in alert.top_posts],
    }


def alert_subject(alerts: Sequence[Alert], more: int = 0) -> str:
    """``[escucha] Alerta alta: congreso +530% (Programa)`` or ``[escucha] 3 alertas: ...``."""
    ordered = by_priority(alerts)
    programme = header_text(ordered[0].programme_label)
    items = [header_text(f"{a.topic_label} {_change(a.ratio)}") for a in ordered]
    if len(ordered) == 1 and not more:
        head = f"[escucha] Alerta {SEVERITY_ES[ordered[0].severity]}: {items[0]}"
    else:
        head = f"[escucha] {len(ordered) + more} alertas: "
        shown: list[str] = []
        for item in items:
            if shown and len(head) + len(", ".join([*shown, item])) > 110:
                break
            shown.append(item)
        rest = len(ordered) + more - len(shown)
        head += ", ".join(shown) + (f" y {rest} más" if rest else "")
    return header_text(f"{head} ({programme})")


def compose_alert_email(alerts: Sequence[Alert], recipients: Sequence[str], sender: str,
                        now: datetime, more: int = 0) -> EmailMessage:
    """One email for a programme's batch of alerts (highest severity first): a plain-text and
    an HTML part (tables, inline styles, 600 px, no scripts, no external references; every
    post text and name escaped). ``more`` counts alerts held for a later email."""
    if not alerts:
        raise ValueError("an alert email needs at least one alert")
    if not recipients:
        raise ValueError("an alert email needs at least one recipient")
    ordered = by_priority(alerts)
    to = [clean_address(r) for r in recipients]
    subject = alert_subject(ordered, more)
    context = {
        "subject": subject,
        "programme": header_text(ordered[0].programme_label),
        "count": len(ordered),
        "alerts": [_alert_view(a) for a in ordered],
        "more": more,
        "now": lima_time(now),
    }
    env = email_environment(TEMPLATES_DIR)
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = clean_address(sender)
    msg["To"] = ", ".join(to)
    msg["Date"] = format_datetime(utc_naive(now).replace(tzinfo=timezone.utc))
    msg["Message-ID"] = make_msgid(domain=parseaddr(msg["From"])[1].rpartition("@")[2] or "localhost")
    msg["Auto-Submitted"] = "auto-generated"
    # quoted-printable, never 8bit: not every relay announces 8BITMIME
    msg.set_content(env.get_template("alert_email.txt").render(context), cte="quoted-printable")
    msg.add_alternative(env.get_template("alert_email.html").render(context), subtype="html",
                        cte="quoted-printable")
    return msg


def _scrub(text: str, settings: SmtpSettings) -> str:
    if settings.password:
        text = text.replace(settings.password, "***")
    return text


def send_email(message: EmailMessage, settings: SmtpSettings) -> None:
    """Send through the SMTP server (STARTTLS, implicit TLS or plain, login when a user is
    set). NotificationError on any failure; its text never holds the password."""
    where = f"{settings.host}:{settings.port}"
    try:
        if settings.security == "tls":
            client: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout,
                                                    context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        with client:
            client.ehlo()
            if settings.security == "starttls":
                if not client.has_extn("starttls"):
                    raise NotificationError(
                        f"SMTP server {where} does not offer STARTTLS; not sending in clear text "
                        "(use ESCUCHA_SMTP_SECURITY=tls for implicit TLS, or none only for a trusted local relay)")
                client.starttls(context=ssl.create_default_context())
                client.ehlo()
            if settings.user:
                if settings.security == "none":
                    log.warning("logging in to SMTP server %s without TLS", where)
                client.login(settings.user, settings.password or "")
            refused = client.send_message(message)
    except NotificationError:
        raise
    except smtplib.SMTPAuthenticationError as exc:
        raise NotificationError(f"SMTP server {where} refused the login for user {settings.user!r} "
                                f"({exc.smtp_code})") from None
    except (smtplib.SMTPException, OSError) as exc:
        detail = _scrub(f"{type(exc).__name__}: {exc}", settings)
        raise NotificationError(f"could not send email through {where}: {detail}") from None
    if refused:
        raise NotificationError(f"SMTP server {where} refused recipients: {', '.join(sorted(refused))}")


# --- webhook --------------------------------------------------------------------------------

def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return utc_naive(value).replace(tzinfo=timezone.utc).isoformat()
    if isinstance(value, TopPost):
        return {k: _json_value(getattr(value, k)) for k in value.__dataclass_fields__}
    if isinstance(value, (tuple, list)):
        return [_json_value(v) for v in value]
    return value


def webhook_payload(alert: Alert) -> dict[str, Any]:
    """The alert's fields as JSON values (ISO 8601 UTC datetimes), plus ``text``: the summary,
    the field Slack and Teams incoming webhooks display."""
    payload = {k: _json_value(getattr(alert, k)) for k in alert.__dataclass_fields__}
    payload["text"] = alert.summary
    return payload


def _redacted(url: str) -> str:
    """scheme://host of a URL: webhook paths often hold a secret token."""
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or '?'}"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a 3xx is an error, not a silent GET elsewhere


def post_webhook(url: str, payload: dict[str, Any], timeout: float = 10) -> None:
    """POST ``payload`` as JSON to an http(s) URL; NotificationError on a non-2xx answer or
    a connection error (the error names only the URL's host)."""
    if _http_url(url) is None:
        raise NotificationError("the webhook URL must be an absolute http:// or https:// URL")
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8", "User-Agent": "escucha-alerts"})
    opener = urllib.request.build_opener(_NoRedirects())
    try:
        with opener.open(request, timeout=timeout) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        raise NotificationError(f"webhook {_redacted(url)} answered HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise NotificationError(f"could not reach webhook {_redacted(url)}: {reason}") from None
    if not 200 <= status < 300:
        raise NotificationError(f"webhook {_redacted(url)} answered HTTP {status}")


# --- dispatch -------------------------------------------------------------------------------

@dataclass
class DispatchReport:
    """What a dispatch did. Counts are per alert and channel, except ``sent_emails`` (messages).
    ``outcomes[alert_id][channel]`` is one of sent, duplicate, suppressed, held (beyond what
    one email details), failed, deferred (not tried after an earlier webhook failure) or
    no_recipients."""

    sent_emails: int = 0
    sent_webhooks: int = 0
    skipped_duplicates: int = 0
    suppressed_by_rate_limit: int = 0
    failures: list[str] = field(default_factory=list)
    outcomes: dict[str, dict[str, str]] = field(default_factory=dict)

    def _mark(self, alerts: Sequence[Alert], channel: str, outcome: str) -> None:
        for a in alerts:
            self.outcomes.setdefault(a.alert_id, {})[channel] = outcome


def _unique(alerts: Sequence[Alert]) -> list[Alert]:
    """One alert per id (the most severe when the caller passes the same id twice)."""
    best: dict[str, Alert] = {}
    for a in alerts:
        if a.alert_id not in best or severity_rank(a.severity) > severity_rank(best[a.alert_id].severity):
            best[a.alert_id] = a
    return list(best.values())


def _rows(alerts: Sequence[Alert], channel: str, status: str, now: datetime, detail: str = "",
          send_id: str | None = None) -> list[LedgerEntry]:
    return [LedgerEntry(a.alert_id, a.severity, channel, status, now, detail, send_id) for a in alerts]


def _new(alerts: Sequence[Alert], channel: str, ledger: NotificationLedger,
         report: DispatchReport) -> list[Alert]:
    fresh = []
    for a in alerts:
        if ledger.already_sent(a.alert_id, a.severity, channel):
            report.skipped_duplicates += 1
            report._mark([a], channel, "duplicate")
        else:
            fresh.append(a)
    return fresh


def _email_programme(alerts: list[Alert], recipients: Sequence[str], channel: str,
                     ledger: NotificationLedger, smtp: SmtpSettings, now: datetime,
                     max_per_hour: int, report: DispatchReport) -> None:
    if not recipients:
        note = f"{channel}: no recipients for programme {alerts[0].programme_id!r}; {len(alerts)} alert(s) not emailed"
        report.failures.append(note)
        report._mark(alerts, channel, "no_recipients")
        ledger.record_batch(_rows(alerts, channel, "failed", now, "no recipients configured"))
        return
    if ledger.sent_since(channel, now - timedelta(hours=1)) >= max_per_hour:
        report.suppressed_by_rate_limit += len(alerts)
        report._mark(alerts, channel, "suppressed")
        ledger.record_batch(_rows(alerts, channel, "suppressed", now,
                                  f"rate limit: {max_per_hour} email(s) per hour reached"))
        return
    detailed, held = alerts[:MAX_DETAILED], alerts[MAX_DETAILED:]
    try:
        send_email(compose_alert_email(detailed, recipients, smtp.sender, now, more=len(held)), smtp)
    except (NotificationError, ValueError) as exc:
        log.warning("alert email for %s failed: %s", channel, exc)
        report.failures.append(f"{channel}: {exc}")
        report._mark(alerts, channel, "failed")
        ledger.record_batch(_rows(alerts, channel, "failed", now, str(exc)))
        return
    report.sent_emails += 1
    report._mark(detailed, channel, "sent")
    report._mark(held, channel, "held")
    report.suppressed_by_rate_limit += len(held)
    ledger.record_batch(_rows(detailed, channel, "sent", now, f"to {len(recipients)} recipient(s)", new_send_id())
                        + _rows(held, channel, "suppressed", now, f"beyond the {MAX_DETAILED} alerts an email details"))
    log.info("alert email for %s sent: %d alert(s), %d held", channel, len(detailed), len(held))


def _webhooks(alerts: list[Alert], url: str, ledger: NotificationLedger, now: datetime,
              max_per_hour: int, report: DispatchReport) -> None:
    channel = WEBHOOK_CHANNEL
    for i, alert in enumerate(alerts):
        if ledger.sent_since(channel, now - timedelta(hours=1)) >= max_per_hour:
            rest = alerts[i:]
            report.suppressed_by_rate_limit += len(rest)
            report._mark(rest, channel, "suppressed")
            ledger.record_batch(_rows(rest, channel, "suppressed", now,
                                      f"rate limit: {max_per_hour} webhook post(s) per hour reached"))
            return
        try:
            post_webhook(url, webhook_payload(alert))
        except NotificationError as exc:
            log.warning("alert webhook failed: %s", exc)
            report.failures.append(f"{channel}: {alert.alert_id}: {exc}")
            report._mark([alert], channel, "failed")
            ledger.record(alert.alert_id, alert.severity, channel, "failed", now, str(exc))
            # the endpoint is likely down: try the rest at the next dispatch, not one timeout each now
            report._mark(alerts[i + 1:], channel, "deferred")
            return
        report.sent_webhooks += 1
        report._mark([alert], channel, "sent")
        ledger.record(alert.alert_id, alert.severity, channel, "sent", now, "", new_send_id())


def dispatch(alerts: Sequence[Alert], recipients_by_programme: Mapping[str, Sequence[str]],
             ledger: NotificationLedger, smtp: SmtpSettings | None, webhook_url: str | None,
             now: datetime, max_emails_per_hour: int = 4) -> DispatchReport:
    """Notify what is new: one email per programme with all its new alerts (channel
    ``email:<programme_id>``; highest severity first, ten detailed, the rest held for the next
    email) and one webhook POST per new alert (channel ``webhook``). Each channel sends at most
    ``max_emails_per_hour`` messages in any hour; held-back alerts stay pending. Email is off
    when ``smtp`` is None, the webhook when ``webhook_url`` is empty. Idempotent."""
    if max_emails_per_hour < 1:
        raise ValueError(f"max_emails_per_hour must be at least 1, got {max_emails_per_hour}")
    now = utc_naive(now)
    report = DispatchReport()
    ordered = by_priority(_unique(alerts))
    if smtp is not None:
        programmes: dict[str, list[Alert]] = {}
        for a in ordered:
            programmes.setdefault(a.programme_id, []).append(a)
        for programme_id, group in programmes.items():
            channel = f"email:{programme_id}"
            fresh = _new(group, channel, ledger, report)
            if fresh:
                _email_programme(fresh, recipients_by_programme.get(programme_id) or [], channel,
                                 ledger, smtp, now, max_emails_per_hour, report)
    if webhook_url:
        fresh = _new(ordered, WEBHOOK_CHANNEL, ledger, report)
        if fresh:
            _webhooks(fresh, webhook_url, ledger, now, max_emails_per_hour, report)
    return report


__all__ = [
    "SEVERITIES", "Alert", "TopPost", "SmtpSettings", "NotificationError", "NotificationLedger",
    "DispatchReport", "compose_alert_email", "alert_subject", "send_email", "post_webhook",
    "webhook_payload", "dispatch",
]
