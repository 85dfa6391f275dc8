"""Read what the lake holds for a window of days (for checks and counts), with DuckDB."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from escucha.home import DataHome
from escucha.landing import manifests

# Per network: (lake entity, SQL for the native post id, likes, shares, comments).
POST_COLUMNS = {
    "x": ("x/posts", "id", "like_count", "retweet_count", "reply_count"),
    "facebook": ("facebook/posts", "post_id", "likes", "shares", "comments"),
    "instagram": ("instagram/posts", "post_id", "likes", "0", "comments"),
}


def _posts_sql(root: Path, network: str, entity: str, pid: str, likes: str, shares: str,
               comments: str) -> str:
    return (
        f"select '{network}:' || {pid} as post_key, '{network}' as network, created_at, "
        "cast(created_at as date) as created_day, day, "
        f"{likes} as likes, {shares} as shares, {comments} as comments, source_sha256 "
        f"from read_parquet('{root}/{entity}/**/*.parquet', union_by_name=true) "
        "where day between $start and $end"
    )


def landed_posts(root: Path, start: date, end: date) -> pd.DataFrame:
    """Every post row under a lake root (the lake, or its candidate area) for start..end, with the
    columns the gate checks."""
    parts = [
        _posts_sql(root, net, *cols)
        for net, cols in POST_COLUMNS.items()
        if any((root / cols[0]).glob("**/*.parquet"))
    ]
    with duckdb.connect() as con:
        if not parts:
            return pd.DataFrame(columns=["post_key", "network", "created_at", "created_day", "day",
                                         "likes", "shares", "comments", "source_sha256"])
        return con.execute(" union all ".join(parts), {"start": start, "end": end}).df()


def parsed_posts_count(home: DataHome, start: date, end: date) -> int:
    """Posts the archived files hold for start..end, counted from their parsed form, not the lake."""
    files = [
        str(p)
        for m in manifests(home)
        for p in (home.archive / f"{m['sha256']}.parsed").glob("*__posts.parquet")
    ]
    if not files:
        return 0
    with duckdb.connect() as con:
        row = con.execute(
            "select count(*) from read_parquet($files, union_by_name=true) where day between $start and $end",
            {"files": files, "start": start, "end": end},
        ).fetchone()
    return int(row[0])
