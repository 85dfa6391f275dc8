"""The conversation-evolution page: one programme (or all) over a period, compared with the period before."""
from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from escucha.processes import share_out
from reports.environment import make_environment
from reports.formats import LIMA, TEXT_CHARS, as_date, fmt_datetime
from reports.labels import check_lang
from reports.periods import latest_periods, period_bounds, period_title, previous_period
from reports.queries import connect_readonly, first_row, reading, records, run_queries

# The evolution page: its named queries, in page order, and its list sizes.
EVOLUTION_QUERIES = (
    "evolution_scope",
    "evolution_totals",
    "evolution_coverage",
    "evolution_gaps",
    "evolution_topic_versions",
    "evolution_topics",
    "evolution_weekly",
    "evolution_sentiment_weekly",
    "evolution_events",
    "evolution_alerts",
    "evolution_leaders",
    "evolution_exposure",
    "evolution_communities",
    "evolution_bridges",
    "evolution_demographics",
)
TOP_ALERTS = 15
TOP_RANK = 10  # "leading" a month = among the first TOP_RANK of fct_author_influence
TOP_LEADERS = 3
TOP_COMMUNITIES = 3
TOP_BRIDGES = 3
SENTIMENT_COLORS = {"positive": "#009E73", "neutral": "#B8BEC4", "negative": "#D55E00"}

_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_FINGERPRINT = re.compile(r'<meta name="escucha-fingerprint" content="([0-9a-f]{64})">')
REPORTS_DIR = Path(__file__).resolve().parent


