"""The conversation-evolution page: its numbers equal direct SQL on the marts, hostile text stays
text, withheld demographic cells never show a number, and nothing is loaded from outside."""
from __future__ import annotations

import functools
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
    event_markers,
    fmt_date,
    fmt_num2,
    fmt_pct1,
    format_signed,
    latest_periods,
    make_environment,
    period_bounds,
    period_title,
    previous_period,
    render_evolution,
    render_evolution_set,
    render_index,
)

NNBSP = "\u202f"
FIRST_DAY, LAST_DAY = date(2022, 1, 1), date(2022, 6, 30)
NETWORKS = ("x", "facebook", "instagram")
GAP = (date(2022, 2, 10), date(2022, 2, 12))  # facebook collected nothing these days
TOPICS = [  # topic_id, label, programme_id, programme_label
    ("derrame", "Derrame de petróleo", "ambiente", "Ambiente y recursos naturales"),
    ("agua", "Agua & <saneamiento>", "ambiente", "Ambiente y recursos naturales"),
    ("mineria", "Conflictos mineros", "gobierno", "Gobernabilidad"),
]
SENTIMENTS = ("positive", "neutral", "negative")
GENERATED_AT = datetime(2022, 7, 2, 9, 30, tzinfo=LIMA)

HOSTILE_SCRIPT = "<script>alert(1)</script>"
HOSTILE_IMG = "<img src=x onerror=alert(1)>"
HOSTILE_ATTR = '" onmouseover="x'
HOSTILE_BIDI = "abc\u202edef\u200b\u200d\ufeffghi"  # right-to-left override and zero-width characters
EMOJI = "😀" * 10_000
HOSTILE_TEXTS = [HOSTILE_SCRIPT + " hola", HOSTILE_IMG + " agua", HOSTILE_ATTR + " x", HOSTILE_BIDI, EMOJI]
HOSTILE_HANDLE = "<script>alert(1)</script>"
WITHHELD_AUTHORS, WITHHELD_POSTS = 97531, 86420  # in withheld cells: must never reach a page
EVENT_DEMO_NAME = 'Campaña "#AguaLimpia" <b>'


# --------------------------------------------------------------------------- fixture warehouse


def _days() -> list[date]:
    return [FIRST_DAY + timedelta(days=i) for i in range((LAST_DAY - FIRST_DAY).days + 1)]


def _in_gap(network: str, day: date) -> bool:
    return network == "facebook" and GAP[0] <= day <= GAP[1]


