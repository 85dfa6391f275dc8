"""Whether a process that left something behind (a lock, a folder, a Dagster run) is still running."""
from __future__ import annotations

import os


def process_alive(pid: int) -> bool:
    """True while a process with this id exists on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
