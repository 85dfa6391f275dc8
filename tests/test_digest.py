"""The weekly digest against a small warehouse built here (marts tables created with SQL), sent
through a real local SMTP server (aiosmtpd) by the real CLI and the real Dagster job. No mocks."""
from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import getaddresses
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import duckdb
import pytest

from escucha.cli import main
from escucha.home import DataHome, data_home
from orchestration.digest import weekly_digest, weekly_digest_schedule
from orchestration.resources import EscuchaHome
from reports.digest import build_digest, compose_digest_email, fmt_change, week_before, week_containing
from reports.render import fmt_num0
from tests.mailserver import Inbox, free_port, local_smtp

FIRST_DAY = date(2021, 10, 18)      # a Monday: 13 weeks of data up to WEEK_END
WEEK_START, WEEK_END = date(2022, 1, 10), date(2022, 1, 16)
PREVIOUS_START = WEEK_START - timedelta(days=7)
GAP_DAY = date(2022, 1, 12)         # facebook collected nothing that day
ALFA_TEAM = ["rosa.huaman@example.org", "diego.salazar@example.org", "alfa@example.org"]
BETA_TEAM = ["ana.torres@example.org"]
SECRET = "s3cr3t-Pa55"
EMOJI = "\U0001F600"
HOSTILE_TEXT = ("<script>alert(1)</script> <img src=x onerror=alert(1)> \u202edesrever\u202c "
                "zero\u200dwidth " + EMOJI * 10_000)
HOSTILE_HANDLE = "<b>h4x</b>\u202e\u200d" + EMOJI * 60

PROGRAMMES_YAML = f"""
programmes:
  alfa:
    label: Gobernabilidad democrática
    focal_points: [rosa.huaman@example.org]
    recipients: [{", ".join(ALFA_TEAM)}]
  beta:
    label: "Ambiente\\r\\nBcc: intruso@example.org"
    focal_points: [ana.torres@example.org]
    recipients: [{", ".join(BETA_TEAM)}]
topics:
  congreso: {{label: Congreso, programme: alfa, query: congreso}}
  elecciones: {{label: Elecciones, programme: alfa, query: elecciones}}
  derrame: {{label: Derrame de petróleo, programme: beta, query: derrame}}
"""

