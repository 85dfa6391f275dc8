"""Render Evidence-style report pages: jinja2 templates + named SQL queries + static SVG charts.

A page is prose plus named queries (``reports/queries/<name>.sql``), run read-only against
the DuckDB warehouse, and a few component macros (``reports/templates/components.html``).
The output is a single self-contained HTML file: inline CSS, inline SVG, no scripts and no
external references, so it opens offline and in mail clients.

This module renders the overview page and the folder's index. The pieces live in small
modules: ``labels`` (words per language), ``formats`` (values as text), ``queries`` (named
SQL, read-only), ``charts`` (inline SVG), ``environment`` (the jinja2 environment),
``periods`` and ``evolution`` (the conversation-evolution page). The names other code
imports from ``reports.render`` are re-exported here.
"""
from __future__ import annotations

import re
import urllib.parse
from datetime import date, datetime
from html import unescape
from pathlib import Path
from typing import Any

from reports.charts import area_chart_svg, bar_chart_svg, line_chart_svg
from reports.environment import TEMPLATES_DIR, make_environment
from reports.evolution import event_markers, render_evolution, render_evolution_set, warehouse_last_day
from reports.formats import (
    LIMA,
    TEXT_CHARS,
    clip,
    fmt_date,
    fmt_datetime,
    fmt_handle,
    fmt_month,
    fmt_network,
    fmt_num0,
    fmt_num2,
    fmt_pct1,
    format_signed,
    is_missing,
)
from reports.labels import MISSING, MONTHS
from reports.periods import latest_periods, period_bounds, period_title, previous_period
from reports.queries import connect_readonly, first_row, load_query, records, run_queries

__all__ = [
    "LIMA", "MISSING", "MONTHS", "OVERVIEW_QUERIES", "TEMPLATES_DIR",
    "area_chart_svg", "bar_chart_svg", "clip", "connect_readonly", "event_markers",
    "fmt_date", "fmt_datetime", "fmt_handle", "fmt_month", "fmt_network", "fmt_num0", "fmt_num2", "fmt_pct1",
    "format_signed", "is_missing", "latest_periods", "line_chart_svg", "load_query", "make_environment",
    "overview_params", "page_title", "period_bounds", "period_title", "previous_period", "records",
    "render_evolution", "render_evolution_set", "render_index", "render_overview", "report_kind",
    "run_queries", "warehouse_last_day",
]

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


# --------------------------------------------------------------------------- index

_TITLE = re.compile(r"<title>(.*?)</title>", re.DOTALL | re.IGNORECASE)


def page_title(path: Path) -> str:
    """The text of a page's ``<title>`` (the file stem if it has none)."""
    match = _TITLE.search(path.read_text(encoding="utf-8", errors="replace"))
    return " ".join(unescape(match.group(1)).split()) if match else path.stem


INDEX_GROUPS = (
    ("overview", "overview"),
    ("evolution", "evolution-"),
    ("digest", "digest-"),
    ("other", ""),
)


def report_kind(name: str) -> str:
    """The index group of a report file, from its name (``overview``, ``evolution``, ``digest`` or ``other``)."""
    return next(kind for kind, prefix in INDEX_GROUPS if name.startswith(prefix))


def render_index(out_dir: Path, lang: str = "es") -> Path:
    """Write ``out_dir/index.html`` linking (relatively) every other ``*.html`` report in ``out_dir``,
    grouped: the overview, the evolution pages, digest previews (``digest-*.html``), then any other."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    pages = [
        {"href": urllib.parse.quote(p.name), "title": page_title(p), "name": p.name, "kind": report_kind(p.name)}
        for p in sorted(out_dir.glob("*.html"))
        if p.name != "index.html" and p.is_file()
    ]
    groups = [
        {"kind": kind, "pages": [p for p in pages if p["kind"] == kind]}
        for kind, _prefix in INDEX_GROUPS
    ]
    html = make_environment(lang).get_template("index.html").render(
        pages=pages, groups=[g for g in groups if g["pages"]])
    path = out_dir / "index.html"
    path.write_text(html, encoding="utf-8")
    return path
