"""Generate about N posts over a year of the demo's world for the benchmarks.

Up to 3M posts the demo generator writes the year in one go (about 2 GB of memory per million
posts). Above that it writes the year one month at a time (the same planted events), each month
into its own folder, and the bench gathers the files with the month in their names so nothing
clashes; memory then stays at one month's worth. Each month has its own seed: with one seed every
month drew the same post ids again (YouTube video ids, Facebook post ids) at other times, which the
gate rightly refused as one post published at two times. So each month also has its own accounts:
a chunked year has more, smaller accounts than a year generated in one go.
"""
from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

from escucha.demo.generator import generate

#: posts the generator writes per unit of posts_per_day over a year (measured: 2,740/day -> 1,052,450)
POSTS_PER_PPD_YEAR = 384.1
CHUNKED_ABOVE = 3_000_000


def posts_per_day(posts: int, days: int = 365) -> int:
    """The generator's posts_per_day that gives about ``posts`` posts over ``days`` days."""
    return max(1, round(posts / POSTS_PER_PPD_YEAR * 365 / days))


def generate_posts(out: Path, posts: int, start: date, end: date, seed: int = 7) -> dict:
    """Write exports for about ``posts`` posts from ``start`` to ``end`` into ``out/exports``
    (one folder per network); returns {"posts_total", "chunks", "posts_per_day"}."""
    ppd = posts_per_day(posts, (end - start).days + 1)
    shutil.rmtree(out, ignore_errors=True)
    if posts <= CHUNKED_ABOVE:
        summary = generate(out, start=start, end=end, posts_per_day=ppd, seed=seed)
        return {"posts_total": int(summary["posts_total"]), "chunks": 1, "posts_per_day": ppd}
    from escucha.lake import month_parts

    total, chunks = 0, month_parts(start, end)
    for first, last in chunks:
        part = out / "parts" / first.strftime("%Y-%m")
        summary = generate(part, start=first, end=last, posts_per_day=ppd, seed=seed + 12 * first.year + first.month)
        total += int(summary["posts_total"])
        for f in sorted((part / "exports").rglob("*")):
            if f.is_file():
                dest = out / "exports" / f.parent.name / f"{f.stem}.part{first:%Y%m}{f.suffix}"
                dest.parent.mkdir(parents=True, exist_ok=True)
                f.rename(dest)
        shutil.rmtree(part)
    (out / "summary.json").write_text(json.dumps({"posts_total": total, "chunks": len(chunks)}))
    return {"posts_total": total, "chunks": len(chunks), "posts_per_day": ppd}
