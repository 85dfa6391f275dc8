"""dbt's parse: one serves every home (escucha-dbt runs dbt inside the home); a home keeps it from
run to run, but only for the copy of the project that made it."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import duckdb

from assets.transform import (PARSE_FILE, PARSE_PROJECT_FILE, dbt_target_of, keep_parse,
                              start_from_project_parse)
from escucha.dbt_cli import absolute_paths, path_options
from escucha.home import data_home
from orchestration.resources import DBT_PROJECT_DIR, REPO_ROOT, dbt_executable

PROJECT_PARSE = DBT_PROJECT_DIR / "target" / PARSE_FILE


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
    # (the home then starts again from the project's own parse)
    (home.dbt_target / PARSE_PROJECT_FILE).write_text("/tmp/an-old-worktree/dbt_project")
    with dbt_target_of(home) as target:
        assert (target / PARSE_FILE).read_bytes() == PROJECT_PARSE.read_bytes()
        assert (target / PARSE_PROJECT_FILE).read_text() == str(DBT_PROJECT_DIR)
    # and so is one kept before the project folder was recorded
    (home.dbt_target / PARSE_PROJECT_FILE).unlink()
    (home.dbt_target / PARSE_FILE).write_bytes(b"parse")
    with dbt_target_of(home) as target:
        assert (target / PARSE_FILE).read_bytes() == PROJECT_PARSE.read_bytes()


def dbt_events(home: Path, target: Path, *args: str) -> list[dict]:
    """dbt's events (JSON log) for `escucha-dbt <args>` on this home, started from the repository's
    root with the project and profiles folders given relative to it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DBT_")}
    done = subprocess.run(
        [dbt_executable(), "--log-format", "json", *args, "--project-dir", "dbt_project",
         "--profiles-dir", "dbt_project", "--target-path", str(target)],
        cwd=REPO_ROOT, env={**env, "ESCUCHA_HOME": str(home)}, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def test_the_projects_parse_serves_every_home_and_each_build_writes_its_own_warehouse(tmp_path: Path) -> None:
    """The project's parse was made for another home (a scratch one, by the test session): dbt
    takes it as it is in two new homes, and each seed load lands in its own home's warehouse."""
    for name in ("a", "b"):
        home, target = data_home(tmp_path / name).ensure().root, tmp_path / f"target-{name}"
        target.mkdir()
        start_from_project_parse(target)
        events = dbt_events(home, target, "seed", "--select", "networks")
        names = {e["info"]["name"] for e in events}
        assert "UnableToPartialParse" not in names, [e["info"]["msg"] for e in events
                                                     if e["info"]["name"] == "UnableToPartialParse"]
        assert {"FoundStats", "LogSeedResult"} <= names
        con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
        try:
            assert con.execute("select count(*) from reference.networks").fetchall()[0][0] > 0
        finally:
            con.close()
    assert not (REPO_ROOT / "warehouse.duckdb").exists() and not (DBT_PROJECT_DIR / "warehouse.duckdb").exists()


def test_escucha_dbt_keeps_the_meaning_of_relative_paths_given_where_it_started(tmp_path: Path) -> None:
    """escucha-dbt runs dbt inside the home: the path options of the command it runs are made
    absolute against the folder it was started in; options that are not paths stay as given."""
    def absolute(*args: str, environ: dict[str, str] | None = None) -> list[str]:
        return absolute_paths(list(args), path_options(list(args)), environ or {}, tmp_path)

    assert absolute("show", "--output", "json", "--project-dir", "dbt_project") == [
        "show", "--output", "json", "--project-dir", str(tmp_path / "dbt_project")]
    assert absolute("source", "freshness", "--output=out/sources.json", "--state", "/abs/state") == [
        "source", "freshness", f"--output={tmp_path}/out/sources.json", "--state", "/abs/state"]
    # relative to the project's root whatever the working folder: dbt joins it itself
    assert absolute("build", "--target-path", "target") == ["build", "--target-path", "target"]
    environ = {"DBT_PROFILES_DIR": "conf", "DBT_PROJECT_DIR": "/p", "DBT_TARGET_PATH": "target"}
    absolute("build", environ=environ)
    assert environ == {"DBT_PROFILES_DIR": str(tmp_path / "conf"), "DBT_PROJECT_DIR": "/p",
                       "DBT_TARGET_PATH": "target"}
