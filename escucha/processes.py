"""Whether a process that left something behind (a lock, a folder, a Dagster run) is still running,
and the folders a process owns by name (``...-pid<N>-...``) removed once it is gone."""
from __future__ import annotations

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
