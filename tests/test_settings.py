"""The settings: silent `check --deploy` in production, loud failure when production
is missing something, HTTPS, and a Content-Security-Policy on every page (admin too)."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from tests.conftest import make_org
from tests.databases import manage

ROOT = Path(__file__).resolve().parent.parent


def production_env(**overrides):
    # A clean environment, as a server has: not the test run's variables.
    env = dict(
        PATH=os.environ.get("PATH", ""),
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="cso.example.org",
        CSRF_TRUSTED_ORIGINS="https://cso.example.org",
    )
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def test_check_deploy_prints_no_warning_in_production():
    result = manage(
        production_env(), "check", "--deploy", "--fail-level", "WARNING", check=False, timeout=120
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNING" not in output and "System check identified no issues" in output


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without(missing):
    result = manage(production_env(**{missing: None}), "check", check=False, timeout=120)
    assert result.returncode != 0
    assert f"{missing} must be set when DEBUG is off" in result.stderr


def test_production_settings_force_https_with_hsts_and_secure_cookies():
    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS >= 31536000, "
        "s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.CSRF_TRUSTED_ORIGINS, "
        "s.SECURE_PROXY_SSL_HEADER)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=production_env(DJANGO_SETTINGS_MODULE="directory.settings"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True",
        "True",
        "True",
        "True",
        "True",
        "True",
        "['https://cso.example.org']",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
    ]


def settings_script(script, database_url):
    """Run `script` in a new Python process whose settings read `database_url`."""
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "directory.settings",
            "DATABASE_URL": database_url,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_database_url_selects_postgresql():
    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "d = s.DATABASES['default']; print(d['ENGINE'], d['NAME'], d['HOST'], d['PORT'])"
    )
    result = settings_script(script, "postgres://cso@db.internal:5433/directory")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "directory",
        "db.internal",
        "5433",
    ]


@pytest.mark.parametrize(
    ("database_url", "postgres_parts"),
    [("sqlite:///:memory:", False), ("postgres://cso@db.internal:5433/directory", True)],
)
def test_only_a_postgresql_server_loads_its_driver(database_url, postgres_parts):
    """A SQLite server starts without importing psycopg (a tenth of its start), and a
    PostgreSQL server has Django's PostgreSQL parts."""
    script = (
        "import sys, django; django.setup(); from django.apps import apps; "
        "print(apps.is_installed('django.contrib.postgres'), 'psycopg' in sys.modules)"
    )
    result = settings_script(script, database_url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(postgres_parts), str(postgres_parts)]


def assert_strict_csp(response):
    policy = response.headers["Content-Security-Policy"]
    directives = dict(
        (part.split()[0], part.split()[1:]) for part in policy.split(";") if part.strip()
    )
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


@pytest.mark.django_db
def test_public_pages_carry_a_strict_content_security_policy(client):
    make_org()
    for url in ["/en/orgs/", "/en/orgs/test-association/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_strict_csp(response)
        assert b"<script>" not in response.content


@pytest.mark.django_db
def test_admin_login_and_change_page_work_under_the_policy(client):
    org = make_org()
    login = client.get("/admin/login/")
    assert login.status_code == 200
    assert_strict_csp(login)
    get_user_model().objects.create_superuser("curator", "c@example.org", "a-long-passphrase")
    client.force_login(get_user_model().objects.get(username="curator"))
    change = client.get(f"/admin/orgs/organisation/{org.pk}/change/")
    assert change.status_code == 200
    assert_strict_csp(change)
    # Every script the admin loads is a file from this site, so 'self' allows it.
    html = change.content.decode()
    assert "<script src=" in html
    for tag in html.split("<script")[1:]:
        opening = tag.split(">", 1)[0]
        assert " src=" in opening, f"inline script in the admin: <script{opening}>"


@pytest.mark.django_db
def test_static_files_are_hashed_compressed_and_cached_for_ever(settings, tmp_path):
    """As production serves them: collectstatic, then WhiteNoise in front of Django."""
    from django.core.management import call_command
    from django.templatetags.static import static
    from django.test import Client

    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    url = static("admin/css/base.css")
    assert url != "/static/admin/css/base.css"  # a hashed name
    response = Client().get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "max-age=315360000" in response["Cache-Control"]
    assert "immutable" in response["Cache-Control"]
