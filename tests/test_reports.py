"""Report layer: the overview page renders the warehouse's numbers, safely and offline."""
from __future__ import annotations

import hashlib
import re
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from reports import render
from reports.render import (
    LIMA,
    clip,
    connect_readonly,
    fmt_date,
    fmt_month,
    fmt_num0,
    fmt_pct1,
    load_query,
    overview_params,
    render_index,
    render_overview,
    run_queries,
)

NNBSP = "\u202f"  # Spanish thousands separator (narrow no-break space)
NBSP = "\u00a0"
HOSTILE_TEXT = '<script>alert("x")</script><b>bold</b>'
HOSTILE_NAME = "<img src=x onerror=alert(1)>"
HOSTILE_TOPIC = "Agua & <saneamiento>"
FIRST_DAY = date(2022, 1, 1)
N_DAYS = 60
NETWORKS = ("x", "facebook", "instagram")
TOPICS = [
    ("derrame", "Derrame de petróleo", "amb", "Ambiente"),
    ("agua", HOSTILE_TOPIC, "amb", "Ambiente"),
    ("mineria", "Conflictos mineros", "gob", "Gobernanza"),
    ("salud", "Salud materna", "soc", "Social"),
]
GENERATED_AT = datetime(2022, 3, 2, 9, 30, tzinfo=LIMA)


# --------------------------------------------------------------------------- fixture warehouse


