"""Any other CSV or NDJSON export, read through a mapping file (YAML) that says, for each unified
field, which column holds it (or which constant it is), how times are written and in which zone.

The mapping is chosen explicitly (`escucha ingest export.csv --mapping export.yaml`); this connector
never sniffs. See docs/mapping.md for a worked example and every key. In short:

    format: csv                 # csv (default) or ndjson
    delimiter: ";"              # csv only; default ","
    encoding: latin-1           # utf-8 (default), latin-1 (iso-8859-1) or utf-16
    header_row: 1               # csv only: line number of the header; default 1
    timestamp_format: "%d/%m/%Y %H:%M"   # strptime; a list tries each; epoch / epoch_ms; default ISO 8601
    timezone: America/Lima      # IANA zone of times written without an offset; default UTC
    thousands_separator: "."    # removed from counts before reading them; default ","
    fields:
      network: {value: facebook}
      post_id: {column: "ID"}
      created_at: {column: "Fecha"}
      ...

Column names and constants never become SQL text: columns are quoted as DuckDB identifiers (double
quotes, inner ones doubled) after checking they are in the file's header, constants, formats, the
time zone and NDJSON key paths are bound as query parameters.

Without a mapping (the empty sample that writes the lake schema, or `--format mapping` alone) the
file must already use the unified field names as its columns, times in ISO 8601 UTC.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import yaml

from escucha.calendar import Calendar
from escucha.connectors.base import (
    NONBLANK_RAW,
    Connector,
    GateColumns,
    ParsedFile,
    RejectedFile,
    SourceFile,
    calendar_reason_sql,
    fetch_int,
    load_lines,
)
from escucha.connectors.tabular import (
    ENCODINGS,
    NAIVE_FORMATS,
    OFFSET_FORMATS,
    ZULU_FORMATS,
    bool_sql,
    count_sql,
    csv_columns,
    duplicate_reason_sql,
    load_csv_rows,
    network_sql,
    quote_ident,
    split_list_sql,
    text_sql,
)

FORMAT = "mapping"

# Unified fields and their kinds: how a mapped cell is typed.
FIELDS: dict[str, str] = {
    "network": "text", "post_id": "text", "created_at": "timestamp",
    "author_id": "text", "author_handle": "text", "author_name": "text", "author_bio": "text",
    "author_location": "text", "author_followers": "count", "author_verified": "bool",
    "author_created_at": "timestamp",
    "text": "text", "language": "text", "url": "text", "thread_id": "text",
    "parent_post_id": "text", "parent_author_id": "text", "shared_post_id": "text",
    "shared_author_id": "text", "quoted_post_id": "text", "quoted_author_id": "text", "post_type": "text",
    "likes": "count", "shares": "count", "comments": "count", "views": "count",
    "mentions": "list", "hashtags": "list", "urls": "list",
    "collected_at": "timestamp",
}
REQUIRED = ("post_id", "created_at", "network")
NOT_CONSTANT = ("post_id", "created_at")
TOP_KEYS = {"format", "delimiter", "encoding", "header_row", "timestamp_format", "timezone",
            "thousands_separator", "network", "fields", "description"}
FIELD_KEYS = {"column", "value", "separator", "format"}
THOUSANDS = {"", ",", ".", " ", "'", "\u00a0"}
LIST_STRIP = {"mentions": "@", "hashtags": "#", "urls": ""}


class MappingError(ValueError):
    """A mapping file that cannot be used; the message names the file and the key."""

    def __init__(self, source: str, key: str, message: str) -> None:
        super().__init__(f"{source}: {key}: {message}" if key else f"{source}: {message}")
        self.key = key


@dataclass(frozen=True)
class FieldSpec:
    """Where one unified field comes from: a column (a key path in NDJSON) or a constant."""

    name: str
    column: str | tuple[str, ...] | None = None
    value: str | int | float | bool | None = None
    separator: str = ","
    formats: tuple[str, ...] | None = None

    @property
    def describe(self) -> str:
        if self.column is None:
            return f"constant {self.value!r}"
        col = self.column if isinstance(self.column, str) else ".".join(self.column)
        return f"column {col!r}"


@dataclass(frozen=True)
class Mapping:
    """A validated mapping file."""

    fields: dict[str, FieldSpec]
    format: str = "csv"
    delimiter: str = ","
    encoding: str = "utf-8"
    header_row: int = 1
    timestamp_formats: tuple[str, ...] | None = None
    timezone: str = "UTC"
    thousands_separator: str = ","
    identity: bool = False  # no mapping file: columns named as the unified fields, all optional
    source: str = field(default="(no mapping)", compare=False)


def identity_mapping() -> Mapping:
    """The mapping of a file already in the unified shape (column = field name)."""
    return Mapping(fields={f: FieldSpec(f, column=f) for f in FIELDS}, identity=True)


def _fail(source: str, key: str, message: str) -> MappingError:
    return MappingError(source, key, message)


def _check_format(source: str, key: str, fmt: object) -> str:
    if not isinstance(fmt, str) or not fmt.strip():
        raise _fail(source, key, "must be a strptime format text such as '%d/%m/%Y %H:%M', or epoch / epoch_ms")
    if fmt in ("epoch", "epoch_ms"):
        return fmt
    if "%" not in fmt:
        raise _fail(source, key, f"{fmt!r} has no % directive; use strptime codes such as %d/%m/%Y %H:%M")
    with duckdb.connect() as con:
        try:
            con.execute("select try_strptime('2000-01-01', $f)", {"f": fmt}).fetchone()
        except duckdb.Error as exc:
            raise _fail(source, key, f"{fmt!r} is not a valid strptime format "
                        f"({str(exc).splitlines()[0]})") from exc
    return fmt


def _formats(source: str, key: str, raw: object) -> tuple[str, ...] | None:
    if raw is None:
        return None
    items = raw if isinstance(raw, list) else [raw]
    if not items:
        raise _fail(source, key, "an empty list; give at least one format")
    return tuple(_check_format(source, f"{key}[{i}]" if isinstance(raw, list) else key, f)
                 for i, f in enumerate(items))


def _timezone(source: str, raw: object) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise _fail(source, "timezone", "must be an IANA time zone name such as America/Lima or UTC")
    with duckdb.connect() as con:
        known = con.execute("select count(*) from pg_timezone_names() where name = $n",
                            {"n": raw.strip()}).fetchone()[0]
    if not known:
        raise _fail(source, "timezone", f"{raw!r} is not a known IANA time zone (e.g. America/Lima, UTC)")
    return raw.strip()


def _field(source: str, name: str, spec: object, fmt: str) -> FieldSpec:
    key = f"fields.{name}"
    if name not in FIELDS:
        raise _fail(source, key, f"unknown unified field {name!r} (known: {', '.join(FIELDS)})")
    if not isinstance(spec, dict):
        raise _fail(source, key, "give {column: <column name>} or {value: <constant>}")
    unknown = set(spec) - FIELD_KEYS
    if unknown:
        raise _fail(source, key, f"unknown key(s) {', '.join(sorted(map(str, unknown)))} "
                    "(use column or value, plus separator for lists, format for times)")
    if ("column" in spec) == ("value" in spec):
        raise _fail(source, key, "give exactly one of column or value")
    kind = FIELDS[name]
    separator = spec.get("separator", ",")
    if "separator" in spec and (kind != "list" or not isinstance(separator, str) or not separator):
        raise _fail(source, f"{key}.separator", "only for mentions, hashtags or urls, and a non-empty text")
    formats = None
    if "format" in spec:
        if kind != "timestamp":
            raise _fail(source, f"{key}.format", "only for created_at, collected_at or author_created_at")
        formats = _formats(source, f"{key}.format", spec["format"])
    if "column" in spec:
        column = spec["column"]
        if fmt == "ndjson" and isinstance(column, list):
            if not column or not all(isinstance(c, str) and c and "\x00" not in c for c in column):
                raise _fail(source, f"{key}.column", "a key path must be a list of non-empty key names")
            return FieldSpec(name, column=tuple(column), separator=separator, formats=formats)
        if not isinstance(column, str) or not column.strip() or "\x00" in column:
            raise _fail(source, f"{key}.column", "must be the column's name as the header writes it")
        return FieldSpec(name, column=column, separator=separator, formats=formats)
    value = spec["value"]
    if name in NOT_CONSTANT:
        raise _fail(source, f"{key}.value", "must come from a column (a constant gives every row the same "
                    + ("id)" if name == "post_id" else "time)"))
    if value is None or isinstance(value, (list, dict)):
        raise _fail(source, f"{key}.value", "must be a single text, number or true/false")
    if kind == "count" and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise _fail(source, f"{key}.value", f"{value!r} is not a whole number >= 0")
    if name == "network" and (not isinstance(value, str) or not value.strip()):
        raise _fail(source, f"{key}.value", "must be a network name such as x, facebook, instagram")
    return FieldSpec(name, value=value, separator=separator, formats=formats)


def load_mapping(path: Path) -> Mapping:
    """Read and validate a mapping YAML; MappingError names the key when something is wrong."""
    source = Path(path).name
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise _fail(source, "", f"cannot be read ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise _fail(source, "", "is not UTF-8 text") from exc
    except yaml.YAMLError as exc:
        raise _fail(source, "", "is not valid YAML (" + " ".join(str(exc).split())[:160] + ")") from exc
    if not isinstance(raw, dict):
        raise _fail(source, "", "must be a YAML mapping with a `fields:` section")
    unknown = set(raw) - TOP_KEYS
    if unknown:
        raise _fail(source, sorted(map(str, unknown))[0],
                    f"unknown key (known: {', '.join(sorted(TOP_KEYS))})")
    fmt = str(raw.get("format", "csv")).strip().lower()
    if fmt not in ("csv", "ndjson"):
        raise _fail(source, "format", f"{raw.get('format')!r} is not csv or ndjson")
    delimiter = raw.get("delimiter", ",")
    if fmt != "csv" and "delimiter" in raw:
        raise _fail(source, "delimiter", "only for format csv")
    if delimiter in ("tab", "\\t"):
        delimiter = "\t"
    if not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in ('"', "\n", "\r"):
        raise _fail(source, "delimiter", f"{delimiter!r} must be one character other than a quote or newline")
    encoding = raw.get("encoding", "utf-8")
    if not isinstance(encoding, str) or encoding.strip().lower() not in ENCODINGS:
        raise _fail(source, "encoding", f"{encoding!r} is not supported (use utf-8, latin-1 / iso-8859-1 "
                    "or utf-16; convert other encodings, e.g. windows-1252, first)")
    header_row = raw.get("header_row", 1)
    if fmt != "csv" and "header_row" in raw:
        raise _fail(source, "header_row", "only for format csv")
    if isinstance(header_row, bool) or not isinstance(header_row, int) or header_row < 1:
        raise _fail(source, "header_row", f"{header_row!r} must be a line number, 1 or more")
    thousands = raw.get("thousands_separator", ",")
    if thousands not in THOUSANDS:
        raise _fail(source, "thousands_separator", f"{thousands!r} must be one of , . ' or a space, or empty")
    fields_raw = raw.get("fields")
    if not isinstance(fields_raw, dict) or not fields_raw:
        raise _fail(source, "fields", "missing: map each unified field to {column: ...} or {value: ...}")
    if "network" in raw:
        if "network" in fields_raw:
            raise _fail(source, "network", "given twice (top level and fields.network); keep one")
        top = raw["network"]
        fields_raw = {**fields_raw, "network": top if isinstance(top, dict) else {"value": top}}
    fields = {str(name): _field(source, str(name), spec, fmt) for name, spec in fields_raw.items()}
    for name in REQUIRED:
        if name not in fields:
            how = " or {value: <constant>})" if name == "network" else ")"
            raise _fail(source, f"fields.{name}",
                        f"missing required field {name!r} (give {{column: <column name>}}{how}")
    return Mapping(
        fields=fields, format=fmt, delimiter=delimiter, encoding=ENCODINGS[encoding.strip().lower()],
        header_row=header_row, timestamp_formats=_formats(source, "timestamp_format", raw.get("timestamp_format")),
        timezone=_timezone(source, raw["timezone"]) if "timezone" in raw else "UTC",
        thousands_separator=thousands, source=source,
    )


def _json_pointer(path: str | tuple[str, ...]) -> str:
    """An RFC 6901 JSON pointer to a key (or nested key path) of an NDJSON object."""
    keys = (path,) if isinstance(path, str) else path
    return "".join("/" + k.replace("~", "~0").replace("/", "~1") for k in keys)


class _Sql:
    """Builds the SQL of one mapped file, collecting every outside value as a named parameter."""

    def __init__(self, mapping: Mapping, columns: dict[str, str] | None) -> None:
        self.m = mapping
        self.columns = columns  # field name -> actual CSV column, None for NDJSON
        self.params: dict[str, object] = {}

    def param(self, value: object) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f"${name}"

    def used_by(self, sql: str) -> dict[str, object]:
        """The parameters a statement refers to (DuckDB refuses unused ones)."""
        return {k: v for k, v in self.params.items() if re.search(rf"\${k}\b", sql)}

    def has(self, name: str) -> bool:
        """Whether the field is mapped (to a constant, or to a column the file has)."""
        spec = self.m.fields.get(name)
        if spec is None:
            return False
        return spec.column is None or self.columns is None or name in self.columns

    def raw(self, name: str) -> str | None:
        """SQL of the field's text as written (column cell, JSON value or constant), None if unmapped."""
        spec = self.m.fields.get(name)
        if spec is None:
            return None
        if spec.column is None:
            return f"cast({self.param(spec.value)} as varchar)"
        if self.columns is None:
            return f"json_extract_string(raw, {self.param(_json_pointer(spec.column))})"
        actual = self.columns.get(name)
        return quote_ident(actual) if actual is not None else None

    def timestamp(self, expr: str, spec: FieldSpec) -> str:
        formats = spec.formats or self.m.timestamp_formats
        v = f"trim({expr})"
        if any(f not in ("epoch", "epoch_ms") and "%z" not in f and "%Z" not in f for f in formats or ["naive"]):
            tz = self.param(self.m.timezone)
        if formats is None:
            return (f"coalesce(try_strptime({v}, {ZULU_FORMATS}), "
                    f"timezone('UTC', try_strptime({v}, {OFFSET_FORMATS})), "
                    f"timezone('UTC', timezone({tz}, try_strptime({v}, {NAIVE_FORMATS}))))")
        parts = []
        for f in formats:
            if f == "epoch":
                parts.append(f"make_timestamp(cast(try_cast({v} as double) * 1000000 as bigint))")
            elif f == "epoch_ms":
                parts.append(f"make_timestamp(cast(try_cast({v} as double) * 1000 as bigint))")
            elif "%z" in f or "%Z" in f:
                parts.append(f"timezone('UTC', try_strptime({v}, {self.param(f)}))")
            else:
                parts.append(f"timezone('UTC', timezone({tz}, try_strptime({v}, {self.param(f)})))")
        return parts[0] if len(parts) == 1 else f"coalesce({', '.join(parts)})"

    def typed(self, name: str) -> str:
        """SQL of the field in its unified type (null when unmapped)."""
        kind = FIELDS[name]
        null = {"text": "null::varchar", "count": "null::bigint", "timestamp": "null::timestamp",
                "bool": "null::boolean", "list": "null::varchar[]"}[kind]
        expr = self.raw(name)
        if expr is None:
            return null
        if kind == "text":
            return network_sql(expr) if name == "network" else text_sql(expr)
        if kind == "count":
            return count_sql(expr, self.m.thousands_separator)
        if kind == "timestamp":
            return self.timestamp(expr, self.m.fields[name])
        if kind == "bool":
            return bool_sql(expr)
        spec = self.m.fields[name]
        return split_list_sql(expr, LIST_STRIP[name], self.param(spec.separator))


