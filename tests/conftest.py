"""Shared fixtures: a fresh data home per test, never the developer's ./data."""
from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from escucha.home import DataHome, data_home

FIXTURES = Path(__file__).parent / "fixtures"


def pytest_configure(config: pytest.Config) -> None:
    """Parse the dbt project once, before `make test`'s workers (pytest-xdist) start: each would
    otherwise find the manifest missing on a fresh clone and parse into the same target folder at
    the same time. The parse needs a data home only for its profile."""
    if hasattr(config, "workerinput"):
        return
    import os
    import tempfile
    from unittest import mock

    with tempfile.TemporaryDirectory() as scratch, mock.patch.dict(os.environ, {"ESCUCHA_HOME": scratch}):
        from orchestration.resources import dbt_project

        dbt_project()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DataHome:
    h = data_home(tmp_path / "home").ensure()
    monkeypatch.setenv("ESCUCHA_HOME", str(h.root))
    return h


def drop(home: DataHome, *names: str) -> None:
    """Put fixture files in the inbox."""
    for name in names:
        shutil.copy(FIXTURES / name, home.inbox / name)


# The demo window the pipeline-level tests and the guides' practice home use (the oil spill's first
# days): `escucha demo --from 2022-01-14 --to 2022-01-17 --posts-per-day 120 --seed 11`.
DEMO_START, DEMO_END, DEMO_POSTS_PER_DAY, DEMO_SEED = date(2022, 1, 14), date(2022, 1, 17), 120, 11


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory):
    """The demo window generated and run through the whole pipeline once per session, as `escucha
    demo` does (generate, drop the exports in the inbox, ingest the mapped export, one run). It is
    never changed: a module that needs a built home takes its own copy with :func:`copy_home`.
    Yields the home and the run's outcome."""
    from escucha.cli import copy_exports_to_inbox, ingest_mapped_exports
    from escucha.demo.generator import generate
    from orchestration.run import run_pipeline

    mp = pytest.MonkeyPatch()
    home = data_home(tmp_path_factory.mktemp("demo_template") / "home").ensure()
    mp.setenv("ESCUCHA_HOME", str(home.root))
    try:
        generate(home.demo, start=DEMO_START, end=DEMO_END, posts_per_day=DEMO_POSTS_PER_DAY, seed=DEMO_SEED)
        copy_exports_to_inbox(home.demo / "exports", home)
        ingest_mapped_exports(home.demo / "exports_mapped", home)
        outcome = run_pipeline(home, DEMO_START, DEMO_END)
    finally:
        mp.undo()
    yield home, outcome


def copy_home(template: DataHome, dest: Path) -> DataHome:
    """A copy of a built data home (lake, archive, warehouse, run history) at ``dest``, its
    dagster.yaml pointing at the copy's run history."""
    from orchestration.run import write_dagster_yaml

    shutil.copytree(template.root, dest, symlinks=True)
    copied = data_home(dest)
    write_dagster_yaml(copied)
    return copied
