"""Render Evidence-style report pages: jinja2 templates + named SQL queries + static SVG charts.

A page is prose plus named queries (``reports/queries/<name>.sql``), run read-only against
the DuckDB warehouse, and a few component macros (``reports/templates/components.html``).
The output is a single self-contained HTML file: inline CSS, inline SVG, no scripts and no
external references, so it opens offline and in mail clients.
"""
from __future__ import annotations

import functools
import io
import itertools
import math
import re
import sys
import urllib.parse
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta, timezone
from html import unescape
from pathlib import Path
from typing import Any

import duckdb
import jinja2
import pandas as pd
from markupsafe import Markup, escape

PACKAGE_DIR = Path(__file__).resolve().parent
QUERIES_DIR = PACKAGE_DIR / "queries"
TEMPLATES_DIR = PACKAGE_DIR / "templates"

# Peru has kept UTC-5 all year since 1994: a fixed offset avoids depending on tzdata.
LIMA = timezone(timedelta(hours=-5), "America/Lima")

# Numbers are grouped with a narrow no-break space (SI / RAE): "12 345". In Peru both
# "12.345" and "12,345" are read as thousands *or* decimals depending on the reader;
# the space is unambiguous. Decimals use a comma in Spanish: "12,3 %".
GROUP_SEP = {"es": "\u202f", "en": ","}
DECIMAL_SEP = {"es": ",", "en": "."}
PERCENT_SUFFIX = {"es": "\u00a0%", "en": "%"}
MONTHS = {
    "es": ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"],
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
}
MISSING = "—"

NETWORK_NAMES = {
    "x": "X",
    "twitter": "X",
    "facebook": "Facebook",
    "instagram": "Instagram",
    "tiktok": "TikTok",
    "youtube": "YouTube",
    "reddit": "Reddit",
    "telegram": "Telegram",
    "mastodon": "Mastodon",
    "bluesky": "Bluesky",
}