def _posts_and_links() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Deterministic posts on 3 networks for half a year, their authors and post -> topic links."""
    posts, links = [], []
    authors = [{"author_key": f"{n}:{k}", "handle": f"user{k}_{n}"} for n in NETWORKS for k in range(40)]
    for i, day in enumerate(_days()):
        for n, network in enumerate(NETWORKS):
            if _in_gap(network, day):
                continue
            for j in range(4 + (i * 7 + n * 3) % 6):
                key = f"{network}:{i}:{j}"
                topic = TOPICS[(i + j + n) % 3][0]
                negative_bias = topic == "derrame" and 14 <= i < 58  # the spill months turn negative
                sentiment = "negative" if negative_bias and j % 2 == 0 else SENTIMENTS[(i + 2 * j + n) % 3]
                posts.append({"post_key": key, "network": network, "created_date_lima": day,
                              "author_key": f"{network}:{(i * 3 + j * 5 + n) % 40}",
                              "engagement": (i * 13 + j * 7) % 50, "sentiment": sentiment})
                links.append({"post_key": key, "topic_id": topic, "is_relevant": j != 5})
                if j % 5 == 1:  # also about a second topic: counted once in the distinct totals
                    links.append({"post_key": key, "topic_id": TOPICS[(i + j + n + 1) % 3][0], "is_relevant": True})
    return pd.DataFrame(posts), pd.DataFrame(authors), pd.DataFrame(links)


def _collection() -> pd.DataFrame:
    return pd.DataFrame([{"day": d, "network": n, "has_collection": not _in_gap(n, d)}
                         for d in _days() for n in NETWORKS])


def _events() -> pd.DataFrame:
    def row(event_id, name, origin, topic, role, start, end, rel, low, high, significant):
        return {"event_id": event_id, "event_name": name, "event_kind": "crisis", "origin": origin,
                "topic_id": topic, "role": role, "start_date": start, "end_date": end,
                "posts_per_day_before": 9.6, "posts_per_day_during": 48.0, "posts_per_day_after": 9.5,
                "net_sentiment_before": -0.2, "net_sentiment_during": -0.6, "net_sentiment_after": -0.25,
                "actual": 2158.0, "counterfactual": 482.1, "relative_effect": rel, "relative_low": low,
                "relative_high": high, "significant": significant, "p_value": 0.001, "r2_pre": 0.5,
                "method": f"OLS on log(1+posts) before {start}"}
    spill = ("derrame_ventanilla", "Derrame de petróleo en Ventanilla", "real")
    return pd.DataFrame([
        row(*spill, "derrame", "affected", date(2022, 1, 15), date(2022, 2, 28), 3.476278, 2.256958, 4.929565, True),
        row(*spill, "agua", "control", date(2022, 1, 15), date(2022, 2, 28), 0.3, 0.1, 0.5, True),
        row(*spill, "mineria", "control", date(2022, 1, 15), date(2022, 2, 28), -0.01, -0.1, 0.1, False),
        row("campana", EVENT_DEMO_NAME, "demo", "agua", "affected", date(2022, 5, 2), date(2022, 5, 31),
            -0.052, -0.2, 0.1, False),
        row("vacancia", "Moción de vacancia", "real", "mineria", "affected", date(2021, 12, 6), date(2021, 12, 9),
            2.0, 1.3, 3.1, True),  # before the data: in no page of 2022
    ])


def _alerts() -> tuple[pd.DataFrame, pd.DataFrame]:
    alerts, alert_posts = [], []
    for a in range(12):
        topic = TOPICS[a % 3][0]
        onset = datetime(2022, 4, 3, 5 + a % 3) + timedelta(days=7 * a)  # UTC; Lima days in Q2
        alerts.append({"alert_id": f"a{a}", "kind": "viral_post" if a % 2 else "volume_spike", "topic_id": topic,
                       "severity": ["critical", "high", "medium", "low"][a % 4], "onset": onset,
                       "status": "active", "peak_posts": 100 + a, "ratio": 2.5 + a})
        text = HOSTILE_TEXTS[a] if a < len(HOSTILE_TEXTS) else f"Publicación alerta {a}"
        alert_posts.append({"alert_id": f"a{a}", "post_rank": 1, "network": "x", "author_key": f"x:{a}",
                            "author_handle": HOSTILE_HANDLE if a == 0 else f"user{a}_x", "text": text})
    # 02:00 UTC on 1 April is still 31 March in Lima: a Q1 alert
    alerts.append({"alert_id": "q1", "kind": "volume_spike", "topic_id": "derrame", "severity": "high",
                   "onset": datetime(2022, 4, 1, 2), "status": "closed", "peak_posts": 90, "ratio": 3.0})
    return pd.DataFrame(alerts), pd.DataFrame(alert_posts)


def _influence() -> pd.DataFrame:
    rows = []
    for t, (topic, *_rest) in enumerate(TOPICS):
        for m in range(6):
            month = date(2022, m + 1, 1)
            for k in range(15):
                rank = (k * 7 + m * 3 + t) % 15 + 1
                rows.append({"topic_id": topic, "month": month, "author_key": f"x:{k}", "network": "x",
                             "handle": HOSTILE_HANDLE if k == 0 else f"user{k}_x", "overall_rank": rank,
                             "n_accounts": 15, "rank_reasons": f"pagerank top 10% (#{rank} of 15)"})
    return pd.DataFrame(rows)


def _graph() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    exposure, communities, bridges = [], [], []
    for t, (topic, *_rest) in enumerate(TOPICS):
        for q, quarter in enumerate((date(2022, 1, 1), date(2022, 4, 1))):
            exposure.append({"topic_id": topic, "quarter": quarter, "accounts": 300 + 10 * t + q,
                             "communities": 6 + t, "interactions": 500.0, "interactions_across": 50.0 + t,
                             "cross_share": (50.0 + t) / 500, "expected_cross_share": 0.8,
                             "exposure_ratio": (50.0 + t) / 500 / 0.8,
                             # Q1 closed (its graph holds every day); Q2's kept from an earlier day
                             "data_through": date(2022, 4, 1) if q == 0 else date(2022, 6, 20 + t)})
            for c in range(4):
                communities.append({"topic_id": topic, "quarter": quarter, "community": c, "accounts": 100 - 10 * c,
                                    "posts": 150 - 10 * c, "share_across": 0.1 + 0.05 * c,
                                    "top_handles": [HOSTILE_HANDLE, f"user{c}_x", "other"],
                                    "top_hashtags": ["derrame", "agua"], "top_words": ["crudo", "playa"]})
                bridges.append({"topic_id": topic, "quarter": quarter, "bridge_rank": c + 1, "author_key": f"x:{c}",
                                "network": "x", "handle": HOSTILE_HANDLE if c == 0 else f"user{c}_x",
                                "community": c, "participation": 0.7 - 0.1 * c, "share_across": 0.5,
                                "communities_reached": 4 - c, "interactions": 20.0 - c})
    return pd.DataFrame(exposure), pd.DataFrame(communities), pd.DataFrame(bridges)


def _demographics() -> pd.DataFrame:
    cells = [  # dimension, value, authors, suppressed
        ("account_type", "person", 25, False), ("account_type", "media", 12, False),
        ("account_type", "government", 4, True), ("account_type", "ngo", 11, True),
        ("gender", "female", 13, False), ("gender", "male", 12, False),
        ("region", "Lima", 30, False), ("region", "unknown", 17, False), ("region", "Cusco", 5, True),
    ]
    rows = []
    for t, (topic, *_rest) in enumerate(TOPICS):
        for m in range(6):
            for dimension, value, authors, suppressed in cells:
                authors += t + m
                rows.append({"topic_id": topic, "month": date(2022, m + 1, 1), "dimension": dimension,
                             "value": value,
                             # the mart nulls withheld cells; here they carry numbers that must never show
                             "authors": WITHHELD_AUTHORS if suppressed else authors,
                             "posts": WITHHELD_POSTS if suppressed else 2 * authors,
                             "engagement": 10 * authors, "is_suppressed": suppressed,
                             "group_authors": 52 + 3 * (t + m) if dimension != "gender" else 25 + 2 * (t + m),
                             "share_known": 0.9})
    return pd.DataFrame(rows)


MART_SQL = {
    "dim_programmes": "select distinct programme_id, programme_label from topics_df",
    "dim_topics": """select topic_id, topic_label, programme_id, programme_label,
                            case when topic_id = 'derrame' then 2 else 1 end::bigint as topic_version
                     from topics_df""",
    "dim_topic_versions": """
        select topic_id, 1::bigint as topic_version, topic_id <> 'derrame' as is_current, true as active,
               'config' as changed_by, timestamp '2021-12-01 10:00' as changed_at, 'seeded' as note from topics_df
        union all
        select 'derrame', 2, true, true, 'ana@example.org', timestamp '2022-03-01 15:00', 'model beats rules'""",
    "fct_posts": "select * from posts_df",
    "dim_authors": "select * from authors_df",
    "fct_post_topics": """
        select l.post_key, l.topic_id, p.created_date_lima, p.author_key, p.engagement, p.sentiment, l.is_relevant,
               case when l.topic_id = 'derrame' and p.created_date_lima >= date '2022-03-01' then 2 else 1 end::bigint
                   as topic_version
        from links_df as l join posts_df as p using (post_key)""",
    "fct_topic_daily": """
        with d as (
            select pt.created_date_lima as day, pt.topic_id, p.network, max(pt.topic_version) as topic_version,
                   null::bigint as model_version, 'rules' as decided_by, count(*)::bigint as posts,
                   count(distinct p.author_key)::bigint as authors, sum(p.engagement)::bigint as engagement,
                   count(*) filter (where p.sentiment = 'positive')::bigint as positive_posts,
                   count(*) filter (where p.sentiment = 'neutral')::bigint as neutral_posts,
                   count(*) filter (where p.sentiment = 'negative')::bigint as negative_posts
            from marts.fct_post_topics as pt join posts_df as p using (post_key)
            where pt.is_relevant
            group by all
        )
        select d.*, positive_posts / posts as positive_share, negative_posts / posts as negative_share,
               (positive_posts - negative_posts) / posts as net_sentiment,
               posts / sum(posts) over (partition by day, network, t.programme_id) as share_of_voice
        from d join topics_df as t using (topic_id)""",
    "fct_collection_daily": """
        select c.day, c.network, c.has_collection,
               (select count(*) from posts_df as p where p.network = c.network and p.created_date_lima = c.day)::bigint
                   as posts
        from collection_df as c""",
    "fct_event_impact": "select * from events_df",
    "fct_alerts": "select * from alerts_df",
    "fct_alert_posts": "select * from alert_posts_df",
    "fct_author_influence": "select * from influence_df",
    "fct_topic_exposure": "select * from exposure_df",
    "fct_topic_communities": "select * from communities_df",
    "fct_bridging_accounts": "select * from bridges_df",
    "fct_topic_demographics": "select * from demographics_df",
}


def build_warehouse(path: Path) -> Path:
    """A small warehouse with the marts (and the columns) the evolution page reads."""
    posts, authors, links = _posts_and_links()
    alerts, alert_posts = _alerts()
    exposure, communities, bridges = _graph()
    frames = {"posts_df": posts, "authors_df": authors, "links_df": links,
              "topics_df": pd.DataFrame(TOPICS, columns=["topic_id", "topic_label", "programme_id", "programme_label"]),
              "collection_df": _collection(), "events_df": _events(), "alerts_df": alerts,
              "alert_posts_df": alert_posts, "influence_df": _influence(), "exposure_df": exposure,
              "communities_df": communities, "bridges_df": bridges, "demographics_df": _demographics()}
    con = duckdb.connect(str(path))
    try:
        for name, frame in frames.items():
            con.register(name, frame)
        con.execute("create schema marts")
        for table, sql in MART_SQL.items():
            con.execute(f"create table marts.{table} as {sql}")
        con.execute("checkpoint")
    finally:
        con.close()
    return path


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_warehouse(tmp_path_factory.mktemp("evo_wh") / "warehouse.duckdb")


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("evo_reports")


Q2 = period_bounds("2022-Q2")


@pytest.fixture(scope="module")
def page_all(warehouse: Path, out_dir: Path) -> Path:
    return render_evolution(warehouse, out_dir, None, *Q2, "2022-Q2", generated_at=GENERATED_AT)


@pytest.fixture(scope="module")
def html_all(page_all: Path) -> str:
    return page_all.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def html_ambiente(warehouse: Path, out_dir: Path) -> str:
    return render_evolution(warehouse, out_dir, "ambiente", *Q2, "2022-Q2",
                            generated_at=GENERATED_AT).read_text(encoding="utf-8")


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


class _Page(HTMLParser):
    """Table cells by (data-query, data-part), as rows of (data-row, {data-col: text}); every tag's attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: dict[tuple[str, str], list[tuple[str | None, dict[str, str]]]] = {}
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self._table: tuple[str, str] | None = None
        self._row: str | None = None
        self._col: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "table" and a.get("data-query"):
            self._table = (a["data-query"], a.get("data-part") or "")
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self._row = a.get("data-row")
            self.tables[self._table].append((self._row, {}))
        elif tag == "td" and self._table and a.get("data-col"):
            self._col, self._text = a["data-col"], []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._col is not None and self._table:
            self.tables[self._table][-1][1][self._col] = squash("".join(self._text))
            self._col = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._col is not None:
            self._text.append(data)


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def rows(html: str, query: str, part: str = "") -> list[tuple[str | None, dict[str, str]]]:
    return [r for r in parse(html).tables[(query, part)] if r[1]]


