"""The database going away: a clean 503 page and a failing /healthz, never a
traceback, and the site recovers by itself when the database comes back.

The real thing, end to end: this test starts its own throwaway PostgreSQL cluster
on loopback, serves the site from it with gunicorn (production settings, DEBUG
off), stops the cluster under it, and starts it again.
"""

import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from django.conf import settings

from . import databases, live, run_share

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="needs PostgreSQL: the test stops and restarts a PostgreSQL server under "
    "the site (run the suite with DATABASE_URL=postgres://..., as CI's second run does)",
)


def pg_bin():
    candidates = [os.environ.get("CSO_PG_BIN", "")]
    candidates += sorted(
        (str(p) for p in Path("/usr/lib/postgresql").glob("*/bin")),
        key=lambda p: int(Path(p).parent.name),
        reverse=True,
    )
    for candidate in candidates:
        if candidate and (Path(candidate) / "initdb").exists():
            return Path(candidate)
    pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def as_pg(args):
    """initdb and postgres refuse to run as root: as root, run them as postgres."""
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


class Cluster:
    def __init__(self):
        self.bin = pg_bin()
        self.dir = Path(tempfile.mkdtemp(prefix="cso-faults-pg."))
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/faults"
        # Thrown away after the test: nothing of it need reach the disk (--no-sync).
        subprocess.run(
            as_pg([str(self.bin / "initdb"), "-D", f"{self.dir}/data", "-U", "postgres",
                   "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]),
            check=True, capture_output=True,
        )  # fmt: skip

    def pg_ctl(self, *args):
        subprocess.run(
            as_pg([str(self.bin / "pg_ctl"), "-D", f"{self.dir}/data", *args]),
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip

    def start(self):
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.pg_ctl("-l", f"{self.dir}/server.log", "-w", "-o", options, "start")

    def stop(self):
        self.pg_ctl("-m", "fast", "-w", "stop")

    def destroy(self):
        try:
            self.pg_ctl("-m", "immediate", "stop")
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(self.dir, ignore_errors=True)


def production_env(database_url):
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DEBUG": "0",
        "SECRET_KEY": "faults-test-only-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "CONN_MAX_AGE": "60",
    }


def get(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={"X-Forwarded-Proto": "https"})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def site(collected_static):
    """gunicorn serving a fresh database on a cluster of our own; yields (port, cluster).

    The database is a copy of the run's migrated and seeded one (tests/live.py), and
    the static files are the session's collected ones (tests/conftest.py): made once
    for the whole run, rather than again here."""
    cluster = Cluster()
    server = None
    try:
        cluster.start()
        subprocess.run(
            as_pg([str(cluster.bin / "createdb"), "-h", "127.0.0.1", "-p", str(cluster.port),
                   "-U", "postgres", "faults"]),
            check=True, capture_output=True,
        )  # fmt: skip
        template = live.seeded_template()
        with run_share.lock():  # no copy of the template may start while it is read
            dump = subprocess.run(
                [str(cluster.bin / "pg_dump"), "--no-owner", databases.database_url(template)],
                check=True, capture_output=True, timeout=120,
            )  # fmt: skip
        subprocess.run(
            [str(cluster.bin / "psql"), "-q", "-v", "ON_ERROR_STOP=1", cluster.url],
            input=dump.stdout, check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        shutil.copytree(collected_static, ROOT / "staticfiles", dirs_exist_ok=True)
        env = production_env(cluster.url)
        port = free_port()
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "directory.wsgi",
             "--bind", f"127.0.0.1:{port}", "--workers", "1", "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while True:
            try:
                if get(port, "/healthz")[0] == 200:
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
            time.sleep(0.2)
        yield port, cluster
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
        cluster.destroy()


def test_database_outage_gives_a_503_page_and_the_site_recovers(site):
    port, cluster = site
    assert get(port, "/healthz")[0] == 200
    assert get(port, "/en/orgs/")[0] == 200

    cluster.stop()
    try:
        status, _headers, body = get(port, "/healthz")
        assert status == 503
        assert body != "ok"

        status, headers, body = get(port, "/en/orgs/")
        assert status == 503
        assert headers["Retry-After"].isdigit()
        assert "Temporarily unavailable" in body
        assert "Traceback" not in body and "OperationalError" not in body
        assert "<html" in body  # the site's own page, not a bare error

        # No partial success: the export answers 503 before any row, the API in JSON.
        status, headers, body = get(port, "/export/orgs.csv")
        assert status == 503
        assert "Content-Disposition" not in headers and "slug,name" not in body
        status, headers, body = get(port, "/api/orgs/")
        assert status == 503
        assert headers["Content-Type"] == "application/json"
        assert headers["Retry-After"].isdigit()  # kept as the API makes its answer JSON
        assert json.loads(body)["error"]
    finally:
        cluster.start()

    deadline = time.monotonic() + 15
    statuses = []
    while time.monotonic() < deadline:
        statuses.append(get(port, "/en/orgs/")[0])
        if statuses[-1] == 200:
            break
        time.sleep(0.5)
    assert statuses[-1] == 200, f"no recovery within 15 s: {statuses}"
    assert get(port, "/healthz")[0] == 200
