"""Static charts as inline SVG: line, stacked area and bar charts drawn with matplotlib, and sparklines.

Every chart is cleaned (``clean_svg``) so several can sit in one self-contained HTML page:
no prolog, metadata or namespace URLs, and every id prefixed with the chart's own id.
"""
from __future__ import annotations

import functools
import io
import math
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

import pandas as pd
from markupsafe import Markup, escape

from escucha.plain_text import one_line
from reports.formats import as_date, format_value, is_missing
from reports.labels import LABELS, MONTHS
from reports.sparkline import sparkline_svg

# Okabe–Ito: distinguishable for the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]


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


def _tight_box(fig: Any) -> Any:
    """The box ``savefig(..., format="svg", bbox_inches="tight")`` crops ``fig`` to: the figure's
    tight bounding box measured as the SVG writer measures it (at 72 dpi, with its text metrics),
    padded by ``savefig.pad_inches``. Measuring needs no draw: the text and tick extents are
    computed on demand."""
    import matplotlib
    from matplotlib.backends.backend_svg import RendererSVG

    width, height = fig.get_size_inches()
    dpi = fig.dpi
    fig.dpi = 72  # what the SVG writer draws at
    try:
        box = fig.get_tightbbox(RendererSVG(width * 72, height * 72, io.StringIO()))
    finally:
        fig.dpi = dpi
    return box.padded(matplotlib.rcParams["savefig.pad_inches"])


def _figure_to_svg(fig: Any, chart_id: str, title: str) -> Markup:
    """The figure as cleaned inline SVG, cropped to what it draws. Given ``bbox_inches="tight"``,
    matplotlib draws the whole figure once to lay it out and again to write it; given the box
    (``_tight_box``), it draws once: the same SVG in about two thirds of the time."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches=_tight_box(fig), metadata={"Date": None})
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


def _event_list(events: Iterable[Mapping[str, Any]] | None) -> list[tuple[date, date, str]]:
    """Event markers as (start, end, label), end defaulting to start."""
    found = []
    for ev in events or ():
        start = as_date(ev["start"])
        end = as_date(ev.get("end")) or start
        if start is not None:
            found.append((start, end, one_line(ev.get("label", ""))))
    return found


def _draw_events(ax: Any, events: Iterable[Mapping[str, Any]] | None, first: date, last: date) -> None:
    """Mark events on a date axis: a dashed line on the first day, a light band to the last, a label on top.

    Only events touching [first, last + 6 days] are drawn (weekly points stand for their week)."""
    horizon = last + timedelta(days=6)
    for start, end, label in _event_list(events):
        if end < first or start > horizon:
            continue
        start, end = max(start, first), min(end, horizon)
        if end > start:
            ax.axvspan(start, end + timedelta(days=1), color="#8c959f", alpha=0.15, linewidth=0, zorder=0)
        ax.axvline(start, color="#57606a", linestyle="--", linewidth=0.9, zorder=1)
        ax.annotate(label, xy=(start, 1), xycoords=("data", "axes fraction"), xytext=(2, -2),
                    textcoords="offset points", ha="left", va="top", fontsize=7.5, fontweight="bold",
                    color="#1f2328")


def _y_axis(ax: Any, y_fmt: str, lang: str, y_min: float | None, y_max: float | None) -> None:
    """Tick labels in the chart's format; whole-number ticks for counts; fixed bounds when given."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=y_fmt == "num0"))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: format_value(v, y_fmt, lang)))
    if y_min is not None:
        ax.set_ylim(bottom=y_min)
    if y_max is not None:
        ax.set_ylim(top=y_max)


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
    events: Iterable[Mapping[str, Any]] | None = None,
    y_min: float | None = 0,
    y_max: float | None = None,
    series_order: Sequence[Any] | None = None,
) -> Markup:
    """A line chart of ``y`` over dates in ``x``, one line per value of ``series``, as inline SVG.

    Lines are ordered by total, largest first; with more than ``max_series`` series the
    smallest ones are summed into one "other" line so no colour is reused. With
    ``series_order`` (for values that do not add up, such as rates) lines follow that order
    and only the first ``max_series`` are drawn. ``events``: markers ``{start, end, label}``
    drawn as vertical lines (see ``_draw_events``). ``y_min=None`` lets the axis go below 0
    (a zero line is drawn then).
    """
    import matplotlib
    from matplotlib.figure import Figure

    frame = data.copy()
    frame[x] = [as_date(v) for v in frame[x]]
    if series is not None and series_order is not None:
        present = [k for k in series_order if (frame[series] == k).any()][:max_series]
        groups = [(str(k), frame[frame[series] == k]) for k in present]
    else:
        groups = _series_groups(frame, x, y, series, max_series, LABELS[lang]["other"])
    with matplotlib.rc_context(_chart_rc()):
        fig = Figure(figsize=(width, height))
        ax = fig.add_subplot()
        for label, part in groups:
            part = part.sort_values(x)
            ax.plot(part[x], part[y], marker="o", markersize=2.5, linewidth=1.6,
                    label=None if label is None else one_line(label))
        days = sorted(set(frame[x]))
        ticks, tick_labels = _date_ticks(days, lang)
        ax.set_xticks(ticks, tick_labels)
        if y_min is None:
            ax.axhline(0, color="#888888", linewidth=0.8)
        _y_axis(ax, y_fmt, lang, y_min, y_max)
        if days:
            _draw_events(ax, events, days[0], days[-1])
        if series is not None:
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=min(len(groups), 3),
                      fontsize=8, handlelength=1.5)
        return _figure_to_svg(fig, chart_id, title)