def row(html: str, query: str, key: str, part: str = "") -> dict[str, str]:
    found = [cells for k, cells in rows(html, query, part) if k == key]
    assert len(found) == 1, f"{query}/{part}: {len(found)} rows {key!r}"
    return found[0]


def big_number(html: str, metric: str) -> tuple[str, float | None]:
    """The shown value of a big number and its change against the previous period (data-change), if any."""
    block = re.search(rf'data-metric="{metric}">(.*?)(?=<div class="big-number"|</div>\s*<p)', html, re.S)
    assert block, f"no big number {metric}"
    value = re.search(r'<div class="value[^"]*">([^<]*)</div>', block.group(1)).group(1)
    change = re.search(r'data-change="([^"]+)"', block.group(1))
    return value, (float(change.group(1)) if change else None)


# --------------------------------------------------------------------------- numbers equal direct SQL


def test_topic_posts_share_of_voice_and_net_sentiment_equal_direct_sql(warehouse: Path, html_ambiente: str) -> None:
    start, end = Q2
    direct = dict(sql(warehouse, """
        select pt.topic_id, count(*) from marts.fct_post_topics pt
        join marts.fct_posts p using (post_key)
        where pt.is_relevant and p.created_date_lima between ? and ? and pt.topic_id in ('derrame', 'agua')
        group by 1""", start, end))
    total = sum(direct.values())
    assert total > 1000  # grouping separators are exercised
    for topic in ("derrame", "agua"):
        cells = row(html_ambiente, "evolution_topics", topic, "volume")
        assert cells["posts"] == es_int(direct[topic])
        assert cells["share_of_voice"] == fmt_pct1(direct[topic] / total)
        [(pos, neg, n)] = sql(warehouse, """
            select count(*) filter (where p.sentiment = 'positive'), count(*) filter (where p.sentiment = 'negative'),
                   count(*)
            from marts.fct_post_topics pt join marts.fct_posts p using (post_key)
            where pt.is_relevant and pt.topic_id = ? and p.created_date_lima between ? and ?""", topic, start, end)
        sentiment = row(html_ambiente, "evolution_topics", topic, "sentiment")
        assert sentiment["net_sentiment"] == fmt_num2((pos - neg) / n)
        assert sentiment["positive_share"] == fmt_pct1(pos / n)
    assert "mineria" not in [k for k, _ in rows(html_ambiente, "evolution_topics", "volume")]  # another programme


