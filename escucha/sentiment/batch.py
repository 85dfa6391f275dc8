"""Score a whole table of texts: each distinct content once, a bounded batch at a time.

The rule scorer is pure Python (about 40,000 texts a second on one core), so the work that can be
saved is the repeated work: retweets and copies repeat a text, and a content is scored once. Texts
are read from DuckDB a batch at a time and the scores written back to a DuckDB table, so Python holds
one batch whatever the size of the table.
"""
from __future__ import annotations

import duckdb
import pyarrow as pa

from .scorer import score_texts

#: rows read, scored and written at a time
BATCH_ROWS = 50_000


def score_relation(con: duckdb.DuckDBPyConnection, relation: str, out: str, batch_rows: int = BATCH_ROWS) -> int:
    """Score every row of ``relation`` (columns ``key``, ``text``, ``language``: one row per
    distinct content) into the temporary table ``out`` (``key``, ``sentiment``,
    ``sentiment_score``); returns the number of rows scored."""
    todo = f"{out}_todo"
    con.execute(f"create or replace temp table {todo} as "
                f"select row_number() over () as rn, key, text, language from {relation}")
    total = int(con.execute(f"select count(*) from {todo}").fetchone()[0])
    con.execute(f"create or replace temp table {out} (key varchar, sentiment varchar, sentiment_score double)")
    # each batch is its own query: writing between batches would close an open result stream
    for first in range(1, total + 1, batch_rows):
        batch = con.sql(f"select key, text, language from {todo} where rn >= {first} and rn < {first + batch_rows} "
                        "order by rn").to_arrow_table()
        scored = score_texts(batch.column("text").to_pylist(), batch.column("language").to_pylist())
        con.register("_sentiment_batch", pa.table({
            "key": batch.column("key"),
            "sentiment": pa.array(scored["sentiment"].tolist(), pa.string()),
            "sentiment_score": pa.array(scored["sentiment_score"].to_numpy(), pa.float64())}))
        con.execute(f"insert into {out} select * from _sentiment_batch")
        con.unregister("_sentiment_batch")
    con.execute(f"drop table {todo}")
    return total
