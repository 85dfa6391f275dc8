"""The jinja2 environment a page is rendered with: templates, format filters and chart helpers per language."""
from __future__ import annotations

import functools
import itertools
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from reports.charts import area_chart_svg, bar_chart_svg, line_chart_svg, sparkline
from reports.formats import FORMATS, as_date, change_between, clip, direction, format_signed, format_value
from reports.labels import LABELS, check_lang
from reports.queries import records

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


class _MemoryCache(dict):
    """The client jinja2's MemcachedBytecodeCache talks to, kept in this process's memory."""

    def set(self, key: str, value: bytes, timeout: int | None = None) -> None:
        self[key] = value


# Compiled templates shared by every environment of this process: a page render makes its own
# environment (its filters are bound to a language and it numbers its own charts), but the
# templates are lexed and compiled once. A template whose source changes gets a new cache key.
_BYTECODE = jinja2.MemcachedBytecodeCache(_MemoryCache())


def make_environment(lang: str = "es") -> jinja2.Environment:
    """A jinja2 environment for one page render: autoescape on, formats and chart helpers bound to ``lang``."""
    check_lang(lang)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=_BYTECODE,
    )
    chart_ids = itertools.count(1)

    def next_chart_id(prefix: str = "chart") -> str:
        return f"{prefix}{next(chart_ids)}"

    for name in FORMATS:
        env.filters[name] = functools.partial(format_value, fmt=name, lang=lang)
    env.filters["fmt"] = lambda value, fmt="text": format_value(value, fmt, lang)
    env.filters["signed"] = lambda value, fmt="pct1": format_signed(value, fmt, lang)
    env.filters["clip"] = clip
    env.filters["records"] = records
    env.filters["series_by"] = series_by
    env.filters["as_date"] = as_date
    env.globals.update(
        lang=lang,
        t=LABELS[lang],
        line_chart_svg=functools.partial(line_chart_svg, lang=lang),
        bar_chart_svg=functools.partial(bar_chart_svg, lang=lang),
        area_chart_svg=functools.partial(area_chart_svg, lang=lang),
        sparkline_svg=sparkline,
        change_between=change_between,
        direction=direction,
        callout_kind=callout_kind,
        next_chart_id=next_chart_id,
    )
    return env


CALLOUT_KINDS = ("info", "warning", "event")


def callout_kind(kind: str) -> str:
    """Check a callout's kind (``info``, ``warning``, ``event``)."""
    if kind not in CALLOUT_KINDS:
        raise ValueError(f"unknown callout kind {kind!r}; choose one of {CALLOUT_KINDS}")
    return kind


def series_by(df: pd.DataFrame | None, key: str, value: str) -> dict[Any, list[Any]]:
    """The values of column ``value`` per value of ``key``, in row order (for sparklines)."""
    found: dict[Any, list[Any]] = {}
    for row in records(df):
        found.setdefault(row[key], []).append(row[value])
    return found
