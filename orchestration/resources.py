"""Resources: the data home and dbt, configured once for every asset."""
from __future__ import annotations

import functools
import importlib.metadata
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject
from packaging import version

from escucha.home import DataHome, data_home

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"


class EscuchaHome(dg.ConfigurableResource):
    """Where generated data lives; defaults to $ESCUCHA_HOME or ./data."""

    root: str = ""

    def home(self) -> DataHome:
        return data_home(self.root or None).ensure()


def dbt_executable() -> str:
    """The dbt next to this interpreter, so the venv need not be on PATH: `escucha-dbt`, dbt's
    command line ending without Python's last garbage collection (escucha.dbt_cli), else `dbt`."""
    for name in ("escucha-dbt", "dbt"):
        candidate = Path(sys.executable).with_name(name)
        if candidate.exists():
            return str(candidate)
    return "dbt"


def dbt_project() -> DbtProject:
    """The dbt project; its manifest is built by `dbt parse` when missing."""
    os.environ.setdefault("ESCUCHA_HOME", str(data_home().root))
    project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
    if _manifest_stale(project):
        DbtCliResource(project_dir=project, dbt_executable=dbt_executable()).cli(
            ["--quiet", "parse"], target_path=project.target_path
        ).wait()
    return project


def _manifest_stale(project: DbtProject) -> bool:
    """True when the manifest is missing or older than any project file."""
    manifest = project.manifest_path
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    sources = [p for d in ("models", "macros", "seeds", "tests") for p in (DBT_PROJECT_DIR / d).rglob("*")]
    sources += [DBT_PROJECT_DIR / "dbt_project.yml", DBT_PROJECT_DIR / "profiles.yml"]
    return any(p.is_file() and p.stat().st_mtime > built for p in sources)


class EscuchaDbtCli(DbtCliResource):
    """dagster-dbt's dbt CLI resource without two fixed costs of every invocation (measured ~1.8 s
    and ~2 s here): asking the dbt executable for its version (it is this venv's dbt-core) and
    loading dbt's adapter into the Dagster process (dagster-dbt uses it only to fetch row counts
    and column metadata, which escucha never asks for)."""

    @functools.cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:  # type: ignore[override]
        return None


def dbt_resource(project: DbtProject) -> DbtCliResource:
    return EscuchaDbtCli(project_dir=project, dbt_executable=dbt_executable())