def _posts_frame() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Deterministic posts, authors and post->topic links for 60 days on 3 networks."""
    posts, links, authors = [], [], []
    for n, network in enumerate(NETWORKS):
        for k in range(12):
            hostile = network == "x" and k == 0
            authors.append({
                "author_key": f"{network}:{k}",
                "network": network,
                "handle": "hostil" if hostile else f"user{k}_{network}",
                "display_name": HOSTILE_NAME if hostile else f"Usuario {k} ({network})",
                "followers": 100 * k + n,
                "profile_url": f"https://example.org/{network}/{k}",
            })
    for i in range(N_DAYS):
        day = FIRST_DAY + timedelta(days=i)
        for n, network in enumerate(NETWORKS):
            if network == "facebook" and i % 10 == 9:
                continue  # collection gaps
            if network == "instagram" and i < 20:
                continue  # instagram collected from the 21st day on
            for j in range(3 + (i * 7 + n * 3) % 9):
                k = (i + 3 * j + n) % 12
                likes, shares, comments = (i * 13 + j * 7 + k * 5) % 50, (i + j) % 10, (i * 3 + k) % 20
                text = f"Publicación {i}-{j} en {network}: sobre el tema del día."
                if network == "x" and i == 30 and j == 0:
                    text, k, likes = HOSTILE_TEXT, 0, 10_000
                if network == "facebook" and i == 45 and j == 0:
                    text, likes = "palabra " * 60, 5_000  # long text, must be cut
                key = f"{network}:{i}:{j}"
                # Lima is UTC-5: late posts fall on the next UTC day but the same Lima day.
                created_utc = datetime(day.year, day.month, day.day) + timedelta(hours=6 + 2 * j)
                posts.append({
                    "post_key": key,
                    "network": network,
                    "post_id": f"{i}{j}",
                    "created_at": created_utc,
                    "created_date_lima": (created_utc - timedelta(hours=5)).date(),
                    "author_key": f"{network}:{k}",
                    "text": text,
                    "post_type": ["post", "reply", "share", "quote"][j % 4],
                    "likes": likes,
                    "shares": shares,
                    "comments": comments,
                    "views": None if network == "facebook" else 10 * likes,
                    "engagement": likes + shares + comments,
                    "url": f"https://example.org/{network}/{i}/{j}",
                })
                if j == 4:
                    continue  # some posts match no topic
                if 14 <= i < 40 and j % 2 == 0:
                    topic = "derrame"  # the January oil spill dominates for a while
                else:
                    topic = TOPICS[(i + j + n) % len(TOPICS)][0]
                links.append({"post_key": key, "topic_id": topic})
    return pd.DataFrame(posts), pd.DataFrame(authors), pd.DataFrame(links)


def build_warehouse(path: Path) -> Path:
    """A small warehouse with the `marts` contract the report layer reads."""
    posts, authors, links = _posts_frame()
    topics = pd.DataFrame(TOPICS, columns=["topic_id", "topic_label", "programme_id", "programme_label"])
    con = duckdb.connect(str(path))
    try:
        con.register("posts_df", posts)
        con.register("authors_df", authors)
        con.register("links_df", links)
        con.register("topics_df", topics)
        con.execute("create schema marts")
        con.execute("""
            create table marts.fct_posts as
            select post_key::varchar as post_key, network::varchar as network, post_id::varchar as post_id,
                   created_at::timestamp as created_at, created_date_lima::date as created_date_lima,
                   author_key::varchar as author_key, text::varchar as text, post_type::varchar as post_type,
                   likes::bigint as likes, shares::bigint as shares, comments::bigint as comments,
                   views::bigint as views, engagement::bigint as engagement, url::varchar as url
            from posts_df
        """)
        con.execute("""
            create table marts.dim_authors as
            select author_key::varchar as author_key, network::varchar as network, handle::varchar as handle,
                   display_name::varchar as display_name, followers::bigint as followers,
                   profile_url::varchar as profile_url
            from authors_df
        """)
        con.execute("""
            create table marts.dim_topics as
            select topic_id::varchar as topic_id, topic_label::varchar as topic_label,
                   programme_id::varchar as programme_id, programme_label::varchar as programme_label
            from topics_df
        """)
        con.execute("""
            create table marts.fct_topic_daily as
            select p.created_date_lima as day, l.topic_id::varchar as topic_id, p.network,
                   count(*)::bigint as posts, count(distinct p.author_key)::bigint as authors,
                   sum(p.likes)::bigint as likes, sum(p.shares)::bigint as shares,
                   sum(p.comments)::bigint as comments, sum(p.views)::bigint as views,
                   sum(p.engagement)::bigint as engagement
            from marts.fct_posts as p
            join links_df as l on l.post_key = p.post_key
            group by 1, 2, 3
        """)
        con.execute("checkpoint")
    finally:
        con.close()
    return path


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_warehouse(tmp_path_factory.mktemp("wh") / "warehouse.duckdb")


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("reports")


@pytest.fixture(scope="module")
def html_es(warehouse: Path, out_dir: Path) -> str:
    return render_overview(warehouse, out_dir, generated_at=GENERATED_AT).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def html_en(warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("reports_en")
    return render_overview(warehouse, out, lang="en", generated_at=GENERATED_AT).read_text(encoding="utf-8")


def sql(warehouse: Path, query: str, *params: object) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(query, list(params)).fetchall()
    finally:
        con.close()


def es_int(n: int) -> str:
    return f"{n:,}".replace(",", NNBSP)


# --------------------------------------------------------------------------- HTML helpers


def squash(text: str) -> str:
    """Collapse ASCII whitespace only: the no-break spaces inside numbers are content."""
    return re.sub(r"[ \t\r\n\f]+", " ", text).strip()


class _Tables(HTMLParser):
    """Collects the text of every cell of tables marked with data-query, by query name."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._cell: list[str] | None = None
        self._in_body = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table" and a.get("data-query"):
            self._table = a["data-query"]
            self.tables[self._table] = []
        elif self._table and tag == "tbody":
            self._in_body = True
        elif self._table and self._in_body and tag == "tr":
            self.tables[self._table].append([])
        elif self._table and self._in_body and tag == "td":
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None and self._table:
            self.tables[self._table][-1].append(squash("".join(self._cell)))
            self._cell = None
        elif tag == "tbody":
            self._in_body = False
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def tables(html: str) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def big_number(html: str, metric: str) -> str:
    match = re.search(rf'data-metric="{metric}">\s*<div class="value[^"]*">([^<]*)</div>', html)
    assert match, f"no big number {metric}"
    return match.group(1)