LABELS: dict[str, dict[str, str]] = {
    "es": {
        "title": "escucha — resumen de conversaciones",
        "index_title": "escucha — informes",
        "index_intro": "Informes generados en esta carpeta.",
        "index_empty": "Todavía no hay informes.",
        "intro": "Resumen de las publicaciones públicas recogidas en el almacén de datos.",
        "totals": "Totales",
        "posts": "Publicaciones",
        "authors": "Autores distintos",
        "engagement": "Interacciones",
        "engagement_hint": "me gusta + compartidos + comentarios",
        "networks": "Redes",
        "period": "Periodo",
        "period_range": "del {first} al {last}",
        "coverage": "Cobertura",
        "coverage_sentence": "Los datos van del {first} al {last} ({days} días) y vienen de {networks} redes.",
        "coverage_network": "{network} tiene datos en {days} de esos días ({share}), del {first} al {last}.",
        "coverage_none": "No hay publicaciones en el almacén para este periodo.",
        "network": "Red",
        "first_day": "Primer día",
        "last_day": "Último día",
        "days_with_data": "Días con datos",
        "share_of_period": "% del periodo",
        "topic_weekly": "Volumen por tema",
        "topic_weekly_intro": "Publicaciones por semana y tema, sumando todas las redes.",
        "topic_weekly_caption": "Semanas ISO, de lunes a domingo; la primera y la última pueden estar incompletas.",
        "top_topics": "Temas principales por mes",
        "top_topics_intro": "Los {k} temas con más publicaciones cada mes y su parte de las publicaciones de todos los temas de ese mes. El primer y el último mes pueden estar incompletos.",
        "month": "Mes",
        "topic": "Tema",
        "share_month": "% del mes",
        "network_totals": "Publicaciones por red",
        "top_posts": "Las {n} publicaciones con más interacciones",
        "top_posts_intro": "Texto recortado a {chars} caracteres.",
        "date": "Fecha",
        "handle": "Cuenta",
        "text": "Texto",
        "no_data": "Sin datos.",
        "generated": "Generado el {when} (hora de Lima) a partir del almacén {warehouse}.",
        "provenance": "Cada cifra proviene de una consulta con nombre",
        "chart_weekly": "Publicaciones por semana y tema",
        "chart_networks": "Publicaciones por red",
        "at": "a las",
        "other": "Otros",
        "coverage_full": "Todas las redes tienen datos todos los días del periodo.",
    },
    "en": {
        "title": "escucha — conversation overview",
        "index_title": "escucha — reports",
        "index_intro": "Reports generated in this folder.",
        "index_empty": "No reports yet.",
        "intro": "Overview of the public posts collected in the warehouse.",
        "totals": "Totals",
        "posts": "Posts",
        "authors": "Distinct authors",
        "engagement": "Engagement",
        "engagement_hint": "likes + shares + comments",
        "networks": "Networks",
        "period": "Period",
        "period_range": "{first} to {last}",
        "coverage": "Coverage",
        "coverage_sentence": "Data runs from {first} to {last} ({days} days) and comes from {networks} networks.",
        "coverage_network": "{network} has data on {days} of those days ({share}), from {first} to {last}.",
        "coverage_none": "The warehouse holds no posts for this period.",
        "network": "Network",
        "first_day": "First day",
        "last_day": "Last day",
        "days_with_data": "Days with data",
        "share_of_period": "% of period",
        "topic_weekly": "Volume per topic",
        "topic_weekly_intro": "Posts per week and topic, all networks together.",
        "topic_weekly_caption": "ISO weeks, Monday to Sunday; the first and last week may be partial.",
        "top_topics": "Top topics per month",
        "top_topics_intro": "The {k} topics with most posts each month and their share of that month's posts over all topics. The first and last month may be partial.",
        "month": "Month",
        "topic": "Topic",
        "share_month": "% of month",
        "network_totals": "Posts per network",
        "top_posts": "The {n} most engaged posts",
        "top_posts_intro": "Text cut to {chars} characters.",
        "date": "Date",
        "handle": "Account",
        "text": "Text",
        "no_data": "No data.",
        "generated": "Generated on {when} (Lima time) from the warehouse {warehouse}.",
        "provenance": "Every figure comes from a named query",
        "chart_weekly": "Posts per week and topic",
        "chart_networks": "Posts per network",
        "at": "at",
        "other": "Other",
        "coverage_full": "Every network has data on every day of the period.",
    },
}

# The overview page: its named queries, in page order, and its parameters.
OVERVIEW_QUERIES = (
    "overview_totals",
    "overview_coverage",
    "topic_weekly",
    "top_topics_monthly",
    "network_totals",
    "top_posts",
)
TOP_TOPICS_PER_MONTH = 3
TOP_POSTS = 10
TEXT_CHARS = 180

# Okabe–Ito: distinguishable for the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]

_QUERY_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_SQL_COMMENT = re.compile(r"--[^\n]*")


# --------------------------------------------------------------------------- queries


@functools.cache
def load_query(name: str) -> str:
    """The SQL text of the named query ``reports/queries/<name>.sql``."""
    if not _QUERY_NAME.match(name):
        raise ValueError(f"invalid query name: {name!r}")
    path = QUERIES_DIR / f"{name}.sql"
    if not path.is_file():
        raise FileNotFoundError(f"no query named {name!r} ({path})")
    return path.read_text(encoding="utf-8")


def query_params(sql: str) -> list[str]:
    """The ``$name`` parameters a query uses (comments ignored), in first-use order."""
    return list(dict.fromkeys(_PARAM.findall(_SQL_COMMENT.sub("", sql))))


def run_queries(
    con: duckdb.DuckDBPyConnection, names: Iterable[str], params: Mapping[str, Any] | None = None
) -> dict[str, pd.DataFrame]:
    """Run each named query with its ``$name`` parameters bound from ``params``.

    Values are always bound by DuckDB, never pasted into the SQL. Each query gets only the
    parameters it uses (DuckDB rejects extra ones); a missing one raises ``KeyError``.
    """
    params = dict(params or {})
    results: dict[str, pd.DataFrame] = {}
    for name in names:
        sql = load_query(name)
        wanted = query_params(sql)
        missing = [p for p in wanted if p not in params]
        if missing:
            raise KeyError(f"query {name!r} needs parameters {missing}")
        results[name] = con.execute(sql, {p: params[p] for p in wanted}).df()
    return results


