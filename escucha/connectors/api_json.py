"""Reading API JSON responses saved either as one JSON document per file or as one response per line.

Collectors save API pages two ways: the response body as returned (one JSON document, compact or
pretty-printed over many lines) or NDJSON with one response per line. `load_responses` accepts both
and says which it found, because an item's `source_line` differs:

- one response per line (NDJSON): the item's line number, like every other connector;
- one JSON document: the 1-based index of the item in its array, since the line of a pretty-printed
  item says little.

A file is one JSON document when it is pretty-printed (its first line is not JSON by itself but the
whole file is), or when it holds a single line and is not named *.jsonl / *.ndjson (a one-page NDJSON
file keeps line numbers).

DuckDB does the reading and JSON work; Python only decides between the two shapes.
"""
from __future__ import annotations

import duckdb

from escucha.connectors.base import (
    NONBLANK_RAW,
    RejectedFile,
    SourceFile,
    UNREADABLE,
    fetch_int,
    json_document_error,
    load_lines,
)

# Unix seconds accepted as a time: 1970-01-01 .. 9999-12-31 (milliseconds overflow this, on purpose).
MAX_EPOCH_SECONDS = 253402300799


def epoch_sql(expr: str) -> str:
    """SQL turning a JSON value holding unix seconds (integer, float or numeric string) into a
    UTC TIMESTAMP; null when it is missing, not a number or out of range."""
    v = f"try_cast({expr} as double)"
    return (
        f"case when {v} between 0 and {MAX_EPOCH_SECONDS} "
        f"then make_timestamp(cast(round({v} * 1000000) as bigint)) end"
    )


def iso_sql(expr: str) -> str:
    """SQL turning an ISO 8601 text with a zone ('2022-01-16T14:05:00Z', '...00.5+00:00') into a UTC
    TIMESTAMP; null when the text is missing or not such a time."""
    return (
        f"case when regexp_full_match({expr}, "
        r"'\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})') "
        f"then timezone('UTC', try_cast({expr} as timestamptz)) end"
    )


def items_sql(source: str, array_path: str, columns: str) -> str:
    """SQL unnesting the JSON array at `array_path` of each row's `page`, one row per item with the
    item (`item`), its 1-based index in the array (`item_no`) and the given columns of `source`."""
    return (
        f"select {columns}, unnest(arr) as item, unnest(range(1, len(arr) + 1)) as item_no "
        f"from (select *, json_extract(page, '{array_path}[*]') as arr from {source})"
    )


def load_responses(con: duckdb.DuckDBPyConnection, src: SourceFile, is_response: str, what: str,
                   error: str = "null") -> bool:
    """Fill temp tables `_responses(page_line, page)` and `_bad_lines(source_line, reason, raw_excerpt)`.

    `is_response` is a SQL predicate and `error` a SQL expression (the API's error, else null), both
    over a JSON column `page`. Returns True when the file is one JSON document (`page_line` is then
    null and items are numbered by their index), False for one response per line. Raises RejectedFile
    when the file holds no response of the format.
    """
    path = str(src.path)
    load_lines(con, path)
    nonblank = fetch_int(con, f"select count(*) from _lines where {NONBLANK_RAW}")
    if not nonblank:
        raise RejectedFile(src.original_name, f"not a {what} file: it holds no JSON")
    first_valid = fetch_int(
        con,
        f"select json_valid(raw)::int from _lines where {NONBLANK_RAW} "
        "order by source_line limit 1",
    )
    document: str | None = None
    ndjson_name = src.original_name.lower().endswith((".jsonl", ".ndjson"))
    if nonblank == 1 and first_valid and not ndjson_name:
        document = f"select raw as doc from _lines where {NONBLANK_RAW}"
    elif not first_valid and not fetch_int(con, f"select count(*) from {UNREADABLE}"):
        # Perhaps one pretty-printed JSON document: read it whole (read_text keeps the BOM; a file
        # with lines that are not UTF-8 is no JSON document, and read_text fails on it).
        con.execute(
            "create or replace temp table _doc as "
            "select ltrim(content, chr(65279)) as doc from read_text($path)",
            {"path": path},
        )
        if fetch_int(con, "select json_valid(doc)::int from _doc"):
            document = "select doc from _doc"

    if document is not None:
        con.execute(
            f"""
            create or replace temp table _responses as
            select null::bigint as page_line, page
            from (select doc::json as page from ({document}))
            where coalesce(json_type(page) = 'OBJECT' and ({is_response}), false)
            """
        )
        con.execute(
            "create or replace temp table _bad_lines "
            "(source_line bigint, reason varchar, raw_excerpt varchar)"
        )
        if not fetch_int(con, "select count(*) from _responses"):
            err = con.execute(
                f"select (select {error} from (select doc::json as page from ({document})))"
            ).fetchone()[0]
            if err:
                raise RejectedFile(src.original_name, f"the file is an API error response: {err}")
            raise RejectedFile(src.original_name, f"not a {what} file: the JSON document is not one")
        return True

    con.execute(
        f"""
        create or replace temp table _parsed_lines as
        select source_line, raw, page,
               coalesce(page is not null and json_type(page) = 'OBJECT' and ({is_response}), false)
                   as is_page
        from (
            select source_line, raw, case when json_valid(raw) then raw::json end as page
            from _lines where {NONBLANK_RAW}
        )
        """
    )
    con.execute(
        "create or replace temp table _responses as "
        "select source_line as page_line, page from _parsed_lines where is_page"
    )
    con.execute(
        f"""
        create or replace temp table _bad_lines as
        select source_line,
               case when page is null then 'line is not valid JSON'
                    else coalesce('line is an API error response: ' || ({error}),
                                  'line is JSON but not a {what}') end as reason,
               left(raw, 200) as raw_excerpt
        from _parsed_lines where not is_page
        """
    )
    if not fetch_int(con, "select count(*) from _responses"):
        raise RejectedFile(src.original_name, (not first_valid and json_document_error(con, src.path))
                           or f"not a {what} file: no line is one")
    return False


def write_quarantine(con: duckdb.DuckDBPyConnection) -> None:
    """The quarantine table: unreadable lines (_bad_lines) and items with a reason (_typed)."""
    con.execute(
        """
        create or replace temp table quarantine as
        select source_line, null::date as day, reason, raw_excerpt from _bad_lines
        union all
        select source_line, try_cast(created_at as date), reason, left(item::varchar, 200)
        from _typed where reason is not null
        """
    )