def _resolve_columns(mapping: Mapping, header: list[str], name: str) -> dict[str, str]:
    """Field -> the header's column: exact, else the one equal ignoring case and outer spaces."""
    found: dict[str, str] = {}
    for fname, spec in mapping.fields.items():
        if spec.column is None:
            continue
        wanted = spec.column
        assert isinstance(wanted, str)
        if wanted in header:
            found[fname] = wanted
            continue
        loose = [h for h in header if h.strip().lower() == wanted.strip().lower()]
        if len(loose) == 1:
            found[fname] = loose[0]
        elif not mapping.identity:
            shown = ", ".join(repr(h) for h in header[:30]) + (" ..." if len(header) > 30 else "")
            raise RejectedFile(name, f"{mapping.source}: fields.{fname}: column {wanted!r} is not in the "
                               f"file's header (line {mapping.header_row}: {shown})")
    if mapping.identity:
        absent = [f for f in REQUIRED if f not in found]
        if absent:
            raise RejectedFile(name, "no mapping given and the header lacks the unified column(s) "
                               + ", ".join(absent) + "; pass --mapping")
    return found


def _load_rows(con: duckdb.DuckDBPyConnection, src: SourceFile, m: Mapping) -> tuple[int, dict[str, str] | None]:
    """Rows into _rows (CSV: one column per header cell; NDJSON: `raw` per JSON object line) and the
    count of rows in; lines of an NDJSON file that are not objects go to _bad_lines."""
    if m.format == "csv":
        header = csv_columns(con, src.path, src.original_name, delim=m.delimiter, encoding=m.encoding,
                             skip=m.header_row - 1)
        columns = _resolve_columns(m, header, src.original_name)
        rows_in = load_csv_rows(con, src.path, delim=m.delimiter, encoding=m.encoding, skip=m.header_row - 1)
        con.execute("create or replace temp table _bad_lines (source_line bigint, reason varchar, raw varchar)")
        return rows_in, columns
    load_lines(con, src.path, encoding=m.encoding)
    con.execute(
        f"""
        create or replace temp table _rows as
        select source_line, raw from _lines
        where {NONBLANK_RAW} and json_valid(raw) and json_type(raw::json) = 'OBJECT'
        """
    )
    con.execute(
        f"""
        create or replace temp table _bad_lines as
        select source_line,
               case when json_valid(raw) then 'line is JSON but not an object' else 'line is not valid JSON' end
                   as reason,
               left(raw, 200) as raw
        from _lines
        where {NONBLANK_RAW} and source_line not in (select source_line from _rows)
        """
    )
    rows_in = fetch_int(con, f"select count(*) from _lines where {NONBLANK_RAW}")
    if rows_in and not fetch_int(con, "select count(*) from _rows"):
        raise RejectedFile(src.original_name, "not NDJSON: no line is a JSON object")
    return rows_in, None


