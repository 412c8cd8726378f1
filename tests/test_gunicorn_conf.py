"""gunicorn's configuration: what the master does before it forks the workers."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The master as gunicorn runs it: the configuration read, the application loaded
# (preload_app), then `when_ready` before the workers are forked. The database
# here has no tables, so loading the index fails and is left to the workers.
MASTER = """
import gc, logging, runpy
conf = runpy.run_path("gunicorn.conf.py")
print("collecting while loading:", gc.isenabled())
import directory.wsgi
class Server:
    log = logging.getLogger("gunicorn.error")
conf["when_ready"](Server())
print("collecting after:", gc.isenabled(), "frozen:", gc.get_freeze_count() > 10_000)
"""


def test_the_master_loads_without_collecting_then_freezes_what_it_loaded():
    """Python's collector is off while the master loads the application and the index
    (it would look through them again and again), then back on, with all the master
    loaded frozen, so the workers' collections never look through it."""
    result = subprocess.run(
        [sys.executable, "-c", MASTER],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "directory.settings",
            "DATABASE_URL": "sqlite:///:memory:",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "collecting while loading: False",
        "collecting after: True frozen: True",
    ]
    assert "Facet index not loaded before the workers start" in result.stderr
