"""escucha.batches.map_batches: a Python function over a DuckDB relation, a bounded batch at a time."""
from __future__ import annotations

import duckdb
import pyarrow as pa

from escucha.batches import map_batches


def _con_with_numbers(n: int) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    # inserted in reverse so that the order of the batches comes from order_by, not the table
    con.execute(f"create table numbers as select 'k' || i as key, i from range({n} - 1, -1, -1) as t(i)")
    return con


def test_every_row_once_in_order_and_in_batches_of_the_size_asked() -> None:
    con = _con_with_numbers(10)
    sizes: list[int] = []

    def double(batch: pa.Table) -> pa.Table:
        sizes.append(batch.num_rows)
        assert batch.column_names == ["key", "i"]  # the batch number column is not handed over
        return pa.table({"key": batch.column("key"), "twice": pa.array([2 * v for v in batch.column("i").to_pylist()])})

    assert map_batches(con, "numbers", "doubled", double, order_by="i", batch_rows=4) == 10
    assert sizes == [4, 4, 2]
    assert con.execute("select key, twice from doubled").fetchall() == [(f"k{i}", 2 * i) for i in range(10)]
    assert con.execute("select count(*) from duckdb_tables() where table_name = 'doubled_todo'").fetchone() == (0,)


def test_an_empty_relation_gives_an_empty_table_with_the_function_s_columns() -> None:
    con = _con_with_numbers(3)
    calls: list[int] = []

    def labelled(batch: pa.Table) -> pa.Table:
        calls.append(batch.num_rows)
        return pa.table({"key": batch.column("key"), "label": pa.array(["x"] * batch.num_rows, pa.string())})

    assert map_batches(con, "(select * from numbers where i > 99)", "none", labelled) == 0
    assert calls == [0]
    assert con.execute("select column_name, data_type from information_schema.columns "
                       "where table_name = 'none' order by ordinal_position").fetchall() == [
        ("key", "VARCHAR"), ("label", "VARCHAR")]
    assert con.execute("select count(*) from none").fetchone() == (0,)


def test_a_pandas_result_is_written_as_well() -> None:
    con = _con_with_numbers(5)
    assert map_batches(con, "numbers", "frames", lambda b: b.to_pandas().assign(neg=lambda d: -d["i"]),
                       order_by="key", batch_rows=2) == 5
    assert con.execute("select key, neg from frames").fetchall() == [(f"k{i}", -i) for i in range(5)]


def test_worker_processes_give_the_same_table_as_one_process() -> None:
    """Sentiment scoring runs its batches in worker processes: same rows, same order, same scores."""
    from escucha.sentiment.batch import _score

    con = duckdb.connect()
    con.execute("create table contents as select 'k' || lpad(i::varchar, 3, '0') as key, "
                "['Qué buena noticia', 'No es buena noticia', 'pésimo servicio 😡', 'This is great', "
                "'Atención: mañana hay reunión'][i % 5 + 1] || ' ' || i as text, "
                "case when i % 5 = 3 then 'en' else 'es' end as language from range(23) as t(i)")
    assert map_batches(con, "contents", "one", _score, order_by="key", batch_rows=4) == 23
    assert map_batches(con, "contents", "two", _score, order_by="key", batch_rows=4, workers=2) == 23
    one = con.execute("select * from one").fetchall()
    assert con.execute("select * from two").fetchall() == one
    assert [k for k, _, _ in one] == [f"k{i:03d}" for i in range(23)]
    assert {s for _, s, _ in one} == {"positive", "negative", "neutral"}


def test_authors_profiled_in_workers_are_profiled_as_in_one_process() -> None:
    """The author_profiles model's batches in worker processes: the same profiles, each with its
    row's reference year and input hash."""
    from escucha.people.profiles import profile_batch

    con = duckdb.connect()
    con.execute("""create table authors as select * from (values
        ('x:1', 'María Quispe', 'mquispe', 'Docente en Cusco, 34 años', 'Cusco', 2022, 'h1'),
        ('x:2', 'Municipalidad de Lima', 'munilima', 'Cuenta oficial', 'Lima, Perú', 2022, 'h2'),
        ('x:3', 'Jorge Pérez', 'jperez', 'Nací en 1990', 'Arequipa', 2021, 'h3'),
        ('x:4', 'Radio Norte', 'radionorte', 'Noticias de Piura', 'Piura', 2021, 'h4'),
        ('x:5', NULL, 'anon', NULL, NULL, 2022, 'h5'))
        as t(author_key, display_name, handle, bio, location, reference_year, input_hash)""")
    tables = []
    for workers in (1, 2):
        map_batches(con, "authors", f"profiled_{workers}", profile_batch, order_by="reference_year, author_key",
                    batch_rows=2, workers=workers)
        tables.append(con.execute(f"select * from profiled_{workers} order by author_key").fetchall())
    assert tables[0] == tables[1] and len(tables[0]) == 5
    by_key = {row[0]: row for row in tables[0]}
    columns = [d[0] for d in con.execute("select * from profiled_1").description]
    assert by_key["x:3"][columns.index("age_band")] == "25-34"  # born 1990, reference year 2021
    assert by_key["x:2"][columns.index("account_type")] == "government"
    assert [by_key[k][columns.index("input_hash")] for k in sorted(by_key)] == ["h1", "h2", "h3", "h4", "h5"]


def test_a_profiled_batch_leaves_the_per_string_caches_empty_and_the_lexicons_loaded() -> None:
    """Full, the caches held about 800 MB per process at 10M authors: each batch empties them."""
    import pandas as pd

    from escucha.people import account_type, age, gender, region
    from escucha.people.profiles import profile_authors, profile_batch

    def caches() -> dict[str, tuple[int, int | None]]:
        return {f"{m.__name__}.{name}": (v.cache_info().currsize, v.cache_info().maxsize)
                for m in (account_type, age, gender, region) for name, v in vars(m).items()
                if hasattr(v, "cache_info")}

    rows = pd.DataFrame({"author_key": ["x:1"], "display_name": ["María Quispe"], "handle": ["mq"],
                         "bio": ["Docente, 34 años"], "location": ["Cusco"]})
    profile_authors(rows, reference_year=2022)
    filled = caches()
    assert sum(size for size, maxsize in filled.values() if (maxsize or 0) > 1) > 0
    profile_batch(pa.Table.from_pandas(rows.assign(reference_year=2022, input_hash="h1")))
    after = caches()
    assert all(size == 0 for size, maxsize in after.values() if (maxsize or 0) > 1)
    loaded = {k: size for k, (size, maxsize) in after.items() if maxsize == 1}
    assert loaded and loaded == {k: size for k, (size, maxsize) in filled.items() if maxsize == 1}  # kept
