"""One migrated database per test run, copied wherever a test needs a new one.

Migrating a database costs seconds (7 s alone on two cores, most of it Django
rendering the models' states), and a run needed several: one per test process
(pytest-xdist's two, migrating at once, took 13 s each), and one for the live sites'
seeded template. The first process to ask migrates one with `manage.py` under the
run's lock (tests/run_share.py); every test process's own database, and the seeded
template, are then copies of it: `CREATE DATABASE ... TEMPLATE` on PostgreSQL, a
file copy on SQLite.

`pytest --create-db` still migrates each test process's database itself, in the
process: `.ci/mutation`'s PostgreSQL pass asks for that, so that a mutant of code
that migrations run is run by them.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from . import run_share

ROOT = Path(__file__).resolve().parent.parent


def on_postgresql():
    return "postgresql" in settings.DATABASES["default"]["ENGINE"]


def pg_settings():
    db = settings.DATABASES["default"]
    return {k: db[k] for k in ("HOST", "PORT", "USER", "PASSWORD")}


def database_url(name):
    """The address of database `name` (PostgreSQL) or file `name` (SQLite)."""
    if not on_postgresql():
        return f"sqlite:///{name}"
    pg = pg_settings()
    auth = pg["USER"] + (f":{pg['PASSWORD']}" if pg["PASSWORD"] else "")
    return f"postgres://{auth}@{pg['HOST']}:{pg['PORT']}/{name}"


def _connect_pg(name):
    import psycopg

    pg = pg_settings()
    return psycopg.connect(
        host=pg["HOST"] or None,
        port=pg["PORT"] or None,
        user=pg["USER"] or None,
        password=pg["PASSWORD"] or None,
        dbname=name,
        autocommit=True,
    )


def run_sql(sql):
    """One statement on the test server's maintenance database, outside a transaction."""
    with _connect_pg("postgres") as conn:
        conn.execute(sql)


def query(name, sql, params=()):
    """The rows of one read-only query on database `name` (PostgreSQL) or file `name`
    (SQLite), read from this process without Django. Parameters are written %s."""
    if on_postgresql():
        with _connect_pg(name) as conn:
            return conn.execute(sql, params).fetchall()
    import sqlite3

    conn = sqlite3.connect(f"file:{name}?mode=ro", uri=True, timeout=20)
    try:
        return conn.execute(sql.replace("%s", "?"), params).fetchall()
    finally:
        conn.close()


def site_env(url):
    """The environment of a `manage.py` or server process on the database at `url`."""
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DEBUG": "1",
        "DATABASE_URL": url,
        "CONN_MAX_AGE": "60",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def manage(env, *args, check=True, timeout=300):
    """`manage.py *args` in a new process; with `check`, a failure raises with what the
    command printed (a broken migration's traceback, say), not only its exit status."""
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check and done.returncode:
        raise RuntimeError(
            f"manage.py {' '.join(args)} exited with {done.returncode}:\n"
            f"{done.stdout[-2000:]}{done.stderr[-6000:]}"
        )
    return done


def run_database_name(kind):
    """A PostgreSQL database's name of this run: `cso_<kind>_<the run folder's id>`."""
    return f"cso_{kind}_{run_share.folder().name.rsplit('.', 1)[-1].lower()}"


def migrated():
    """The run's migrated database (a PostgreSQL database's name, or a SQLite file),
    made by the first process to ask; on SQLite under `.ci/mutation`, the file it
    migrated once for all its runs (CSO_TEST_DB_TEMPLATE)."""
    if on_postgresql():
        name = run_database_name("migrated")
        run_share.made_once("pg-migrated", lambda path: make_migrated(path, name))
        return name
    if os.environ.get("CSO_TEST_DB_TEMPLATE"):
        return Path(os.environ["CSO_TEST_DB_TEMPLATE"])
    return run_share.made_once("migrated.sqlite3", make_migrated)


def make_migrated(path, pg_name=None):
    if pg_name:
        path.write_text(pg_name)  # for remove_run_databases
        run_sql(f'CREATE DATABASE "{pg_name}"')
    manage(site_env(database_url(pg_name or path)), "migrate", "-v0")


def copy_database(template, target):
    """A new database `target`, a copy of `template`. Under the run's lock: PostgreSQL
    refuses to copy a database that another session is connected to."""
    with run_share.lock():
        if on_postgresql():
            run_sql(f'CREATE DATABASE "{target}" TEMPLATE "{template}"')
        else:
            shutil.copyfile(template, target)


def drop_database(name):
    if on_postgresql():
        run_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        return
    for path in (name, f"{name}-wal", f"{name}-shm"):
        if os.path.exists(path):
            os.remove(path)


def remove_run_databases():
    """At the end of the run: the PostgreSQL databases it made (its files go with its
    folder)."""
    for marker in ("pg-migrated", "pg-template"):
        path = run_share.folder() / marker
        if path.exists():
            run_sql(f'DROP DATABASE IF EXISTS "{path.read_text()}" WITH (FORCE)')
