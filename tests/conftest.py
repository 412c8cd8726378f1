"""Shared fixtures: builders over the plain ORM, the seeded data, a real browser."""

import os

import pytest
from django.core.management import call_command

from orgs.models import Organisation

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Playwright's sync API runs an event loop in the test thread; the ORM calls the
# tests make around it are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def reference_data(db):
    """Regions and focus areas, as every real database has them."""
    call_command("loaddata", "regions", "focus_areas", verbosity=0)


@pytest.fixture
def seeded(db):
    """The database as `load_seeds` leaves it on a fresh install."""
    call_command("load_seeds", verbosity=0)


def make_org(**overrides):
    """A published organisation with sensible defaults; override any field."""
    fields = {
        "name": "Test Association",
        "slug": "test-association",
        "kind": Organisation.Kind.LOCAL_ASSOCIATION,
        "status": Organisation.Status.PUBLISHED,
    }
    fields.update(overrides)
    return Organisation.objects.create(**fields)


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser tab with no cookies; `page.base_url` is the live server."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


# --- admin ---


@pytest.fixture(autouse=True)
def plain_static_storage(settings):
    """Tests run without collectstatic: serve static names unhashed (no manifest needed)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
