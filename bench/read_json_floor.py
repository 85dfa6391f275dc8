"""The floor for ingest: a bare DuckDB read of the same X API v2 NDJSON files, tweets flattened."""
import sys
import time

import duckdb

files = sys.argv[1:]
t = time.perf_counter()
con = duckdb.connect()
n = con.execute(
    """
    select count(*) from (
        select tw.id, tw.created_at, tw.author_id, tw.text
        from (select unnest(data) as tw from read_json($files, format='newline_delimited',
                                                      columns={'data': 'STRUCT(id VARCHAR, created_at VARCHAR, author_id VARCHAR, text VARCHAR)[]'}))
    )
    """,
    {"files": files},
).fetchone()[0]
print(f"read_json_floor tweets={n} seconds={time.perf_counter() - t:.2f}")
