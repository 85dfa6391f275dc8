"""Shared pieces of the CSV-shaped connectors (twarc-csv, Meta Content Library, vendor exports,
mapped files): encoding detection, header reading, row tables with line numbers, and the SQL
expressions that type text cells. DuckDB does all the parsing; nothing here loops over rows.

Identifiers that come from a file (column names) only ever reach SQL through `quote_ident`, which
follows DuckDB's rule: wrap in double quotes, double any double quote inside.
"""
from __future__ import annotations

import re
from pathlib import Path

import duckdb

from escucha.connectors.base import MAX_RECORD_BYTES, REJECTS, RejectedFile, load_numbered

# The encodings DuckDB's CSV reader knows without extensions, and the names people write for them.
ENCODINGS = {
    "utf-8": "utf-8", "utf8": "utf-8",
    "latin-1": "latin-1", "latin1": "latin-1", "iso-8859-1": "latin-1", "iso8859-1": "latin-1",
    "iso_8859_1": "latin-1", "l1": "latin-1",
    "utf-16": "utf-16", "utf16": "utf-16",
}

# Text timestamps in ISO-like shapes, read as UTC: with 'Z', with an offset, or naive.
ZULU_FORMATS = "['%Y-%m-%dT%H:%M:%S.%gZ', '%Y-%m-%dT%H:%M:%SZ', '%Y-%m-%dT%H:%M:%S.%fZ']"
OFFSET_FORMATS = ("['%Y-%m-%dT%H:%M:%S%z', '%Y-%m-%dT%H:%M:%S.%f%z', '%Y-%m-%d %H:%M:%S%z', "
                  "'%Y-%m-%d %H:%M:%S.%f%z']")
NAIVE_FORMATS = ("['%Y-%m-%dT%H:%M:%S', '%Y-%m-%dT%H:%M:%S.%f', '%Y-%m-%d %H:%M:%S', "
                 "'%Y-%m-%d %H:%M:%S.%f', '%Y-%m-%d %H:%M']")


def quote_ident(name: str) -> str:
    """A column name as a DuckDB identifier: double-quoted, inner double quotes doubled."""
    if "\x00" in name:
        raise ValueError("a column name cannot contain a NUL character")
    return '"' + name.replace('"', '""') + '"'


def detect_encoding(path: Path) -> str:
    """utf-16 when the file starts with a UTF-16 byte-order mark, utf-8 when its start decodes as
    UTF-8 (a UTF-8 BOM is skipped by DuckDB), else latin-1."""
    with open(path, "rb") as fh:
        head = fh.read(1 << 16)
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # not just a character cut at the end of the sample, and no other character is UTF-8 (a UTF-8
        # file with a few Latin-1 lines stays UTF-8: those lines are quarantined, the rest read right)
        text = head.decode("utf-8", errors="replace")
        if exc.start < len(head) - 4 and not any(ord(c) > 127 and c != "\ufffd" for c in text):
            return "latin-1"
    return "utf-8"


def head_lines(path: Path, encoding: str, n: int = 40) -> list[str]:
    """The first lines of a text file (for finding a header row below title lines)."""
    with open(path, "rb") as fh:
        raw = fh.read(1 << 16)
    codec = {"utf-8": "utf-8-sig", "utf-16": "utf-16", "latin-1": "latin-1"}[encoding]
    text = raw.decode(codec, errors="replace")
    return text.splitlines()[:n]


def _csv_args(delim: str, encoding: str, skip: int) -> str:
    return (f"header=true, all_varchar=true, delim=$delim, quote='\"', escape='\"', encoding=$encoding, "
            f"skip={int(skip)}")


def delimiter_hint(path: Path, encoding: str, delim: str, skip: int = 0) -> str:
    """Why a CSV header cannot be read, when it is plain: "cells seem separated by ';', not ','" when
    the header line holds another delimiter more often than `delim`, "it holds JSON" ..., else ''."""
    lines = head_lines(path, encoding, int(skip) + 1)
    line = lines[-1] if lines else ""
    if line.lstrip("\ufeff ").startswith(("{", "[")):
        return "it holds JSON, not CSV"
    counts = {d: line.count(d) for d in (",", ";", "\t", "|") if d != delim}
    best = max(counts, key=counts.get, default=delim)
    return f"cells seem separated by {best!r}, not {delim!r}" if counts.get(best, 0) > line.count(delim) else ""