def test_change_against_the_previous_quarter_equals_direct_sql(warehouse: Path, html_ambiente: str) -> None:
    def topic_posts(first: date, last: date) -> int:
        [(n,)] = sql(warehouse, """select count(*) from marts.fct_post_topics pt join marts.fct_posts p using (post_key)
                                   where pt.is_relevant and pt.topic_id = 'derrame'
                                     and p.created_date_lima between ? and ?""", first, last)
        return n

    now, before = topic_posts(*Q2), topic_posts(*period_bounds("2022-Q1"))
    cells = row(html_ambiente, "evolution_topics", "derrame", "volume")
    assert cells["posts_change"] == format_signed(now / before - 1, "pct1")
    [(posts, posts_prev, authors)] = sql(warehouse, """
        select count(distinct post_key) filter (where p.created_date_lima >= date '2022-04-01'),
               count(distinct post_key) filter (where p.created_date_lima < date '2022-04-01'),
               count(distinct p.author_key) filter (where p.created_date_lima >= date '2022-04-01')
        from marts.fct_post_topics pt join marts.fct_posts p using (post_key)
        join marts.dim_topics t using (topic_id)
        where pt.is_relevant and t.programme_id = 'ambiente'
          and p.created_date_lima between date '2022-01-01' and date '2022-06-30'""")
    value, change = big_number(html_ambiente, "posts")
    assert value == es_int(posts) and change == pytest.approx(posts / posts_prev - 1)
    assert re.search(r'data-metric="posts">.*?class="change (up|down)".*?([▲▼]).*?'
                     + re.escape(format_signed(posts / posts_prev - 1, "pct1")), html_ambiente, re.S)
    assert big_number(html_ambiente, "authors")[0] == es_int(authors)
    # alerts: onset in Lima days; 02:00 UTC on 1 April is 31 March in Lima, so it belongs to Q1
    def alerts(first: date, last: date) -> int:
        [(n,)] = sql(warehouse, """select count(*) from marts.fct_alerts where topic_id in ('derrame', 'agua')
                                   and cast(onset - interval 5 hour as date) between ? and ?""", first, last)
        return n

    alerts_q1, alerts_q2 = alerts(*period_bounds("2022-Q1")), alerts(*Q2)
    assert alerts_q1 == 1 and alerts_q2 == 8
    assert big_number(html_ambiente, "alerts") == (str(alerts_q2), pytest.approx(alerts_q2 / alerts_q1 - 1))


def test_event_impact_and_markers_equal_the_mart(warehouse: Path, html_all: str) -> None:
    [(rel, low, high)] = sql(warehouse, """select relative_effect, relative_low, relative_high from marts.fct_event_impact
                                           where event_id = 'campana' and role = 'affected'""")
    cells = row(html_all, "evolution_events", "campana", "volume")
    assert cells["relative_effect"] == f"{format_signed(rel, 'pct1')} ({format_signed(low, 'pct1')} – " \
                                       f"{format_signed(high, 'pct1')})"
    assert cells["significant"] == "no" and "ficticio (demo)" in cells["event_name"]
    # only the events touching Q2, and only their affected topics
    assert [k for k, _ in rows(html_all, "evolution_events", "volume")] == ["campana"]
    assert "es un evento inventado para los datos de demostración: no ocurrió" in html_all
    assert 'Campaña &#34;#AguaLimpia&#34; &lt;b&gt;' in html_all  # the event's name, escaped