WAREHOUSE_SQL = f"""
create schema marts;

create table marts.dim_topics as
select * from (values
    ('congreso', 'Congreso', 'alfa', 1),
    ('elecciones', 'Elecciones', 'alfa', 1),
    ('derrame', 'Derrame de petróleo', 'beta', 2)
) as t(topic_id, topic_label, programme_id, topic_version);

-- 13 weeks x 7 days x 2 networks x 3 topics; congreso doubles in the last week, elecciones is flat,
-- derrame jumps from x only to both networks; facebook has a collection gap on {GAP_DAY}.
create table marts.fct_topic_daily as
with days as (
    select cast(d as date) as day
    from range(date '{FIRST_DAY}', date '{WEEK_END}' + interval 1 day, interval 1 day) as r(d)
),
grid as (
    select days.day, t.topic_id, n.network
    from days
    cross join (values ('congreso'), ('elecciones'), ('derrame')) as t(topic_id)
    cross join (values ('x'), ('facebook')) as n(network)
),
counted as (
    select
        day, topic_id, network,
        case
            when topic_id = 'derrame' and day >= date '2022-01-13' then 2
            when topic_id = 'derrame' then 1
            else 1
        end as topic_version,
        case
            when topic_id = 'congreso' and day >= date '{WEEK_START}' then 20
            when topic_id = 'congreso' then 10 + (dayofyear(day) % 3)
            when topic_id = 'elecciones' then 5
            when day >= date '{WEEK_START}' then 30
            when network = 'x' then 3
            else 0
        end as posts
    from grid
    where not (network = 'facebook' and day = date '{GAP_DAY}')
)
select
    day, topic_id, network, topic_version,
    cast(posts as bigint) as posts,
    cast(case when topic_id = 'congreso' and day >= date '{WEEK_START}' then posts * 3 // 4
              else posts // 2 end as bigint) as positive_posts,
    cast(posts // 4 as bigint) as negative_posts,
    0.0 as net_sentiment,
    0.0 as share_of_voice
from counted
where posts > 0;

create table marts.fct_collection_daily as
select cast(d as date) as day, n.network, 1 as files, 10 as rows_collected, 10 as posts,
       not (n.network = 'facebook' and cast(d as date) = date '{GAP_DAY}') as has_collection
from range(date '{FIRST_DAY}', date '{WEEK_END}' + interval 1 day, interval 1 day) as r(d)
cross join (values ('x'), ('facebook')) as n(network);

create table marts.dim_authors (
    author_key varchar, network varchar, handle varchar, display_name varchar, followers bigint
);
insert into marts.dim_authors values
    ('x:hostile', 'x', '{HOSTILE_HANDLE}', 'Cuenta <i>hostil</i>', 10),
    ('x:prensa', 'x', 'prensa_peru', 'Prensa Perú', 5000),
    ('facebook:vecinos', 'facebook', 'vecinos_ventanilla', 'Vecinos de Ventanilla', 800);

create table marts.fct_posts (
    post_key varchar, network varchar, created_at timestamp, created_date_lima date,
    author_key varchar, text varchar, engagement bigint
);
insert into marts.fct_posts values
    ('x:1', 'x', timestamp '2022-01-11 15:00:00', date '2022-01-11', 'x:hostile', '{HOSTILE_TEXT}', 9000),
    ('x:2', 'x', timestamp '2022-01-12 15:00:00', date '2022-01-12', 'x:prensa',
        'El pleno del congreso vota hoy la moción', 700),
    ('x:3', 'x', timestamp '2022-01-13 15:00:00', date '2022-01-13', 'x:prensa',
        'Congreso: segunda votación', 300),
    ('x:4', 'x', timestamp '2022-01-14 15:00:00', date '2022-01-14', 'x:prensa',
        'Publicación irrelevante con muchas interacciones', 99999),
    ('x:5', 'x', timestamp '2022-01-05 15:00:00', date '2022-01-05', 'x:prensa',
        'Publicación de la semana anterior', 88888),
    ('facebook:1', 'facebook', timestamp '2022-01-15 15:00:00', date '2022-01-15', 'facebook:vecinos',
        'Derrame en Ventanilla: las playas siguen cerradas', 1200);

create table marts.fct_post_topics (
    post_key varchar, topic_id varchar, topic_version bigint, created_date_lima date, is_relevant boolean
);
insert into marts.fct_post_topics values
    ('x:1', 'congreso', 1, date '2022-01-11', true),
    ('x:2', 'congreso', 1, date '2022-01-12', true),
    ('x:3', 'congreso', 1, date '2022-01-13', true),
    ('x:4', 'congreso', 1, date '2022-01-14', false),
    ('x:5', 'congreso', 1, date '2022-01-05', true),
    ('facebook:1', 'derrame', 2, date '2022-01-15', true);

create table marts.fct_alerts (
    alert_id varchar, kind varchar, topic_id varchar, topic_label varchar, programme_id varchar,
    severity varchar, onset timestamp, detected_at timestamp, last_seen timestamp,
    peak_posts bigint, baseline double, ratio double, post_key varchar
);
insert into marts.fct_alerts values
    -- in the week
    ('volume:congreso:2022-01-11T15', 'volume_spike', 'congreso', 'Congreso', 'alfa', 'high',
        timestamp '2022-01-11 15:00', timestamp '2022-01-11 16:00', timestamp '2022-01-12 15:00', 90, 10.0, 9.0, null),
    -- Sunday 22:00 in Lima is Monday 03:00 UTC: still in the week
    ('viral:congreso:x:1', 'viral_post', 'congreso', 'Congreso', 'alfa', 'medium',
        timestamp '2022-01-17 03:00', timestamp '2022-01-17 04:00', timestamp '2022-01-17 04:00',
        9000, 100.0, 90.0, 'x:1'),
    -- a spike that began the week before and went on into this one
    ('volume:elecciones:2022-01-08T10', 'volume_spike', 'elecciones', 'Elecciones', 'alfa', 'low',
        timestamp '2022-01-08 10:00', timestamp '2022-01-08 11:00', timestamp '2022-01-11 10:00', 40, 8.0, 5.0, null),
    -- not in the week: Monday 01:00 in Lima; an old viral post collected again during the week
    ('viral:congreso:x:2', 'viral_post', 'congreso', 'Congreso', 'alfa', 'critical',
        timestamp '2022-01-17 06:00', timestamp '2022-01-17 07:00', timestamp '2022-01-17 07:00',
        700, 10.0, 70.0, 'x:2'),
    ('viral:congreso:x:5', 'viral_post', 'congreso', 'Congreso', 'alfa', 'high',
        timestamp '2022-01-05 15:00', timestamp '2022-01-05 16:00', timestamp '2022-01-13 16:00',
        8000, 100.0, 80.0, 'x:5');
"""

