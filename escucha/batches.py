"""Run a Python function over a DuckDB relation a bounded batch of rows at a time.

Models whose work is Python (sentiment scoring, author profiling) read their inputs from DuckDB in
batches and write each batch's results back to a DuckDB table, so Python holds one batch whatever
the size of the relation.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import duckdb
import pyarrow as pa

#: rows read, transformed and written at a time
BATCH_ROWS = 50_000


def map_batches(con: duckdb.DuckDBPyConnection, relation: str, out: str,
                fn: Callable[[pa.Table], Any], *, order_by: str = "", batch_rows: int = BATCH_ROWS) -> int:
    """Apply ``fn`` to every row of ``relation`` (a table, view or parenthesised query), in batches of
    ``batch_rows`` rows in ``order_by`` order, into the temporary table ``out``. ``fn`` takes a batch
    as a pyarrow Table and returns a pyarrow Table or pandas DataFrame; it is called once on an empty
    batch when the relation is empty, so ``out`` always has its columns. Returns the rows read."""
    todo = f"{out}_todo"
    con.execute(f"create or replace temp table {todo} as "
                f"select row_number() over ({'order by ' + order_by if order_by else ''}) as _batch_rn, * "
                f"from {relation}")
    (total,), = con.execute(f"select count(*) from {todo}").fetchall()
    # each batch is its own query: writing between batches would close an open result stream
    for i, first in enumerate(range(1, total + 1, batch_rows) or [1]):
        batch = con.sql(f"select * exclude (_batch_rn) from {todo} where _batch_rn >= {first} "
                        f"and _batch_rn < {first + batch_rows} order by _batch_rn").to_arrow_table()
        con.register("_batch_out", fn(batch))
        con.execute(f"create or replace temp table {out} as select * from _batch_out" if i == 0
                    else f"insert into {out} select * from _batch_out")
        con.unregister("_batch_out")
    con.execute(f"drop table {todo}")
    return total
