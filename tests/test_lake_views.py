"""The staging views over the lake (dbt_project/macros/lake_sources.sql) read an entity's day files
by name (union_by_name) only when their schemas differ: real dbt on a copy of the session's demo
home, with a day file written as an older connector would have written it."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.conftest import copy_home
from tests.test_tests_in_window import dbt_model


def view_sql(home, name: str) -> str:
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        return con.execute("select sql from duckdb_views() where schema_name = 'staging' and view_name = ?",
                           [name]).fetchall()[0][0]


def count_posts(home, where: str = "true") -> int:
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        return con.execute(f"select count(*) from staging.stg_x__posts where {where}").fetchall()[0][0]


def test_a_lake_view_reads_its_files_by_name_only_while_their_schemas_differ(demo_template, tmp_path: Path) -> None:
    """Every file of the demo's X posts has one schema: the view reads them without union_by_name.
    A day file without a column (an older connector's) fails a read of that column, naming it;
    the next build makes the view read by name, with nulls in the missing column; once the file is
    gone, the view reads without union_by_name again."""
    template, _ = demo_template
    home = copy_home(template, tmp_path / "home")
    posts = home.lake / "x" / "posts"
    # the copy's views still name the template's lake until a build makes them again
    result = dbt_model(home, tmp_path, "run", "stg_x__posts")
    assert result["status"] == "success", result["message"]
    assert str(posts) in view_sql(home, "stg_x__posts")
    assert "union_by_name" not in view_sql(home, "stg_x__posts")
    assert "union_by_name" not in view_sql(home, "stg_x__authors")
    before = count_posts(home)
    first_day = sorted(posts.glob("day=*/*.parquet"))[0]
    older = posts / "day=2031-01-01" / "data_0.parquet"
    older.parent.mkdir()
    with duckdb.connect() as con:
        con.execute(f"copy (select * exclude (impression_count) replace (date '2031-01-01' as day, 'older.json' as source_file) "
                    f"from read_parquet('{first_day}')) to '{older}' (format parquet)")
        added = con.execute(f"select count(*) from read_parquet('{older}')").fetchall()[0][0]
    assert added > 0
    assert count_posts(home) == before + added  # a read that needs no missing column works
    with pytest.raises(duckdb.Error, match="impression_count"):  # a read of the missing column fails
        count_posts(home, "views is null")
    result = dbt_model(home, tmp_path, "run", "stg_x__posts")
    assert result["status"] == "success", result["message"]
    assert "union_by_name" in view_sql(home, "stg_x__posts")
    assert count_posts(home) == before + added
    assert count_posts(home, "source_file = 'older.json' and views is null") == added
    older.unlink()
    older.parent.rmdir()
    result = dbt_model(home, tmp_path, "run", "stg_x__posts")
    assert result["status"] == "success", result["message"]
    assert "union_by_name" not in view_sql(home, "stg_x__posts")
    assert count_posts(home) == before
