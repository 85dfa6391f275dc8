"""A home keeps dbt's parse from run to run, but only for the copy of the project that made it."""
from __future__ import annotations

from pathlib import Path

from assets.transform import PARSE_FILE, PARSE_PROJECT_FILE, dbt_target_of, keep_parse
from escucha.home import data_home
from orchestration.resources import DBT_PROJECT_DIR


def test_a_parse_kept_from_another_copy_of_the_project_is_dropped(tmp_path: Path) -> None:
    home = data_home(tmp_path / "home").ensure()
    run = tmp_path / "run"
    run.mkdir()
    (run / PARSE_FILE).write_bytes(b"parse")
    home.dbt_target.mkdir(parents=True, exist_ok=True)
    keep_parse(run, home.dbt_target)
    assert (home.dbt_target / PARSE_PROJECT_FILE).read_text() == str(DBT_PROJECT_DIR)
    with dbt_target_of(home) as target:  # made here: kept
        assert (target / PARSE_FILE).read_bytes() == b"parse"
    # a parse made by a checkout that was since moved or removed names its old folder
    (home.dbt_target / PARSE_PROJECT_FILE).write_text("/tmp/an-old-worktree/dbt_project")
    with dbt_target_of(home) as target:
        assert not (target / PARSE_FILE).exists() and not (target / PARSE_PROJECT_FILE).exists()
    # and so is one kept before the project folder was recorded
    (home.dbt_target / PARSE_FILE).write_bytes(b"parse")
    with dbt_target_of(home) as target:
        assert not (target / PARSE_FILE).exists()
