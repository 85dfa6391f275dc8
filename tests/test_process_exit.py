"""escucha's commands and the dbt that Dagster starts end without Python's last garbage collection
(escucha.processes.skip_final_collection), and nothing else about their exit changes."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb

from orchestration.resources import DBT_PROJECT_DIR, dbt_executable

REPO = Path(__file__).resolve().parents[1]

# Registered before the code under test, so it runs after that code's exit handlers (they run last
# registered, first run): it sees what the process leaves to the interpreter's own shutdown.
WATCH_EXIT = ("import atexit, gc, sys\n"
              "atexit.register(lambda: print('frozen at exit:', gc.get_freeze_count() > 0, file=sys.stderr))\n")


def python(code: str, *args: str, cwd: Path = REPO, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300, env=env)


def test_a_process_that_skips_the_final_collection_still_runs_its_exit_handlers(tmp_path: Path) -> None:
    done = tmp_path / "handler-ran"
    out = python(WATCH_EXIT + "from escucha.processes import skip_final_collection\n"
                 "skip_final_collection()\n"
                 f"atexit.register(lambda: open({str(done)!r}, 'w').write('yes'))\n"
                 "cycle = []; cycle.append(cycle)\n"
                 "sys.exit(3)\n")
    assert out.returncode == 3
    assert done.read_text() == "yes"
    assert "frozen at exit: True" in out.stderr
    without = python(WATCH_EXIT + "sys.exit(0)\n")
    assert "frozen at exit: False" in without.stderr


def test_the_escucha_command_skips_it(tmp_path: Path) -> None:
    out = python(WATCH_EXIT + "from escucha.cli import main\n"
                 f"main(['--home', {str(tmp_path)!r}, 'query', '--help'])\n")
    assert out.returncode == 0 and out.stdout.startswith("usage: escucha query")
    assert "frozen at exit: True" in out.stderr


def test_dagster_starts_dbt_through_escucha_dbt_which_answers_as_dbt(tmp_path: Path) -> None:
    assert Path(dbt_executable()) == Path(sys.executable).with_name("escucha-dbt")
    env = dict(os.environ, ESCUCHA_HOME=str(tmp_path), DBT_TARGET_PATH=str(tmp_path / "target"))
    ours = subprocess.run([dbt_executable(), "--version"], capture_output=True, text=True, env=env)
    stock = subprocess.run([Path(sys.executable).with_name("dbt"), "--version"], capture_output=True, text=True,
                           env=env)
    assert ours.returncode == stock.returncode == 0
    assert ours.stdout.splitlines()[:2] == stock.stdout.splitlines()[:2]  # "Core:", "- installed: ..."
    wrong = [subprocess.run([exe, "no-such-command"], capture_output=True, text=True, env=env).returncode
             for exe in (dbt_executable(), str(Path(sys.executable).with_name("dbt")))]
    assert wrong[0] == wrong[1] != 0

    # a dbt command through it: the result, its exit status, and the warehouse closed cleanly (no WAL left)
    shown = python(WATCH_EXIT + "sys.argv = ['escucha-dbt', *sys.argv[1:]]\n"
                   "from escucha.dbt_cli import main\nmain()\n",
                   "show", "--inline", "select 41 + 1 as answer", "--output", "json", "--quiet",
                   cwd=DBT_PROJECT_DIR, env=env)
    assert shown.returncode == 0, shown.stdout + shown.stderr
    assert '"answer": 42' in shown.stdout
    assert "frozen at exit: True" in shown.stderr
    warehouse = tmp_path / "warehouse.duckdb"
    assert warehouse.is_file() and not warehouse.with_name("warehouse.duckdb.wal").exists()
    duckdb.connect(str(warehouse), read_only=True).close()
