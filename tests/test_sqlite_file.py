"""The SQLite database file going away and coming back, under a real server.

SQLite creates an empty database wherever its file is missing, and a connection
keeps reading a file that was moved: without orgs/sqlite_file.py the site would
answer /healthz "ok" over a missing database, or serve an empty new one.
"""

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from .live import Curator, FormReader, LiveSite, http_get, on_postgresql

pytestmark = pytest.mark.skipif(on_postgresql(), reason="the SQLite database file")


@pytest.fixture(scope="module")
def site():
    site = LiveSite(seeds=True)
    try:
        site.add_curator("alice")
        site.start("gunicorn")
        yield site
    finally:
        site.destroy()


@pytest.fixture
def moved_away(site):
    """The database file moved away for the test; put back after it."""
    aside = site.file.with_name("aside.sqlite3")
    site.file.rename(aside)
    try:
        yield aside
    finally:
        if site.file.exists():
            site.file.unlink()
        aside.rename(site.file)


def test_with_the_file_moved_away_every_answer_is_a_503_and_no_file_is_made(site):
    assert http_get(site.port, "/healthz")[0] == 200
    assert http_get(site.port, "/en/orgs/")[0] == 200
    aside = site.file.with_name("aside.sqlite3")
    site.file.rename(aside)
    try:
        for _ in range(4):  # both workers
            status, _headers, body = http_get(site.port, "/healthz")
            assert (status, body) == (503, "database unavailable")
        status, headers, body = http_get(site.port, "/en/orgs/")
        assert status == 503
        assert "Temporarily unavailable" in body
        assert headers["Retry-After"].isdigit()

        status, headers, body = http_get(site.port, "/api/orgs/")
        assert status == 503
        assert headers["Content-Type"] == "application/json"
        assert headers["Retry-After"].isdigit()  # kept as the API makes its answer JSON
        assert "database" in json.loads(body)["error"]

        status, headers, body = http_get(site.port, "/export/orgs.csv")
        assert status == 503
        assert "slug,name" not in body  # not the export's header row
        assert "Content-Disposition" not in headers

        assert not site.file.exists()  # no new, empty database
    finally:
        aside.rename(site.file)

    # Back: the site answers again within a few seconds, without a restart.
    deadline = time.monotonic() + 5
    statuses = []
    while time.monotonic() < deadline:
        statuses.append(http_get(site.port, "/healthz")[0])
        if statuses[-1] == 200:
            break
        time.sleep(0.2)
    assert statuses[-1] == 200, statuses
    for path in ("/healthz", "/en/orgs/", "/api/orgs/", "/export/orgs.csv"):
        assert http_get(site.port, path)[0] == 200, path


def test_healthz_reads_a_table_an_empty_database_file_has_not(site):
    aside = site.file.with_name("aside.sqlite3")
    site.file.rename(aside)
    site.file.touch()  # an empty file is a valid, empty SQLite database
    try:
        assert http_get(site.port, "/healthz")[0] == 503
    finally:
        site.file.unlink()
        aside.rename(site.file)
    assert http_get(site.port, "/healthz")[0] == 200


def test_a_save_that_fails_says_so_and_keeps_what_was_typed(site):
    curator = Curator(site, "alice")
    path = "/admin/orgs/organisation/1/change/"
    fields = curator.form(path, "organisation_form")
    typed = "A description typed while the database was away."
    fields = [(n, typed if n == "description_en" else v) for n, v in fields] + [("_save", "Save")]
    aside = site.file.with_name("aside.sqlite3")
    site.file.rename(aside)
    try:
        status, body = curator.post(path, fields)
    finally:
        aside.rename(site.file)
    assert status == 503
    assert "Your change was not saved." in body
    assert "Nothing is lost" not in body
    assert typed in body
    # The button sends it all again: now that the database is back, it is saved.
    again = FormReader("send-again")
    again.feed(body)
    assert ("description_en", typed) in again.fields
    assert curator.post(path, again.fields)[0] == 302
    assert dict(curator.form(path, "organisation_form"))["description_en"] == typed


def workers(server):
    """The gunicorn master's worker processes."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text()
    return set(map(int, children.split()))


def test_a_worker_replaced_while_the_file_is_away_keeps_the_server_up(site):
    # gunicorn replaces a worker that dies or is recycled (max_requests). The new
    # worker must not re-run the start check: it would fail to boot, and gunicorn
    # halts the whole server when a worker fails to boot.
    # Both workers forked first (tests/live.py starts two): a worker still being
    # forked would count as the replacement.
    deadline = time.monotonic() + 30
    while len(workers(site.server)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    before = workers(site.server)
    assert len(before) == 2, before
    aside = site.file.with_name("aside.sqlite3")
    site.file.rename(aside)
    try:
        os.kill(min(before), signal.SIGKILL)
        deadline = time.monotonic() + 30
        while not workers(site.server) - before and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(workers(site.server) - before) == 1, "gunicorn did not replace the worker"
        time.sleep(1)  # time enough for a worker that fails to boot to halt the server
        assert site.server.poll() is None, site.server_log()
        for _ in range(4):  # both workers, the new one among them
            status, _headers, body = http_get(site.port, "/healthz")
            assert (status, body) == (503, "database unavailable")
    finally:
        aside.rename(site.file)
    for _ in range(4):
        assert http_get(site.port, "/healthz")[0] == 200


@pytest.mark.parametrize("server", ["gunicorn", "runserver"])
def test_a_server_does_not_start_without_its_database_file(site, server):
    missing = LiveSite.__new__(LiveSite)
    missing.__dict__.update(site.__dict__)
    missing.env = {**site.env, "DATABASE_URL": f"sqlite:///{site.dir / 'missing.sqlite3'}"}
    missing.server = None
    missing.start(server, wait=False)
    try:
        missing.server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{server} kept running without its database file")
    finally:
        missing.stop()
    assert missing.server is None
    assert not (site.dir / "missing.sqlite3").exists()
    log = (site.dir / f"{server}.log").read_text()
    assert "does not exist" in log or "unable to open database file" in log
