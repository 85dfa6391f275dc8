"""Whether a process that left something behind (a lock, a folder, a Dagster run) is still running,
the folders a process owns by name (``...-pid<N>-...``) removed once it is gone, how escucha's
processes end, and helper processes that share a list of work with the process that starts them."""
from __future__ import annotations

import atexit
import gc
import multiprocessing
import os
import re
import shutil
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

_OWNER = re.compile(r"-pid(\d+)-")


def process_alive(pid: int) -> bool:
    """True while a process with this id exists on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def owned_folder(parent: Path, prefix: str) -> Path:
    """A new folder name under `parent` that says this process owns it: ``<prefix>-pid<N>-<random>``."""
    return parent / f"{prefix}-pid{os.getpid()}-{uuid.uuid4().hex[:8]}"


def remove_orphans(folders: Iterable[Path]) -> None:
    """Remove the folders whose owning process is gone (killed half-way), or that name none."""
    for folder in folders:
        owner = _OWNER.search(folder.name)
        if folder.is_dir() and (owner is None or not process_alive(int(owner[1]))):
            shutil.rmtree(folder, ignore_errors=True)


def skip_final_collection() -> None:
    """End this process without the interpreter's last full garbage collection.

    A process that has loaded Dagster or dbt tracks millions of objects, and the collection
    Python runs as it shuts down walks them all: about a second and a half after an escucha
    command's work is done, one after each dbt build. At exit (after the exit handlers registered
    later, which run first) every object is frozen out of that collection. Everything else still
    happens: exit handlers, flushed files, objects released as their last reference goes; only
    what a reference cycle alone keeps alive is left to the operating system, as at any exit."""
    atexit.register(gc.freeze)


def spawn_workers(count: int = 1) -> ProcessPoolExecutor:
    """``count`` spawned worker processes (no fork of the calling process: it may hold DuckDB and
    SQLite handles) that end without Python's last garbage collection (skip_final_collection):
    whoever waits for them to end waited 1.5 s more once they had imported great-expectations."""
    return ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("spawn"),
                               initializer=skip_final_collection)


#: seconds a spawned helper takes to start and import what it needs (measured: 1.8-2.2 s for the
#: report pages' imports on the 2-core bench machine)
HELPER_START_SECONDS = 2.0


def available_cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def share_out(fn: Callable[[T], R], items: Iterable[T], helpers: int | None = None,
              start_seconds: float = HELPER_START_SECONDS) -> list[R]:
    """``fn`` over ``items``, in this process and in spawned helper processes, each taking the next
    item when it is free; the results in the items' order. ``fn`` and the items go to the helpers
    by pickle (``fn`` a module's top-level function).

    ``helpers``: how many; None: one per other core, started only when they save at least half
    their start: when the items left, at the pace of the first (done here), would take more than
    twice as long as a helper takes to start. The first exception, raised here or in a helper, is
    raised once the helpers have finished the item they were on; items no one took are dropped."""
    items = list(items)
    if not items:
        return []
    started = time.perf_counter()
    results = {0: fn(items[0])}
    left = deque(range(1, len(items)))
    if helpers is None:
        pace = time.perf_counter() - started
        helpers = available_cores() - 1 if len(left) * pace > 2 * start_seconds else 0
    helpers = min(helpers, len(left))
    if helpers <= 0:
        return [results[0], *(fn(item) for item in items[1:])]
    given: dict[int, Future] = {}
    pool = spawn_workers(helpers)
    try:
        while left:
            # each helper keeps two items: the one it works on and the one it takes next
            while left and sum(not future.done() for future in given.values()) < 2 * helpers:
                index = left.popleft()
                given[index] = pool.submit(fn, items[index])
            for future in given.values():
                if future.done() and future.exception() is not None:
                    raise future.exception()
            if left:
                index = left.popleft()
                results[index] = fn(items[index])
        results.update((index, future.result()) for index, future in given.items())
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return [results[index] for index in range(len(items))]