def connect_readonly(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """Open the warehouse DuckDB file read-only (fails if it does not exist)."""
    warehouse = Path(warehouse)
    if not warehouse.is_file():
        raise FileNotFoundError(f"warehouse not found: {warehouse}")
    return duckdb.connect(str(warehouse), read_only=True)


# --------------------------------------------------------------------------- formats


def is_missing(value: Any) -> bool:
    """True for None, NULL-likes from pandas (NA, NaT) and NaN."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _check_lang(lang: str) -> str:
    if lang not in LABELS:
        raise ValueError(f"unsupported language {lang!r}; choose one of {sorted(LABELS)}")
    return lang


def fmt_num0(value: Any, lang: str = "es") -> str:
    """Whole number with thousands grouping: ``12 345`` (es) / ``12,345`` (en)."""
    if is_missing(value):
        return MISSING
    return f"{round(float(value)):,}".replace(",", GROUP_SEP[_check_lang(lang)])


def fmt_pct1(value: Any, lang: str = "es") -> str:
    """A fraction as a percentage with one decimal: ``0.1234`` -> ``12,3 %`` (es) / ``12.3%`` (en)."""
    if is_missing(value):
        return MISSING
    text = f"{float(value) * 100:,.1f}"
    whole, dec = text.split(".")
    whole = whole.replace(",", GROUP_SEP[_check_lang(lang)])
    return f"{whole}{DECIMAL_SEP[lang]}{dec}{PERCENT_SUFFIX[lang]}"


def _as_date(value: Any) -> date | None:
    if is_missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    raise TypeError(f"not a date: {value!r}")


def fmt_date(value: Any, lang: str = "es") -> str:
    """A calendar day: ``15 ene 2022`` (es) / ``15 Jan 2022`` (en)."""
    day = _as_date(value)
    if day is None:
        return MISSING
    return f"{day.day} {MONTHS[_check_lang(lang)][day.month - 1]} {day.year}"


def fmt_month(value: Any, lang: str = "es") -> str:
    """A month: ``ene 2022`` (es) / ``Jan 2022`` (en)."""
    day = _as_date(value)
    if day is None:
        return MISSING
    return f"{MONTHS[_check_lang(lang)][day.month - 1]} {day.year}"


def fmt_datetime(value: datetime, lang: str = "es") -> str:
    """A moment in Lima time: ``15 ene 2022 a las 14:03`` (es)."""
    local = value.astimezone(LIMA) if value.tzinfo else value
    return f"{fmt_date(local, lang)} {LABELS[lang]['at']} {local:%H:%M}"


def fmt_network(value: Any) -> str:
    """Display name of a network code (``x`` -> ``X``); unknown codes pass through."""
    if is_missing(value):
        return MISSING
    return NETWORK_NAMES.get(str(value).lower(), str(value))


def fmt_handle(value: Any) -> str:
    """An account handle with a leading ``@``."""
    if is_missing(value) or not str(value).strip():
        return MISSING
    return "@" + str(value).strip().lstrip("@")


def fmt_text(value: Any) -> str:
    """Plain text (NULL as a dash). Escaping is left to jinja's autoescape."""
    return MISSING if is_missing(value) else str(value)


def clip(value: Any, chars: int = TEXT_CHARS) -> str:
    """Collapse whitespace and cut to at most ``chars`` characters, on a word if possible."""
    if is_missing(value):
        return ""
    text = " ".join(str(value).split())
    if len(text) <= chars:
        return text
    cut = text[: chars - 1]
    space = cut.rfind(" ")
    if space > chars * 0.6:
        cut = cut[:space]
    return cut.rstrip(" .,;:") + "…"


FORMATS: dict[str, Callable[[Any, str], str]] = {
    "num0": fmt_num0,
    "pct1": fmt_pct1,
    "date": fmt_date,
    "month": fmt_month,
    "network": lambda v, lang="es": fmt_network(v),
    "handle": lambda v, lang="es": fmt_handle(v),
    "text": lambda v, lang="es": fmt_text(v),
}


def format_value(value: Any, fmt: str = "text", lang: str = "es") -> str:
    """Format ``value`` with the named format (``num0``, ``pct1``, ``date``, ``month``, ``network``, ``text``)."""
    try:
        formatter = FORMATS[fmt]
    except KeyError:
        raise ValueError(f"unknown format {fmt!r}; choose one of {sorted(FORMATS)}") from None
    return formatter(value, lang)


def records(df: pd.DataFrame | None) -> list[dict[str, Any]]:
    """A query result as a list of row dicts (NULLs as None), for templates."""
    if df is None or df.empty:
        return []
    return [{k: (None if is_missing(v) else v) for k, v in row.items()} for row in df.to_dict("records")]


def first_row(df: pd.DataFrame | None) -> dict[str, Any]:
    """The first row of a query result as a dict ({} when empty)."""
    rows = records(df)
    return rows[0] if rows else {}


# --------------------------------------------------------------------------- charts


@functools.cache
def _chart_rc() -> dict[str, Any]:
    """Matplotlib settings for every chart (built once)."""
    import matplotlib

    if "matplotlib.pyplot" not in sys.modules:
        # Headless backend before any pyplot import; if pyplot is already loaded (e.g. a
        # notebook) its backend is left alone: charts are drawn on Figure objects anyway.
        matplotlib.use("Agg")
    return {
        "svg.fonttype": "none",  # text stays text: searchable, small, no embedded glyphs
        "svg.hashsalt": "escucha",  # deterministic clip-path ids
        "text.parse_math": False,  # a "$" in a topic label is just a dollar sign
        "font.family": "sans-serif",
        "font.sans-serif": ["DejaVu Sans"],  # ships with matplotlib; used only for layout
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.edgecolor": "#888888",
        "axes.grid": True,
        "axes.grid.axis": "y",
        "axes.axisbelow": True,
        "grid.color": "#e3e3e3",
        "grid.linewidth": 0.6,
        "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
        "xtick.color": "#444444",
        "ytick.color": "#444444",
        "legend.frameon": False,
    }


_SVG_PROLOG = re.compile(r"^.*?(?=<svg\b)", re.DOTALL)
_SVG_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)
_SVG_STYLE = re.compile(r"<style[^>]*>.*?</style>\s*", re.DOTALL)
_SVG_XMLNS = re.compile(r'\s+xmlns(?::\w+)?="[^"]*"')
_SVG_ID = re.compile(r'\bid="([^"]+)"')
_SVG_HREF = re.compile(r'href="#([^"]+)"')
_SVG_URL = re.compile(r"url\(#([^)]+)\)")