def test_q1_page_shows_the_spill_with_its_interval_and_placebos(warehouse: Path, tmp_path: Path) -> None:
    html = render_evolution(warehouse, tmp_path, None, *period_bounds("2022-Q1"), "2022-Q1").read_text("utf-8")
    [(rel, low, high)] = sql(warehouse, """select relative_effect, relative_low, relative_high from marts.fct_event_impact
                                           where event_id = 'derrame_ventanilla' and topic_id = 'derrame'""")
    cells = row(html, "evolution_events", "derrame_ventanilla", "volume")
    assert cells["relative_effect"] == "+347,6\u00a0% (+225,7\u00a0% – +493,0\u00a0%)"
    assert cells["relative_effect"].startswith(format_signed(rel, "pct1")) and cells["significant"] == "sí"
    assert "Placebos: 1 de 2 temas de control muestran un efecto significativo" in html
    assert 'class="callout callout-event"' in html and "Derrame de petróleo en Ventanilla" in html
    svgs = re.findall(r"<svg\b.*?</svg>", html, re.S)
    marked = [s for s in svgs if re.search(r'font-weight: 700[^>]*>1</text>', s) and "stroke-dasharray" in s]
    assert len(marked) == 4  # event marker 1 on the four time charts (volume, share, sentiment, net sentiment)
    assert "Eventos marcados:" in html
    # versions: derrame changed version on 1 March, inside Q1
    versions = rows(html, "evolution_topic_versions")
    assert [c["topic_version"] for k, c in versions if k == "derrame"] == ["1", "2"]
    assert "Algún tema combina varias versiones en este periodo" in html
    # no previous quarter in the data: no changes shown
    assert "no está cubierto por completo por los datos" in html and "data-change" not in html


def test_demographic_cells_equal_the_mart_and_withheld_ones_show_no_number(warehouse: Path, html_all: str) -> None:
    [(authors, posts, group)] = sql(warehouse, """
        select authors, posts, group_authors from marts.fct_topic_demographics
        where topic_id = 'mineria' and month = date '2022-06-01' and dimension = 'account_type' and value = 'person'
          and not is_suppressed""")
    table = {c["value"]: c for _, c in rows(html_all, "evolution_demographics", "mineria")}
    assert table["persona"]["authors"] == es_int(authors) and table["persona"]["posts"] == es_int(posts)
    assert table["persona"]["share_of_group"] == fmt_pct1(authors / group)
    withheld = sql(warehouse, """select value from marts.fct_topic_demographics
                                 where topic_id = 'mineria' and month = date '2022-06-01' and is_suppressed""")
    assert withheld
    shown = {"government": "gobierno", "ngo": "ONG", "Cusco": "Cusco"}
    for (value,) in withheld:
        cells = table[shown[value]]
        assert cells["authors"] == "— menos de 10 autores"
        assert cells["posts"] == "—" and cells["share_of_group"] == "—"
    text = re.sub(r"<svg\b.*?</svg>", "", html_all, flags=re.S)  # charts hold coordinates, not cells
    for number in (WITHHELD_AUTHORS, WITHHELD_POSTS):
        assert str(number) not in text and es_int(number) not in text
    assert "«—» es una celda retenida" in html_all
    assert "Autores de cada tema en jun 2022" in html_all  # the period's last month


def test_coverage_states_networks_dates_and_gaps(warehouse: Path, tmp_path: Path) -> None:
    html = render_evolution(warehouse, tmp_path, None, *period_bounds("2022-02"), "2022-02").read_text("utf-8")
    cells = row(html, "evolution_coverage", "facebook")
    [(posts,)] = sql(warehouse, """select count(*) from marts.fct_posts where network = 'facebook'
                                   and created_date_lima between date '2022-02-01' and date '2022-02-28'""")
    assert cells["posts"] == es_int(posts) and cells["days_collected"] == "25" and cells["gap_days"] == "3"
    gaps = rows(html, "evolution_gaps")
    assert [(c["network"], c["gap_start"], c["gap_end"], c["days"]) for _, c in gaps] == [
        ("Facebook", fmt_date(GAP[0]), fmt_date(GAP[1]), "3")]
    assert "Hubo días sin ninguna recolección" in html
    assert "Hay datos de 3 redes en este periodo, del 1 feb 2022 al 28 feb 2022." in squash(html)
    year = render_evolution(warehouse, tmp_path, None, *period_bounds("2022"), "2022").read_text("utf-8")
    assert "Periodo incompleto: los datos cubren del 1 ene 2022 al 30 jun 2022" in squash(year)


def test_leaders_follow_the_monthly_ranking(warehouse: Path, html_all: str) -> None:
    influence = _influence()
    q2 = influence[(influence["month"] >= date(2022, 4, 1)) & (influence["topic_id"] == "mineria")]
    top = q2[q2["overall_rank"] <= 10].groupby("author_key").agg(
        months=("month", "count"), best=("overall_rank", "min")).reset_index()
    top = top.sort_values(["months", "best"], ascending=[False, True])
    leaders = [c for _, c in rows(html_all, "evolution_leaders") if c["topic_label"] == "Conflictos mineros"]
    assert len(leaders) == 3
    first = top.iloc[0]
    handle = "@" + ("<script>alert(1)</script>" if first["author_key"] == "x:0" else f"user{first['author_key'][2:]}_x")
    assert leaders[0]["handle"].startswith(handle)
    assert leaders[0]["months_leading"] == f"{first['months']} de 3"
    assert leaders[0]["quarter"] == "T2 2022"


def test_each_quarter_s_graph_says_through_which_day_it_holds_data(warehouse: Path, html_all: str) -> None:
    """The running quarter's graph is computed on a cadence: the page gives, per topic and quarter,
    the last day the graph holds (fct_topic_exposure.data_through), as the mart has it."""
    shown = {(c["topic_label"], c["quarter"]): c["data_through"] for _, c in rows(html_all, "evolution_exposure")}
    expected = {(label, "T2 2022"): f"{day.day} jun 2022" for (label, day) in sql(warehouse, """
        select coalesce(t.topic_label, t.topic_id), x.data_through
        from marts.fct_topic_exposure as x join marts.dim_topics as t using (topic_id)
        where x.quarter = date '2022-04-01'""")}
    assert shown == expected and len(shown) == len(TOPICS)
    assert len(set(shown.values())) == len(TOPICS)   # each topic's graph kept from its own day


