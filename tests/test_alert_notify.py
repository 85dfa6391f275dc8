"""Alert notifications against real servers: a local SMTP server (aiosmtpd) and a local HTTP
server for the webhook, with the SQLite ledger on disk. No mocks."""
from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.mailserver import Inbox, free_port, local_smtp
from escucha.alerts.notify import (
    Alert,
    NotificationError,
    NotificationLedger,
    SmtpSettings,
    TopPost,
    alert_subject,
    compose_alert_email,
    dispatch,
    post_webhook,
    send_email,
    webhook_payload,
)

NOW = datetime(2024, 5, 6, 16, 0)
GOB = "gobernabilidad"
GOB_TEAM = ["ana@example.org", "luis@example.org"]
AMB_TEAM = ["rosa@example.org"]
POST_URL = "https://x.com/fulano/status/123"
SECRET = "s3cr3t-Pa55"


# --- servers --------------------------------------------------------------------------------

@pytest.fixture
def smtp() -> Iterator[tuple[SmtpSettings, Inbox]]:
    with local_smtp() as (port, inbox):
        yield SmtpSettings(host="127.0.0.1", port=port, security="none", sender="escucha@example.org",
                           timeout=5), inbox


def _authenticator(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"escucha" \
        and auth_data.password == SECRET.encode()
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def smtp_auth() -> Iterator[tuple[SmtpSettings, Inbox]]:
    with local_smtp(auth_require_tls=False, authenticator=_authenticator) as (port, inbox):
        yield SmtpSettings(host="127.0.0.1", port=port, security="none", user="escucha",
                           password=SECRET, sender="escucha@example.org", timeout=5), inbox


@dataclass
class Hook:
    url: str
    bodies: list[dict] = field(default_factory=list)
    content_types: list[str] = field(default_factory=list)
    status: int = 200


@pytest.fixture
def hook(monkeypatch: pytest.MonkeyPatch) -> Iterator[Hook]:
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    state = Hook(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server hook)
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.bodies.append(json.loads(body))
            state.content_types.append(self.headers["Content-Type"])
            self.send_response(state.status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_port}/hooks/T000/secret-token"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def ledger(tmp_path: Path) -> NotificationLedger:
    return NotificationLedger(tmp_path / "home" / "alerts" / "notifications.sqlite")


# --- alerts ---------------------------------------------------------------------------------

def make_alert(alert_id: str = "a1", *, severity: str = "high", topic: str = "congreso",
               programme_id: str = GOB, programme_label: str = "Gobernabilidad democrática",
               posts: int = 412, baseline: float = 65.0, ratio: float = 6.3,
               top_posts: tuple[TopPost, ...] | None = None) -> Alert:
    if top_posts is None:
        top_posts = (
            TopPost("x:123", "x", "@fulano", "Hoy en el congreso <script>alert(1)</script> votan la vacancia",
                    POST_URL, 1234, datetime(2024, 5, 6, 15, 10)),
            TopPost("facebook:9", "facebook", "María <img src=x onerror=alert(2)>", "Mira esto " + "largo " * 80,
                    "javascript:alert(3)", 87, datetime(2024, 5, 6, 15, 20)),
        )
    return Alert(
        alert_id=alert_id, kind="volume_spike", topic_id=topic, topic_label=topic,
        programme_id=programme_id, programme_label=programme_label, severity=severity,  # type: ignore[arg-type]
        onset=datetime(2024, 5, 6, 15, 0), detected_at=datetime(2024, 5, 6, 15, 55),
        last_seen=datetime(2024, 5, 6, 15, 50), posts=posts, baseline=baseline, ratio=ratio,
        summary=f"{topic}: {posts} posts en la hora de las 10:00 (Lima), 6,3 veces lo habitual (65)",
        top_posts=top_posts,
    )


RECIPIENTS = {GOB: GOB_TEAM, "ambiente": AMB_TEAM}


def subject(msg: EmailMessage) -> str:
    """The Subject as read. Python's folder can leave two spaces before an encoded word where it
    breaks a long header (a display detail), so whitespace is compared collapsed."""
    return " ".join(str(msg["Subject"]).split())


def parts(msg: EmailMessage) -> tuple[str, str]:
    text = msg.get_body(preferencelist=("plain",))
    html = msg.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


# --- email ----------------------------------------------------------------------------------

def test_dispatch_emails_each_programme_its_alerts_safely(smtp, ledger) -> None:
    settings, inbox = smtp
    alerts = [make_alert("a1"), make_alert("a2", severity="critical", topic="vacancia", ratio=9.0),
              make_alert("b1", programme_id="ambiente", programme_label="Ambiente", topic="minería")]
    report = dispatch(alerts, RECIPIENTS, ledger, settings, None, NOW)

    assert report.sent_emails == 2 and report.failures == []
    assert report.outcomes["a1"] == {f"email:{GOB}": "sent"}
    by_rcpt = {tuple(r.rcpt_tos): r for r in inbox.received}
    assert set(by_rcpt) == {tuple(GOB_TEAM), tuple(AMB_TEAM)}
    got = by_rcpt[tuple(GOB_TEAM)]
    msg = got.message
    assert got.mail_from == "escucha@example.org" and msg["From"] == "escucha@example.org"
    # highest severity first
    assert subject(msg) == "[escucha] 2 alertas: vacancia +800%, congreso +530% (Gobernabilidad democrática)"
    assert msg.get_content_type() == "multipart/alternative"
    text, html = parts(msg)
    for body in (text, html):
        assert "412" in body and "6,3" in body and "65" in body and "+530%" in body
        assert "15:00" not in body.split("Inicio")[1][:60]  # onset shown in Lima time ...
        assert "6 may 2024, 10:00" in body                   # ... UTC-5
        assert "Severidad alta" in body or "severidad alta" in body
        assert "1\u202f234" in body                          # engagement of the top post
    assert body.index("vacancia") < body.index("congreso +530%")
    # post text and names escaped, nothing executable, no external references
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html.lower()
    assert "<img" not in html.lower() and "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "javascript:" not in html
    refs = re.findall(r"https?://[^\s\"'<>]+", html)
    assert set(refs) == {POST_URL}
    assert f'href="{POST_URL}"' in html
    assert "<link" not in html.lower() and "@import" not in html and "url(" not in html
    widths = [int(w) for w, pct in re.findall(r"width\s*[:=]\s*\"?(\d+)(%?)", html) if not pct]
    assert widths and max(widths) <= 600
    assert "…" in html                                       # the long post is truncated
    assert max(len(line) for line in text.splitlines()) < 400
    # the ledger holds one 'sent' row per alert, sharing the email's send id
    rows = [r for r in ledger.history() if r["channel"] == f"email:{GOB}"]
    assert {(r["alert_id"], r["status"]) for r in rows} == {("a1", "sent"), ("a2", "sent")}
    assert len({r["send_id"] for r in rows}) == 1


def test_subject_for_one_alert_and_more_line() -> None:
    one = compose_alert_email([make_alert()], GOB_TEAM, "escucha@example.org", NOW)
    assert subject(one) == "[escucha] Alerta alta: congreso +530% (Gobernabilidad democrática)"
    assert "alertas más" not in parts(one)[0]
    several = compose_alert_email([make_alert("a1"), make_alert("a2", severity="low", topic="agua", ratio=2.0)],
                                  GOB_TEAM, "escucha@example.org", NOW, more=3)
    assert subject(several).startswith("[escucha] 5 alertas: congreso +530%, agua +100%")
    for body in parts(several):
        assert "y 3 alertas más (límite de envíos alcanzado)" in body
    assert alert_subject([make_alert(ratio=1.0)]) == "[escucha] Alerta alta: congreso +0% (Gobernabilidad democrática)"
    assert alert_subject([make_alert(ratio=0.0)]) == "[escucha] Alerta alta: congreso (Gobernabilidad democrática)"


def test_header_injection_is_neutralised(smtp, ledger) -> None:
    settings, inbox = smtp
    evil = make_alert("a1", topic="congreso\r\nBcc: x@y.org", programme_label="Gob\nCc: z@y.org")
    report = dispatch([evil], RECIPIENTS, ledger, settings, None, NOW)
    assert report.sent_emails == 1
    (got,) = inbox.received
    assert got.rcpt_tos == GOB_TEAM
    assert got.message["Bcc"] is None and got.message["Cc"] is None
    assert subject(got.message) == "[escucha] Alerta alta: congreso Bcc: x@y.org +530% (Gob Cc: z@y.org)"
    # a recipient carrying a second address or an SMTP command is refused, nothing is sent
    for bad in ("ana@example.org\r\nRCPT TO:<evil@y.org>", "ana@example.org, evil@y.org"):
        report = dispatch([make_alert("a9")], {GOB: [bad]}, ledger, settings, None, NOW)
        assert report.sent_emails == 0 and "not a valid email address" in report.failures[0]
    assert len(inbox.received) == 1


def test_second_dispatch_sends_nothing_and_a_severity_rise_sends_again(smtp, ledger) -> None:
    settings, inbox = smtp
    assert dispatch([make_alert()], RECIPIENTS, ledger, settings, None, NOW).sent_emails == 1
    again = dispatch([make_alert()], RECIPIENTS, ledger, settings, None, NOW + timedelta(minutes=5))
    assert again.sent_emails == 0 and again.skipped_duplicates == 1
    assert again.outcomes["a1"][f"email:{GOB}"] == "duplicate"
    # the same alert grows to critical: it goes out again (rate limit allows 4 per hour)
    risen = dispatch([make_alert(severity="critical")], RECIPIENTS, ledger, settings, None, NOW + timedelta(minutes=10))
    assert risen.sent_emails == 1
    assert subject(inbox.received[-1].message).startswith("[escucha] Alerta crítica: congreso")
    # falling back to medium is not news
    fallen = dispatch([make_alert(severity="medium")], RECIPIENTS, ledger, settings, None, NOW + timedelta(minutes=15))
    assert fallen.sent_emails == 0 and fallen.skipped_duplicates == 1
    assert len(inbox.received) == 2


def test_rate_limit_holds_alerts_until_the_hour_has_passed(smtp, ledger) -> None:
    settings, inbox = smtp
    first = dispatch([make_alert("a1")], RECIPIENTS, ledger, settings, None, NOW, max_emails_per_hour=1)
    assert first.sent_emails == 1
    later = NOW + timedelta(minutes=20)
    held = dispatch([make_alert("a1"), make_alert("a2", topic="vacancia")], RECIPIENTS, ledger, settings, None,
                    later, max_emails_per_hour=1)
    assert held.sent_emails == 0 and held.suppressed_by_rate_limit == 1 and held.skipped_duplicates == 1
    assert held.outcomes["a2"][f"email:{GOB}"] == "suppressed"
    assert len(inbox.received) == 1
    assert [r["status"] for r in ledger.history() if r["alert_id"] == "a2"] == ["suppressed"]
    assert ledger.sent_since(f"email:{GOB}", later - timedelta(hours=1)) == 1
    # an hour after the first email the held alert goes out, alone
    freed = dispatch([make_alert("a1"), make_alert("a2", topic="vacancia")], RECIPIENTS, ledger, settings, None,
                     NOW + timedelta(hours=1), max_emails_per_hour=1)
    assert freed.sent_emails == 1
    assert subject(inbox.received[-1].message).startswith("[escucha] Alerta alta: vacancia")
    assert "congreso +530%" not in parts(inbox.received[-1].message)[0]


def test_beyond_ten_alerts_the_rest_wait_for_the_next_email(smtp, ledger) -> None:
    settings, inbox = smtp
    alerts = [make_alert(f"a{i:02d}", topic=f"tema{i}", ratio=2.0 + i, top_posts=()) for i in range(12)]
    report = dispatch(alerts, RECIPIENTS, ledger, settings, None, NOW)
    assert report.sent_emails == 1 and report.suppressed_by_rate_limit == 2
    text, html = parts(inbox.received[0].message)
    assert "y 2 alertas más (límite de envíos alcanzado)" in text and "tema0" not in text
    assert subject(inbox.received[0].message).startswith("[escucha] 12 alertas: tema11 +1 200%, tema10 +1 100%")
    nxt = dispatch(alerts, RECIPIENTS, ledger, settings, None, NOW + timedelta(minutes=5))
    assert nxt.sent_emails == 1 and nxt.skipped_duplicates == 10
    assert subject(inbox.received[1].message).startswith("[escucha] 2 alertas: tema1 +200%, tema0 +100%")


def test_programme_without_recipients_is_a_failure_note(smtp, ledger) -> None:
    settings, inbox = smtp
    alerts = [make_alert("a1"), make_alert("c1", programme_id="salud", programme_label="Salud")]
    report = dispatch(alerts, RECIPIENTS, ledger, settings, None, NOW)
    assert report.sent_emails == 1
    assert report.failures == ["email:salud: no recipients for programme 'salud'; 1 alert(s) not emailed"]
    assert report.outcomes["c1"]["email:salud"] == "no_recipients"
    assert [r.rcpt_tos for r in inbox.received] == [GOB_TEAM]


def test_starttls_required_but_not_offered(smtp) -> None:
    settings, inbox = smtp
    msg = compose_alert_email([make_alert()], GOB_TEAM, settings.sender, NOW)
    with pytest.raises(NotificationError, match="does not offer STARTTLS"):
        send_email(msg, replace(settings, security="starttls"))
    assert inbox.received == []


def test_login_works_and_the_password_never_shows(smtp_auth, ledger, caplog) -> None:
    settings, inbox = smtp_auth
    assert SECRET not in repr(settings) and SECRET not in str(settings)
    report = dispatch([make_alert()], RECIPIENTS, ledger, settings, None, NOW)
    assert report.sent_emails == 1 and len(inbox.received) == 1
    wrong = replace(settings, password="wrong-" + SECRET)
    msg = compose_alert_email([make_alert()], GOB_TEAM, settings.sender, NOW)
    with pytest.raises(NotificationError) as info:
        send_email(msg, wrong)
    assert "refused the login" in str(info.value)
    assert SECRET not in str(info.value) and SECRET not in repr(info.value) and info.value.__cause__ is None
    failed = dispatch([make_alert("a2")], RECIPIENTS, ledger, wrong, None, NOW)
    assert failed.sent_emails == 0 and len(failed.failures) == 1
    assert SECRET not in " ".join(failed.failures) + caplog.text + json.dumps(ledger.history(), default=str)


def test_smtp_down_is_recorded_does_not_stop_the_webhook_and_is_retried(smtp, hook, ledger) -> None:
    settings, inbox = smtp
    down = replace(settings, port=free_port())
    report = dispatch([make_alert()], RECIPIENTS, ledger, down, hook.url, NOW)
    assert report.sent_emails == 0 and report.sent_webhooks == 1
    assert report.failures[0].startswith(f"email:{GOB}: could not send email through 127.0.0.1:")
    assert [(r["channel"], r["status"]) for r in ledger.history()] == [(f"email:{GOB}", "failed"), ("webhook", "sent")]
    retry = dispatch([make_alert()], RECIPIENTS, ledger, settings, hook.url, NOW + timedelta(minutes=5))
    assert retry.sent_emails == 1 and retry.sent_webhooks == 0 and retry.skipped_duplicates == 1
    assert len(inbox.received) == 1 and len(hook.bodies) == 1


# --- webhook --------------------------------------------------------------------------------

def test_webhook_posts_each_new_alert_as_json(hook, ledger) -> None:
    alerts = [make_alert("a1"), make_alert("a2", severity="critical", topic="vacancia")]
    report = dispatch(alerts, RECIPIENTS, ledger, None, hook.url, NOW)
    assert report.sent_webhooks == 2 and report.sent_emails == 0
    assert hook.content_types == ["application/json; charset=utf-8"] * 2
    first = hook.bodies[0]
    assert first["alert_id"] == "a2" and first["severity"] == "critical"
    second = hook.bodies[1]
    assert second["text"] == alerts[0].summary
    assert second["onset"] == "2024-05-06T15:00:00+00:00"
    assert second["posts"] == 412 and second["baseline"] == 65.0 and second["ratio"] == 6.3
    assert second["programme_label"] == "Gobernabilidad democrática"
    assert second["top_posts"][0]["text"].startswith("Hoy en el congreso <script>")
    assert second["top_posts"][0]["created_at"] == "2024-05-06T15:10:00+00:00"
    assert second == json.loads(json.dumps(webhook_payload(alerts[0])))
    assert dispatch(alerts, RECIPIENTS, ledger, None, hook.url, NOW).sent_webhooks == 0
    assert len(hook.bodies) == 2


def test_webhook_error_is_recorded_and_retried(hook, ledger) -> None:
    hook.status = 500
    alerts = [make_alert("a1"), make_alert("a2", topic="vacancia", severity="low")]
    report = dispatch(alerts, RECIPIENTS, ledger, None, hook.url, NOW)
    assert report.sent_webhooks == 0
    assert report.failures == ["webhook: a1: webhook http://127.0.0.1 answered HTTP 500"]
    assert report.outcomes["a2"]["webhook"] == "deferred"   # not hammered while it is down
    assert "secret-token" not in json.dumps(ledger.history(), default=str)
    hook.status = 200
    retry = dispatch(alerts, RECIPIENTS, ledger, None, hook.url, NOW + timedelta(minutes=5))
    assert retry.sent_webhooks == 2 and retry.failures == []
    assert [b["alert_id"] for b in hook.bodies] == ["a1", "a1", "a2"]


def test_webhook_rate_limit(hook, ledger) -> None:
    alerts = [make_alert(f"a{i}", topic=f"t{i}") for i in range(3)]
    report = dispatch(alerts, RECIPIENTS, ledger, None, hook.url, NOW, max_emails_per_hour=2)
    assert report.sent_webhooks == 2 and report.suppressed_by_rate_limit == 1
    later = dispatch(alerts, RECIPIENTS, ledger, None, hook.url, NOW + timedelta(hours=1), max_emails_per_hour=2)
    assert later.sent_webhooks == 1 and later.skipped_duplicates == 2


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x", "javascript:alert(1)", "127.0.0.1:80/x", ""])
def test_webhook_only_accepts_http_urls(url, ledger) -> None:
    with pytest.raises(NotificationError, match="http:// or https://"):
        post_webhook(url, {"text": "hola"})
    if url:
        report = dispatch([make_alert()], RECIPIENTS, ledger, None, url, NOW)
        assert report.sent_webhooks == 0 and "http:// or https://" in report.failures[0]


def test_webhook_connection_refused() -> None:
    with pytest.raises(NotificationError, match="could not reach webhook http://127.0.0.1"):
        post_webhook(f"http://127.0.0.1:{free_port()}/x", {"text": "hola"}, timeout=2)


# --- settings and ledger --------------------------------------------------------------------

def test_smtp_settings_from_env() -> None:
    assert SmtpSettings.from_env({}) is None
    assert SmtpSettings.from_env({"ESCUCHA_SMTP_HOST": "  "}) is None
    s = SmtpSettings.from_env({"ESCUCHA_SMTP_HOST": "smtp.example.org", "ESCUCHA_SMTP_USER": "bot",
                               "ESCUCHA_SMTP_PASSWORD": SECRET, "ESCUCHA_SMTP_FROM": "Escucha <alertas@example.org>"})
    assert s is not None
    assert (s.host, s.port, s.security, s.user, s.password, s.sender) == (
        "smtp.example.org", 587, "starttls", "bot", SECRET, "Escucha <alertas@example.org>")
    assert SECRET not in repr(s)
    tls = SmtpSettings.from_env({"ESCUCHA_SMTP_HOST": "h", "ESCUCHA_SMTP_SECURITY": "TLS"})
    assert tls is not None and (tls.security, tls.port) == ("tls", 465)
    with pytest.raises(ValueError, match="ESCUCHA_SMTP_PORT must be a whole number between 1 and 65535, got 'abc'"):
        SmtpSettings.from_env({"ESCUCHA_SMTP_HOST": "h", "ESCUCHA_SMTP_PORT": "abc"})
    with pytest.raises(ValueError, match="ESCUCHA_SMTP_PORT"):
        SmtpSettings.from_env({"ESCUCHA_SMTP_HOST": "h", "ESCUCHA_SMTP_PORT": "70000"})
    with pytest.raises(ValueError, match="ESCUCHA_SMTP_SECURITY must be one of starttls, tls, none"):
        SmtpSettings.from_env({"ESCUCHA_SMTP_HOST": "h", "ESCUCHA_SMTP_SECURITY": "ssl3"})
    with pytest.raises(ValueError, match="go together") as info:
        SmtpSettings.from_env({"ESCUCHA_SMTP_HOST": "h", "ESCUCHA_SMTP_PASSWORD": SECRET})
    assert SECRET not in str(info.value)
    with pytest.raises(ValueError, match="not a valid email address"):
        SmtpSettings.from_env({"ESCUCHA_SMTP_HOST": "h", "ESCUCHA_SMTP_FROM": "nobody"})


def test_ledger_file_is_shared_safely(ledger, tmp_path: Path) -> None:
    assert ledger.path.parent.is_dir()
    with sqlite3.connect(ledger.path) as con:
        assert con.execute("pragma journal_mode").fetchone()[0] == "wal"
    other = NotificationLedger(ledger.path)  # a second process opening the same file
    other.record("a1", "medium", "webhook", "sent", NOW, send_id="s1")
    assert ledger.already_sent("a1", "low", "webhook") and ledger.already_sent("a1", "medium", "webhook")
    assert not ledger.already_sent("a1", "high", "webhook")
    assert not ledger.already_sent("a1", "medium", "email:x")
    ledger.record("a2", "high", "webhook", "failed", NOW, detail="boom")
    assert not ledger.already_sent("a2", "high", "webhook")
    assert ledger.sent_since("webhook", NOW - timedelta(minutes=1)) == 1
    assert ledger.sent_since("webhook", NOW) == 0
    with pytest.raises(ValueError, match="unknown status"):
        ledger.record("a3", "high", "webhook", "maybe", NOW)
    assert [r["alert_id"] for r in ledger.history()] == ["a1", "a2"]
