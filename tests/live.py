"""A real site in other processes: its own database, migrated and seeded by
`manage.py`, served by gunicorn or runserver, for tests that need what one test
process cannot give (simultaneous requests from two processes, a writer in
another process, a database file that moves, a fuzzer over HTTP).

On SQLite the database is a file in a temporary folder; on PostgreSQL a database
of its own on the test server, dropped at the end. A seeded site's database is a
copy of one template that the first site of the test run migrates and seeds with
`manage.py`, under the run's lock that every test process takes (tests/run_share.py):
later sites, in any process, copy it in a fraction of a second.
"""

import http.client
import os
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

from django.conf import settings

from . import run_share

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PASSWORD = "live-test-password-9"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def on_postgresql():
    return "postgresql" in settings.DATABASES["default"]["ENGINE"]


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
            self.pg_name = f"cso_live_{uuid.uuid4().hex[:12]}"
            self.url = database_url(self.pg_name)
            self.file = None
        else:
            self.pg_name = None
            self.file = self.dir / "db.sqlite3"
            self.url = f"sqlite:///{self.file}"
        self.env = site_env(self.url)
        template = seeded_template() if seeds else None
        if template is not None:
            with run_share.lock():
                copy_database(template, self.pg_name or self.file)
            return
        if self.file is None:
            run_sql(f'CREATE DATABASE "{self.pg_name}"')
        self.manage("migrate", "-v0")
        if seeds:
            self.manage("load_seeds", "-v0")

    def manage(self, *args, env=None, check=True):
        return manage(self.env, *args, env=env, check=check)

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
        if self.file is None:
            import psycopg

            pg = pg_settings()
            with psycopg.connect(
                host=pg["HOST"] or None,
                port=pg["PORT"] or None,
                user=pg["USER"] or None,
                password=pg["PASSWORD"] or None,
                dbname=self.pg_name,
                autocommit=True,
            ) as conn:
                return conn.execute(sql, params).fetchall()
        import sqlite3

        conn = sqlite3.connect(f"file:{self.file}?mode=ro", uri=True, timeout=20)
        try:
            return conn.execute(sql.replace("%s", "?"), params).fetchall()
        finally:
            conn.close()

    def destroy(self):
        self.stop()
        if self.file is None:
            run_sql(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')
        shutil.rmtree(self.dir, ignore_errors=True)


def site_env(url):
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DEBUG": "1",
        "DATABASE_URL": url,
        "CONN_MAX_AGE": "60",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def manage(site_env, *args, env=None, check=True):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**site_env, **(env or {})},
        check=check,
        capture_output=True,
        text=True,
        timeout=300,
    )


def pg_settings():
    db = settings.DATABASES["default"]
    return {k: db[k] for k in ("HOST", "PORT", "USER", "PASSWORD")}


def database_url(name):
    pg = pg_settings()
    auth = pg["USER"] + (f":{pg['PASSWORD']}" if pg["PASSWORD"] else "")
    return f"postgres://{auth}@{pg['HOST']}:{pg['PORT']}/{name}"


def run_sql(sql):
    """One statement on the test server's maintenance database, outside a transaction."""
    import psycopg

    pg = pg_settings()
    with psycopg.connect(
        host=pg["HOST"] or None,
        port=pg["PORT"] or None,
        user=pg["USER"] or None,
        password=pg["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(sql)


def seeded_template():
    """The run's migrated and seeded database (a PostgreSQL database's name, or a
    SQLite file), made by the first process to need it; None outside a test run."""
    if run_share.folder() is None:
        return None
    if on_postgresql():
        name = f"cso_live_template_{run_share.folder().name.rsplit('.', 1)[-1].lower()}"
        run_share.made_once("pg-template", lambda path: make_template(path, name))
        return name
    return run_share.made_once("seeded.sqlite3", make_template)


def make_template(path, pg_name=None):
    if pg_name:
        path.write_text(pg_name)  # for remove_template
        run_sql(f'CREATE DATABASE "{pg_name}"')
        url = database_url(pg_name)
    else:
        url = f"sqlite:///{path}"
    manage(site_env(url), "migrate", "-v0")
    manage(site_env(url), "load_seeds", "-v0")


def copy_database(template, target):
    if on_postgresql():
        run_sql(f'CREATE DATABASE "{target}" TEMPLATE "{template}"')
    else:
        shutil.copyfile(template, target)


def remove_template():
    """At the end of the run: the template database, if on PostgreSQL."""
    name = run_share.folder() / "pg-template"
    if name.exists():
        run_sql(f'DROP DATABASE IF EXISTS "{name.read_text()}" WITH (FORCE)')


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