def parse(con: duckdb.DuckDBPyConnection, src: SourceFile, cal: Calendar) -> ParsedFile:
    """Parse one mapped file into the temp table mapped_posts (the unified shape) plus quarantine."""
    try:
        m = load_mapping(src.mapping) if src.mapping is not None else identity_mapping()
    except MappingError as exc:
        raise RejectedFile(src.original_name, f"bad mapping {exc}") from exc
    rows_in, columns = _load_rows(con, src, m)
    q = _Sql(m, columns)

    def described(name: str) -> str:
        spec = m.fields.get(name)
        return spec.describe if spec is not None else "not mapped"

    # Reasons are built from the mapping's own words (column names, formats), so they are bound as
    # parameters too, never spliced into the SQL.
    checks = []
    for name in REQUIRED:
        checks.append(f"when _raw_{name} is null then {q.param(f'no {name} ({described(name)})')}")
        if name == "created_at":
            fmts = m.fields["created_at"].formats or m.timestamp_formats
            shown = " or ".join(fmts) + f" in {m.timezone}" if fmts else "ISO 8601"
            checks.append("when created_at is null then 'created_at ' || _raw_created_at || "
                          f"{q.param(' does not match ' + shown)}")
    # The warehouse keys every post's author (author_key is never null): no author, no landing.
    author = [f"_raw_{n}" for n in ("author_id", "author_handle") if q.has(n)]
    checks.append(f"when {' and '.join(a + ' is null' for a in author) if author else 'true'} then "
                  + q.param("no author: author_id and author_handle are "
                            + ("empty" if author else "not mapped")))
    for name in ("likes", "shares", "comments", "views", "author_followers"):
        if q.has(name):
            checks.append(f"when _raw_{name} is not null and {name} is null "
                          f"then '{name} ' || _raw_{name} || ' is not a whole number'")
            checks.append(f"when {name} < 0 then '{name} is negative: ' || {name}")
    raws = ", ".join(f"nullif(trim({q.raw(n)}), '') as _raw_{n}" for n in FIELDS if q.has(n))
    typed = ", ".join(f"{q.typed(n)} as {n}" for n in FIELDS)
    day_reason = calendar_reason_sql("cast(created_at as date)", cal)
    typed_sql = f"""
        create or replace temp table _typed as
        with base as (
            select source_line, {raws}{',' if raws else ''} {typed} from _rows
        ),
        reasons as (
            select *, case {' '.join(checks)} else {day_reason} end as reason from base
        )
        select * exclude (reason), {duplicate_reason_sql('network, post_id')} as reason from reasons
        """
    con.execute(typed_sql, q.used_by(typed_sql))
    mapped = ", ".join(n if n != "created_at" else "created_at, cast(created_at as date) as day" for n in FIELDS)
    con.execute(
        f"""
        create or replace temp table mapped_posts as
        select {mapped}, source_line
        from _typed where reason is null order by source_line
        """
    )
    excerpt = ", ".join(f"_raw_{n}" for n in ("post_id", "created_at", "text") if q.has(n))
    con.execute(
        f"""
        create or replace temp table quarantine as
        select source_line, null::date as day, reason, raw as raw_excerpt from _bad_lines
        union all
        select source_line, try_cast(created_at as date), reason, left(concat_ws(',', {excerpt}), 200)
        from _typed where reason is not null
        order by source_line
        """
    )
    return ParsedFile(entities={"mapped/posts": "mapped_posts"}, quarantine="quarantine", rows_in=rows_in,
                      notes=[f"mapping {m.source}"])


def sniff(first_line: str, head: str) -> bool:
    """Never: a mapped file is read only when a mapping is given."""
    return False


CONNECTOR = Connector(
    format=FORMAT,
    description="Any CSV or NDJSON export, read through a mapping YAML (--mapping); see docs/mapping.md",
    entities={
        "mapped/posts": GateColumns(network="network", post_id="post_id", likes="coalesce(likes, 0)",
                                    shares="coalesce(shares, 0)", comments="coalesce(comments, 0)"),
    },
    sniff=sniff,
    parse=parse,
    empty_samples=(("unified.csv", ",".join(FIELDS) + "\n"),),
)
