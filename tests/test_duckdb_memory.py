"""Every DuckDB database escucha opens is bounded by one memory limit and spills past it.

DuckDB's own default lets a database take 80% of the machine; a 10M-post year then held 17.5 GB.
ESCUCHA_DUCKDB_MEMORY (default 4GB) bounds the warehouse as dbt opens it, as escucha opens it, and
the run's scratch databases, which spill under the data home.
"""
from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

from escucha.home import DataHome
from escucha.warehouse import DEFAULT_MEMORY, MEMORY_ENV, connect, memory_limit, scratch


def duckdb_shows(limit: str) -> str:
    """How DuckDB itself reports a memory_limit of ``limit``."""
    with duckdb.connect(config={"memory_limit": limit}) as con:
        return con.execute("select current_setting('memory_limit')").fetchone()[0]


def test_the_limit_comes_from_the_environment_and_a_bad_one_names_the_variable(monkeypatch) -> None:
    monkeypatch.delenv(MEMORY_ENV, raising=False)
    assert memory_limit() == DEFAULT_MEMORY == "4GB"
    monkeypatch.setenv(MEMORY_ENV, " 1500 MB ")
    assert memory_limit() == "1500MB"
    for bad in ("lots", "4", "80%", "4GB; drop table x"):
        monkeypatch.setenv(MEMORY_ENV, bad)
        with pytest.raises(ValueError, match=MEMORY_ENV):
            memory_limit()


def test_the_warehouse_and_scratch_databases_take_the_limit(home: DataHome, monkeypatch) -> None:
    monkeypatch.setenv(MEMORY_ENV, "300MB")
    with connect(home.warehouse) as con:
        assert con.execute("select current_setting('memory_limit')").fetchone()[0] == duckdb_shows("300MB")
    # an analyst's session keeps its own settings beside the limit
    with connect(home.warehouse, read_only=True, config={"enable_external_access": False}) as con:
        assert con.execute("select current_setting('memory_limit')").fetchone()[0] == duckdb_shows("300MB")
        assert con.execute("select current_setting('enable_external_access')").fetchone()[0] is False
    with scratch(home.spill) as con:
        assert con.execute("select current_setting('memory_limit')").fetchone()[0] == duckdb_shows("300MB")
        assert Path(con.execute("select current_setting('temp_directory')").fetchone()[0]) == home.spill
        assert con.execute("select current_setting('TimeZone')").fetchone()[0] == "UTC"


def test_a_scratch_database_spills_what_outgrows_the_limit_under_the_data_home(home: DataHome, monkeypatch) -> None:
    """A sort of about 400 MB of rows under a 100 MB limit finishes by writing to home.spill."""
    monkeypatch.setenv(MEMORY_ENV, "100MB")
    with scratch(home.spill) as con:
        con.execute("set preserve_insertion_order = false")
        con.execute("create table t as select range as i, md5(range::varchar) || md5((range * 7)::varchar) as s "
                    "from range(4000000)")
        spilled = con.execute("select max(size) from duckdb_temporary_files()").fetchone()[0]
        first = con.execute("select s from t order by s limit 1 offset 2000000").fetchone()[0]
        assert spilled and spilled > 0, "the table did not spill past a 100 MB limit"
        assert any(home.spill.iterdir())
        assert con.execute("select count(*) from t where s < ?", [first]).fetchone()[0] == 2000000


def test_dbt_opens_the_warehouse_with_the_same_limit(tmp_path: Path, monkeypatch) -> None:
    """profiles.yml reads the same variable with the same default as escucha.warehouse."""
    from dbt.cli.main import dbtRunner

    project = Path(__file__).resolve().parents[1] / "dbt_project"
    monkeypatch.setenv("ESCUCHA_HOME", str(tmp_path))
    monkeypatch.chdir(project)
    shown = {}
    for limit in (None, "700MB"):
        if limit:
            monkeypatch.setenv(MEMORY_ENV, limit)
        else:
            monkeypatch.delenv(MEMORY_ENV, raising=False)
        result = dbtRunner().invoke(["show", "--inline", "select current_setting('memory_limit') as m",
                                     "--target-path", str(tmp_path / "target"), "--quiet", "--output", "json"])
        assert result.success, result.exception
        shown[limit] = result.result.results[0].agate_table.rows[0][0]
    assert shown == {None: duckdb_shows(DEFAULT_MEMORY), "700MB": duckdb_shows("700MB")}


def test_dbt_keeps_the_lake_s_parquet_footers_for_the_build(tmp_path: Path, monkeypatch) -> None:
    """dbt's DuckDB caches Parquet footers: every model and test that scans the lake's globs (a file
    per network and day) would otherwise read all the footers again. A file written again is read
    again: the cache follows the file, not its name."""
    import duckdb
    from dbt.cli.main import dbtRunner

    project = Path(__file__).resolve().parents[1] / "dbt_project"
    monkeypatch.setenv("ESCUCHA_HOME", str(tmp_path))
    monkeypatch.chdir(project)
    lake_file = tmp_path / "day=2022-01-01" / "part.parquet"
    lake_file.parent.mkdir()
    duckdb.execute(f"copy (select 1 as n) to '{lake_file}' (format parquet)")
    query = ("select current_setting('parquet_metadata_cache') as cached, "
             f"(select sum(n) from read_parquet('{tmp_path}/*/*.parquet')) as total")
    result = dbtRunner().invoke(["show", "--inline", query, "--target-path", str(tmp_path / "target"),
                                 "--quiet", "--output", "json"])
    assert result.success, result.exception
    assert tuple(result.result.results[0].agate_table.rows[0]) == (True, 1)

    # the same connection settings outside dbt: a rewritten file's new footer and rows are read
    con = duckdb.connect()
    con.execute("set parquet_metadata_cache = true")
    assert con.execute(f"select sum(n) from read_parquet('{lake_file}')").fetchone() == (1,)
    first_written = lake_file.stat().st_mtime
    duckdb.execute(f"copy (select 2 as n, 'x' as extra from range(3)) to '{lake_file}' (format parquet)")
    os.utime(lake_file, (first_written + 10, first_written + 10))  # written later, whatever the clock's resolution
    assert con.execute(f"select sum(n), count(extra) from read_parquet('{lake_file}')").fetchone() == (6, 3)


def test_a_file_that_outgrows_the_limit_stops_the_archive_and_stays_in_the_inbox(home: DataHome, monkeypatch) -> None:
    """Running out of memory is the machine's limit, not the file's fault: the file is neither
    rejected nor half archived, the error names it and the setting, and with more memory it archives."""
    import shutil

    from escucha.landing import MemoryLimitReached, archive_inbox

    names = ["x_timeline_response.json", "x_twarc2_sample.jsonl"]
    for name in names:
        shutil.copy(Path(__file__).parent / "fixtures" / name, home.inbox / name)
    monkeypatch.setenv(MEMORY_ENV, "1MB")
    with pytest.raises(MemoryLimitReached, match=rf"x_timeline_response.json: .*{MEMORY_ENV}"):
        archive_inbox(home)
    assert sorted(p.name for p in home.inbox.iterdir()) == names  # no rejected/ folder either
    assert [p.name for p in home.archive.iterdir() if p.name != ".lock"] == []
    monkeypatch.delenv(MEMORY_ENV)
    assert [f.status for f in archive_inbox(home)] == ["archived", "archived"]
    assert not any(home.inbox.iterdir())
