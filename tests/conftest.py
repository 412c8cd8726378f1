"""Shared fixtures: builders over the plain ORM, the seeded data, a real browser."""

import datetime
import os
import shutil

import pytest
from django import forms
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.management import call_command

from orgs.models import Organisation
from tests.world_cache import cached_world

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Playwright's sync API runs an event loop in the test thread; the ORM calls the
# tests make around it are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


class QuickPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """PBKDF2 with one round: the real hasher's million rounds cost a third of a
    second of CPU for each user a test creates, and the suite creates hundreds. The
    hash still names its rounds, so any process, with any settings, checks it."""

    iterations = 1


@pytest.fixture(scope="session", autouse=True)
def quick_password_hashing():
    from django.conf import settings
    from django.test.utils import override_settings

    quick = f"{__name__}.{QuickPBKDF2PasswordHasher.__name__}"
    with override_settings(PASSWORD_HASHERS=[quick, *settings.PASSWORD_HASHERS]):
        yield


@pytest.fixture(autouse=True)
def empty_page_cache():
    """Each test starts with no page kept from another (orgs/page_cache.py): two tests
    may leave the database in the same state, and so the same page version, while
    what they patched around it differs."""
    from orgs.page_cache import store

    store.clear()
    yield
    store.clear()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Under `bash .ci/mutation`, each process tests on its own copy of one migrated
    SQLite file (CSO_TEST_DB_TEMPLATE) instead of migrating a new database: a run
    per mutant then costs its tests, not the migrations."""
    from django.conf import settings

    template = os.environ.get("CSO_TEST_DB_TEMPLATE")
    database = settings.DATABASES["default"]
    if not template or database["ENGINE"] != "django.db.backends.sqlite3":
        yield
        return
    copy = f"{template}.{os.getpid()}"
    shutil.copyfile(template, copy)
    database.setdefault("TEST", {})["NAME"] = copy
    yield
    for path in (copy, f"{copy}-wal", f"{copy}-shm"):
        if os.path.exists(path):
            os.remove(path)


@pytest.fixture
@cached_world
def reference_data(db):
    """Regions and focus areas, as every real database has them."""
    call_command("loaddata", "regions", "focus_areas", verbosity=0)


@pytest.fixture
@cached_world
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


def cite(org, fact="existence", **subject):
    """A citation of one fact of `org` (its existence unless told), from a test source.

    A published organisation must have one for each public fact (orgs.evidence)
    before the admin, `load_seeds` or `import_directory` will store it.
    """
    from orgs.models import Citation, Source

    source, _created = Source.objects.get_or_create(
        slug="test-source", defaults={"publisher": "Test", "title": "Test source"}
    )
    return Citation.objects.create(
        organisation=org,
        source=source,
        fact=fact,
        locator="p. 1",
        quote=f"{org.name}: {fact}.",
        **subject,
    )


def form_data(form):
    """What a browser would post for this bound or unbound form, as displayed."""
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        key = form.add_prefix(name)
        if isinstance(field, forms.BooleanField):
            if value:
                data[key] = "on"
        elif isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
            data[key] = [str(item) for item in value or []]
        elif value is None:
            data[key] = ""
        else:
            data[key] = str(value)
    return data


def change_form_data(response):
    """The whole change form as displayed: the main form and every inline."""
    data = form_data(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(form_data(formset.management_form))
        for form in formset.forms:
            data.update(form_data(form))
    return data


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


# --- api ---
@pytest.fixture
@cached_world
def directory_data(reference_data, django_user_model):
    """A small directory with every case the open data must handle.

    Published, draft, archived and sensitive organisations; public and hidden people;
    partnerships both ways, one with a draft; citations of every fact.
    """
    from orgs.models import Citation, FocusArea, Partnership, Person, Region, Source
    from orgs.search_upkeep import update_search_text

    region = {r.slug: r for r in Region.objects.all()}
    focus = {f.slug: f for f in FocusArea.objects.all()}
    curator = django_user_model.objects.create_user("curator", password="x-not-used-9")
    source = Source.objects.create(
        slug="peace-direct-2018",
        publisher="Peace Direct",
        title="Local capacities for peace in Mali",
        date="2018-05",
        url="https://example.org/report.pdf",
    )
    ajcet = make_org(
        name="Association des Jeunes pour la Citoyenneté",
        name_original="Association des Jeunes pour la Citoyenneté Engagée",
        acronym="AJCET",
        slug="ajcet",
        founded=2005,
        hq_region=region["mopti"],
        hq_town="Sévaré",
        website="https://ajcet.example.org",
        description_en="Youth dialogue clubs.",
        verification="curator",
        last_checked=datetime.date(2025, 3, 1),
        checked_by=curator,
    )
    ajcet.regions.set([region["mopti"], region["segou"]])
    ajcet.focus_areas.set([focus["youth"], focus["peacebuilding"]])
    usip = make_org(
        name="United States Institute of Peace",
        acronym="USIP",
        slug="usip",
        kind="donor",
        founded=1984,
    )
    secret = make_org(
        name="Femmes de Kidal pour la Paix",
        slug="femmes-kidal",
        sensitive=True,
        hq_region=region["kidal"],
        hq_town="Anefis",
        founded=2013,
        kind="network",
    )
    secret.regions.set([region["kidal"]])
    secret.focus_areas.set([focus["womens-rights"]])
    draft = make_org(name="Draft Collective", slug="draft-collective", status="draft")
    archived = make_org(name="Archived Forum", slug="archived-forum", status="archived")

    funded = Partnership.objects.create(
        organisation=ajcet,
        relation="funded_by",
        partner=usip,
        programme="Dialogue",
        start_year=2016,
        end_year=2018,
    )
    member_of = Partnership.objects.create(
        organisation=secret, relation="member_of", partner=ajcet
    )
    with_draft = Partnership.objects.create(
        organisation=ajcet, relation="partner_of", partner=draft
    )
    Partnership.objects.create(organisation=archived, relation="member_of", partner=ajcet)

    Person.objects.create(
        organisation=ajcet, name="Aminata Public", role="Director", is_public=True
    )
    hidden = Person.objects.create(organisation=ajcet, name="Moussa Hidden", role="Coordinator")
    secret_person = Person.objects.create(
        organisation=secret, name="Fatoumata Secret", role="President", is_public=True
    )
    Person.objects.create(organisation=draft, name="Draft Person", is_public=True)

    def cite(org, fact, **subject):
        return Citation.objects.create(
            organisation=org,
            source=source,
            fact=fact,
            locator="p. 12",
            quote=f"Quote on {fact}.",
            **subject,
        )

    # Every public fact of a published organisation is cited (orgs.evidence).
    cite(ajcet, "existence")
    cite(ajcet, "founded")
    cite(ajcet, "headquarters")
    cite(ajcet, "region", region=region["mopti"])
    cite(ajcet, "region", region=region["segou"])
    cite(ajcet, "focus", focus_area=focus["youth"])
    cite(ajcet, "focus", focus_area=focus["peacebuilding"])
    cite(ajcet, "partnership", partnership=funded)
    cite(usip, "existence")
    cite(usip, "founded")
    cite(secret, "existence")
    cite(secret, "founded")
    cite(secret, "region", region=region["kidal"])
    cite(secret, "focus", focus_area=focus["womens-rights"])
    cite(secret, "partnership", partnership=member_of)
    cite(ajcet, "partnership", partnership=with_draft)
    cite(ajcet, "person", person=Person.objects.get(name="Aminata Public"))
    Citation.objects.create(
        organisation=ajcet,
        source=source,
        fact="person",
        person=hidden,
        locator="p. 13",
        quote="Moussa Hidden coordinates the clubs.",
    )
    Citation.objects.create(
        organisation=secret,
        source=source,
        fact="headquarters",
        locator="p. 14",
        quote="Based in Anefis.",
    )
    Citation.objects.create(
        organisation=secret,
        source=source,
        fact="person",
        person=secret_person,
        locator="p. 14",
        quote="Fatoumata Secret leads the network.",
    )
    cite(draft, "existence")
    update_search_text(Organisation.objects.all())
    return {
        "ajcet": ajcet,
        "usip": usip,
        "secret": secret,
        "draft": draft,
        "archived": archived,
        "curator": curator,
    }


# Strings that must never appear in anything the public can read.
SECRETS = [
    "Moussa Hidden",
    "Fatoumata Secret",
    "Anefis",
    "Draft Person",
    "draft-collective",
    "Draft Collective",
    "Archived Forum",
    "archived-forum",
]


# --- public ---


@pytest.fixture(scope="session", autouse=True)
def collected_static(tmp_path_factory):
    """Static files as production serves them: collected, hashed and compressed.

    Templates use `{% static %}` through the production storage, which needs the
    manifest that collectstatic writes; collecting once per session into a temporary
    STATIC_ROOT tests the real thing rather than a test-only storage.
    """
    from django.conf import settings
    from django.test.utils import override_settings

    production_static = override_settings(
        STATIC_ROOT=str(tmp_path_factory.mktemp("static")),
        STORAGES={**settings.STORAGES, "staticfiles": {"BACKEND": settings.HASHED_STATIC_STORAGE}},
    )
    production_static.enable()
    call_command("collectstatic", interactive=False, verbosity=0)
    yield settings.STATIC_ROOT
    production_static.disable()


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
@cached_world
def directory(reference_data):
    """A small varied directory: published, draft and archived organisations across
    regions, zones, focus areas and kinds; a sensitive one; public and hidden people;
    partnerships and citations (some of which would leak what is hidden)."""
    from orgs.models import Citation, FocusArea, Partnership, Person, Region, Source
    from orgs.search_upkeep import update_search_text

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
            description_en=f"Works on {' and '.join(areas) or 'funding'}.",
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
        description_en="Mediates local conflicts.",
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
