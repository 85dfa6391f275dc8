"""Values as readers see them: numbers, percentages, dates, networks, handles and codes, per language.

Missing values (None, pandas NA/NaT, NaN) always show as ``MISSING``. ``format_value`` picks a
format by name, as the templates' filters and the charts' axes do.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pandas as pd

from reports.labels import (
    CODE_LABELS,
    DECIMAL_SEP,
    GROUP_SEP,
    LABELS,
    MISSING,
    MONTHS,
    NETWORK_NAMES,
    PERCENT_SUFFIX,
    QUARTER_PREFIX,
    check_lang,
)

# Peru has kept UTC-5 all year since 1994: a fixed offset avoids depending on tzdata.
LIMA = timezone(timedelta(hours=-5), "America/Lima")

# Post text on the pages is cut to this many characters (``clip``).
TEXT_CHARS = 180


def is_missing(value: Any) -> bool:
    """True for None, NULL-likes from pandas (NA, NaT) and NaN."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def fmt_num0(value: Any, lang: str = "es") -> str:
    """Whole number with thousands grouping: ``12 345`` (es) / ``12,345`` (en)."""
    if is_missing(value):
        return MISSING
    return f"{round(float(value)):,}".replace(",", GROUP_SEP[check_lang(lang)])


def _decimal(value: float, places: int, lang: str) -> str:
    """``value`` with ``places`` decimals, grouped and separated as ``lang`` writes numbers."""
    whole, dec = f"{value:,.{places}f}".split(".")
    return f"{whole.replace(',', GROUP_SEP[check_lang(lang)])}{DECIMAL_SEP[lang]}{dec}"


def fmt_pct1(value: Any, lang: str = "es") -> str:
    """A fraction as a percentage with one decimal: ``0.1234`` -> ``12,3 %`` (es) / ``12.3%`` (en)."""
    if is_missing(value):
        return MISSING
    return _decimal(float(value) * 100, 1, lang) + PERCENT_SUFFIX[lang]


def as_date(value: Any) -> date | None:
    """A calendar day from a date, datetime, pandas Timestamp or ISO string (None when missing)."""
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
    day = as_date(value)
    if day is None:
        return MISSING
    return f"{day.day} {MONTHS[check_lang(lang)][day.month - 1]} {day.year}"


def fmt_month(value: Any, lang: str = "es") -> str:
    """A month: ``ene 2022`` (es) / ``Jan 2022`` (en)."""
    day = as_date(value)
    if day is None:
        return MISSING
    return f"{MONTHS[check_lang(lang)][day.month - 1]} {day.year}"


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


def fmt_num1(value: Any, lang: str = "es") -> str:
    """A number with one decimal: ``6.28`` -> ``6,3`` (es) / ``6.3`` (en)."""
    return MISSING if is_missing(value) else _decimal(float(value), 1, lang)


def fmt_num2(value: Any, lang: str = "es") -> str:
    """A number with two decimals: ``-0.256`` -> ``-0,26`` (es) / ``-0.26`` (en)."""
    return MISSING if is_missing(value) else _decimal(float(value), 2, lang)


def fmt_ratio(value: Any, lang: str = "es") -> str:
    """A multiple with one decimal: ``20.88`` -> ``20,9×``."""
    return MISSING if is_missing(value) else _decimal(float(value), 1, lang) + "\u00d7"


def fmt_quarter(value: Any, lang: str = "es") -> str:
    """A calendar quarter from any of its days: ``T1 2022`` (es) / ``Q1 2022`` (en)."""
    day = as_date(value)
    if day is None:
        return MISSING
    return f"{QUARTER_PREFIX[check_lang(lang)]}{(day.month - 1) // 3 + 1} {day.year}"


def fmt_yesno(value: Any, lang: str = "es") -> str:
    """A boolean as ``sí``/``no`` (es) or ``yes``/``no`` (en)."""
    if is_missing(value):
        return MISSING
    return LABELS[check_lang(lang)]["yes" if bool(value) else "no"]


def fmt_code(value: Any, lang: str = "es") -> str:
    """A code stored in the marts (``viral_post``, ``female``) in words; unknown codes pass through."""
    if is_missing(value):
        return MISSING
    return CODE_LABELS[check_lang(lang)].get(str(value), str(value))


FORMATS: dict[str, Callable[[Any, str], str]] = {
    "num0": fmt_num0,
    "pct1": fmt_pct1,
    "date": fmt_date,
    "month": fmt_month,
    "network": lambda v, lang="es": fmt_network(v),
    "handle": lambda v, lang="es": fmt_handle(v),
    "text": lambda v, lang="es": fmt_text(v),
    "num2": fmt_num2,
    "ratio": fmt_ratio,
    "quarter": fmt_quarter,
    "yesno": fmt_yesno,
    "code": fmt_code,
}


def format_value(value: Any, fmt: str = "text", lang: str = "es") -> str:
    """Format ``value`` with the named format (``num0``, ``num2``, ``pct1``, ``ratio``, ``date``, ``month``,
    ``quarter``, ``network``, ``handle``, ``code``, ``yesno``, ``text``)."""
    try:
        formatter = FORMATS[fmt]
    except KeyError:
        raise ValueError(f"unknown format {fmt!r}; choose one of {sorted(FORMATS)}") from None
    return formatter(value, lang)


def format_signed(value: Any, fmt: str = "pct1", lang: str = "es") -> str:
    """Like ``format_value`` with an explicit ``+`` on positive values (``+12,3 %``); 0 has no sign."""
    text = format_value(value, fmt, lang)
    if not is_missing(value) and float(value) > 0:
        return "+" + text
    return text


def change_between(value: Any, previous: Any, kind: str = "relative") -> float | None:
    """The change from ``previous`` to ``value``: ``relative`` (value / previous - 1; None when
    previous is 0) or ``absolute`` (value - previous). None when either is missing."""
    if kind not in ("relative", "absolute"):
        raise ValueError(f"unknown change kind {kind!r}; choose relative or absolute")
    if is_missing(value) or is_missing(previous):
        return None
    if kind == "absolute":
        return float(value) - float(previous)
    return None if float(previous) == 0 else float(value) / float(previous) - 1


def direction(change: Any) -> str:
    """``up``, ``down`` or ``flat`` for a change (``flat`` when missing)."""
    if is_missing(change) or float(change) == 0:
        return "flat"
    return "up" if float(change) > 0 else "down"