# --------------------------------------------------------------------------- tests


def test_overview_is_self_contained_offline(html_es: str) -> None:
    lowered = html_es.lower()
    assert "<script" not in lowered
    assert "@import" not in lowered
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", lowered)
    assert "http://" not in lowered and "https://" not in lowered  # not even the fixture's post urls
    assert not re.search(r"url\((?!#)", lowered)  # only in-document references
    assert "<link" not in lowered and "<img" not in lowered and "<iframe" not in lowered
    assert lowered.count("<svg") == 2  # weekly topics + networks, inline
    assert "<?xml" not in lowered and "<!doctype svg" not in lowered
    ids = re.findall(r'\bid="([^"]+)"', html_es)
    assert len(ids) == len(set(ids)), "duplicate ids across inlined charts"
    for ref in re.findall(r'(?:href="#|url\(#)([^")]+)', html_es):
        assert ref in ids, f"dangling chart reference #{ref}"


def test_totals_equal_direct_sql(warehouse: Path, html_es: str) -> None:
    [(posts, authors, engagement, networks, first, last)] = sql(warehouse, """
        select count(*), count(distinct author_key), sum(engagement), count(distinct network),
               min(created_date_lima), max(created_date_lima)
        from marts.fct_posts""")
    assert posts > 1000  # the grouping separator is actually exercised
    assert big_number(html_es, "posts") == es_int(posts)
    assert big_number(html_es, "authors") == es_int(authors)
    assert big_number(html_es, "engagement") == es_int(engagement)
    assert big_number(html_es, "networks") == str(networks)
    assert big_number(html_es, "period") == "del 1 ene 2022 al 1 mar 2022"
    assert (first, last) == (date(2022, 1, 1), date(2022, 3, 1))


def test_coverage_table_and_sentence_equal_direct_sql(warehouse: Path, html_es: str) -> None:
    rows = {r[0]: r for r in tables(html_es)["overview_coverage"]}
    for network, label in [("x", "X"), ("facebook", "Facebook"), ("instagram", "Instagram")]:
        [(posts, first, last, days)] = sql(warehouse, """
            select count(*), min(created_date_lima), max(created_date_lima), count(distinct created_date_lima)
            from marts.fct_posts where network = ?""", network)
        assert rows[label][1:5] == [es_int(posts), fmt_date(first), fmt_date(last), str(days)]
        assert rows[label][5] == fmt_pct1(days / N_DAYS)
    assert rows["Instagram"][2] == "21 ene 2022" and rows["Instagram"][4] == "40"
    sentence = re.search(r'<p data-query="overview_coverage">(.*?)</p>', html_es, re.S).group(1)
    sentence = squash(sentence)
    assert "Los datos van del 1 ene 2022 al 1 mar 2022 (60 días) y vienen de 3 redes." in sentence
    assert f"Instagram tiene datos en 40 de esos días (66,7{NBSP}%)" in sentence
    assert "Facebook tiene datos en 54 de esos días" in sentence
    assert "X tiene datos" not in sentence  # complete networks are not listed as gaps


def test_top_topics_per_month_equal_direct_sql(warehouse: Path, html_es: str) -> None:
    table = tables(html_es)["top_topics_monthly"]
    assert [r[0] for r in table] == ["ene 2022"] * 3 + ["feb 2022"] * 3 + ["mar 2022"] * 3
    for month, label in [(date(2022, 1, 1), "ene 2022"), (date(2022, 2, 1), "feb 2022")]:
        ranked = sql(warehouse, """
            select t.topic_label, sum(d.posts) as posts
            from marts.fct_topic_daily d join marts.dim_topics t using (topic_id)
            where d.day >= ? and d.day < ? + interval 1 month
            group by 1 order by posts desc, 1""", month, month)
        month_total = sum(p for _, p in ranked)
        shown = [r for r in table if r[0] == label]
        assert [(r[1], r[2]) for r in shown] == [(lbl, es_int(p)) for lbl, p in ranked[:3]]
        assert shown[0][3] == fmt_pct1(ranked[0][1] / month_total)
    assert table[0][1] == "Derrame de petróleo"  # the January spill tops January


