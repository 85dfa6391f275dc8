"""Read what the lake holds for a window of days (for checks and counts), with DuckDB."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd

from escucha.connectors import GateColumns, posts_entities
from escucha.home import DataHome
from escucha.landing import manifests
from escucha.warehouse import scratch

def _posts_sql(root: Path, entity: str, g: GateColumns) -> str:
    return (
        f"select {g.network} || ':' || {g.post_id} as post_key, {g.network} as network, created_at, "
        "cast(created_at as date) as created_day, day, "
        f"{g.likes} as likes, {g.shares} as shares, {g.comments} as comments, source_sha256 "
        f"from read_parquet('{root}/{entity}/**/*.parquet', union_by_name=true) "
        "where day between $start and $end"
    )


GATE_COLUMNS = ["post_key", "network", "created_at", "created_day", "day", "likes", "shares", "comments",
                "source_sha256", "created_at_variants"]


def landed_posts_in_parts(root: Path, start: date, end: date,
                          parts: list[tuple[date, date]], spill: Path | None = None) -> Iterator[pd.DataFrame]:
    """Every post row under a lake root (the lake, or its candidate area) for start..end, with the
    columns the gate checks: one DataFrame per part of the window (first, last), each made only
    when asked for: the window is read once into DuckDB, and only one part is a pandas
    DataFrame at a time. A post's created_at variants are counted over the whole window."""
    sources = [
        _posts_sql(root, entity, gate)
        for entity, gate in posts_entities().items()
        if any((root / entity).glob("**/*.parquet"))
    ]
    if not sources:
        for _ in parts:
            yield pd.DataFrame(columns=GATE_COLUMNS)
        return
    with scratch(spill) as con:
        rows = " union all ".join(sources)
        # exports that give times to the minute (vendors, mapped files) agree with the network's
        # own to the minute; a post published at two different minutes is a conflict
        con.execute(f"create temp table window_rows as with rows as ({rows}), variants as (select post_key, "
                    "count(distinct date_trunc('minute', created_at)) as created_at_variants "
                    "from rows group by post_key) "
                    "select rows.*, variants.created_at_variants from rows join variants using (post_key)",
                    {"start": start, "end": end})
        for first, last in parts:
            yield con.execute("select * from window_rows where day between $first and $last",
                              {"first": first, "last": last}).df()


def month_parts(start: date, end: date) -> list[tuple[date, date]]:
    """start..end cut at calendar month boundaries (the gate validates a long window a month at a
    time, so its memory is a month's rows whatever the window)."""
    parts, first = [], start
    while first <= end:
        following = (first.replace(day=1) + timedelta(days=32)).replace(day=1)
        last = min(end, following - timedelta(days=1))
        parts.append((first, last))
        first = following
    return parts


def parsed_posts_count(home: DataHome, start: date, end: date) -> int:
    """Posts the archived files hold for start..end, counted from their parsed form, not the lake."""
    files = [
        str(p)
        for m in manifests(home)
        for p in (home.archive / f"{m['sha256']}.parsed").glob("*.parquet")
        if p.stem.replace("__", "/") in posts_entities()
    ]
    if not files:
        return 0
    with scratch(home.spill) as con:
        row = con.execute(
            "select count(*) from read_parquet($files, union_by_name=true) where day between $start and $end",
            {"files": files, "start": start, "end": end},
        ).fetchone()
    return int(row[0])
