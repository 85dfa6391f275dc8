"""What every connector produces: per-file parsed tables in one shape per network, plus quarantine."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from escucha.calendar import Calendar

QUARANTINE_COLUMNS = "source_sha256, source_file, source_line, day, reason, raw_excerpt"


class RejectedFile(Exception):
    """The whole file is not what it claims to be; nothing of it is loaded."""

    def __init__(self, path: str | Path, reason: str) -> None:
        super().__init__(f"{Path(path).name}: {reason}")
        self.path = str(path)
        self.reason = reason


@dataclass(frozen=True)
class SourceFile:
    """A raw file as archived: where it is, what it was called, its checksum."""

    path: Path
    original_name: str
    sha256: str
    # A mapping YAML telling the `mapping` connector how to read a file no connector knows.
    mapping: Path | None = None


@dataclass
class ParsedFile:
    """Names of the DuckDB temp tables a connector filled, keyed by lake entity ("x/posts")."""

    entities: dict[str, str]
    quarantine: str
    rows_in: int
    notes: list[str] = field(default_factory=list)


def fetch_int(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> int:
    """One integer from a scalar query."""
    row = con.execute(sql, params or []).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def calendar_reason_sql(day_expr: str, cal: Calendar) -> str:
    """A SQL expression giving the quarantine reason for a day outside the calendar, else null."""
    return (
        f"case when {day_expr} < date '{cal.start.isoformat()}' "
        f"then 'created_at before the collection calendar ({cal.describe()})' "
        f"when {day_expr} > date '{cal.end.isoformat()}' "
        f"then 'created_at in the future (after {cal.end.isoformat()})' end"
    )


def read_lines_sql() -> str:
    """Read a text file one line a row, with its 1-based line number (DuckDB keeps file order)."""
    return (
        "select row_number() over () as source_line, raw "
        "from read_csv($path, columns={'raw': 'VARCHAR'}, delim='\x01\x02\x03\x04', quote='', escape='', "
        "header=false, auto_detect=false, max_line_size=67108864, strict_mode=false)"
    )


@dataclass(frozen=True)
class GateColumns:
    """SQL expressions over a posts entity of the lake that give what the quality gate checks."""

    network: str
    post_id: str
    likes: str
    shares: str
    comments: str


@dataclass(frozen=True)
class Connector:
    """An export format: how to recognise it, parse it, and what lake entities it fills.

    `entities` maps each lake entity ("<network>/<entity>") to its GateColumns when it holds posts,
    or None (accounts). `empty_sample` is (file name, content) of a valid file with no posts, parsed
    once to write each entity's zero-row schema file.
    """

    format: str
    description: str
    entities: dict[str, GateColumns | None]
    sniff: Callable[[str, str], bool]
    parse: Callable[[duckdb.DuckDBPyConnection, SourceFile, Calendar], ParsedFile]
    empty_samples: tuple[tuple[str, str], ...]
