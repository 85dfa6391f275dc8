"""The window of UTC days a dbt build recomputes, handed to dbt through its environment.

Dagster sets ``ESCUCHA_WINDOW_START`` / ``ESCUCHA_WINDOW_END`` for the dbt process it starts. The
models read them when they run (the macro ``run_window_bound``; :func:`window` in Python models),
never while dbt parses the project: dbt parses the whole project again whenever ``--vars`` change,
so a window passed as vars cost a full parse in every run. The vars ``min_date`` / ``max_date``,
when given (dbt unit tests, a ``dbt build`` by hand), take precedence. No window: every day.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from unittest import mock

START_ENV = "ESCUCHA_WINDOW_START"
END_ENV = "ESCUCHA_WINDOW_END"
WHOLE = ("0001-01-01", "9999-12-31")


def window(min_date: str | None = None, max_date: str | None = None) -> tuple[str, str]:
    """The build's first and last day (ISO): the vars when given, else the environment, else every day."""
    start = min_date or os.environ.get(START_ENV) or WHOLE[0]
    end = max_date or os.environ.get(END_ENV) or WHOLE[1]
    for value in (start, end):
        date.fromisoformat(value)  # a malformed window fails here, before any SQL
    return start, end


@contextmanager
def window_environment(start: str | None, end: str | None) -> Iterator[None]:
    """Set (or, given None, clear) the window variables for processes started inside the block;
    the environment is restored after it."""
    with mock.patch.dict(os.environ):
        for key, value in ((START_ENV, start), (END_ENV, end)):
            if value:
                os.environ[key] = date.fromisoformat(value).isoformat()
            else:
                os.environ.pop(key, None)
        yield
