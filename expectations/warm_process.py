"""A process that imports great-expectations while a run starts, for the run's gate to validate in.

Importing great-expectations is most of a small gate's cost (6.6 s of a one-day run's gate on the
2-core bench machine) and a new `escucha run` process pays it on the run's critical path. Started at
the top of the run, a spawned child imports it on the other core while the run process loads the
Dagster definitions; the gate then validates there (expectations.gate.gate_window_where_it_fits)
and the child ends with the validation, its memory with it. A process that has already loaded
Dagster (a second run in the same process, orchestration.run.run_pipeline) or imported
great-expectations starts no child: it validates in itself.

Deliberately light: importing this module imports neither Dagster nor pandas.
"""
from __future__ import annotations

import sys
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager

from escucha.processes import spawn_workers

_warm: ProcessPoolExecutor | None = None


def import_the_gate() -> bool:
    """What the child runs first: import great-expectations and everything the gate's validation
    (expectations.gate.gate_window) imports, Dagster included. True once done."""
    import great_expectations  # noqa: F401

    import escucha.lake  # noqa: F401
    import escucha.landing  # noqa: F401
    import expectations.gate  # noqa: F401
    import expectations.landed_posts  # noqa: F401

    return True


@contextmanager
def warm_gate_process() -> Iterator[Future | None]:
    """While the block runs, a child process importing great-expectations is waiting for the gate
    (:func:`take_warm_process`); none when this process has imported it already or another block
    has one. Whatever the gate did not take is stopped when the block ends. Yields the import's
    future (None without a child)."""
    global _warm
    if "great_expectations" in sys.modules or _warm is not None:
        yield None
        return
    child = spawn_workers()
    imported = child.submit(import_the_gate)
    _warm = child
    try:
        yield imported
    finally:
        if _warm is child:
            _warm = None
        child.shutdown(wait=False, cancel_futures=True)


def take_warm_process() -> ProcessPoolExecutor | None:
    """The waiting child, now the caller's to use and shut down (None when there is none)."""
    global _warm
    child, _warm = _warm, None
    return child