def clean_svg(svg: str, chart_id: str, title: str = "") -> Markup:
    """Make matplotlib's SVG safe to inline several times in one HTML page.

    Drops the XML prolog/doctype, the RDF metadata and namespace URLs (HTML parsers
    put inline ``<svg>`` in the SVG namespace themselves), the global ``*{}`` style,
    and prefixes every id and reference with ``chart_id`` so charts cannot clash.
    Text inside comes escaped from matplotlib's SVG writer.
    """
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", chart_id):
        raise ValueError(f"invalid chart id {chart_id!r}")
    svg = _SVG_PROLOG.sub("", svg, count=1)
    svg = _SVG_METADATA.sub("", svg)
    svg = _SVG_STYLE.sub("", svg)
    svg = _SVG_XMLNS.sub("", svg)
    svg = _SVG_ID.sub(lambda m: f'id="{chart_id}-{m.group(1)}"', svg)
    svg = _SVG_HREF.sub(lambda m: f'href="#{chart_id}-{m.group(1)}"', svg)
    svg = _SVG_URL.sub(lambda m: f"url(#{chart_id}-{m.group(1)})", svg)
    svg = svg.replace(
        "<svg ", f'<svg class="chart" role="img" aria-label="{escape(title)}" ', 1
    )
    return Markup(svg.strip())


