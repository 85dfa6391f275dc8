"""Shared fixtures: a fresh data home per test, never the developer's ./data."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from escucha.home import DataHome, data_home

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DataHome:
    h = data_home(tmp_path / "home").ensure()
    monkeypatch.setenv("ESCUCHA_HOME", str(h.root))
    return h


def drop(home: DataHome, *names: str) -> None:
    """Put fixture files in the inbox."""
    for name in names:
        shutil.copy(FIXTURES / name, home.inbox / name)