def csv_columns(con: duckdb.DuckDBPyConnection, path: Path, name: str, *, delim: str = ",",
                encoding: str = "utf-8", skip: int = 0) -> list[str]:
    """The header of a CSV file; RejectedFile when DuckDB cannot read it as CSV. Rows that cannot be
    read do not stop the header from being found (they are quarantined by `load_csv_rows`)."""
    try:
        rows = con.execute(
            f"describe select * from read_csv($path, {_csv_args(delim, encoding, skip)}, sample_size=1, "
            "ignore_errors=true, max_line_size=67108864)",
            {"path": str(path), "delim": delim, "encoding": encoding},
        ).fetchall()
    except duckdb.Error as exc:
        too_long = re.search(r"Actual Size:\s*(\d+)", str(exc))
        why = (delimiter_hint(path, encoding, delim, skip)
               or (too_long and f"a line is longer than 64 MB ({too_long[1]} bytes)")
               or str(exc).splitlines()[0].replace(str(path), name))
        raise RejectedFile(name, f"not a readable CSV file: {why}") from exc
    return [r[0] for r in rows]


def load_csv_rows(con: duckdb.DuckDBPyConnection, path: Path, table: str = "_rows", *, delim: str = ",",
                  encoding: str = "utf-8", skip: int = 0) -> int:
    """Every data row of a CSV file into a temp table, all text, with `source_line`: the header is
    line skip + 1 and each record counts one (as the CrowdTangle connector numbers rows). Rows DuckDB
    cannot read (wrong number of cells, a stray quote, bytes not in `encoding`, longer than
    MAX_RECORD_BYTES) go to UNREADABLE with their line, which archiving counts and quarantines.
    Returns the rows read."""
    columns = csv_columns(con, path, Path(path).name, delim=delim, encoding=encoding, skip=skip)
    types = "{" + ", ".join(f"{_sql_string(c)}: 'VARCHAR'" for c in columns) + "}"
    reader = (f"read_csv($path, {_csv_args(delim, encoding, skip)}, auto_detect=false, columns={types}, "
              f"max_line_size={MAX_RECORD_BYTES}, {REJECTS})")
    return load_numbered(con, table, reader, {"path": str(path), "delim": delim, "encoding": encoding},
                         int(skip) + 2, path)