def area_chart_svg(
    data: pd.DataFrame,
    x: str,
    y: str,
    series: str,
    *,
    chart_id: str,
    title: str = "",
    y_fmt: str = "num0",
    series_fmt: str = "text",
    series_order: Sequence[Any] | None = None,
    colors: Mapping[Any, str] | None = None,
    lang: str = "es",
    max_series: int = len(PALETTE),
    width: float = 7.5,
    height: float = 3.4,
    events: Iterable[Mapping[str, Any]] | None = None,
) -> Markup:
    """A stacked area chart of ``y`` over dates in ``x``, one band per value of ``series``, as inline SVG.

    Bands follow ``series_order`` when given (bottom first), else the largest total at the
    bottom, with the smallest summed into "other" beyond ``max_series``. Missing points are 0.
    With ``y_fmt='pct1'`` (shares that add up to 1) the axis runs from 0 to 100 %.
    """
    import matplotlib
    from matplotlib.figure import Figure

    frame = data.copy()
    frame[x] = [as_date(v) for v in frame[x]]
    frame[y] = [0.0 if is_missing(v) else float(v) for v in frame[y]]
    if series_order is None:
        groups = _series_groups(frame, x, y, series, max_series, LABELS[lang]["other"])
    else:
        groups = [(k, frame[frame[series] == k]) for k in series_order if (frame[series] == k).any()]
    days = sorted(set(frame[x]))
    bands = [part.groupby(x)[y].sum().reindex(days, fill_value=0.0).to_numpy() for _, part in groups]
    labels = [one_line(format_value(k, series_fmt, lang)) for k, _ in groups]
    colours = [(colors or {}).get(k, PALETTE[i % len(PALETTE)]) for i, (k, _) in enumerate(groups)]
    with matplotlib.rc_context(_chart_rc()):
        fig = Figure(figsize=(width, height))
        ax = fig.add_subplot()
        ax.stackplot(days, bands, labels=labels, colors=colours, alpha=0.9, linewidth=0)
        ticks, tick_labels = _date_ticks(days, lang)
        ax.set_xticks(ticks, tick_labels)
        _y_axis(ax, y_fmt, lang, 0, 1 if y_fmt == "pct1" else None)
        if days:
            ax.set_xlim(days[0], days[-1])
            _draw_events(ax, events, days[0], days[-1])
        handles, names = ax.get_legend_handles_labels()
        ax.legend(handles[::-1], names[::-1], loc="upper center", bbox_to_anchor=(0.5, -0.2),
                  ncol=min(len(groups), 3), fontsize=8, handlelength=1.5)
        return _figure_to_svg(fig, chart_id, title)


def sparkline(values: Iterable[Any], title: str = "", width: int = 110, height: int = 24) -> Markup:
    """A sparkline (``reports/sparkline.py``) for inlining in a page: namespace URL dropped, as for charts."""
    clean = [None if is_missing(v) else float(v) for v in values]
    svg = str(sparkline_svg(clean, width=width, height=height, stroke=PALETTE[0], title=title))
    svg = _SVG_XMLNS.sub("", svg, count=1).replace("<svg ", '<svg class="sparkline" ', 1)
    return Markup(svg)


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
    labels = [one_line(format_value(v, x_fmt, lang)) for v in frame[x]]
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