# --------------------------------------------------------------------------- safety


def test_hostile_text_and_handles_stay_text(html_all: str) -> None:
    lowered = html_all.lower()
    assert "<script" not in lowered  # no script tag at all
    assert "&lt;script&gt;alert(1)&lt;/script&gt; hola" in html_all
    assert "@&lt;script&gt;alert(1)&lt;/script&gt;" in html_all  # the handle
    assert "&lt;img src=x onerror=alert(1)&gt;" in html_all
    assert "&#34; onmouseover=&#34;x" in html_all
    page = parse(html_all)
    assert not [t for t, _ in page.tags if t in ("img", "iframe", "object", "embed", "script", "link")]
    for tag, attrs in page.tags:
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
    # bidi overrides and zero-width characters are kept, isolated from the page in <bdi>
    assert f"<bdi>{HOSTILE_BIDI}</bdi>" in html_all
    # 10 000 emoji are cut like any text
    assert "😀" * 179 + "…" in html_all and "😀" * 181 not in html_all
    alerts = rows(html_all, "evolution_alerts")
    assert len(alerts) == 12 and any(c["text"] == HOSTILE_SCRIPT + " hola" for _, c in alerts)
    assert "Agua &amp; &lt;saneamiento&gt;" in html_all and "<saneamiento>" not in html_all


def test_no_external_references(html_all: str, html_ambiente: str) -> None:
    for html in (html_all, html_ambiente):
        lowered = html.lower()
        assert "@import" not in lowered and "<link" not in lowered
        assert not re.search(r"url\((?!#)", lowered)  # only in-document references
        assert "http://" not in lowered and "https://" not in lowered  # not even svg namespaces
        for tag, attrs in parse(html).tags:
            for name in ("src", "href", "xlink:href", "action", "srcset"):
                value = (attrs.get(name) or "").strip().lower()
                assert not value or value.startswith("#"), (tag, name, value)
        ids = re.findall(r'\bid="([^"]+)"', html)
        assert len(ids) == len(set(ids)), "duplicate ids across inlined charts"
        for ref in re.findall(r'(?:href="#|url\(#)([^")]+)', html):
            assert ref in ids, f"dangling chart reference #{ref}"


def test_hostile_page_in_a_real_browser(page_all: Path, tmp_path: Path) -> None:
    from tests.browser import open_page

    report = open_page(page_all, tmp_path / "evolution.png",
                       evaluate=["document.scripts.length", "document.querySelectorAll('img, iframe').length"])
    assert report.dialogs == [] and report.page_errors == [] and report.requests == []
    assert report.console_of("error") == []
    assert report.evaluated == {"document.scripts.length": 0,
                                "document.querySelectorAll('img, iframe').length": 0}
    assert HOSTILE_SCRIPT + " hola" in report.text and "@" + HOSTILE_HANDLE in report.text
    assert report.title == "Evolución de la conversación — Todos los programas — T2 2022"


def test_warehouse_is_only_read(warehouse: Path, tmp_path: Path) -> None:
    before = hashlib.sha256(warehouse.read_bytes()).hexdigest()
    render_evolution(warehouse, tmp_path, "gobierno", *Q2, "2022-Q2")
    assert hashlib.sha256(warehouse.read_bytes()).hexdigest() == before
    assert not warehouse.with_name(warehouse.name + ".wal").exists()


# --------------------------------------------------------------------------- languages, periods, pages


def test_english_page(warehouse: Path, tmp_path: Path) -> None:
    path = render_evolution(warehouse, tmp_path, "ambiente", *Q2, "2022-Q2", lang="en")
    html = path.read_text(encoding="utf-8")
    assert path.name == "evolution-ambiente-2022-Q2-en.html"
    assert '<html lang="en">' in html
    assert "<title>Conversation evolution — Ambiente y recursos naturales — Q2 2022</title>" in html
    for heading in ("Summary", "Coverage", "Volume and share of voice", "Sentiment", "Declared events",
                    "Alerts of the period", "Who led the debate", "Communities and bridges", "Who takes part"):
        assert f">{heading}</h2>" in html, heading
    assert "Changes compare with the previous period, 1 Jan 2022 to 31 Mar 2022." in squash(html)
    posts = big_number(html, "posts")[0]
    assert "," in posts and NNBSP not in posts
    assert "fewer than 10 authors" in html and "invented (demo)" in html


def test_period_bounds() -> None:
    assert period_bounds("2022-01") == (date(2022, 1, 1), date(2022, 1, 31))
    assert period_bounds("2024-02") == (date(2024, 2, 1), date(2024, 2, 29))
    assert period_bounds("2022-12") == (date(2022, 12, 1), date(2022, 12, 31))
    assert period_bounds("2022-Q1") == (date(2022, 1, 1), date(2022, 3, 31))
    assert period_bounds("2022-q4") == (date(2022, 10, 1), date(2022, 12, 31))
    assert period_bounds("2022") == (date(2022, 1, 1), date(2022, 12, 31))
    for bad in ("2022-13", "2022-00", "2022-1", "2022-Q0", "2022-Q5", "22", "", "2022-", "2022-W01",
                "enero 2022", "2022/01", "0000", "2022-01-01"):
        with pytest.raises(ValueError):
            period_bounds(bad)
    with pytest.raises(ValueError):
        period_bounds(None)  # type: ignore[arg-type]


