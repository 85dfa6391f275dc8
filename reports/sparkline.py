"""A sparkline as a small static inline SVG (a polyline and the last point), built as text: no
scripts, no fonts, no external references, so it renders the same in a browser and in a mail
client that shows inline SVG. Email templates should also give a text fallback (the numbers)."""
from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from markupsafe import Markup


def sparkline_svg(values: Sequence[float | None], width: int = 120, height: int = 28, stroke: str = "#1f5f8b",
                  title: str = "", from_zero: bool = True) -> Markup:
    """``values`` (oldest first; None or NaN for gaps, drawn as 0) as an SVG polyline scaled to the
    box, with a dot on the last value. The scale starts at 0 (``from_zero``), so a fall from 70 to
    65 does not look like a collapse; an empty or all-missing series gives an empty box."""
    ys = [0.0 if v is None or (isinstance(v, float) and math.isnan(v)) else float(v) for v in values]
    pad = 3.0
    label = f"<title>{escape(title)}</title>" if title else ""
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img"{f" aria-label={chr(34)}{escape(title)}{chr(34)}" if title else ""}>'
            f"{label}")
    if not ys:
        return Markup(head + "</svg>")
    lo, hi = (min(0.0, *ys), max(0.0, *ys)) if from_zero else (min(ys), max(ys))
    span = hi - lo or 1.0
    step = (width - 2 * pad) / max(len(ys) - 1, 1)
    points = [(pad + i * step, height - pad - (y - lo) / span * (height - 2 * pad)) for i, y in enumerate(ys)]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    lx, ly = points[-1]
    return Markup(head + f'<polyline fill="none" stroke="{stroke}" stroke-width="1.5" points="{path}"/>'
                  f'<circle cx="{lx:.1f}" cy="{ly:.1f}" r="2.2" fill="{stroke}"/></svg>')
