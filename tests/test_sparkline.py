"""Sparklines: static SVG text, scaled from zero, escaped titles."""
import re

from reports.sparkline import sparkline_svg


def points(svg: str) -> list[tuple[float, float]]:
    raw = re.search(r'points="([^"]+)"', svg).group(1)
    return [tuple(map(float, p.split(","))) for p in raw.split()]


def test_counts_are_drawn_from_zero_so_a_small_fall_stays_small():
    (_, y1), (_, y2) = points(str(sparkline_svg([70, 65], height=28)))
    assert 3.0 <= y1 < y2 < 6.0                      # 65 is still near the top of a 0..70 scale
    (_, z1), (_, z2) = points(str(sparkline_svg([70, 65], height=28, from_zero=False)))
    assert (z1, z2) == (3.0, 25.0)                   # min-max scale: the same fall fills the box


def test_gaps_are_zero_the_last_value_is_marked_and_titles_are_escaped():
    svg = str(sparkline_svg([1, None, float("nan"), 4], title='<script>"x"</script>'))
    ys = [y for _, y in points(svg)]
    assert ys[1] == ys[2] == 25.0 and ys[3] == 3.0
    assert re.search(r'<circle cx="117.0" cy="3.0"', svg)
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "<polyline" not in str(sparkline_svg([])) and str(sparkline_svg([])).endswith("</svg>")
