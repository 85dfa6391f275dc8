"""Named SQL queries (``reports/queries/<name>.sql``) run read-only against the DuckDB warehouse.

Parameters are bound by DuckDB, never pasted into the SQL; results come back as pandas
DataFrames, and ``records``/``first_row`` turn them into plain rows for templates.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from escucha.warehouse import connect
from reports.formats import is_missing

QUERIES_DIR = Path(__file__).resolve().parent / "queries"

_QUERY_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_SQL_COMMENT = re.compile(r"--[^\n]*")


@functools.cache
def load_query(name: str) -> str:
    """The SQL text of the named query ``reports/queries/<name>.sql``."""
    if not _QUERY_NAME.match(name):
        raise ValueError(f"invalid query name: {name!r}")
    path = QUERIES_DIR / f"{name}.sql"
    if not path.is_file():
        raise FileNotFoundError(f"no query named {name!r} ({path})")
    return path.read_text(encoding="utf-8")


def query_params(sql: str) -> list[str]:
    """The ``$name`` parameters a query uses (comments ignored), in first-use order."""
    return list(dict.fromkeys(_PARAM.findall(_SQL_COMMENT.sub("", sql))))


def run_queries(
    con: duckdb.DuckDBPyConnection, names: Iterable[str], params: Mapping[str, Any] | None = None
) -> dict[str, pd.DataFrame]:
    """Run each named query with its ``$name`` parameters bound from ``params``.

    Values are always bound by DuckDB, never pasted into the SQL. Each query gets only the
    parameters it uses (DuckDB rejects extra ones); a missing one raises ``KeyError``.
    """
    params = dict(params or {})
    results: dict[str, pd.DataFrame] = {}
    for name in names:
        sql = load_query(name)
        wanted = query_params(sql)
        missing = [p for p in wanted if p not in params]
        if missing:
            raise KeyError(f"query {name!r} needs parameters {missing}")
        results[name] = con.execute(sql, {p: params[p] for p in wanted}).df()
    return results


def connect_readonly(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """Open the warehouse DuckDB file read-only (fails if it does not exist), waiting while another
    process writes it (escucha.warehouse.connect)."""
    warehouse = Path(warehouse)
    if not warehouse.is_file():
        raise FileNotFoundError(f"warehouse not found: {warehouse}")
    return connect(warehouse, read_only=True)


@contextmanager
def reading(warehouse: Path, con: duckdb.DuckDBPyConnection | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """``con`` when one is given (it stays open), else the warehouse opened read-only for the block."""
    if con is not None:
        yield con
        return
    con = connect_readonly(warehouse)
    try:
        yield con
    finally:
        con.close()


def records(df: pd.DataFrame | Sequence[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    """A query result as a list of row dicts (NULLs as None), for templates; a list of rows passes through."""
    if isinstance(df, Sequence):
        return [dict(row) for row in df]
    if df is None or df.empty:
        return []
    return [{k: (None if is_missing(v) else v) for k, v in row.items()} for row in df.to_dict("records")]


def first_row(df: pd.DataFrame | None) -> dict[str, Any]:
    """The first row of a query result as a dict ({} when empty)."""
    rows = records(df)
    return rows[0] if rows else {}