def test_topic_weekly_query_fills_every_week_for_every_topic(warehouse: Path) -> None:
    con = connect_readonly(warehouse)
    try:
        weekly = run_queries(con, ["topic_weekly"], overview_params())["topic_weekly"]
    finally:
        con.close()
    weeks = pd.to_datetime(weekly["week"])
    assert set(weeks.dt.day_of_week) == {0}  # ISO weeks start on Monday
    assert len(weekly) == weeks.nunique() * len(TOPICS)
    direct = dict(sql(warehouse, "select topic_label, sum(posts) from marts.fct_topic_daily "
                                 "join marts.dim_topics using (topic_id) group by 1"))
    assert weekly.groupby("topic_label")["posts"].sum().to_dict() == direct
    [(dec27_week,)] = sql(warehouse, "select sum(posts) from marts.fct_topic_daily where day <= date '2022-01-02'")
    assert weekly.loc[weeks == "2021-12-27", "posts"].sum() == dec27_week  # partial first week kept


def test_top_posts_table_and_hostile_text_is_escaped(warehouse: Path, html_es: str) -> None:
    rows = tables(html_es)["top_posts"]
    direct = sql(warehouse, """
        select p.created_date_lima, a.handle, p.engagement from marts.fct_posts p
        join marts.dim_authors a using (author_key) order by p.engagement desc, p.post_key limit 10""")
    assert len(rows) == 10
    assert [(r[0], r[2].split()[0], r[4]) for r in rows] == [
        (fmt_date(d), f"@{h}", es_int(e)) for d, h, e in direct
    ]
    # Parsed text shows the hostile strings literally, i.e. as text ...
    assert rows[0][3] == HOSTILE_TEXT and HOSTILE_NAME in rows[0][2]
    # ... because the markup carries them escaped, never as live tags.
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in html_es
    assert "&lt;img src=x onerror=alert(1)&gt;" in html_es
    assert "<b>bold" not in html_es and "<img" not in html_es
    long_text = next(r[3] for r in rows if r[3].startswith("palabra"))
    assert long_text.endswith("…") and len(long_text) <= 180


def test_topic_labels_are_escaped_in_tables_and_charts(html_es: str) -> None:
    assert "<saneamiento>" not in html_es
    svgs = re.findall(r"<svg\b.*?</svg>", html_es, re.S)
    weekly_svg = next(s for s in svgs if "Derrame de petróleo" in s)
    for _, label, _, _ in TOPICS:  # the legend names every topic
        assert label.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") in weekly_svg
    assert any(">Instagram<" in s for s in svgs)  # network bar labels


def test_footer_names_the_queries_and_warehouse(warehouse: Path, html_es: str) -> None:
    footer = re.search(r"<footer>(.*?)</footer>", html_es, re.S).group(1)
    assert "Cada cifra proviene de una consulta con nombre" in footer
    for name in render.OVERVIEW_QUERIES:
        assert f"<code>{name}</code>" in footer
        assert load_query(name).lstrip().lower().startswith("--")
    assert "2 mar 2022 a las 09:30" in footer and str(warehouse) in footer


def test_english_labels(html_en: str, html_es: str) -> None:
    assert '<html lang="en">' in html_en and '<html lang="es">' in html_es
    assert "<title>escucha — conversation overview</title>" in html_en
    assert "<title>escucha — resumen de conversaciones</title>" in html_es
    for heading in ("Totals", "Coverage", "Volume per topic", "Top topics per month",
                    "Posts per network", "The 10 most engaged posts"):
        assert f">{heading}</h2>" in html_en
    assert ">Temas principales por mes</h2>" in html_es
    assert "Every figure comes from a named query" in html_en
    assert tables(html_en)["top_topics_monthly"][0][0] == "Jan 2022"
    assert "," in big_number(html_en, "posts") and NNBSP not in big_number(html_en, "posts")


