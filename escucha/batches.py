"""Run a Python function over a DuckDB relation a bounded batch of rows at a time.

Models whose work is Python (sentiment scoring, author profiling) read their inputs from DuckDB in
batches and write each batch's results back to a DuckDB table, so Python holds one batch whatever
the size of the relation. Pure-Python work can run in worker processes, one batch each at a time,
while this process reads the next batches and writes the finished ones in order.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import duckdb
import pyarrow as pa

from escucha.processes import spawn_workers

#: rows read, transformed and written at a time
BATCH_ROWS = 50_000


def map_batches(con: duckdb.DuckDBPyConnection, relation: str, out: str,
                fn: Callable[[pa.Table], Any], *, order_by: str = "", batch_rows: int = BATCH_ROWS,
                workers: int = 1) -> int:
    """Apply ``fn`` to every row of ``relation`` (a table, view or parenthesised query), in batches of
    ``batch_rows`` rows in ``order_by`` order, into the temporary table ``out``. ``fn`` takes a batch
    as a pyarrow Table and returns a pyarrow Table or pandas DataFrame; it is called once on an empty
    batch when the relation is empty, so ``out`` always has its columns. With ``workers`` > 1 and more
    than one batch, ``fn`` (then a module-level function) runs in that many worker processes.
    Returns the rows read."""
    todo = f"{out}_todo"
    con.execute(f"create or replace temp table {todo} as "
                f"select row_number() over ({'order by ' + order_by if order_by else ''}) as _batch_rn, * "
                f"from {relation}")
    (total,), = con.execute(f"select count(*) from {todo}").fetchall()
    firsts = range(1, total + 1, batch_rows) or range(1, 2)

    def batches() -> Iterator[pa.Table]:
        # each batch is its own query, read whole: writing between batches would close an open stream
        for first in firsts:
            yield con.sql(f"select * exclude (_batch_rn) from {todo} where _batch_rn >= {first} "
                          f"and _batch_rn < {first + batch_rows} order by _batch_rn").to_arrow_table()

    for i, result in enumerate(_mapped(fn, batches(), min(workers, len(firsts)))):
        con.register("_batch_out", result)
        con.execute(f"create or replace temp table {out} as select * from _batch_out" if i == 0
                    else f"insert into {out} select * from _batch_out")
        con.unregister("_batch_out")
    con.execute(f"drop table {todo}")
    return total


def _mapped(fn: Callable[[pa.Table], Any], batches: Iterable[pa.Table], workers: int) -> Iterator[Any]:
    """fn over the batches, results in batch order; with workers > 1 in worker processes
    (escucha.processes.spawn_workers: a fork would copy DuckDB's threads and locks), with at most
    two batches per worker handed out and not yet written."""
    if workers <= 1:
        yield from map(fn, batches)
        return
    with spawn_workers(workers) as pool:
        pending: deque = deque()
        for batch in batches:
            pending.append(pool.submit(fn, batch))
            if len(pending) > 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
