"""Dagster's run history in SQLite, each database opened once per process instead of once per event."""
import os
import weakref
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from dagster._core.storage.event_log.sqlite.sqlite_event_log import SQLITE_BUSY_TIMEOUT_SECONDS, SqliteEventLogStorage
from dagster._serdes import ConfigurableClassData
from sqlalchemy import Connection, Engine, create_engine

#: engines kept open: the index, the run being written, and a few runs the UI reads
KEEP_ENGINES = 8

_STORAGES: "weakref.WeakSet[PooledSqliteEventLogStorage]" = weakref.WeakSet()


def _forget_in_forked_child() -> None:
    for storage in list(_STORAGES):
        storage._forget_engines()


os.register_at_fork(after_in_child=_forget_in_forked_child)


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """Dagster's default event log storage (the same files, the same tables), keeping an engine and
    its connections per database.

    The default builds a new SQLAlchemy engine and connection for every event it stores, and a run
    of this pipeline stores about 830 (each dbt model's materialization, each dbt test's check,
    each planned): in a run over a few days that was 9 to 10 s of the run process's 21 s of CPU.
    Here an event is a statement and a commit on a pooled connection. Engines are kept for the
    last few databases used (each run has its own), disposed when dropped, when the storage is
    disposed or wiped, and forgotten without being closed in a forked child (the parent's
    connections are not the child's to use)."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None) -> None:
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._tables_present: set[str] = set()
        super().__init__(base_dir, inst_data)
        _STORAGES.add(self)

    def has_table(self, table_name: str) -> bool:
        """Dagster's answer, remembered once a table is there: it asks before storing every asset
        check's result and every asset event's tags, each time through a new engine on the index
        database (1.1 s of a one-day run's 45 s of run-process CPU, sampled here). A table is never
        dropped but by :meth:`wipe`; a missing one is asked about again (a migration adds it)."""
        if table_name not in self._tables_present:
            if not super().has_table(table_name):
                return False
            self._tables_present.add(table_name)
        return True

    @classmethod
    def from_config_value(cls, inst_data: ConfigurableClassData | None,  # type: ignore[override]
                          config_value: Any) -> "PooledSqliteEventLogStorage":
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> Engine:
        engine = self._engines.get(shard)
        if engine is not None:
            self._engines.move_to_end(shard)
            return engine
        engine = create_engine(self.conn_string_for_shard(shard),
                               connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})
        if shard not in self._initialized_dbs:
            self._initdb(engine)
            self._initialized_dbs.add(shard)
        self._engines[shard] = engine
        while len(self._engines) > KEEP_ENGINES:
            self._engines.popitem(last=False)[1].dispose()
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:  # type: ignore[override]
        with self._db_lock:
            with self._engine(shard).connect() as conn, conn.begin():
                yield conn

    def _dispose_engines(self) -> None:
        while self._engines:
            self._engines.popitem()[1].dispose()

    def _forget_engines(self) -> None:
        for engine in self._engines.values():
            engine.dispose(close=False)
        self._engines.clear()

    def wipe(self) -> None:
        with self._db_lock:
            self._dispose_engines()
        self._tables_present.clear()
        super().wipe()

    def dispose(self) -> None:
        super().dispose()
        with self._db_lock:
            self._dispose_engines()