def test_warehouse_is_opened_read_only(warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = hashlib.sha256(warehouse.read_bytes()).hexdigest()
    write_errors: list[Exception] = []
    real_connect = duckdb.connect

    def spying_connect(*args, **kwargs):  # the renderer's own connection must refuse writes
        con = real_connect(*args, **kwargs)
        try:
            con.execute("create table marts.probe as select 1 as a")
        except duckdb.Error as exc:
            write_errors.append(exc)
        return con

    monkeypatch.setattr(duckdb, "connect", spying_connect)
    path = render_overview(warehouse, tmp_path / "out")
    monkeypatch.undo()
    assert path.is_file() and len(write_errors) == 1
    assert "read-only" in str(write_errors[0]).lower()
    assert hashlib.sha256(warehouse.read_bytes()).hexdigest() == before
    assert not warehouse.with_name(warehouse.name + ".wal").exists()
    assert sql(warehouse, "select count(*) from information_schema.tables where table_name = 'probe'") == [(0,)]


def test_run_queries_binds_parameters(warehouse: Path) -> None:
    con = connect_readonly(warehouse)
    try:
        day = date(2022, 2, 10)
        params = overview_params(start=day, end=day) | {"top_n": 2}
        data = run_queries(con, ["overview_totals", "top_posts"], params)
        with pytest.raises(KeyError, match="top_k"):
            run_queries(con, ["top_topics_monthly"], {"start": None, "end": None})
    finally:
        con.close()
    [(posts,)] = sql(warehouse, "select count(*) from marts.fct_posts where created_date_lima = ?", day)
    assert data["overview_totals"].loc[0, "posts"] == posts
    assert len(data["top_posts"]) == 2 and set(pd.to_datetime(data["top_posts"]["day"]).dt.date) == {day}
    with pytest.raises(ValueError):
        load_query("../pyproject")


def test_empty_period_renders_without_data(warehouse: Path, tmp_path: Path) -> None:
    html = render_overview(warehouse, tmp_path, start=date(2030, 1, 1)).read_text(encoding="utf-8")
    assert big_number(html, "posts") == "0" and big_number(html, "period") == "—"
    assert "No hay publicaciones en el almacén para este periodo." in html
    assert "<svg" not in html and html.count("Sin datos.") == 5


def test_line_chart_sums_small_series_into_other() -> None:
    weeks = [date(2022, 1, 3) + timedelta(weeks=w) for w in range(4)]
    data = pd.DataFrame(
        [{"week": w, "topic": f"tema {k:02d}", "posts": 10 * k + i} for k in range(1, 11) for i, w in enumerate(weeks)]
    )
    svg = render.line_chart_svg(data, "week", "posts", "topic", chart_id="t1", max_series=8)
    legend = re.search(r'<g id="t1-legend_1">.*', svg, re.S).group(0)
    shown = re.findall(r">(tema \d+|Otros)<", legend)
    assert shown == [f"tema {k:02d}" for k in range(10, 3, -1)] + ["Otros"]  # largest first, 3 smallest summed
    assert 'id="t1-figure_1"' in svg and "<?xml" not in svg and "http" not in svg


def test_a_chart_is_drawn_once_and_cropped_as_matplotlibs_tight_box_would(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each chart is the SVG that savefig(bbox_inches="tight") writes, byte for byte, from one draw
    of the figure instead of two: legends below the axes, event labels, negative values, long bar
    labels and an empty chart are all inside the box."""
    from matplotlib.figure import Figure

    from reports import charts

    weeks = [date(2022, 1, 3) + timedelta(weeks=w) for w in range(12)]
    lines = pd.DataFrame([{"week": w, "topic": f"tema {k} con un nombre largo", "posts": (7 * k + 3 * i) % 23}
                          for k in range(5) for i, w in enumerate(weeks)])
    net = pd.DataFrame({"week": weeks, "net": [0.3 - 0.07 * i for i in range(12)]})
    shares = pd.DataFrame([{"week": w, "sentiment": s, "share": share} for w in weeks
                           for s, share in (("positive", 0.2), ("neutral", 0.5), ("negative", 0.3))])
    bars = pd.DataFrame({"account": ["@corta", "@una_cuenta_con_un_nombre_muy_largo", HOSTILE_NAME],
                         "posts": [3, 12345, 77]})
    events = [{"start": weeks[2], "end": weeks[4], "label": "1"}, {"start": weeks[9], "label": "2 paro nacional"}]
    charts_to_draw = {
        "lines": lambda: render.line_chart_svg(lines, "week", "posts", "topic", chart_id="c", events=events),
        "net": lambda: render.line_chart_svg(net, "week", "net", chart_id="c", y_fmt="pct1", y_min=None),
        "area": lambda: render.area_chart_svg(shares, "week", "share", "sentiment", chart_id="c", y_fmt="pct1",
                                              events=events),
        "bars": lambda: render.bar_chart_svg(bars, "account", "posts", chart_id="c"),
        "empty": lambda: render.bar_chart_svg(bars.iloc[:0], "account", "posts", chart_id="c"),
    }
    draws = []
    stock_draw = Figure.draw
    monkeypatch.setattr(Figure, "draw", lambda fig, renderer: (draws.append(fig), stock_draw(fig, renderer))[1])
    ours = {}
    for name, draw_chart in charts_to_draw.items():
        draws.clear()
        ours[name] = draw_chart()
        assert len(draws) == 1, f"{name}: the figure was drawn {len(draws)} times"
    monkeypatch.setattr(charts, "_tight_box", lambda fig: "tight")  # matplotlib's own tight crop
    for name, draw_chart in charts_to_draw.items():
        draws.clear()
        assert draw_chart() == ours[name], name
        assert len(draws) == 2  # what the stock crop costs


def test_formats() -> None:
    assert fmt_num0(12345) == f"12{NNBSP}345" and fmt_num0(1234567.6) == f"1{NNBSP}234{NNBSP}568"
    assert fmt_num0(12345, "en") == "12,345" and fmt_num0(None) == "—" and fmt_num0(pd.NA) == "—"
    assert fmt_pct1(0.1234) == f"12,3{NBSP}%" and fmt_pct1(0.1234, "en") == "12.3%"
    assert fmt_pct1(1) == f"100,0{NBSP}%" and fmt_pct1(float("nan")) == "—"
    assert fmt_date(date(2022, 1, 15)) == "15 ene 2022" and fmt_date(pd.Timestamp("2022-09-03"), "en") == "3 Sep 2022"
    assert fmt_month(date(2022, 12, 1)) == "dic 2022"
    assert clip("a  b\n c") == "a b c" and len(clip("x" * 500)) == 180
    with pytest.raises(ValueError):
        fmt_num0(1, "fr")


def test_index_links_reports_relatively(html_es: str, out_dir: Path) -> None:
    (out_dir / "mensual enero.html").write_text(
        "<html><head><title>Informe &amp; enero</title></head><body></body></html>", encoding="utf-8")
    index = render_index(out_dir)
    html = index.read_text(encoding="utf-8")
    links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', html)
    assert links == [  # grouped: the overview first, then any other report
        ("overview.html", "escucha — resumen de conversaciones"),
        ("mensual%20enero.html", "Informe &amp; enero"),
    ]
    assert re.findall(r'<ul class="reports" data-group="([a-z]+)">', html) == ["overview", "other"]
    assert str(out_dir) not in html and "index.html" not in [h for h, _ in links]
    assert "<script" not in html.lower() and "http" not in html.lower()
