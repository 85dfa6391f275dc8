"""The data home: every generated file lives under one folder (default ./data, ESCUCHA_HOME overrides)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class DataHome:
    """Paths under the data home. Nothing here creates files; call `ensure()` for that."""

    root: Path

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def archive(self) -> Path:
        return self.root / "archive"

    @property
    def lake(self) -> Path:
        return self.root / "lake"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def demo(self) -> Path:
        return self.root / "demo"

    @property
    def dagster_home(self) -> Path:
        return self.root / "dagster"

    @property
    def dbt_target(self) -> Path:
        """dbt's artifacts for this home's runs (and the parse they reuse)."""
        return self.root / "dbt" / "target"

    @property
    def spill(self) -> Path:
        """Where a run's scratch DuckDB databases spill when their data outgrows the memory limit
        (the warehouse spills beside its file, into warehouse.duckdb.tmp)."""
        return self.root / "tmp" / "duckdb"

    @property
    def topics(self) -> Path:
        """The topic registry: `history.jsonl`, every version of every topic (see docs/topics.md)."""
        return self.root / "topics"

    def ensure(self) -> "DataHome":
        for p in (self.root, self.inbox, self.archive, self.lake, self.reports, self.dagster_home,
                  self.topics):
            p.mkdir(parents=True, exist_ok=True)
        return self


def data_home(root: str | Path | None = None) -> DataHome:
    """The data home: `root` if given, else $ESCUCHA_HOME, else ./data (absolute)."""
    chosen = root or os.environ.get("ESCUCHA_HOME") or "data"
    return DataHome(Path(chosen).expanduser().resolve())
