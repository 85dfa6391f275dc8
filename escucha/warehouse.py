"""Opening the warehouse when someone else may hold it.

DuckDB lets one process open a database file read-write, or any number of processes open it
read-only, never both: a conflicting open fails at once with "Could not set lock on file ...
Conflicting lock is held in <exe> (PID n)". Every open that may meet another process (the run's
writers, dbt, the reports, `escucha query`) goes through :func:`connect` or :func:`wait_until_free`,
which wait for the holder to let go, with backoff, up to ``ESCUCHA_LOCK_TIMEOUT`` seconds, and then
fail with :class:`WarehouseLocked`, whose message names the file, the process holding it and what to
do.
"""
from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

TIMEOUT_ENV = "ESCUCHA_LOCK_TIMEOUT"
DEFAULT_TIMEOUT = 300.0
#: memory one DuckDB database (the warehouse in dbt, a run's scratch databases) may use before it
#: spills to disk; DuckDB's own default, 80% of the machine, let a 10M-post year hold 17.5 GB. Parsing a
#: 590 MB twarc2 month (367,314 tweets) ran out at 2GB and passed at 3GB (2.8 GB resident)
MEMORY_ENV = "ESCUCHA_DUCKDB_MEMORY"
DEFAULT_MEMORY = "4GB"
_MEMORY = re.compile(r"^\s*\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$", re.IGNORECASE)
FIRST_DELAY, MAX_DELAY = 0.25, 5.0

log = logging.getLogger(__name__)
_HOLDER = re.compile(r"Conflicting lock is held in (?P<exe>.*?) \(PID (?P<pid>\d+)\)")


@dataclass(frozen=True)
class LockHolder:
    """The process holding a conflicting lock, as DuckDB reports it."""

    pid: int | None
    exe: str
    read_only: bool  # the holder has it read-only (an analyst's session), not read-write

    def describe(self) -> str:
        who = f"PID {self.pid} ({self.exe})" if self.pid is not None else "another process"
        how = ("read-only: an analyst's session or a report" if self.read_only
               else "read-write: another run or writer")
        return f"{who}, which has it open {how}"

    def advice(self) -> str:
        what = ("close that session (a DuckDB client, a notebook, `escucha query`)" if self.read_only
                else "wait for that run to finish")
        return f"{what}, or stop process {self.pid}" if self.pid is not None else what


class WarehouseLocked(RuntimeError):
    """The warehouse stayed locked by another process for the whole timeout."""

    def __init__(self, path: Path, holder: LockHolder, timeout: float, read_only: bool) -> None:
        self.path, self.holder, self.timeout = path, holder, timeout
        super().__init__(
            f"cannot {'read' if read_only else 'write'} the warehouse {path}: it is locked by "
            f"{holder.describe()}. Gave up after waiting {timeout:g} s (set {TIMEOUT_ENV} to wait "
            f"longer); {holder.advice()}, then try again. Nothing was changed.")


def lock_timeout() -> float:
    """Seconds to wait for a locked warehouse: $ESCUCHA_LOCK_TIMEOUT, else 300."""
    raw = os.environ.get(TIMEOUT_ENV, "").strip()
    try:
        return max(0.0, float(raw)) if raw else DEFAULT_TIMEOUT
    except ValueError:
        raise ValueError(f"{TIMEOUT_ENV} must be a number of seconds, not {raw!r}") from None


def memory_limit() -> str:
    """DuckDB's memory_limit for escucha's databases: $ESCUCHA_DUCKDB_MEMORY (such as 4GB or
    1500MB), else 4GB."""
    raw = os.environ.get(MEMORY_ENV, "").strip()
    if not raw:
        return DEFAULT_MEMORY
    if not _MEMORY.match(raw):
        raise ValueError(f"{MEMORY_ENV} must be an amount of memory such as 4GB or 1500MB, not {raw!r}")
    return raw.replace(" ", "")


def duckdb_config(spill: Path | None = None) -> dict[str, object]:
    """Settings every DuckDB database escucha opens shares: the memory limit, and for a scratch
    (in-memory) database, the folder it spills to when the data outgrows it."""
    config: dict[str, object] = {"memory_limit": memory_limit()}
    if spill is not None:
        spill.mkdir(parents=True, exist_ok=True)  # DuckDB makes the folder, not its parents
        config["temp_directory"] = str(spill)
    return config


def scratch(spill: Path | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB database for a run's own work (parsing files, landing, the gate's
    window), with the memory limit and UTC time zone; `spill` is where it spills (DuckDB's
    default, ./.tmp, without one)."""
    return _in_utc(duckdb.connect(config=duckdb_config(spill)))


def scratch_session(db: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A new connection to the scratch database `db` (a cursor: opening one takes well under a
    millisecond, opening a database 25-50 ms), in UTC; its temp tables are its own and go when it
    closes."""
    return _in_utc(db.cursor())


def _in_utc(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    con.execute("set timezone = 'UTC'")  # a connection's own setting: a cursor does not inherit it
    return con


def lock_holder(error: duckdb.Error) -> LockHolder | None:
    """The holder named by a lock conflict error; None when the error is not a lock conflict."""
    text = str(error)
    if not isinstance(error, duckdb.IOException) or "Could not set lock on file" not in text:
        return None
    found = _HOLDER.search(text)
    return LockHolder(pid=int(found["pid"]) if found else None, exe=found["exe"] if found else "?",
                      read_only="open this database in read-only mode" in text)


def connect(path: str | Path, read_only: bool = False, timeout: float | None = None,
            on_wait: Callable[[str], None] | None = None,
            config: dict[str, object] | None = None) -> duckdb.DuckDBPyConnection:
    """Open the warehouse, waiting while another process holds a conflicting lock.

    Retries with a growing delay (0.25 s doubling up to 5 s) for up to `timeout` seconds (default
    :func:`lock_timeout`); `on_wait` (default: a warning log) hears once that the open is waiting and
    for whom; `config` is DuckDB's. Raises :class:`WarehouseLocked` when the time is up; other
    errors pass through."""
    path = Path(path)
    timeout = lock_timeout() if timeout is None else timeout
    started = time.monotonic()
    delay = FIRST_DELAY
    announced = False
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only, config=duckdb_config() | (config or {}))
        except duckdb.IOException as exc:
            holder = lock_holder(exc)
            if holder is None:
                raise
            waited = time.monotonic() - started
            if waited >= timeout:
                raise WarehouseLocked(path, holder, timeout, read_only) from None
            if not announced:
                (on_wait or log.warning)(
                    f"the warehouse {path} is locked by {holder.describe()}; waiting up to "
                    f"{timeout:g} s ({TIMEOUT_ENV})")
                announced = True
            time.sleep(min(delay, max(0.0, timeout - waited)))
            delay = min(delay * 2, MAX_DELAY)


def wait_until_free(path: str | Path, timeout: float | None = None,
                    on_wait: Callable[[str], None] | None = None) -> None:
    """Wait until the warehouse can be opened read-write (as :func:`connect`), then let it go:
    called before a process of ours (dbt) opens it. A missing warehouse is free."""
    if Path(path).exists():
        connect(path, read_only=False, timeout=timeout, on_wait=on_wait).close()
