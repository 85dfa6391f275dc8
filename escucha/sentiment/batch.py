"""Score a whole table of texts: each distinct content once, a bounded batch at a time.

The rule scorer is pure Python (about 40,000 texts a second on one core), so the work that can be
saved is the repeated work: retweets and copies repeat a text, and a content is scored once. Texts
are read from DuckDB a batch at a time and the scores written back to a DuckDB table
(escucha.batches), so Python holds one batch whatever the size of the table; a table of more
than one batch is scored in one worker process per core.
"""
from __future__ import annotations

import os

import duckdb
import pyarrow as pa

from escucha.batches import BATCH_ROWS, map_batches

from .scorer import score_texts


def _score(batch: pa.Table) -> pa.Table:
    scored = score_texts(batch.column("text").to_pylist(), batch.column("language").to_pylist())
    return pa.table({
        "key": batch.column("key").cast(pa.string()),
        "sentiment": pa.array(scored["sentiment"].tolist(), pa.string()),
        "sentiment_score": pa.array(scored["sentiment_score"].to_numpy(), pa.float64())})


def score_relation(con: duckdb.DuckDBPyConnection, relation: str, out: str, batch_rows: int = BATCH_ROWS,
                   workers: int | None = None) -> int:
    """Score every row of ``relation`` (columns ``key``, ``text``, ``language``: one row per
    distinct content) into the temporary table ``out`` (``key``, ``sentiment``,
    ``sentiment_score``), in ``workers`` processes (default one per core); returns the number of
    rows scored."""
    return map_batches(con, f"(select key, text, language from {relation})", out, _score, batch_rows=batch_rows,
                       workers=workers or os.cpu_count() or 1)