# The alerts of programme alfa that belong to the week, computed independently of the digest's query.
ALERTS_IN_WEEK_SQL = """
select count(*) from marts.fct_alerts
where programme_id = ?
  and cast(onset - interval 5 hour as date) <= ?
  and (cast(onset - interval 5 hour as date) >= ?
       or (kind = 'volume_spike' and cast(last_seen - interval 5 hour as date) >= ?))
"""


# --------------------------------------------------------------------------- fixtures


@pytest.fixture
def digest_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DataHome:
    """A data home whose warehouse holds the marts the digest reads, and a programmes file."""
    home = data_home(tmp_path / "home").ensure()
    with duckdb.connect(str(home.warehouse)) as con:
        con.execute(WAREHOUSE_SQL)
    config = tmp_path / "programmes.yaml"
    config.write_text(PROGRAMMES_YAML, encoding="utf-8")
    monkeypatch.setenv("ESCUCHA_PROGRAMMES", str(config))
    monkeypatch.setenv("ESCUCHA_HOME", str(home.root))
    for name in ("HOST", "PORT", "SECURITY", "USER", "PASSWORD", "FROM"):
        monkeypatch.delenv(f"ESCUCHA_SMTP_{name}", raising=False)
    return home


@pytest.fixture
def smtp_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    with local_smtp() as (port, inbox):
        monkeypatch.setenv("ESCUCHA_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("ESCUCHA_SMTP_PORT", str(port))
        monkeypatch.setenv("ESCUCHA_SMTP_SECURITY", "none")
        monkeypatch.setenv("ESCUCHA_SMTP_FROM", "escucha@example.org")
        yield inbox


def sql_one(home: DataHome, sql: str, params: list) -> object:
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        return con.execute(sql, params).fetchone()[0]


def parts(message: EmailMessage) -> tuple[str, str]:
    """(text, html) of a multipart/alternative message."""
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


class Page(HTMLParser):
    """Tags, attributes and visible text of an HTML document."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def assert_email_safe(html: str) -> Page:
    page = Page(html)
    names = {tag for tag, _ in page.tags}
    assert "svg" in names and "polyline" in names, "a sparkline per topic"
    assert not names & {"script", "style", "link", "img", "iframe", "object", "embed", "form", "base"}
    for tag, attrs in page.tags:
        assert not any(a.startswith("on") for a in attrs), (tag, attrs)
        for a in ("src", "href", "background", "xmlns"):
            assert not re.match(r"\s*(https?:)?//", attrs.get(a) or ""), (tag, a, attrs[a])
        if attrs.get("width", "").isdigit():
            assert int(attrs["width"]) <= 600, (tag, attrs)
        for px in re.findall(r"(?:^|[;\s])(?:max-)?width:\s*(\d+)px", attrs.get("style") or ""):
            assert int(px) <= 600, (tag, attrs["style"])
    assert "<script" not in html.lower() and "<style" not in html.lower()
    assert "url(" not in html and "@import" not in html
    return page


# --------------------------------------------------------------------------- weeks


def test_weeks_are_monday_to_sunday_in_lima() -> None:
    assert week_before(date(2022, 1, 17)) == (WEEK_START, WEEK_END)      # on a Monday: the week just ended
    assert week_before(date(2022, 1, 16)) == (date(2022, 1, 3), date(2022, 1, 9))  # Sunday: not complete yet
    assert week_containing(date(2022, 1, 12)) == (WEEK_START, WEEK_END)


# --------------------------------------------------------------------------- send


def test_send_emails_the_programmes_digest(digest_home: DataHome, smtp_env: Inbox,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--home", str(digest_home.root), "digest", "send", "--programme", "alfa",
                 "--week-of", "2022-01-12"])
    assert code == 0, capsys.readouterr().err
    assert len(smtp_env.received) == 1
    got = smtp_env.received[0]
    msg = got.message
    assert msg["Subject"] == "[escucha] Resumen semanal — Gobernabilidad democrática — 10–16 ene 2022"
    assert sorted(got.rcpt_tos) == sorted(ALFA_TEAM)
    assert sorted(a for _, a in getaddresses([msg["To"]])) == sorted(ALFA_TEAM)
    assert msg["From"] == "escucha@example.org" and msg["Auto-Submitted"] == "auto-generated"
    text, html = parts(msg)
    page = assert_email_safe(html)

    # numbers: the week's posts of a topic, its change on the week before, the alerts
    posts = sql_one(digest_home, "select sum(posts) from marts.fct_topic_daily where topic_id = ? "
                                 "and day between ? and ?", ["congreso", WEEK_START, WEEK_END])
    previous = sql_one(digest_home, "select sum(posts) from marts.fct_topic_daily where topic_id = ? "
                                    "and day between ? and ?", ["congreso", PREVIOUS_START, WEEK_START - timedelta(1)])
    # 20/day on two networks but none on the gap day, against 10-12/day the week before
    assert (posts, round((posts - previous) / previous * 100)) == (260, 71)
    alerts = sql_one(digest_home, ALERTS_IN_WEEK_SQL, ["alfa", WEEK_END, WEEK_START, WEEK_START])
    assert alerts == 3
    for body in (html, text):
        assert f"Congreso: {fmt_num0(posts)} publicaciones" in text
        assert fmt_change((posts - previous) / previous) in body and "+71\u00a0%" in body
        assert f"{alerts} alertas esta semana" in body
        assert "Severidad alta" in body and "Severidad crítica" not in body
        assert "(empezó antes de esta semana)" in body           # the spike that began the week before
        assert "16 ene 2022 a las 22:00" in body                 # Monday 03:00 UTC, shown in Lima time
    visible = "".join(page.text)
    assert re.search(r"260\s*publicaciones\s*\+71\s%", visible)
    # the sparkline's numbers in text: twelve weeks, the last one this week's
    assert re.search(r"\(12 semanas\): (?:\d+ · ){11}260", visible)
    assert visible.count("(12 semanas)") == 2                    # congreso and elecciones
    # the biggest movement first; posts of the week only, relevant ones only
    assert visible.index("Congreso") < visible.index("Elecciones")
    assert "Publicación irrelevante" not in html
    assert "Publicación de la semana anterior" not in html
    assert "Facebook (12 ene 2022)" in visible                   # the collection gap
    assert "Congreso v1" in visible
    # the text part has the same figures and no markup
    assert "Publicaciones por semana (12 semanas):" in text
    assert not re.search(r"<\s*[a-zA-Z/!]", text)


def test_hostile_post_text_and_handle_are_escaped_and_clipped(digest_home: DataHome, smtp_env: Inbox) -> None:
    assert main(["--home", str(digest_home.root), "digest", "send", "--programme", "alfa",
                 "--week-of", "2022-01-10"]) == 0
    text, html = parts(smtp_env.received[0].message)
    page = assert_email_safe(html)
    visible = "".join(page.text)
    # shown as text, never as markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" in visible and "<img src=x onerror=alert(1)>" in visible
    assert "&lt;b&gt;h4x&lt;/b&gt;" in html and "b" not in {tag for tag, _ in page.tags}
    # invisible controls dropped: no right-to-left override anywhere, no joiner in the handle
    for body in (html, text):
        assert "\u202e" not in body and "\u202c" not in body
    assert "@<b>h4x</b>" + EMOJI in visible and "h4x</b>\u200d" not in visible
    # clipped: 10 000 emoji become at most 200 characters ending in an ellipsis
    line = next(t for t in page.text if "alert(1)" in t and "desrever" in t)
    assert len(line.strip()) <= 200 and line.strip().endswith("…")
    assert html.count(EMOJI) < 400 and text.count(EMOJI) < 400
    assert len(html) < 100_000, "Gmail clips messages over ~102 kB"
    # the text part: the same post, with no tag a client could read
    assert "‹script›alert(1)‹/script›" in text
    assert not re.search(r"<\s*[a-zA-Z/!]", text)


def test_send_all_and_header_safe_subject(digest_home: DataHome, smtp_env: Inbox) -> None:
    assert main(["--home", str(digest_home.root), "digest", "send", "--all", "--week-of", "2022-01-10",
                 "--lang", "en"]) == 0
    by_subject = {r.message["Subject"]: r for r in smtp_env.received}
    assert set(by_subject) == {
        "[escucha] Weekly digest — Gobernabilidad democrática — 10–16 Jan 2022",
        "[escucha] Weekly digest — Ambiente Bcc: intruso@example.org — 10–16 Jan 2022",
    }
    beta = by_subject["[escucha] Weekly digest — Ambiente Bcc: intruso@example.org — 10–16 Jan 2022"]
    assert beta.rcpt_tos == BETA_TEAM and beta.message["Bcc"] is None
    text, html = parts(beta.message)
    assert_email_safe(html)
    assert "There were no alerts this week." in text and "No alerts this week." in html
    assert "Derrame de petróleo: 390 posts (+1,757%; week before: 21)" in text  # 30/day but the gap vs 3/day on x
    assert "Derrame de petróleo v1–v2" in text                                  # a new version mid-week


def test_send_without_smtp_exits_2(digest_home: DataHome, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--home", str(digest_home.root), "digest", "send", "--programme", "alfa"]) == 2
    err = capsys.readouterr().err
    assert "no SMTP server configured" in err and "ESCUCHA_SMTP_HOST" in err


def test_send_failure_exits_1_without_the_password(digest_home: DataHome, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("ESCUCHA_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("ESCUCHA_SMTP_PORT", str(free_port()))   # nothing listens there
    monkeypatch.setenv("ESCUCHA_SMTP_SECURITY", "none")
    monkeypatch.setenv("ESCUCHA_SMTP_USER", "escucha")
    monkeypatch.setenv("ESCUCHA_SMTP_PASSWORD", SECRET)
    assert main(["--home", str(digest_home.root), "digest", "send", "--programme", "alfa"]) == 1
    out = capsys.readouterr()
    assert "not sent" in out.err and SECRET not in out.err + out.out


def test_unknown_programme_exits_2(digest_home: DataHome, smtp_env: Inbox,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--home", str(digest_home.root), "digest", "send", "--programme", "nadie"]) == 2
    assert "unknown programme 'nadie'" in capsys.readouterr().err
    assert smtp_env.received == []


# --------------------------------------------------------------------------- preview and build


def test_preview_writes_html_and_text(digest_home: DataHome, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--home", str(digest_home.root), "digest", "preview", "--programme", "alfa"]) == 0
    path = Path(capsys.readouterr().out.strip())
    assert path == digest_home.reports / "digest-alfa-2022-01-10.html"   # the last complete week in the data
    assert_email_safe(path.read_text(encoding="utf-8"))
    assert "Resumen semanal" in path.with_suffix(".txt").read_text(encoding="utf-8")

    out = digest_home.root / "elsewhere" / "d.html"
    assert main(["--home", str(digest_home.root), "digest", "preview", "--programme", "beta",
                 "--week-of", "2022-01-05", "--lang", "en", "--out", str(out)]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    assert "Week 3–9 Jan 2022" in out.read_text(encoding="utf-8")
    assert out.with_suffix(".txt").is_file()


def test_build_digest_and_compose(digest_home: DataHome) -> None:
    digest = build_digest(digest_home.warehouse, "alfa", as_of=date(2022, 1, 17),
                          generated_at=datetime(2022, 1, 17, 8, tzinfo=ZoneInfo("America/Lima")))
    assert (digest.week_start, digest.week_end, digest.recipients) == (WEEK_START, WEEK_END, tuple(ALFA_TEAM))
    assert (digest.topics, digest.alerts) == (2, 3)
    assert "17 ene 2022 a las 08:00" in digest.text
    msg = compose_digest_email(digest, "Escucha <escucha@example.org>")
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    with pytest.raises(ValueError):
        compose_digest_email(digest, "escucha@example.org\r\nBcc: x@example.org")


# --------------------------------------------------------------------------- Dagster


def test_schedule_settings_and_tick(digest_home: DataHome, smtp_env: Inbox) -> None:
    assert isinstance(weekly_digest_schedule, dg.ScheduleDefinition)
    assert weekly_digest_schedule.cron_schedule == "0 8 * * 1"
    assert weekly_digest_schedule.execution_timezone == "America/Lima"
    assert weekly_digest_schedule.job_name == "weekly_digest"
    assert weekly_digest_schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    monday = datetime(2022, 1, 17, 8, 0, tzinfo=ZoneInfo("America/Lima"))
    with dg.build_schedule_context(scheduled_execution_time=monday) as context:
        data = weekly_digest_schedule.evaluate_tick(context)
    [request] = data.run_requests
    assert isinstance(request, dg.RunRequest)
    assert request.run_key == "digest:2022-01-10"
    assert request.run_config == {"ops": {"send_weekly_digests": {"config": {"as_of": "2022-01-17"}}}}


def test_schedule_skips_without_smtp(digest_home: DataHome) -> None:
    monday = datetime(2022, 1, 17, 8, tzinfo=ZoneInfo("America/Lima"))
    with dg.build_schedule_context(scheduled_execution_time=monday) as context:
        data = weekly_digest_schedule.evaluate_tick(context)
    assert not data.run_requests and "ESCUCHA_SMTP_HOST" in (data.skip_message or "")


def test_job_sends_every_programme(digest_home: DataHome, smtp_env: Inbox) -> None:
    result = weekly_digest.execute_in_process(
        run_config={"ops": {"send_weekly_digests": {"config": {"as_of": "2022-01-17"}}}},
        resources={"escucha_home": EscuchaHome(root=str(digest_home.root))},
    )
    assert result.success
    assert result.output_for_node("send_weekly_digests") == 2
    assert sorted(r.message["Subject"].split(" — ")[1] for r in smtp_env.received) == [
        "Ambiente Bcc: intruso@example.org", "Gobernabilidad democrática"]
    assert sorted(a for r in smtp_env.received for a in r.rcpt_tos) == sorted(ALFA_TEAM + BETA_TEAM)
