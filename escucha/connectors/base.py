"""What every connector produces: per-file parsed tables in one shape per network, plus quarantine."""
from __future__ import annotations

import re
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


# No API page, post or CSV row is this long (a page of 500 tweets with its includes is ~3 MB): a
# longer line is quarantined as unreadable instead of landing a 50 MB "post".
MAX_RECORD_BYTES = 16 << 20

# SQL: the line `raw` holds something besides spaces, as `trim(raw) <> ''` says, without trimming
# a whole API page (trim copies the line: 2.3 s over a month of X pages) when its first characters
# already show it is not blank.
NONBLANK_RAW = "raw is not null and (ltrim(left(raw, 64)) <> '' or trim(raw) <> '')"

# The temp table of records a reader could not read at all (source_line, reason, raw_excerpt),
# filled by `load_numbered`; archiving adds its rows to the file's quarantine and to rows_in.
UNREADABLE = "_unreadable"

# read_csv options that keep unreadable records aside (in _rejects) instead of failing the read.
REJECTS = "store_rejects=true, rejects_table='_rejects', rejects_scan='_reject_scans'"

_REJECT_REASON = (
    "case error_type "
    "when 'INVALID ENCODING' then 'line is not valid UTF-8 (bytes of another encoding, such as Latin-1)' "
    f"when 'LINE SIZE OVER MAXIMUM' then 'line is longer than {MAX_RECORD_BYTES >> 20} MB: ' "
    "|| regexp_extract(error_message, 'Actual Size:\\s*([0-9]+)', 1) || ' bytes' "
    "when 'TOO MANY COLUMNS' then 'row has more cells than the header (' || error_message || ')' "
    "when 'MISSING COLUMNS' then 'row has fewer cells than the header (' || error_message || ')' "
    "when 'UNQUOTED VALUE' then 'row has a stray quote (' || error_message || ')' "
    "else 'row cannot be read: ' || error_message end"
)


def empty_unreadable(con: duckdb.DuckDBPyConnection) -> None:
    """An empty UNREADABLE table (before a parse, so a reader that keeps nothing aside leaves none)."""
    con.execute(f"create or replace temp table {UNREADABLE} "
                "(source_line bigint, reason varchar, raw_excerpt varchar)")


def load_numbered(con: duckdb.DuckDBPyConnection, table: str, reader_sql: str, params: dict,
                  first_line: int, path: str | Path) -> int:
    """Run `reader_sql` (a read_csv(...) with the REJECTS options) into the temp table `table`, each
    record with its exact `source_line` (the first is `first_line`); records DuckDB could not read go
    to UNREADABLE with their line and reason (archiving counts and quarantines those). Returns the
    records read; RejectedFile when the file has records and none can be read."""
    con.execute("drop table if exists _rejects; drop table if exists _reject_scans")
    offset = int(first_line) - 1
    con.execute(f"create or replace temp table {table} as "
                f"select row_number() over () + {offset} as source_line, * from {reader_sql}", params)
    con.execute(
        f"""
        create or replace temp table {UNREADABLE} as
        select line as source_line, arg_min({_REJECT_REASON}, byte_position) as reason,
               left(arg_min(csv_line, byte_position), 200) as raw_excerpt
        from _rejects group by line order by line
        """
    )
    read, bad = fetch_int(con, f"select count(*) from {table}"), fetch_int(con, f"select count(*) from {UNREADABLE}")
    if bad:  # unreadable records keep their lines; the others take the remaining ones, in file order
        con.execute(
            f"""
            create or replace temp table {table} as
            with free as (
                select l as line, row_number() over (order by l) + {offset} as numbered
                from range({offset + 1}, {offset + 1 + read + bad}) t(l)
                where l not in (select source_line from {UNREADABLE})
            )
            select free.line as source_line, r.* exclude (source_line)
            from {table} r join free on free.numbered = r.source_line
            order by free.line
            """
        )
    _set_aside_nul_rows(con, table)
    read = fetch_int(con, f"select count(*) from {table}")
    if not read and fetch_int(con, f"select count(*) from {UNREADABLE}"):
        line, reason = con.execute(f"select source_line, reason from {UNREADABLE} order by 1 limit 1").fetchone()
        raise RejectedFile(path, f"no line can be read: line {line}: {reason}")
    return read


def _set_aside_nul_rows(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Move records holding a NUL byte (binary data, or the zero-filled tail of a file cut by a crash)
    from `table` to UNREADABLE: no export writes one."""
    cells = "concat_ws(',', *columns(* exclude (source_line)))"
    con.execute(f"create or replace temp table _nul as select source_line, {cells} as cells from {table} "
                "where strpos(cells, chr(0)) > 0")
    if fetch_int(con, "select count(*) from _nul"):
        con.execute(f"insert into {UNREADABLE} select source_line, 'line holds a NUL byte (binary data, or a "
                    "file cut short by a crash?)', left(replace(cells, chr(0), '\\0'), 200) from _nul")
        con.execute(f"delete from {table} where source_line in (select source_line from _nul)")


def json_document_error(con: duckdb.DuckDBPyConnection, path: str | Path) -> str | None:
    """Why a whole file is not one JSON document, with the line where DuckDB's parser stopped
    ("not valid JSON: unexpected end of data at line 62 (is the file cut short?)"); None when it is
    valid JSON, does not start like a JSON document, or is too big to read whole for a message."""
    if Path(path).stat().st_size > MAX_RECORD_BYTES:
        return None
    with open(path, "rb") as fh:
        if not fh.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"{", b"[")):
            return None
    try:
        con.execute("select json(ltrim(content, chr(65279))) from read_text($path)", {"path": str(path)}).fetchall()
    except UnicodeDecodeError:  # DuckDB's message quotes the input cut inside a UTF-8 character
        return "not valid JSON: neither one JSON document nor one JSON value per line"
    except duckdb.Error as exc:
        found = re.search(r"at byte (\d+) of input: ([^.]+)", str(exc))
        if found is None:
            return f"not valid JSON: {str(exc).splitlines()[0]}"
        line = Path(path).read_bytes()[:int(found[1])].count(b"\n") + 1
        cut = " (is the file cut short?)" if "end of data" in found[2] else ""
        return f"not valid JSON: {found[2]} at line {line}{cut}"
    return None


def load_lines(con: duckdb.DuckDBPyConnection, path: str | Path, table: str = "_lines",
               encoding: str = "utf-8") -> int:
    """A text file one line a row into `table(source_line, raw)` with exact 1-based line numbers;
    lines that are not in `encoding` or longer than MAX_RECORD_BYTES go to UNREADABLE."""
    reader = (
        "read_csv($path, columns={'raw': 'VARCHAR'}, delim='\x01\x02\x03\x04', quote='', escape='', "
        f"header=false, auto_detect=false, max_line_size={MAX_RECORD_BYTES}, strict_mode=false, "
        f"encoding=$encoding, {REJECTS})"
    )
    return load_numbered(con, table, reader, {"path": str(path), "encoding": encoding}, 1, path)


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
