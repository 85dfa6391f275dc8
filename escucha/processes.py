"""Whether a process that left something behind (a lock, a folder, a Dagster run) is still running,
the folders a process owns by name (``...-pid<N>-...``) removed once it is gone, and how escucha's
processes end."""
from __future__ import annotations

import atexit
import gc
import os
import re
import shutil
import uuid
from collections.abc import Iterable
from pathlib import Path

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
