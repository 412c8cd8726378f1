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


# --- public ---


@pytest.fixture(scope="session", autouse=True)
def collected_static(tmp_path_factory):
    """Static files as production serves them: collected, hashed and compressed.

    Templates use `{% static %}` through CompressedManifestStaticFilesStorage, which
    needs the manifest that collectstatic writes; collecting once per session into a
    temporary STATIC_ROOT tests the real thing rather than a test-only storage.
    """
    from django.conf import settings
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.utils.functional import empty

    settings.STATIC_ROOT = str(tmp_path_factory.mktemp("static"))
    staticfiles_storage._wrapped = empty  # forget any storage made for the old root
    call_command("collectstatic", interactive=False, verbosity=0)
    return settings.STATIC_ROOT


@pytest.fixture(scope="session")
def live_server(request, collected_static):
    """pytest-django's live server, with static files served by WhiteNoise as in
    production (hashed names, compression, far-future cache headers) instead of
    Django's development handler, which cannot find hashed names. `hits` lists the
    paths the server was asked for: what actually crossed the network."""
    from pytest_django.live_server_helper import LiveServer

    addr = request.config.getvalue("liveserver") or os.getenv(
        "DJANGO_LIVE_TEST_SERVER_ADDRESS", "localhost"
    )
    server = LiveServer(addr, start=False)
    server.hits = []  # every path the server was asked for, for request-count tests

    def log_hits(application):
        def logged(environ, start_response):
            path, query = environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", "")
            server.hits.append(path + ("?" + query if query else ""))
            return application(environ, start_response)

        return logged

    server.thread.static_handler = log_hits
    server.start()
    yield server
    server.stop()


HIDDEN_PERSON = "Aminata Cachée-Traoré"
SENSITIVE_TOWN = "Ténenkou-Secret"


@pytest.fixture
def directory(reference_data):
    """A small varied directory: published, draft and archived organisations across
    regions, zones, focus areas and kinds; a sensitive one; public and hidden people;
    partnerships and citations (some of which would leak what is hidden)."""
    from orgs.models import Citation, FocusArea, Partnership, Person, Region, Source
    from orgs.search import update_search_text

    region = {r.slug: r for r in Region.objects.all()}
    focus = {f.slug: f for f in FocusArea.objects.all()}
    Kind, Status = Organisation.Kind, Organisation.Status
    specs = [
        # slug, kind, founded, hq, regions, focus, status
        ("youth-mopti", Kind.LOCAL_ASSOCIATION, 2005, "mopti", ["mopti"], ["youth"], "p"),
        (
            "prison-mopti",
            Kind.NATIONAL_NGO,
            1998,
            "bamako",
            ["mopti", "segou"],
            ["access-to-justice", "youth"],
            "p",
        ),
        ("gao-women", Kind.LOCAL_ASSOCIATION, 2012, "gao", [], ["womens-rights"], "p"),
        ("timbuktu-peace", Kind.NETWORK, 2015, "tombouctou", ["gao", "kidal"], ["youth"], "p"),
        ("kayes-health", Kind.NATIONAL_NGO, None, "kayes", ["kayes", "bamako"], ["health"], "p"),
        ("sikasso-edu", Kind.THINK_TANK, 2020, None, ["sikasso"], ["education"], "p"),
        ("donor-fund", Kind.DONOR, 1980, "bamako", [], [], "p"),
        ("draft-secret", Kind.LOCAL_ASSOCIATION, 2010, "mopti", ["mopti"], ["youth"], "d"),
        ("archived-old", Kind.NATIONAL_NGO, 1990, "gao", ["gao"], ["womens-rights"], "a"),
    ]
    status = {"p": Status.PUBLISHED, "d": Status.DRAFT, "a": Status.ARCHIVED}
    orgs = {}
    for slug, kind, founded, hq, regions, areas, st in specs:
        org = make_org(
            slug=slug,
            name=slug.replace("-", " ").title() + " Association",
            kind=kind,
            founded=founded,
            hq_region=region[hq] if hq else None,
            hq_town="Sévaré" if hq == "mopti" else "",
            status=status[st],
            description=f"Works on {' and '.join(areas) or 'funding'}.",
        )
        org.regions.set([region[r] for r in regions])
        org.focus_areas.set([focus[f] for f in areas])
        orgs[slug] = org
    sensitive = make_org(
        slug="sensitive-peace",
        name="Sensitive Peace Committee",
        kind=Kind.LOCAL_ASSOCIATION,
        founded=2016,
        hq_region=region["mopti"],
        hq_town=SENSITIVE_TOWN,
        sensitive=True,
        description="Mediates local conflicts.",
    )
    sensitive.regions.set([region["mopti"]])
    sensitive.focus_areas.set([focus["youth"]])
    orgs["sensitive-peace"] = sensitive
    update_search_text(Organisation.objects.all())

    source = Source.objects.create(
        slug="report-2019",
        publisher="Peace Direct",
        title="Local peacebuilding in Mali",
        date="2019",
    )
    draft_only = Source.objects.create(
        slug="draft-only", publisher="X", title="Only about a draft"
    )
    hidden = Person.objects.create(
        organisation=orgs["youth-mopti"], name=HIDDEN_PERSON, role="Chair"
    )
    shown = Person.objects.create(
        organisation=orgs["youth-mopti"], name="Oumar Public", role="Coordinator", is_public=True
    )
    at_risk = Person.objects.create(
        organisation=sensitive, name="Fatoumata Protégée", role="Mediator", is_public=True
    )
    partnership = Partnership.objects.create(
        organisation=orgs["youth-mopti"], relation="funded_by", partner=orgs["donor-fund"]
    )
    Partnership.objects.create(
        organisation=orgs["draft-secret"], relation="member_of", partner=orgs["timbuktu-peace"]
    )

    def cite(org, fact, quote, src=source, **subject):
        Citation.objects.create(
            organisation=org, source=src, fact=fact, locator="p. 12", quote=quote, **subject
        )

    cite(orgs["youth-mopti"], "existence", "Youth Mopti Association trains young mediators.")
    cite(orgs["youth-mopti"], "person", f"Its chair {HIDDEN_PERSON} said.", person=hidden)
    cite(orgs["youth-mopti"], "person", "Its coordinator Oumar Public said.", person=shown)
    cite(orgs["youth-mopti"], "partnership", "Funded by the Donor Fund.", partnership=partnership)
    cite(orgs["youth-mopti"], "region", "Active across Mopti.", region=region["mopti"])
    cite(sensitive, "existence", "A committee mediating local conflicts.")
    cite(sensitive, "headquarters", f"The committee is based in {SENSITIVE_TOWN}.")
    cite(sensitive, "person", "Its mediator Fatoumata Protégée.", person=at_risk)
    cite(orgs["draft-secret"], "existence", "Draft Secret exists.", src=draft_only)
    return orgs
