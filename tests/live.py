"""A real site in other processes: its own database, migrated and seeded by
`manage.py`, served by gunicorn or runserver, for tests that need what one test
process cannot give (simultaneous requests from two processes, a writer in
another process, a database file that moves, a fuzzer over HTTP).

On SQLite the database is a file in a temporary folder; on PostgreSQL a database
of its own on the test server, dropped at the end. A seeded site's database is a
copy of one template that the first site of the test run makes, a copy of the run's
migrated database (tests/databases.py) seeded by `manage.py`, under the run's lock
that every test process takes (tests/run_share.py): later sites, in any process,
copy it in a fraction of a second.
"""

import http.client
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from html.parser import HTMLParser
from http.cookiejar import CookieJar
from pathlib import Path

from . import run_share
from .databases import (
    copy_database,
    database_url,
    drop_database,
    manage,
    migrated,
    on_postgresql,
    query,
    run_database_name,
    site_env,
)

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PASSWORD = "live-test-password-9"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_get(port, path, method="GET", headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        conn.close()


class LiveSite:
    """A database of its own and a server over it; `stop()` then `destroy()`."""

    def __init__(self, seeds=True):
        self.dir = Path(tempfile.mkdtemp(prefix="cso-live."))
        self.server = None
        self.port = None
        if on_postgresql():
            self.pg_name, self.file = f"cso_live_{uuid.uuid4().hex[:12]}", None
        else:
            self.pg_name, self.file = None, self.dir / "db.sqlite3"
        self.url = database_url(self.pg_name or self.file)
        self.env = site_env(self.url)
        copy_database(seeded_template() if seeds else migrated(), self.pg_name or self.file)

    def manage(self, *args, env=None, check=True):
        return manage({**self.env, **(env or {})}, *args, check=check)

    def serve(self, server):
        """Make sure `server` (gunicorn or runserver) is the one serving."""
        if self.server is None or self.server.poll() is not None or self.kind != server:
            self.stop()
            self.start(server)
        return self

    def start(self, server="gunicorn", wait=True):
        self.kind = server
        self.port = free_port()
        if server == "gunicorn":
            command = [
                str(BIN / "gunicorn"), "directory.wsgi",
                "--bind", f"127.0.0.1:{self.port}",
                "--workers", "2", "--threads", "4", "--worker-class", "gthread",
                "--log-level", "warning", "--timeout", "60",
            ]  # fmt: skip
        else:
            command = [
                sys.executable, "manage.py", "runserver", "--noreload", "--skip-checks",
                f"127.0.0.1:{self.port}",
            ]  # fmt: skip
        self.log = open(self.dir / f"{server}.log", "w")  # noqa: SIM115
        self.server = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT
        )
        if wait:
            self.wait_until_up()
        return self

    def wait_until_up(self, timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            try:
                if http_get(self.port, "/healthz")[0] == 200:
                    return
            except OSError:
                pass
            if self.server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start: {self.server_log()}")
            time.sleep(0.2)

    def server_log(self):
        self.log.flush()
        return (self.dir / Path(self.log.name).name).read_text()[-3000:]

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.port}"

    def stop(self):
        if self.server is not None and self.server.poll() is None:
            self.server.terminate()
            try:
                self.server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()
        self.server = None

    def add_curator(self, username):
        self.manage(
            "create_curator", username, "--email", f"{username}@example.org",
            "--password-from-env", env={"CURATOR_PASSWORD": PASSWORD},
        )  # fmt: skip

    def query(self, sql, params=()):
        """The rows of one read-only query on the site's database, read from this
        process: what the site stored, without starting Django in another process
        (a second for each `manage.py shell`). Parameters are written %s."""
        return query(self.pg_name or self.file, sql, params)

    def destroy(self):
        self.stop()
        if self.file is None:
            drop_database(self.pg_name)
        shutil.rmtree(self.dir, ignore_errors=True)


def seeded_template():
    """The run's migrated and seeded database (a PostgreSQL database's name, or a
    SQLite file), made by the first process to need it: a copy of the run's migrated
    database, seeded by `manage.py`."""
    if on_postgresql():
        name = run_database_name("template")
        run_share.made_once("pg-template", lambda path: make_template(path, name))
        return name
    return run_share.made_once("seeded.sqlite3", make_template)


def make_template(path, pg_name=None):
    if pg_name:
        path.write_text(pg_name)  # for databases.remove_run_databases
    copy_database(migrated(), pg_name or path)
    manage(site_env(database_url(pg_name or path)), "load_seeds", "-v0")


class FormReader(HTMLParser):
    """What a browser would post for the first form with `form_id`."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.fields = form_id, False, []
        self.textarea = self.select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.fields.append((name, attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "textarea" and name:
            self.textarea = [name, ""]
        elif tag == "select" and name:
            self.select = name
        elif tag == "option" and self.select and "selected" in attrs:
            self.fields.append((self.select, attrs.get("value", "")))

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self.textarea is not None:
            value = self.textarea[1]
            self.fields.append((self.textarea[0], value[1:] if value.startswith("\n") else value))
            self.textarea = None
        elif tag == "select":
            self.select = None
        elif tag == "form":
            self.inside = False


class Curator:
    """A browser of one curator: cookies, and forms posted as displayed."""

    def __init__(self, site, username):
        self.site = site
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()), NoRedirect()
        )
        login = self.form("/admin/login/", "login-form")
        status, _body = self.post(
            "/admin/login/", login + [("username", username), ("password", PASSWORD)]
        )
        assert status == 302, "login failed"

    def open(self, path, data=None):
        request = urllib.request.Request(self.site.base_url + path, data=data)
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def form(self, path, form_id):
        status, body = self.open(path)
        assert status == 200, body[:500]
        reader = FormReader(form_id)
        reader.feed(body)
        return reader.fields

    def post(self, path, fields):
        return self.open(path, urllib.parse.urlencode(fields).encode())


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
