"""From inbox to lake: archive raw files by checksum, parse them once, land day partitions.

A raw file is parsed once, when it is archived, into `archive/<sha256>.parsed/` (one Parquet per lake
entity plus its quarantine) and a manifest `archive/<sha256>.json` written last, so a crash leaves no
half-archived file. Landing a window of days rewrites exactly those days of the lake from every archived
file that touches them, so a rerun gives the same lake.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import duckdb

from escucha.calendar import Calendar, collection_calendar
from escucha.connectors import BY_FORMAT, CONNECTORS, ParsedFile, RejectedFile, SourceFile, detect_format
from escucha.connectors import check_plain_file, posts_entities
from escucha.connectors.base import UNREADABLE, GateColumns, empty_unreadable
from escucha.connectors import lake_entities as connector_entities
from escucha.home import DataHome
from escucha.processes import owned_folder, remove_orphans
from escucha.warehouse import MEMORY_ENV, memory_limit, scratch, scratch_session



@dataclass
class ArchivedFile:
    """What archiving one inbox file did."""

    original_name: str
    status: str  # archived | already_archived | rejected
    sha256: str | None = None
    format: str | None = None
    rows_in: int = 0
    rows_parsed: int = 0
    rows_quarantined: int = 0
    rows_duplicate: int = 0
    min_day: str | None = None
    max_day: str | None = None
    days: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def rows_landed(self) -> int:
        """Posts new to the warehouse: parsed and not already collected."""
        return self.rows_parsed - self.rows_duplicate


@dataclass
class LandingSummary:
    """What landing a window of days wrote, per lake entity, and the reconciliation with the files."""

    start: str
    end: str
    files: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    expected_posts: int = 0


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _connect(home: DataHome) -> duckdb.DuckDBPyConnection:
    return scratch(home.spill)


Connect = Callable[[], duckdb.DuckDBPyConnection]


@contextmanager
def _scratch_per_thread(home: DataHome) -> Iterator[Connect]:
    """For a batch of files: a function giving each file its own connection (closed by the file's
    work) to one scratch database per thread, so a database is opened once a thread rather than
    twice a file (25-50 ms each; 222 opens for the bench year's 111 files). Each thread's database
    has the memory limit to itself, as a database per file had. All are closed at the end."""
    local, opened, lock = threading.local(), [], threading.Lock()

    def connect() -> duckdb.DuckDBPyConnection:
        db = getattr(local, "db", None)
        if db is None:
            db = local.db = _connect(home)
            with lock:
                opened.append(db)
        return scratch_session(db)

    try:
        yield connect
    finally:
        for db in opened:
            db.close()


def inbox_files(home: DataHome) -> list[Path]:
    """Files waiting in the inbox, oldest name first (sub-folders such as rejected/ are skipped)."""
    if not home.inbox.exists():
        return []
    return sorted(p for p in home.inbox.iterdir() if p.is_file() and not p.name.startswith("."))


def _reject(home: DataHome, path: Path, reason: str) -> ArchivedFile:
    rejected = home.inbox / "rejected"
    rejected.mkdir(parents=True, exist_ok=True)
    os.replace(path, rejected / path.name)
    (rejected / f"{path.name}.error.txt").write_text(reason + "\n", encoding="utf-8")
    return ArchivedFile(original_name=path.name, status="rejected", error=reason)


@contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Hold `folder/.lock` exclusively (across processes) for the block."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def archive_lock(home: DataHome) -> AbstractContextManager[None]:
    """One archiver at a time (the inbox sensor, a run and `escucha ingest` may overlap)."""
    return folder_lock(home.archive)


def archive_file(home: DataHome, path: Path, fmt: str | None = None,
                 cal: Calendar | None = None, mapping: Path | None = None) -> ArchivedFile:
    """Archive one inbox file: checksum, parse once, write the manifest last. Never raises for bad input.

    `mapping` is a mapping YAML for the `mapping` format (implied when given): it is passed to the
    parser and kept beside the raw file as archive/<sha256>.mapping.yaml, named in the manifest."""
    with archive_lock(home):
        remove_archive_leftovers(home)
        if not path.exists():  # another archiver took it meanwhile
            return ArchivedFile(original_name=path.name, status="already_archived")
        return _commit(home, _parse_to_folder(home, path, fmt, cal or collection_calendar(), mapping))


def archive_inbox(home: DataHome, cal: Calendar | None = None, workers: int | None = None) -> list[ArchivedFile]:
    """Archive every file waiting in the inbox, in name order.

    Files are parsed side by side (`workers` threads, default one per core: DuckDB does the parsing
    and releases the GIL), each into its own temporary folder; then, one file at a time in name
    order, each is compared with the files archived before it (duplicates, conflicting
    `created_at`) and archived with its manifest. So the outcome is that of archiving the files
    one after the other."""
    home.ensure()
    cal = cal or collection_calendar()
    with archive_lock(home):
        remove_archive_leftovers(home)
        files = inbox_files(home)
        if len(files) < 2:
            return [_commit(home, _parse_to_folder(home, f, None, cal, None)) for f in files]
        workers = workers or min(len(files), os.cpu_count() or 1)
        with _scratch_per_thread(home) as connect, \
                ThreadPoolExecutor(max_workers=workers, thread_name_prefix="archive") as pool:
            parsing = [pool.submit(_parse_to_folder, home, f, None, cal, None, connect) for f in files]
            try:
                return [_commit(home, job.result(), connect) for job in parsing]
            except BaseException:
                for job in parsing:  # the files not parsed yet stay in the inbox for the next run
                    job.cancel()
                raise


def remove_archive_leftovers(home: DataHome) -> None:
    """Remove what an archiver killed half-way left: its `.tmp-*` parse folder and `.json.tmp`
    manifest. Called under the archive lock, so no archiver is at work. (Its raw file is still in
    the inbox, see `_keep_raw`, and is archived again.)"""
    for leftover in home.archive.glob(".tmp-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    for leftover in home.archive.glob("*.json.tmp"):
        leftover.unlink(missing_ok=True)


def _keep_raw(path: Path, dest: Path) -> None:
    """Put the raw file at its archive name while it stays in the inbox (a hard link, or a copy
    where links are not possible): it leaves the inbox only once its manifest is written, so a
    crash leaves every file either in the inbox or archived with its manifest."""
    dest.unlink(missing_ok=True)  # left by an archiver killed before its manifest
    try:
        os.link(path, dest)
    except OSError:
        tmp = dest.with_name(f".tmp-{dest.name}")
        shutil.copy2(path, tmp)
        os.replace(tmp, dest)


@dataclass
class _Parsed:
    """One inbox file parsed on its own into a temporary folder, waiting for the archive-wide
    checks (`_commit`); or its rejection (`reason`)."""

    path: Path
    sha: str | None = None
    fmt: str | None = None
    mapping: Path | None = None
    folder: Path | None = None
    rows_in: int = 0
    entities: list[str] = field(default_factory=list)
    reason: str | None = None


def _parse_to_folder(home: DataHome, path: Path, fmt: str | None, cal: Calendar, mapping: Path | None,
                     connect: Connect | None = None) -> _Parsed:
    """Everything about one file that needs no other file: checksum, format, parse, the records it
    cannot read and the posts it holds twice with different times, written as Parquet (with the
    quarantine) to `archive/.tmp-<sha>-<hex>/`. Safe to run for several files at once. `connect`
    gives the file's DuckDB connection (default: a scratch database of its own)."""
    sha = sha256_of(path)
    if (home.archive / f"{sha}.json").exists():
        return _Parsed(path, sha)
    folder = None
    try:
        check_plain_file(path)
        fmt = fmt or ("mapping" if mapping is not None else None) or detect_format(path)
        if fmt not in BY_FORMAT:
            raise RejectedFile(path, f"unknown format {fmt!r}; known: {', '.join(sorted(BY_FORMAT))}")
        folder = home.archive / f".tmp-{sha}-{uuid.uuid4().hex[:8]}"
        folder.mkdir(parents=True)
        con = connect() if connect else _connect(home)
        try:
            src = SourceFile(path=path, original_name=path.name, sha256=sha, mapping=mapping)
            empty_unreadable(con)
            parsed = BY_FORMAT[fmt].parse(con, src, cal)
            parsed.rows_in += _quarantine_unreadable(con, parsed)
            _quarantine_conflicts_within(con, parsed)
            for entity, table in parsed.entities.items():
                _copy_with_source(con, table, _parquet(folder, entity), src)
            _copy_with_source(con, parsed.quarantine, folder / "quarantine.parquet", src)
        except duckdb.OutOfMemoryException as exc:  # the machine's limit, not the file's fault
            raise MemoryLimitReached(path, "parsing") from exc
        except (duckdb.Error, ValueError, UnicodeError) as exc:
            why = str(exc).splitlines()[0].replace(str(path), path.name)
            raise RejectedFile(path, f"cannot be parsed as {fmt}: {why}") from exc
        finally:
            con.close()
    except RejectedFile as exc:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        return _Parsed(path, sha, reason=f"{path.name}: {exc.reason}")
    except MemoryLimitReached:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    return _Parsed(path, sha, fmt, mapping, folder, parsed.rows_in, sorted(parsed.entities))


class MemoryLimitReached(RuntimeError):
    """DuckDB ran out of its memory limit on a file: the run stops and the file stays in the inbox,
    neither rejected (nothing is wrong with it) nor half archived."""

    def __init__(self, path: Path, doing: str) -> None:
        self.path = path
        super().__init__(
            f"{path.name}: DuckDB ran out of memory while {doing} it (limit {memory_limit()}, set by "
            f"{MEMORY_ENV}). The file is not at fault and stays in the inbox; raise {MEMORY_ENV} and "
            "run again. Nothing of it was archived.")


def _parquet(folder: Path, entity: str) -> Path:
    return folder / f"{entity.replace('/', '__')}.parquet"


def _commit(home: DataHome, parsed: _Parsed, connect: Connect | None = None) -> ArchivedFile:
    """Archive a parsed file after the files archived before it (call under the archive lock, in
    archive order): quarantine its posts whose time conflicts with an earlier file's, count its
    duplicates, move its folder to `archive/<sha>.parsed`, and write the manifest last. `connect`
    gives its DuckDB connection (default: a scratch database of its own)."""
    path, sha = parsed.path, parsed.sha
    if parsed.reason is not None:
        return _reject(home, path, parsed.reason)
    manifest_path = home.archive / f"{sha}.json"
    if manifest_path.exists():  # archived before, or earlier in this batch under another name
        if parsed.folder is not None:
            shutil.rmtree(parsed.folder, ignore_errors=True)
        path.unlink()
        m = json.loads(manifest_path.read_text(encoding="utf-8"))
        return ArchivedFile(original_name=path.name, status="already_archived", sha256=sha,
                            format=m["format"], rows_in=m["rows_in"])
    folder = parsed.folder
    src = SourceFile(path=path, original_name=path.name, sha256=sha, mapping=parsed.mapping)
    con = connect() if connect else _connect(home)
    try:
        _quarantine_conflicts_across(con, home, folder, src)
        posts = [f for e in parsed.entities if e in posts_entities() for f in [_parquet(folder, e)]]
        every = [_parquet(folder, e) for e in parsed.entities] + [folder / "quarantine.parquet"]
        parsed_rows = sum(_count(con, f"read_parquet('{f}')") for f in posts)
        quarantined = _count(con, f"read_parquet('{folder / 'quarantine.parquet'}')")
        days = _day_range(con, [f"read_parquet('{f}')" for f in every])
        touched = _days_with_posts(con, [f"read_parquet('{f}')" for f in posts])
        duplicates = _duplicates(con, home, folder, touched)
    except duckdb.OutOfMemoryException as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise MemoryLimitReached(path, "comparing with the archived files") from exc
    except duckdb.Error as exc:  # never raises for bad input: the file is set aside with the reason
        shutil.rmtree(folder, ignore_errors=True)
        why = str(exc).splitlines()[0].replace(str(path), path.name)
        return _reject(home, path, f"{path.name}: cannot be compared with the archived files: {why}")
    finally:
        con.close()
    parsed_dir = home.archive / f"{sha}.parsed"
    if parsed_dir.exists():
        shutil.rmtree(parsed_dir)
    os.replace(folder, parsed_dir)
    _keep_raw(path, home.archive / f"{sha}{''.join(path.suffixes[-1:])}")
    if parsed.mapping is not None:  # how the file was read travels with it
        shutil.copyfile(parsed.mapping, home.archive / f"{sha}.mapping.yaml")
    result = ArchivedFile(
        original_name=path.name, status="archived", sha256=sha, format=parsed.fmt, rows_in=parsed.rows_in,
        rows_parsed=parsed_rows, rows_quarantined=quarantined, rows_duplicate=duplicates,
        min_day=days[0], max_day=days[1], days=touched,
    )
    manifest = asdict(result) | {
        "entities": parsed.entities,
        **({"mapping": f"{sha}.mapping.yaml", "mapping_name": Path(parsed.mapping).name}
           if parsed.mapping is not None else {}),
        "archived_at": datetime.now(timezone.utc).isoformat(timespec="microseconds"),
        "bytes": (home.archive / f"{sha}{''.join(path.suffixes[-1:])}").stat().st_size,
    }
    tmp_manifest = manifest_path.with_suffix(".json.tmp")
    tmp_manifest.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    os.replace(tmp_manifest, manifest_path)
    path.unlink()  # archived: the manifest is written
    return result


def _quarantine_unreadable(con: duckdb.DuckDBPyConnection, parsed: ParsedFile) -> int:
    """Add the records the file's reader could not read at all (not UTF-8, too long, wrong number of
    cells) to its quarantine; returns how many, which the connector's rows_in did not count."""
    con.execute(f"insert into {parsed.quarantine} by name "
                f"select source_line, null::date as day, reason, raw_excerpt from {UNREADABLE}")
    return _count(con, UNREADABLE)


# One post published at two different minutes cannot be both: the gate refuses a window holding both
# (exports that give times to the minute agree with the network's own to the minute).
CONFLICT = "date_trunc('minute', {a}) <> date_trunc('minute', {b})"


def _quarantine_conflicts_within(con: duckdb.DuckDBPyConnection, parsed: ParsedFile) -> None:
    """Quarantine posts of this file whose id has another created_at earlier in the file (the first
    line is kept), so one bad collection never blocks a window's gate while the rest lands."""
    for entity, table in parsed.entities.items():
        if entity not in posts_entities():
            continue
        g = posts_entities()[entity]
        con.execute(
            f"""
            create or replace temp table _conflicts as
            select _row, source_line, post_key, created_at, first_line, first_created from (
                select rowid as _row, source_line, {g.network} || ':' || {g.post_id} as post_key, created_at,
                       first_value(source_line) over w as first_line, first_value(created_at) over w as first_created
                from {table} window w as (partition by {g.network} || ':' || {g.post_id} order by source_line, rowid)
            ) where {CONFLICT.format(a='created_at', b='first_created')}
            """
        )
        _move_conflicts(con, parsed.quarantine, table, "first_created || ' on line ' || first_line || ' of this file, "
                        "kept as the first'")


def _quarantine_conflicts_across(con: duckdb.DuckDBPyConnection, home: DataHome, folder: Path,
                                 src: SourceFile) -> None:
    """Quarantine posts of the parsed file in `folder` whose id has another created_at in an earlier
    archived file (the earlier file is kept). Earlier files are those whose days overlap this file's,
    a day either side. The folder's Parquet files are rewritten only when a post moves."""
    files = {e: f for e in posts_entities() for f in [_parquet(folder, e)] if f.exists()}
    if not files:
        return
    lo, hi = con.execute("select min(day), max(day) from read_parquet(?)",
                         [[str(f) for f in files.values()]]).fetchone()
    if lo is None:
        return
    first, last = (lo - timedelta(days=1)).isoformat(), (hi + timedelta(days=1)).isoformat()
    earlier = [f"select {k} as k, * from ({q})" for k, m in enumerate(_overlapping(home, first, last))
               for q in _post_keys_sql(home.archive / f"{m['sha256']}.parsed",
                                       "created_at, source_file, source_line")]
    if not earlier:
        return
    loaded_quarantine = False
    for entity, f in files.items():
        g = posts_entities()[entity]
        # most files conflict with none: ask the file's Parquet (DuckDB reads the key columns only),
        # and load the file whole only when posts move
        in_file = f"read_parquet('{f}')"
        if not _count(con, f"({_conflicts_sql(g, earlier, in_file, 'null')})"):
            continue
        con.execute(f"create or replace temp table _posts as "
                    f"select * exclude (source_sha256, source_file) from read_parquet('{f}')")
        con.execute(f"create or replace temp table _conflicts as {_conflicts_sql(g, earlier, '_posts', 'rowid')}")
        if not loaded_quarantine:
            con.execute(f"create or replace temp table _quarantine as select * exclude (source_sha256, source_file) "
                        f"from read_parquet('{folder / 'quarantine.parquet'}')")
            loaded_quarantine = True
        _move_conflicts(con, "_quarantine", "_posts", "first_created || ' in ' || first_file || ' (line ' || "
                        "first_line || '), archived earlier and kept'")
        _copy_with_source(con, "_posts", f, src)
    if loaded_quarantine:
        _copy_with_source(con, "_quarantine", folder / "quarantine.parquet", src)


def _conflicts_sql(g: GateColumns, earlier: list[str], posts: str, row: str) -> str:
    """SQL: the posts of `posts` (one row number each, `row`) whose id the `earlier` files' posts
    (each query with its archive order `k`) hold with another created_at, with the first of those."""
    return f"""
        with mine as (select {row} as _row, source_line, {g.network} || ':' || {g.post_id} as post_key,
                             created_at from {posts}),
        seen as (
            select post_key, arg_min(created_at, k) as first_created, arg_min(source_file, k) as first_file,
                   arg_min(source_line, k) as first_line
            from ({" union all ".join(earlier)})
            where post_key in (select post_key from mine) group by post_key
        )
        select mine.*, seen.* exclude (post_key) from mine join seen using (post_key)
        where {CONFLICT.format(a='created_at', b='first_created')}
        """


def _move_conflicts(con: duckdb.DuckDBPyConnection, quarantine: str, table: str, kept: str) -> None:
    """Move the rows listed in _conflicts from a posts table to the quarantine; `kept` is SQL over
    _conflicts saying which created_at was kept, and from where."""
    con.execute(
        f"""
        insert into {quarantine} by name
        select c.source_line, cast(c.created_at as date) as day,
               'conflicting created_at: post ' || c.post_key || ' is ' || c.created_at || ' here but ' || {kept}
                   as reason,
               left(to_json(t)::varchar, 200) as raw_excerpt
        from _conflicts c join {table} t on t.rowid = c._row
        """
    )
    con.execute(f"delete from {table} where rowid in (select _row from _conflicts)")


def _days_with_posts(con: duckdb.DuckDBPyConnection, relations: list[str]) -> list[str]:
    """The UTC days the posts `relations` (of one file) hold: the partitions the file touches."""
    if not relations:
        return []
    union = " union ".join(f"select distinct day from {r}" for r in relations)
    return [r[0].isoformat() for r in con.execute(f"select day from ({union}) order by day").fetchall()]


def _post_keys_sql(parsed_dir: Path, columns: str = "") -> list[str]:
    """SQL selecting the post_key (and `columns`) of every post in one file's parsed form."""
    extra = f", {columns}" if columns else ""
    parts = []
    for entity, gate in posts_entities().items():
        f = parsed_dir / f"{entity.replace('/', '__')}.parquet"
        if f.exists():
            parts.append(f"select {gate.network} || ':' || {gate.post_id} as post_key{extra} "
                         f"from read_parquet('{f}')")
    return parts


def _overlapping(home: DataHome, first: str, last: str) -> list[dict]:
    """Archived files with posts on days first..last, in archive order: a post keeps its creation
    day in every export, so only these can hold a post of a file of those days."""
    return [m for m in manifests(home) if m.get("min_day") and m["min_day"] <= last and m["max_day"] >= first]


def _duplicates(con: duckdb.DuckDBPyConnection, home: DataHome, parsed_dir: Path, days: list[str]) -> int:
    """Posts of this file already collected: by an earlier archived file, or earlier in this file.

    A post keeps its creation day in every export, so only earlier files whose days overlap this
    file's post days (``days``) can hold it: each file is compared with the files of its own weeks
    or months, not with the whole archive."""
    mine = _post_keys_sql(parsed_dir)
    if not mine:
        return 0
    new_keys = " union all ".join(mine)
    sql = f"select count(*) - count(distinct post_key) from ({new_keys})"
    within = int(con.execute(sql).fetchone()[0])
    if not days:
        return within
    first, last = min(days), max(days)
    earlier = [q for m in _overlapping(home, first, last)
               for q in _post_keys_sql(home.archive / f"{m['sha256']}.parsed")]
    if not earlier:
        return within
    old_keys = " union all ".join(earlier)
    seen = int(con.execute(
        f"select count(*) from (select distinct post_key from ({new_keys})) "
        f"where post_key in (select post_key from ({old_keys}))").fetchone()[0])
    return within + seen


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return int(con.execute(f"select count(*) from {table}").fetchone()[0])


def _day_range(con: duckdb.DuckDBPyConnection, tables: list[str]) -> tuple[str | None, str | None]:
    union = " union all ".join(f"select day from {t}" for t in tables)
    lo, hi = con.execute(f"select min(day), max(day) from ({union})").fetchone()
    return (lo.isoformat() if lo else None, hi.isoformat() if hi else None)


def _copy_with_source(con: duckdb.DuckDBPyConnection, table: str, dest: Path, src: SourceFile) -> None:
    con.execute(
        f"copy (select *, $sha as source_sha256, $name as source_file from {table}) "
        f"to '{dest}' (format parquet)",
        {"sha": src.sha256, "name": src.original_name},
    )


def manifests(home: DataHome) -> list[dict]:
    """Every archived file's manifest, in archive order."""
    found = [json.loads(p.read_text(encoding="utf-8")) for p in home.archive.glob("*.json")]
    return sorted(found, key=lambda m: (m["archived_at"], m["sha256"]))


def lake_entities() -> list[str]:
    """Every "<network>/<entity>" folder of the lake."""
    return connector_entities()


def candidate_root(home: DataHome, run_id: str) -> Path:
    """Where one run's window is written and audited before it is published into the lake. Each run
    has its own, so runs over overlapping days (the inbox sensor and a backfill) never audit or
    publish each other's candidate."""
    if not run_id or not all(c.isalnum() or c in "-_" for c in run_id):
        raise ValueError(f"not a run id: {run_id!r}")
    return home.lake / "_candidate" / run_id


def lake_lock(home: DataHome) -> AbstractContextManager[None]:
    """One publisher of the lake at a time, across processes (runs may overlap)."""
    return folder_lock(home.lake)


def archive_generation(found: list[dict]) -> str:
    """How far the archive had grown: the newest manifest's archived_at ("" when empty). A window
    staged at a later generation was made from every file an earlier one was made from."""
    return max((m["archived_at"] for m in found), default="")


def stage_window(home: DataHome, start: date, end: date, run_id: str) -> LandingSummary:
    """Write days start..end (inclusive) of every lake entity, from every archived file touching them,
    into the run's candidate area (write-audit-publish: the gate audits it, `publish_candidate`
    publishes it)."""
    home.ensure()
    found = manifests(home)
    touching = [
        m for m in found
        if m["min_day"] and m["min_day"] <= end.isoformat() and m["max_day"] >= start.isoformat()
    ]
    summary = LandingSummary(start=start.isoformat(), end=end.isoformat(),
                             files=[m["original_name"] for m in touching])
    remove_orphans(home.lake.glob(".staging-*"))  # left by a staging killed half-way
    staging = owned_folder(home.lake, ".staging")
    con = _connect(home)
    try:
        for entity in lake_entities():
            stem = entity.replace("/", "__")
            files = [
                str(home.archive / f"{m['sha256']}.parsed" / f"{stem}.parquet")
                for m in touching
                if entity in m["entities"]
            ]
            files = [f for f in files if Path(f).exists()]
            _ensure_schema_file(con, home, entity, files)
            if not files:
                summary.rows[entity] = 0
                continue
            where = "day between $start and $end"
            rel_sql = f"select * from read_parquet($files, union_by_name=true) where {where}"
            params = {"files": files, "start": start, "end": end}
            summary.rows[entity] = int(con.execute(f"select count(*) from ({rel_sql})", params).fetchone()[0])
            if summary.rows[entity]:
                out = staging / entity
                out.parent.mkdir(parents=True, exist_ok=True)
                # no sort: the partitioned write puts each day in its own folder whatever the order
                # (sorting the year's X posts by day was 11 of their 38 s), rows in the files' order
                con.execute(
                    f"copy ({rel_sql}) to '{out}' "
                    "(format parquet, partition_by (day), write_partition_columns true)",
                    params,
                )
        candidate = candidate_root(home, run_id)
        if candidate.exists():
            shutil.rmtree(candidate)  # the same run staging again (a re-execution)
        candidate.parent.mkdir(parents=True, exist_ok=True)
        staging.mkdir(parents=True, exist_ok=True)
        (staging / "window.json").write_text(json.dumps({
            "start": start.isoformat(), "end": end.isoformat(),
            "generation": archive_generation(found)}), encoding="utf-8")
        os.replace(staging, candidate)
    finally:
        con.close()
        shutil.rmtree(staging, ignore_errors=True)
    _remove_stale_candidates(home)
    summary.expected_posts = sum(
        summary.rows.get(e, 0) for e in lake_entities() if e.endswith("/posts")
    )
    return summary


STALE_CANDIDATE = timedelta(days=2)


def _remove_stale_candidates(home: DataHome) -> None:
    """Drop candidates no run will publish any more: those a failed gate left over two days ago (kept
    that long for a look at what was refused)."""
    cutoff = datetime.now(timezone.utc).timestamp() - STALE_CANDIDATE.total_seconds()
    for marker in (home.lake / "_candidate").glob("*/window.json"):
        if marker.stat().st_mtime < cutoff:
            shutil.rmtree(marker.parent, ignore_errors=True)


@dataclass(frozen=True)
class CandidateWindow:
    """A staged window: its days, and the archive generation it was made from."""

    start: date
    end: date
    generation: str


def candidate_window(home: DataHome, run_id: str) -> CandidateWindow | None:
    """The window waiting in the run's candidate area, if any."""
    marker = candidate_root(home, run_id) / "window.json"
    if not marker.exists():
        return None
    w = json.loads(marker.read_text(encoding="utf-8"))
    return CandidateWindow(date.fromisoformat(w["start"]), date.fromisoformat(w["end"]), w.get("generation", ""))


@dataclass(frozen=True)
class PublishedWindow:
    """What publishing a candidate did: its window, and the days left as they were because a run
    staged from a later archive had already published them (they hold everything this one had)."""

    start: date
    end: date
    kept_newer: list[str] = field(default_factory=list)


def _published_days_path(home: DataHome) -> Path:
    return home.lake / "_meta" / "published_days.json"


def published_days(home: DataHome) -> dict[str, str]:
    """Each published day and the archive generation its lake folders were staged from."""
    path = _published_days_path(home)
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def publish_candidate(home: DataHome, run_id: str) -> PublishedWindow | None:
    """Move the run's audited candidate into the lake, each day swapped whole, except days a run
    staged from a later archive already published; then refresh the file accounting. Under the lake
    lock, so overlapping runs publish one at a time and the newest staging of a day wins. Returns
    what was published, None when nothing was waiting."""
    with lake_lock(home):
        window = candidate_window(home, run_id)
        published = None
        if window is not None:
            done = published_days(home)
            days = [(window.start + timedelta(days=i)).isoformat()
                    for i in range((window.end - window.start).days + 1)]
            fresh = [d for d in days if done.get(d, "") <= window.generation]
            _swap_days(candidate_root(home, run_id), home, fresh)
            done.update({d: window.generation for d in fresh})
            _write_json_atomic(_published_days_path(home), done)
            shutil.rmtree(candidate_root(home, run_id))
            published = PublishedWindow(window.start, window.end, [d for d in days if d not in fresh])
        ensure_lake_schemas(home)
        with _connect(home) as con:
            refresh_meta(home, con)
    return published


def _write_json_atomic(path: Path, value: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{uuid.uuid4().hex[:8]}.tmp")
    tmp.write_text(json.dumps(value, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def land_window(home: DataHome, start: date, end: date) -> LandingSummary:
    """Stage and publish a window without an audit in between (for tools and tests)."""
    run_id = f"land-{uuid.uuid4().hex[:12]}"
    summary = stage_window(home, start, end, run_id)
    publish_candidate(home, run_id)
    return summary


def _ensure_schema_file(con: duckdb.DuckDBPyConnection, home: DataHome, entity: str,
                        files: list[str]) -> None:
    """Keep a zero-row Parquet per entity so the lake can be queried before any data lands."""
    target = home.lake / entity / "_schema.parquet"
    if target.exists() or not files:
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    con.execute(
        f"copy (select * from read_parquet($files, union_by_name=true) limit 0) to '{target}' "
        "(format parquet)",
        {"files": files[:1]},
    )


def _swap_days(source: Path, home: DataHome, days: list[str]) -> None:
    """Replace each day folder of every lake entity with the one under source (or remove it). The
    live folder is first renamed out of the lake (into lake/.trash/), so a crash never leaves a day
    half-written: it is either the old folder, the new one, or missing until the window is rerun."""
    trash = home.lake / ".trash"  # only the lake lock's holder swaps: what is here is left over
    shutil.rmtree(trash, ignore_errors=True)
    try:
        for day in days:
            for entity in lake_entities():
                name = f"day={day}"
                live = home.lake / entity / name
                fresh = source / entity / name
                if live.exists():
                    (trash / entity).mkdir(parents=True, exist_ok=True)
                    os.replace(live, trash / entity / name)
                if fresh.exists():
                    live.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(fresh, live)
    finally:
        shutil.rmtree(trash, ignore_errors=True)


def ensure_lake_schemas(home: DataHome) -> None:
    """Write each entity's zero-row schema file by parsing its connector's empty samples."""
    if all((home.lake / e / "_schema.parquet").exists() for e in lake_entities()):
        return
    samples = home.lake / f".schemas-{uuid.uuid4().hex[:8]}"
    samples.mkdir(parents=True)
    cal = collection_calendar()
    try:
        for connector in CONNECTORS:
            for name, content in connector.empty_samples:
                path = samples / f"{connector.format}-{name}"
                path.write_text(content, encoding="utf-8")
                with _connect(home) as con:
                    src = SourceFile(path=path, original_name=name, sha256="0" * 64)
                    parsed = connector.parse(con, src, cal)
                    for entity, table in parsed.entities.items():
                        target = home.lake / entity / "_schema.parquet"
                        if not target.exists():
                            target.parent.mkdir(parents=True, exist_ok=True)
                            _copy_with_source(con, f"(select * from {table} limit 0)", target, src)
    finally:
        shutil.rmtree(samples, ignore_errors=True)


MANIFEST_COLUMNS = {
    "sha256": "varchar", "original_name": "varchar", "format": "varchar", "status": "varchar",
    "rows_in": "bigint", "rows_parsed": "bigint", "rows_quarantined": "bigint",
    "rows_duplicate": "bigint", "min_day": "date",
    "max_day": "date", "archived_at": "timestamp", "bytes": "bigint",
}
QUARANTINE_COLUMNS = {
    "source_sha256": "varchar", "source_file": "varchar", "source_line": "bigint", "day": "date",
    "reason": "varchar", "raw_excerpt": "varchar",
}


def refresh_meta(home: DataHome, con: duckdb.DuckDBPyConnection) -> None:
    """Rewrite lake/_meta/{files,quarantine}.parquet: every archived file and every quarantined row."""
    meta = home.lake / "_meta"
    meta.mkdir(parents=True, exist_ok=True)
    found = manifests(home)
    cols = ", ".join(f"{c} {t}" for c, t in MANIFEST_COLUMNS.items())
    con.execute(f"create or replace temp table _files ({cols})")
    if found:
        con.executemany(
            f"insert into _files values ({', '.join('?' for _ in MANIFEST_COLUMNS)})",
            [[m.get(c) for c in MANIFEST_COLUMNS] for m in found],
        )
    _atomic_copy(con, "select * from _files order by archived_at, sha256", meta / "files.parquet")
    parts = [str(home.archive / f"{m['sha256']}.parsed" / "quarantine.parquet") for m in found]
    parts = [p for p in parts if Path(p).exists()]
    select = ", ".join(f"cast({c} as {t}) as {c}" for c, t in QUARANTINE_COLUMNS.items())
    if parts:
        sql = f"select {select} from read_parquet($parts, union_by_name=true)"
    else:
        sql = f"select {select} from (select {', '.join(f'null as {c}' for c in QUARANTINE_COLUMNS)}) where false"
    _atomic_copy(con, sql, meta / "quarantine.parquet", {"parts": parts} if parts else None)


def _atomic_copy(con: duckdb.DuckDBPyConnection, sql: str, dest: Path, params: dict | None = None) -> None:
    tmp = dest.with_suffix(".parquet.tmp")
    con.execute(f"copy ({sql}) to '{tmp}' (format parquet)", params or {})
    os.replace(tmp, dest)