def _figure_to_svg(fig: Any, chart_id: str, title: str) -> Markup:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    return clean_svg(buf.getvalue(), chart_id, title)


def _date_ticks(days: Sequence[date], lang: str, max_ticks: int = 8) -> tuple[list[date], list[str]]:
    """At most ``max_ticks`` of ``days`` as ticks, labelled "3 ene", with the year on the first and on year changes."""
    step = max(1, math.ceil(len(days) / max_ticks))
    ticks = list(days[::step])
    labels, last_year = [], None
    for d in ticks:
        label = f"{d.day} {MONTHS[lang][d.month - 1]}"
        if d.year != last_year:
            label += f"\n{d.year}"
            last_year = d.year
        labels.append(label)
    return ticks, labels


def _series_groups(
    frame: pd.DataFrame, x: str, y: str, series: str | None, max_series: int, other_label: str
) -> list[tuple[str | None, pd.DataFrame]]:
    """Split ``frame`` into lines, largest total first; beyond ``max_series`` the rest are summed as one line."""
    if series is None:
        return [(None, frame)]
    totals = frame.groupby(series, sort=False)[y].sum()
    order = sorted(totals.index, key=lambda k: (-totals[k], str(k)))
    if len(order) > max_series:
        keep, rest = order[: max_series - 1], order[max_series - 1:]
    else:
        keep, rest = order, []
    groups = [(str(k), frame[frame[series] == k]) for k in keep]
    if rest:
        other = frame[frame[series].isin(rest)].groupby(x, as_index=False)[y].sum()
        groups.append((other_label, other))
    return groups


def line_chart_svg(
    data: pd.DataFrame,
    x: str,
    y: str,
    series: str | None = None,
    *,
    chart_id: str,
    title: str = "",
    y_fmt: str = "num0",
    lang: str = "es",
    max_series: int = len(PALETTE),
    width: float = 7.5,
    height: float = 3.4,
) -> Markup:
    """A line chart of ``y`` over dates in ``x``, one line per value of ``series``, as inline SVG.

    Lines are ordered by total, largest first; with more than ``max_series`` series the
    smallest ones are summed into one "other" line so no colour is reused.
    """
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    frame = data.copy()
    frame[x] = [_as_date(v) for v in frame[x]]
    groups = _series_groups(frame, x, y, series, max_series, LABELS[lang]["other"])
    with matplotlib.rc_context(_chart_rc()):
        fig = Figure(figsize=(width, height))
        ax = fig.add_subplot()
        for label, part in groups:
            part = part.sort_values(x)
            ax.plot(part[x], part[y], marker="o", markersize=2.5, linewidth=1.6, label=label)
        days = sorted(set(frame[x]))
        ticks, tick_labels = _date_ticks(days, lang)
        ax.set_xticks(ticks, tick_labels)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: format_value(v, y_fmt, lang)))
        ax.set_ylim(bottom=0)
        if series is not None:
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=min(len(groups), 3),
                      fontsize=8, handlelength=1.5)
        return _figure_to_svg(fig, chart_id, title)