@functools.cache
def _code_fingerprint() -> str:
    """A hash of everything that shapes a page besides its data: the reports package's code,
    templates and queries."""
    digest = hashlib.sha256()
    for path in sorted(p for p in REPORTS_DIR.rglob("*") if p.suffix in {".py", ".html", ".txt", ".sql"}):
        digest.update(path.relative_to(REPORTS_DIR).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def page_fingerprint(data: dict[str, pd.DataFrame], *parts: Any) -> str:
    """A hash of a page's query results, its parameters and the reports code: equal fingerprints
    give the same page (except the time it was generated)."""
    digest = hashlib.sha256(_code_fingerprint().encode())
    for part in parts:
        digest.update(repr(part).encode() + b"\0")
    for name in sorted(data):
        digest.update(name.encode() + b"\0" + data[name].to_csv(index=False).encode() + b"\0")
    return digest.hexdigest()


def rendered_fingerprint(path: Path) -> str | None:
    """The fingerprint written in a page rendered before (None when there is no such page)."""
    try:
        with open(path, encoding="utf-8") as f:
            head = f.read(2048)
    except OSError:
        return None
    found = _FINGERPRINT.search(head)
    return found.group(1) if found else None


def evolution_filename(programme_id: str | None, period_label: str, lang: str = "es") -> str:
    """``evolution-<programme|all>-<period>.html`` (``-en`` before ``.html`` for English)."""
    for part in (programme_id or "all", period_label):
        if not _SLUG.match(part):
            raise ValueError(f"not usable in a file name: {part!r}")
    suffix = "" if check_lang(lang) == "es" else f"-{lang}"
    return f"evolution-{programme_id or 'all'}-{period_label}{suffix}.html"


def evolution_params(programme_id: str | None, start: date, end: date) -> dict[str, Any]:
    """Parameters of the evolution queries: the scope, the period, the previous period and list sizes."""
    prev_start, prev_end = previous_period(start, end)
    return {
        "programme": programme_id,
        "start": start,
        "end": end,
        "prev_start": prev_start,
        "prev_end": prev_end,
        "top_alerts": TOP_ALERTS,
        "top_rank": TOP_RANK,
        "top_leaders": TOP_LEADERS,
        "top_communities": TOP_COMMUNITIES,
        "top_bridges": TOP_BRIDGES,
    }


def event_markers(events: pd.DataFrame | None) -> list[dict[str, Any]]:
    """One numbered marker per event (first row of each event_id, in row order) for charts and captions."""
    markers: list[dict[str, Any]] = []
    seen: set[str] = set()
    for row in records(events):
        if row["event_id"] in seen:
            continue
        seen.add(row["event_id"])
        markers.append({"label": str(len(markers) + 1), "event_id": row["event_id"], "name": row["event_name"],
                        "start": row["start_date"], "end": row["end_date"] or row["start_date"],
                        "origin": row["origin"]})
    return markers


def render_evolution(
    warehouse: Path,
    out_dir: Path,
    programme_id: str | None,
    start: date,
    end: date,
    period_label: str,
    lang: str = "es",
    *,
    generated_at: datetime | None = None,
    skip_unchanged: bool = False,
    con: duckdb.DuckDBPyConnection | None = None,
) -> Path:
    """Render the conversation-evolution page of one programme (None: all) over [start, end] to
    ``out_dir/evolution-<programme|all>-<period_label>.html``, from the warehouse opened read-only.

    With ``skip_unchanged``, a page already written from the same data by the same code is kept as
    it is (its "generated" time stays the time its data last changed). ``con``: an open read-only
    connection to the warehouse to query (a set of pages shares one)."""
    if end < start:
        raise ValueError(f"the period ends ({end}) before it starts ({start})")
    name = evolution_filename(programme_id, period_label, lang)
    env = make_environment(lang)
    warehouse, out_dir = Path(warehouse), Path(out_dir)
    params = evolution_params(programme_id, start, end)
    with reading(warehouse, con) as con:
        data = run_queries(con, EVOLUTION_QUERIES, params)
    if programme_id is not None and data["evolution_scope"].empty:
        raise ValueError(f"unknown programme {programme_id!r}")
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / name
    fingerprint = page_fingerprint(data, lang, programme_id, start, end, period_label, str(warehouse))
    if skip_unchanged and rendered_fingerprint(path) == fingerprint:
        return path
    html = env.get_template("evolution.html").render(
        data=data,
        totals=first_row(data["evolution_totals"]),
        programme_id=programme_id,
        start=start,
        end=end,
        prev_start=params["prev_start"],
        prev_end=params["prev_end"],
        period_title=period_title(period_label, lang),
        markers=event_markers(data["evolution_events"]),
        sentiment_colors=SENTIMENT_COLORS,
        top_rank=TOP_RANK,
        query_names=EVOLUTION_QUERIES,
        warehouse_name=str(warehouse),
        generated_at=fmt_datetime(generated_at or datetime.now(LIMA), lang),
        text_chars=TEXT_CHARS,
        fingerprint=fingerprint,
    )
    path.write_text(html, encoding="utf-8")
    return path


def warehouse_last_day(warehouse: Path, con: duckdb.DuckDBPyConnection | None = None) -> date | None:
    """The last Lima day with any collection in the warehouse (query ``evolution_last_day``)."""
    with reading(warehouse, con) as con:
        row = first_row(run_queries(con, ["evolution_last_day"])["evolution_last_day"])
    return as_date(row.get("last_day"))


def programme_ids(warehouse: Path, con: duckdb.DuckDBPyConnection | None = None) -> list[str]:
    """Every programme of the warehouse (query ``evolution_scope`` over all programmes)."""
    with reading(warehouse, con) as con:
        scope = run_queries(con, ["evolution_scope"], {"programme": None})["evolution_scope"]
    return [row["programme_id"] for row in records(scope)]


def render_evolution_set(warehouse: Path, out_dir: Path, lang: str = "es", skip_unchanged: bool = False,
                         helpers: int | None = None) -> list[Path]:
    """Render the evolution pages of every programme and of all programmes together for the
    latest complete month, the latest complete quarter and the year of the data's last day
    (``skip_unchanged``: keep the pages whose data did not change, see ``render_evolution``).

    Drawing a page's charts is Python work that takes one core: helper processes on the other
    cores render pages too, each taking the next page when it is free (escucha.processes.share_out;
    ``helpers`` as there: None starts them only when the pages left would take long enough to pay
    for their start). Each process reads the warehouse through its own read-only connection."""
    with reading(warehouse) as con:
        last_day = warehouse_last_day(warehouse, con)
        if last_day is None:
            return []
        pages = [EvolutionPage(Path(warehouse), Path(out_dir), programme, spec, lang, skip_unchanged)
                 for spec in latest_periods(last_day) for programme in [None, *programme_ids(warehouse, con)]]
        _readers[Path(warehouse)] = con
        try:
            return share_out(render_page, pages, helpers)
        finally:
            del _readers[Path(warehouse)]


#: the open read-only connection of this process to each warehouse whose set it renders: the set's
#: own in the process that renders it, one for its life in a helper (its buffers stay warm)
_readers: dict[Path, duckdb.DuckDBPyConnection] = {}


@dataclass(frozen=True)
class EvolutionPage:
    """One page of an evolution set, as handed to the process that renders it."""

    warehouse: Path
    out_dir: Path
    programme_id: str | None
    period_label: str
    lang: str
    skip_unchanged: bool


def render_page(page: EvolutionPage) -> Path:
    """Render one page of a set (render_evolution over its period)."""
    con = _readers.get(page.warehouse)
    if con is None:
        con = _readers[page.warehouse] = connect_readonly(page.warehouse)
    return render_evolution(page.warehouse, page.out_dir, page.programme_id, *period_bounds(page.period_label),
                            page.period_label, page.lang, skip_unchanged=page.skip_unchanged, con=con)
