"""What the test processes of one run make once and share: a folder, and a lock.

pytest-xdist runs the suite in several processes. Some things cost seconds to make
and are the same for all of them (collected static files, the live sites' migrated
and seeded database): the first process to need one makes it, holding the run's lock,
and the others wait for it and use it. tests/conftest.py makes the folder in the
run's first process, before the test processes start, and removes it at the end.
"""

import contextlib
import fcntl
import os
import threading
from pathlib import Path

FOLDER = "CSO_TEST_RUN_FOLDER"


def folder():
    """The run's shared folder, or None outside a test run."""
    path = os.environ.get(FOLDER)
    return Path(path) if path else None


_holding = threading.local()  # how many times this thread holds the lock now


@contextlib.contextmanager
def lock():
    """Held by one test process at a time, while it makes or copies a shared thing.
    The thread holding it may take it again (making one shared thing from another)."""
    depth = getattr(_holding, "depth", 0)
    if depth:
        _holding.depth = depth + 1
        try:
            yield
        finally:
            _holding.depth = depth
        return
    with open(folder() / "lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        _holding.depth = 1
        try:
            yield
        finally:
            _holding.depth = 0
            fcntl.flock(handle, fcntl.LOCK_UN)


def made_once(name, make):
    """The path `name` in the run's folder, made by `make(path)` by the first process
    that asks for it."""
    path = folder() / name
    marker = folder() / f"{name}.made"
    with lock():
        if not marker.exists():
            make(path)
            marker.touch()
    return path
