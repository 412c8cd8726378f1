"""The SQLite database is one file: open it only where it is, and follow it if it moves.

SQLite would create an empty database wherever its file went missing, and the site
would then answer "no such table" while /healthz said ok. So settings open the file
with `mode=rw` (an existing file only), `manage.py migrate` is the one command that
creates it, and the WSGI application refuses to start without it.

A connection keeps reading the file it opened even after that file is moved away or
replaced. Before each request, `follow_the_file` compares the path's file with the
connection's and closes the connection when they differ, so the site sees a missing
file at once and the file that comes back on the very next request.
"""

import os
import sqlite3
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.db import connections

IDENTITY = "_cso_sqlite_file"


def database_path(settings_dict):
    """The file a SQLite database setting names, or None (not SQLite, or in memory)."""
    if settings_dict.get("ENGINE") != "django.db.backends.sqlite3":
        return None
    name = str(settings_dict.get("NAME") or "")
    if name.startswith("file:"):
        parts = urlsplit(name)
        if "mode=memory" in parts.query:
            return None
        name = unquote(parts.path)
    return None if name in ("", ":memory:") else name


def require_database_file(using="default"):
    """Refuse to start a server on a SQLite file that is not there."""
    path = database_path(connections[using].settings_dict)
    if path is not None and not os.path.isfile(path):
        raise ImproperlyConfigured(
            f"The SQLite database {path} does not exist. Create it with "
            "`manage.py migrate`, or restore the file."
        )


def create_if_missing(using="default"):
    """Create an empty SQLite file for `migrate` to fill (the only command that may)."""
    path = database_path(connections[using].settings_dict)
    if path is not None and not os.path.exists(path):
        sqlite3.connect(path).close()


def _identity(path):
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_dev, stat.st_ino)


def remember_the_file(sender, connection, **kwargs):
    """connection_created: note which file this connection opened."""
    path = database_path(connection.settings_dict)
    if path is not None:
        setattr(connection, IDENTITY, _identity(path))


def follow_the_file(**kwargs):
    """request_started: close connections whose file is gone or was replaced."""
    for connection in connections.all(initialized_only=True):
        if connection.connection is None:
            continue
        path = database_path(connection.settings_dict)
        if path is None or connection.in_atomic_block:
            continue
        opened = getattr(connection, IDENTITY, None)
        if opened is None or _identity(path) != opened:
            connection.close()