def bar_chart_svg(
    data: pd.DataFrame,
    x: str,
    y: str,
    *,
    chart_id: str,
    title: str = "",
    x_fmt: str = "text",
    y_fmt: str = "num0",
    lang: str = "es",
    width: float = 7.5,
) -> Markup:
    """A horizontal bar chart of ``y`` per category ``x`` (largest on top), values labelled, as inline SVG."""
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    frame = data.sort_values(y, ascending=True)
    labels = [format_value(v, x_fmt, lang) for v in frame[x]]
    values = [0 if is_missing(v) else float(v) for v in frame[y]]
    with matplotlib.rc_context(_chart_rc() | {"axes.grid.axis": "x"}):
        fig = Figure(figsize=(width, 0.45 * len(values) + 0.8))
        ax = fig.add_subplot()
        bars = ax.barh(range(len(values)), values, color=PALETTE[0], height=0.6)
        ax.set_yticks(range(len(values)), labels)
        ax.bar_label(bars, labels=[format_value(v, y_fmt, lang) for v in values], padding=3, fontsize=8)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: format_value(v, y_fmt, lang)))
        ax.set_xlim(0, (max(values) if values else 1) * 1.15 or 1)
        return _figure_to_svg(fig, chart_id, title)


# --------------------------------------------------------------------------- templates


def make_environment(lang: str = "es") -> jinja2.Environment:
    """A jinja2 environment for one page render: autoescape on, formats and chart helpers bound to ``lang``."""
    _check_lang(lang)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    chart_ids = itertools.count(1)

    def next_chart_id(prefix: str = "chart") -> str:
        return f"{prefix}{next(chart_ids)}"

    for name in FORMATS:
        env.filters[name] = functools.partial(format_value, fmt=name, lang=lang)
    env.filters["fmt"] = lambda value, fmt="text": format_value(value, fmt, lang)
    env.filters["clip"] = clip
    env.filters["records"] = records
    env.globals.update(
        lang=lang,
        t=LABELS[lang],
        line_chart_svg=functools.partial(line_chart_svg, lang=lang),
        bar_chart_svg=functools.partial(bar_chart_svg, lang=lang),
        next_chart_id=next_chart_id,
    )
    return env


def overview_params(start: date | None = None, end: date | None = None) -> dict[str, Any]:
    """Parameters of the overview queries (``start``/``end``: optional inclusive Lima-day bounds)."""
    return {"start": start, "end": end, "top_k": TOP_TOPICS_PER_MONTH, "top_n": TOP_POSTS}


def render_overview(
    warehouse: Path,
    out_dir: Path,
    lang: str = "es",
    *,
    start: date | None = None,
    end: date | None = None,
    generated_at: datetime | None = None,
) -> Path:
    """Render the overview page from the warehouse (opened read-only) to ``out_dir/overview.html``."""
    env = make_environment(lang)
    warehouse, out_dir = Path(warehouse), Path(out_dir)
    con = connect_readonly(warehouse)
    try:
        data = run_queries(con, OVERVIEW_QUERIES, overview_params(start, end))
    finally:
        con.close()
    html = env.get_template("overview.html").render(
        data=data,
        totals=first_row(data["overview_totals"]),
        query_names=OVERVIEW_QUERIES,
        warehouse_name=str(warehouse),
        generated_at=fmt_datetime(generated_at or datetime.now(LIMA), lang),
        top_k=TOP_TOPICS_PER_MONTH,
        top_n=TOP_POSTS,
        text_chars=TEXT_CHARS,
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "overview.html"
    path.write_text(html, encoding="utf-8")
    return path


_TITLE = re.compile(r"<title>(.*?)</title>", re.DOTALL | re.IGNORECASE)


def page_title(path: Path) -> str:
    """The text of a page's ``<title>`` (the file stem if it has none)."""
    match = _TITLE.search(path.read_text(encoding="utf-8", errors="replace"))
    return " ".join(unescape(match.group(1)).split()) if match else path.stem


def render_index(out_dir: Path, lang: str = "es") -> Path:
    """Write ``out_dir/index.html`` linking (relatively) every other ``*.html`` report in ``out_dir``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    pages = [
        {"href": urllib.parse.quote(p.name), "title": page_title(p), "name": p.name}
        for p in sorted(out_dir.glob("*.html"))
        if p.name != "index.html" and p.is_file()
    ]
    html = make_environment(lang).get_template("index.html").render(pages=pages)
    path = out_dir / "index.html"
    path.write_text(html, encoding="utf-8")
    return path