def test_previous_and_latest_periods_and_titles() -> None:
    assert previous_period(*period_bounds("2022-03")) == (date(2022, 2, 1), date(2022, 2, 28))
    assert previous_period(*period_bounds("2022-Q1")) == (date(2021, 10, 1), date(2021, 12, 31))
    assert previous_period(*period_bounds("2022")) == (date(2021, 1, 1), date(2021, 12, 31))
    assert previous_period(date(2022, 1, 10), date(2022, 1, 16)) == (date(2022, 1, 3), date(2022, 1, 9))
    assert latest_periods(date(2022, 10, 31)) == ["2022-10", "2022-Q3", "2022"]
    assert latest_periods(date(2022, 10, 30)) == ["2022-09", "2022-Q3", "2022"]
    assert latest_periods(date(2022, 1, 15)) == ["2021-12", "2021-Q4", "2022"]
    assert latest_periods(date(2022, 6, 30)) == ["2022-06", "2022-Q2", "2022"]
    assert period_title("2022-01") == "enero 2022" and period_title("2022-01", "en") == "January 2022"
    assert period_title("2022-Q3") == "T3 2022" and period_title("2022-Q3", "en") == "Q3 2022"
    assert period_title("semana 3") == "semana 3"


def test_render_evolution_refuses_bad_input(warehouse: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown programme"):
        render_evolution(warehouse, tmp_path, "nope", *Q2, "2022-Q2")
    with pytest.raises(ValueError):
        render_evolution(warehouse, tmp_path, "../etc", *Q2, "2022-Q2")
    with pytest.raises(ValueError):
        render_evolution(warehouse, tmp_path, None, Q2[1], Q2[0], "2022-Q2")
    empty = render_evolution(warehouse, tmp_path, None, *period_bounds("2030-01"), "2030-01").read_text("utf-8")
    assert big_number(empty, "posts") == ("0", None) and "<svg class=\"chart\"" not in empty
    assert "Ningún evento declarado toca este periodo." in empty


def test_evolution_set_and_index(warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "overview.html").write_text("<title>Resumen</title>", encoding="utf-8")
    (tmp_path / "digest-ambiente-2022-W26.html").write_text("<title>Boletín</title>", encoding="utf-8")
    from reports import queries

    opened = []
    stock_connect = queries.connect_readonly
    monkeypatch.setattr(queries, "connect_readonly", lambda path: opened.append(path) or stock_connect(path))
    paths = render_evolution_set(warehouse, tmp_path)
    assert opened == [warehouse]  # the set's pages share one read-only connection
    assert sorted(p.name for p in paths) == sorted(
        f"evolution-{p}-{s}.html" for p in ("all", "ambiente", "gobierno") for s in ("2022-06", "2022-Q2", "2022"))
    # each page of the set is the page rendered on its own (its own connection), but for the time
    alone = render_evolution(warehouse, tmp_path / "alone", "ambiente", *period_bounds("2022-Q2"), "2022-Q2")
    assert len(opened) == 2
    undated = functools.partial(re.sub, r"(?s)<footer.*?</footer>", "")
    assert undated(alone.read_text("utf-8")) == undated((tmp_path / alone.name).read_text("utf-8"))
    html = render_index(tmp_path).read_text(encoding="utf-8")
    groups = re.findall(r'<ul class="reports" data-group="([a-z]+)">(.*?)</ul>', html, re.S)
    assert [g for g, _ in groups] == ["overview", "evolution", "digest"]
    linked = dict(groups)
    assert len(re.findall(r"<a href=", linked["evolution"])) == 9
    assert 'href="digest-ambiente-2022-W26.html"' in linked["digest"]
    assert "Evolución de la conversación — Ambiente y recursos naturales — junio 2022" in linked["evolution"]


def test_evolution_set_shared_with_a_helper_process(warehouse: Path, tmp_path: Path) -> None:
    """With a helper process (escucha.processes.share_out: it takes at least the two pages it is
    given first) the set is the same pages as rendered in one process, but for the time."""
    alone = render_evolution_set(warehouse, tmp_path / "alone", helpers=0)
    shared = render_evolution_set(warehouse, tmp_path / "shared", helpers=1)
    assert [p.name for p in shared] == [p.name for p in alone] and len(shared) == 9
    assert all(p.parent == tmp_path / "shared" for p in shared)
    undated = functools.partial(re.sub, r"(?s)<footer.*?</footer>", "")
    for one, other in zip(alone, shared):
        assert undated(one.read_text("utf-8")) == undated(other.read_text("utf-8")), other.name


# --------------------------------------------------------------------------- components


def _render(source: str, lang: str = "es", **context: object) -> str:
    env = make_environment(lang)
    return env.from_string('{% import "components.html" as c %}' + source).render(**context)


def test_big_number_with_change() -> None:
    up = _render("{{ c.big_number(1120, 'Publicaciones', 'num0', metric='posts', previous=1000) }}")
    assert 'class="change up" data-change="0.12' in up and "▲" in up and "+12,0\u00a0%" in up
    assert "antes: 1\u202f000" in up
    down = _render("{{ c.big_number(-0.3, 'Neto', 'num2', previous=-0.1, change='absolute', change_fmt='num2') }}")
    assert 'class="change down"' in down and "▼" in down and "-0,20" in down
    none = _render("{{ c.big_number(5, 'Alertas', previous=0) }}{{ c.big_number(5, 'Alertas') }}")
    assert "data-change" not in none  # no change from 0, nor without a previous value
    en = _render("{{ c.big_number(1500, 'Posts', previous=1000) }}", lang="en")
    assert "+50.0%" in en and "before: 1,000" in en


def test_callout_sparkline_and_area_chart() -> None:
    html = _render("{{ c.callout('warning', title='Ojo <b>', body='a & b') }}"
                   "{% call c.callout('event') %}<p>dentro</p>{% endcall %}"
                   "{{ c.sparkline([1, 3, none, 2], title='Semanal') }}")
    assert 'class="callout callout-warning"' in html and "Ojo &lt;b&gt;" in html and "a &amp; b" in html
    assert 'class="callout callout-event"' in html and "<p>dentro</p>" in html
    assert '<svg class="sparkline"' in html and "xmlns" not in html and "<polyline" in html
    with pytest.raises(ValueError, match="callout kind"):
        _render("{{ c.callout('danger', body='x') }}")
    weeks = [date(2022, 1, 3) + timedelta(weeks=w) for w in range(6)]
    data = pd.DataFrame([{"week": w, "sentiment": s, "share": v}
                         for w in weeks for s, v in zip(SENTIMENTS, (0.3, 0.5, 0.2))])
    svg = render.area_chart_svg(data, "week", "share", "sentiment", chart_id="a1", y_fmt="pct1", series_fmt="code",
                                series_order=["negative", "neutral", "positive"],
                                events=[{"start": date(2022, 1, 20), "end": date(2022, 1, 30), "label": "1"}])
    assert svg.count("<path") >= 3 and ">positivo<" in svg and ">100,0\u00a0%<" in svg
    assert 'id="a1-figure_1"' in svg and "http" not in svg and ">1<" in svg
    markers = event_markers(pd.DataFrame([
        {"event_id": "e", "event_name": "E", "start_date": date(2022, 1, 5), "end_date": None, "origin": "real"},
        {"event_id": "e", "event_name": "E", "start_date": date(2022, 1, 5), "end_date": None, "origin": "real"},
        {"event_id": "f", "event_name": "F", "start_date": date(2022, 2, 5), "end_date": date(2022, 2, 6),
         "origin": "demo"}]))
    assert [(m["label"], m["event_id"], m["end"]) for m in markers] == [
        ("1", "e", date(2022, 1, 5)), ("2", "f", date(2022, 2, 6))]


# --------------------------------------------------------------------------- Dagster and CLI


def test_evolution_reports_asset(warehouse: Path, tmp_path: Path) -> None:
    import shutil

    import dagster as dg

    from assets.reports import evolution_reports
    from orchestration.resources import EscuchaHome

    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(warehouse, home / "warehouse.duckdb")
    result = dg.materialize([evolution_reports], resources={"escucha_home": EscuchaHome(root=str(home))})
    assert result.success
    [materialization] = result.asset_materializations_for_node("evolution_reports")
    meta = materialization.metadata
    assert meta["pages"].value == 9
    assert sum(meta["bytes"].data.values()) == meta["total_bytes"].value > 0
    assert (home / "reports" / "index.html").is_file()
    assert {Path(p).name for p in meta["paths"].data} == {p.name for p in (home / "reports").glob("evolution-*.html")}
    deps = {tuple(k.path) for k in evolution_reports.dependency_keys}
    assert {("marts", "fct_topic_daily"), ("marts", "fct_event_impact"), ("marts", "fct_topic_demographics")} <= deps
    assert meta["pages_written"].value == 9 and meta["pages_unchanged"].value == 0

    # a second run over the same marts keeps every page as it is, byte for byte
    pages = {p: p.read_bytes() for p in (home / "reports").glob("evolution-*.html")}
    again = dg.materialize([evolution_reports], resources={"escucha_home": EscuchaHome(root=str(home))})
    [meta2] = [m.metadata for m in again.asset_materializations_for_node("evolution_reports")]
    assert (meta2["pages_written"].value, meta2["pages_unchanged"].value) == (0, 9)
    assert {p: p.read_bytes() for p in pages} == pages

    # new posts on a day of May change every page that shows the programme (and all): June's
    # through its change against May; the other programme's pages stay as they are
    with duckdb.connect(str(home / "warehouse.duckdb")) as con:
        changed = con.execute("""
            update marts.fct_topic_daily set posts = posts + 7
            where topic_id = 'mineria' and day = date '2022-05-10'""").fetchone()[0]
    assert changed > 0
    third = dg.materialize([evolution_reports], resources={"escucha_home": EscuchaHome(root=str(home))})
    [meta3] = [m.metadata for m in third.asset_materializations_for_node("evolution_reports")]
    rewritten = {p.name for p in pages if p.read_bytes() != pages[p]}
    assert rewritten == {f"evolution-{p}-{s}.html" for p in ("all", "gobierno") for s in ("2022-06", "2022-Q2", "2022")}
    assert (meta3["pages_written"].value, meta3["pages_unchanged"].value) == (6, 3)


def test_cli_report_evolution(warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                              capsys: pytest.CaptureFixture[str]) -> None:
    import shutil

    from escucha.cli import main

    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(warehouse, home / "warehouse.duckdb")
    monkeypatch.setenv("ESCUCHA_HOME", str(home))
    assert main(["report", "evolution", "--programme", "ambiente", "--period", "2022-Q2"]) == 0
    out = capsys.readouterr().out.strip()
    assert out == str(home / "reports" / "evolution-ambiente-2022-Q2.html") and Path(out).is_file()
    assert main(["report", "evolution", "--lang", "en", "--out", str(tmp_path / "o")]) == 0  # latest month, all
    assert capsys.readouterr().out.strip() == str(tmp_path / "o" / "evolution-all-2022-06-en.html")
    assert (tmp_path / "o" / "index.html").is_file()
    assert main(["report", "evolution", "--period", "2022-Q5"]) == 2
    assert "not a period" in capsys.readouterr().err
    assert main(["report", "evolution", "--programme", "nope", "--period", "2022"]) == 2