def _sql_string(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def header_cells(line: str, delim: str = ",") -> list[str]:
    """The cells of one header line, unquoted (for sniffing and header-row search only)."""
    return [c.strip().strip('"').strip() for c in line.lstrip("\ufeff").split(delim)]


def col(columns: list[str], *names: str) -> str:
    """SQL for the first of `names` that is a column of the file, else a typed null."""
    for name in names:
        if name in columns:
            return quote_ident(name)
    return "null::varchar"


def text_sql(expr: str) -> str:
    """A text cell trimmed of surrounding space; empty becomes null."""
    return f"nullif(trim({expr}), '')"


def count_sql(expr: str, thousands: str = ",") -> str:
    """SQL turning a text count ('1250', '1,250', '12.0' as pandas writes it) into a BIGINT; null when
    empty or not a number. `thousands` is the grouping character removed first."""
    sep = thousands.replace("'", "''")
    v = f"nullif(replace(trim({expr}), '{sep}', ''), '')" if thousands else f"nullif(trim({expr}), '')"
    return f"coalesce(try_cast({v} as bigint), try_cast(try_cast({v} as double) as bigint))"


def utc_timestamp_sql(expr: str) -> str:
    """SQL reading an ISO-like text timestamp ('...Z', '...+0000', '-05:00', naive = UTC) or unix
    seconds into a UTC TIMESTAMP without zone; null when it is none of these."""
    return (
        f"coalesce(try_strptime({expr}, {ZULU_FORMATS}), "
        f"timezone('UTC', try_strptime({expr}, {OFFSET_FORMATS})), "
        f"try_strptime({expr}, {NAIVE_FORMATS}), "
        f"case when regexp_full_match(trim({expr}), '[0-9]{{9,10}}') "
        f"then make_timestamp(cast(trim({expr}) as bigint) * 1000000) end)"
    )


def bool_sql(expr: str) -> str:
    """SQL reading true/false, 1/0, yes/no, sí/no (any case) into a BOOLEAN."""
    return (
        f"case lower(trim({expr})) when 'true' then true when '1' then true when 'yes' then true "
        f"when 'sí' then true when 'si' then true when 'false' then false when '0' then false "
        f"when 'no' then false end"
    )


def split_list_sql(expr: str, strip: str = "", sep: str = "','") -> str:
    """SQL turning a cell that holds a JSON array of strings, or `sep`-separated text, into a
    VARCHAR[] of its trimmed, non-empty items with a leading `strip` character ('#', '@') removed.
    `sep` is SQL (a quoted literal or a $parameter). Null when the cell is empty."""
    bare = f"regexp_replace(trim({expr}), '^\\[|\\]$', '', 'g')"  # a Python list repr's brackets
    items = (
        f"case when json_valid({expr}) and json_type({expr}::json) = 'ARRAY' "
        f"then json_extract_string({expr}::json, '$[*]') "
        f"else string_split({bare}, {sep}) end"
    )
    item = "trim(s, ' ''\"')"
    cleaned = f"list_transform({items}, lambda s: ltrim({item}, '{strip}'))" if strip else \
        f"list_transform({items}, lambda s: {item})"
    return f"case when nullif(trim({expr}), '') is not null then list_filter({cleaned}, lambda s: s <> '') end"


def network_sql(expr: str) -> str:
    """A network name as the warehouse spells it: lower case, 'twitter' is 'x'."""
    v = f"lower(trim({expr}))"
    return f"case when {v} in ('twitter', 'x', 'x (twitter)', 'twitter/x') then 'x' else nullif({v}, '') end"


def network_from_url_sql(url: str) -> str:
    """The network a post URL belongs to, from its host; null when not a known social network."""
    host = f"lower(regexp_extract({url}, '^[a-zA-Z]+://(?:www\\.|m\\.|mobile\\.|web\\.)?([^/:?#]+)', 1))"
    return (
        f"case when {host} in ('twitter.com', 'x.com') then 'x' "
        f"when {host} in ('facebook.com', 'fb.com', 'fb.watch') then 'facebook' "
        f"when {host} = 'instagram.com' then 'instagram' "
        f"when {host} in ('tiktok.com', 'vm.tiktok.com') then 'tiktok' "
        f"when {host} in ('youtube.com', 'youtu.be') then 'youtube' "
        f"when {host} in ('reddit.com', 'old.reddit.com') then 'reddit' end"
    )


def _rx(url: str, pattern: str, group: int = 1) -> str:
    return f"nullif(regexp_extract({url}, '{pattern}', {group}), '')"


X_STATUS = r"(?:twitter|x)\.com/(?:[^/]+|i/web)/status(?:es)?/([0-9]+)"
FB_POST = r"/(?:posts|videos|photos|permalink)/(?:[^/]+/)?([0-9]+)"
FB_QUERY = r"(?:story_fbid|fbid)=([0-9]+)"
IG_CODE = r"/(?:p|reel|tv)/([A-Za-z0-9_-]+)"
TIKTOK_VIDEO = r"/video/([0-9]+)"
YOUTUBE_V = r"[?&]v=([A-Za-z0-9_-]{11})"
YOUTUBE_SHORT = r"(?:youtu\.be/|/shorts/)([A-Za-z0-9_-]{11})"
REDDIT_COMMENT = r"/comments/[a-z0-9]+/[^/]*/([a-z0-9]+)"
REDDIT_POST = r"/comments/([a-z0-9]+)"


def post_id_from_url_sql(network: str, url: str) -> str:
    """SQL taking a post's native id out of its URL, in the form each network's connector keys posts
    by (X status id, Facebook numeric post id, Instagram shortcode, TikTok video id, YouTube video id,
    Reddit fullname t3_/t1_), so a post seen through a vendor deduplicates with the native export."""
    return (
        f"case {network} "
        f"when 'x' then {_rx(url, X_STATUS)} "
        f"when 'facebook' then coalesce({_rx(url, FB_POST)}, {_rx(url, FB_QUERY)}) "
        f"when 'instagram' then {_rx(url, IG_CODE)} "
        f"when 'tiktok' then {_rx(url, TIKTOK_VIDEO)} "
        f"when 'youtube' then coalesce({_rx(url, YOUTUBE_V)}, {_rx(url, YOUTUBE_SHORT)}) "
        f"when 'reddit' then coalesce('t1_' || {_rx(url, REDDIT_COMMENT)}, 't3_' || {_rx(url, REDDIT_POST)}) end"
    )


def duplicate_reason_sql(key: str, reason: str = "reason", what: str = "post") -> str:
    """SQL keeping `reason`, else giving 'duplicate of the post on line N' for every repeat of `key`
    among the rows that have no other reason (the first such row is kept). A window expression."""
    window = f"over (partition by {key}, {reason} is null order by source_line)"
    return (
        f"coalesce({reason}, case when row_number() {window} > 1 "
        f"then 'duplicate of the {what} on line ' || first_value(source_line) {window} end)"
    )
