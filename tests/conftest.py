"""Shared fixtures: builders over the plain ORM, the seeded data, a real browser."""

import datetime
import functools
import os
import shutil
import tempfile

import pytest
from django import forms
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.management import call_command
from django.test import TransactionTestCase
from hypothesis import HealthCheck, settings

from orgs.models import Organisation
from orgs.search_upkeep import update_search_text
from tests import databases, run_share, world_cache
from tests.world_cache import cached_world, worlds_first

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Playwright's sync API runs an event loop in the test thread; the ORM calls the
# tests make around it are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Hypothesis's clocks (a deadline per example, a health check on slow generation)
# measure the machine, not the code: on a loaded machine they failed a test whose
# property held (a mutation run beside two others, load 13). Each test's number of
# examples bounds its time instead.
settings.register_profile("suite", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("suite")


class QuickPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """PBKDF2 with one round: the real hasher's million rounds cost a third of a
    second of CPU for each user a test creates, and the suite creates hundreds. The
    hash still names its rounds, so any process, with any settings, checks it."""

    iterations = 1


def pytest_configure(config):
    """In the run's first process (xdist's controller, or the only one), before the
    test processes start: the folder they share (tests/run_share.py)."""
    if not hasattr(config, "workerinput") and run_share.folder() is None:
        os.environ[run_share.FOLDER] = tempfile.mkdtemp(prefix="cso-test-run.")
        config.made_run_folder = True


def pytest_collection_modifyitems(items):
    for item in items:
        worlds_first(item)


def pytest_unconfigure(config):
    if getattr(config, "made_run_folder", False):
        databases.remove_run_databases()
        shutil.rmtree(run_share.folder(), ignore_errors=True)
        del os.environ[run_share.FOLDER]


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
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database, as new, remembered for `back_to_the_start` below."""
    with django_db_blocker.unblock():
        world_cache.remember_the_start()


@pytest.fixture(scope="session", autouse=True)
def back_to_the_start_after_each_commit():
    """After a test that commits, the database is put back as it was new
    (`tests/world_cache.py`), in place of Django's flush and post_migrate.

    Every test then starts from the same rows with the same ids, so a world is
    restored rather than built again, whatever test committed before it; and the reset
    costs 35 ms where the flush cost 189 on PostgreSQL (4.5 and 49 on SQLite).
    Django's flush is the teardown of its TransactionTestCase, which pytest-django
    runs such tests in.
    """

    def back_to_the_start(test_case):
        assert test_case._databases_names(include_mirrors=False) == ["default"]
        world_cache.back_to_the_start()

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TransactionTestCase, "_fixture_teardown", back_to_the_start)
        yield


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, django_db_createdb):
    """Each test process tests on its own copy of the run's migrated database
    (tests/databases.py) rather than migrating one: True when it does, and the copy is
    dropped at the end. With `--create-db` the process migrates its own, as
    pytest-django does."""
    if django_db_createdb:
        yield False
        return
    from django.conf import settings
    from django.db import connection, connections

    database = settings.DATABASES["default"]
    template = databases.migrated()
    if databases.on_postgresql():
        copy = connection.creation._get_test_db_name()  # Django's name for it: test_cso_gw0
    else:
        copy = f"{template}.{os.getpid()}"
        database.setdefault("TEST", {})["NAME"] = copy
    databases.drop_database(copy)  # left by a run that was killed
    databases.copy_database(template, copy)
    yield True
    connections.close_all()
    databases.drop_database(copy)


@pytest.fixture(scope="session")
def django_db_keepdb(request, django_db_modify_db_settings):
    """A copied test database is used as it is: Django finds it migrated."""
    return django_db_modify_db_settings or request.config.getvalue("reuse_db")


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


def make_orgs_in_bulk(names_and_slugs, *, regions=(), focus_areas=(), **fields):
    """Organisations made in bulk, one per (name, slug), each working in `regions` and
    for `focus_areas`: no saves, so no signals and no search text (call
    update_search_text after, where a test searches or lists them)."""
    fields = {"kind": Organisation.Kind.LOCAL_ASSOCIATION, **fields}
    orgs = Organisation.objects.bulk_create(
        Organisation(name=name, slug=slug, **fields) for name, slug in names_and_slugs
    )
    in_regions, for_focus = Organisation.regions.through, Organisation.focus_areas.through
    in_regions.objects.bulk_create(
        in_regions(organisation=org, region=region) for org in orgs for region in regions
    )
    for_focus.objects.bulk_create(
        for_focus(organisation=org, focusarea=focus) for org in orgs for focus in focus_areas
    )
    return orgs


def rename(org, slug, **fields):
    """A curator's edit: a new slug (and any other field), saved with its history."""
    org.slug = slug
    for name, value in fields.items():
        setattr(org, name, value)
    org.save()
    return org


def cite(org, fact="existence", quote=None, *, source=None, locator="p. 1", **subject):
    """A citation of one fact of `org` (its existence unless told), from a test source
    unless told, quoting "<name>: <fact>." unless told.

    A published organisation must have one for each public fact (orgs.evidence)
    before the admin, `load_seeds` or `import_directory` will store it.
    """
    from orgs.models import Citation, Source

    if source is None:
        source, _created = Source.objects.get_or_create(
            slug="test-source",
            defaults={"publisher": "Test", "title": "Test source", "language": "en"},
        )
    return Citation.objects.create(
        organisation=org,
        source=source,
        fact=fact,
        locator=locator,
        quote=quote or f"{org.name}: {fact}.",
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


# --- public ---


@pytest.fixture(scope="session", autouse=True)
def collected_static(tmp_path_factory):
    """Static files as production serves them: collected, hashed and compressed.

    Templates use `{% static %}` through the production storage, which needs the
    manifest that collectstatic writes; collecting once per test run (by the first
    test process, into the run's shared folder) into a temporary STATIC_ROOT tests
    the real thing rather than a test-only storage. Nothing writes there after.
    """
    from django.conf import settings
    from django.test.utils import override_settings

    def collect(root):
        with override_settings(STATIC_ROOT=str(root)):
            call_command("collectstatic", interactive=False, verbosity=0)

    production_static = override_settings(
        STORAGES={**settings.STORAGES, "staticfiles": {"BACKEND": settings.HASHED_STATIC_STORAGE}},
    )
    production_static.enable()
    if run_share.folder() is None:
        root = tmp_path_factory.mktemp("static")
        collect(root)
    else:
        root = run_share.made_once("static", collect)
    with override_settings(STATIC_ROOT=str(root)):
        yield settings.STATIC_ROOT
    production_static.disable()


@pytest.fixture(scope="session", autouse=True)
def static_folder_scanned_once(collected_static):
    """WhiteNoise's middleware lists the files of STATIC_ROOT when it is made, and the
    test client makes its middleware anew for each client: some 50 ms of CPU per test
    that sends a request. The collected folder never changes during the run
    (`collected_static`), so each test process lists it once for each set of settings
    WhiteNoise reads, and each new middleware gets those files. Any other folder (a
    test that collects its own) is listed as usual; production is untouched."""
    from django.conf import settings
    from whitenoise.middleware import WhiteNoiseMiddleware

    collected = os.path.join(os.path.abspath(collected_static), "")
    scan = WhiteNoiseMiddleware.update_files_dictionary
    listings = {}

    def what_whitenoise_reads():
        names = ["DEBUG", "STATIC_URL", "FORCE_SCRIPT_NAME", "STORAGES"]
        names += sorted(name for name in dir(settings) if name.startswith("WHITENOISE_"))
        return repr([(name, getattr(settings, name, None)) for name in names])

    def scanned_once(middleware, root, prefix):
        if root != collected:
            return scan(middleware, root, prefix)
        key = (root, prefix, what_whitenoise_reads())
        if key not in listings:
            before = dict(middleware.files)
            scan(middleware, root, prefix)
            listings[key] = {
                url: file for url, file in middleware.files.items() if before.get(url) is not file
            }
        middleware.files.update(listings[key])

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(WhiteNoiseMiddleware, "update_files_dictionary", scanned_once)
        yield


@pytest.fixture(scope="session")
def live_server(request, collected_static, django_db_setup):
    """pytest-django's live server, with static files served by WhiteNoise as in
    production (hashed names, compression, far-future cache headers) instead of
    Django's development handler, which cannot find hashed names. `hits` lists the
    paths the server was asked for: what actually crossed the network.

    It serves the test database: made after it, and stopped (its connection closed)
    before it is dropped, whichever test of a process first needs a browser."""
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


# --- the test world ---

HIDDEN_PERSON = "Aminata Cachée-Traoré"
SENSITIVE_TOWN = "Ténenkou-Secret"


# The published organisations of the test world (below), in name order;
# its drafts and archived ones never appear.
PUBLISHED = [
    "jeunes-citoyens",  # Association des Jeunes pour la Citoyenneté
    "donor-fund",
    "femmes-kidal",
    "gao-women",
    "kayes-health",
    "open-association",
    "prison-mopti",
    "quiet-committee",
    "sensitive-peace",
    "sikasso-edu",
    "timbuktu-peace",
    "peace-institute",  # United States Institute of Peace
    "youth-mopti",
]


# What the listing's filters select from the test world, written from its definition
# (the builders below), not from the filter under test: a region selects those working or
# headquartered there; a zone, its regions; a word matches names, regions and focus
# areas in either language (Jeunesse).
SELECTED_BY = {
    "": sorted(PUBLISHED),
    "q=jeunes": [
        "jeunes-citoyens",
        "prison-mopti",
        "sensitive-peace",
        "timbuktu-peace",
        "youth-mopti",
    ],
    "q=kidal": ["femmes-kidal", "timbuktu-peace"],
    "region=mopti": [
        "jeunes-citoyens",
        "open-association",
        "prison-mopti",
        "quiet-committee",
        "sensitive-peace",
        "youth-mopti",
    ],
    "region=kidal&region=segou": [
        "femmes-kidal",
        "jeunes-citoyens",
        "prison-mopti",
        "timbuktu-peace",
    ],
    "zone=north": ["femmes-kidal", "gao-women", "timbuktu-peace"],
    "zone=centre": [
        "jeunes-citoyens",
        "open-association",
        "prison-mopti",
        "quiet-committee",
        "sensitive-peace",
        "youth-mopti",
    ],
    "focus=youth": [
        "jeunes-citoyens",
        "prison-mopti",
        "sensitive-peace",
        "timbuktu-peace",
        "youth-mopti",
    ],
    "kind=donor&kind=network": ["donor-fund", "femmes-kidal", "peace-institute", "timbuktu-peace"],
    "founded_min=2000": [
        "femmes-kidal",
        "gao-women",
        "jeunes-citoyens",
        "sensitive-peace",
        "sikasso-edu",
        "timbuktu-peace",
        "youth-mopti",
    ],
    "founded_max=2010": [
        "donor-fund",
        "jeunes-citoyens",
        "peace-institute",
        "prison-mopti",
        "youth-mopti",
    ],
    "founded_min=1990&founded_max=2010&kind=local_association": ["jeunes-citoyens", "youth-mopti"],
}


@pytest.fixture
@cached_world
def directory(reference_data):
    """The one test world: every case the directory must handle, for pages, API,
    exports, sitemaps, feeds and the snapshot alike.

    Published, draft and archived organisations across regions, zones, focus areas
    and kinds; two sensitive ones; public and hidden people (a hidden person named in
    another citation's quote); a published organisation partnering a draft one and
    an archived one; citations of every fact, some of which would leak what is
    hidden. Returns the organisations by slug, with `secret`, `draft` and `archived`
    naming one of each, and `curator`, the account that checked AJCET.
    """
    return build_world()


def build_world():
    """The test world's rows (see `directory`), for a fixture of another scope."""
    from django.contrib.auth import get_user_model

    world = _varied_organisations()
    world.update(_open_data_cases(get_user_model()))
    world.update(_hidden_text_everywhere())
    _cite_every_public_fact()
    update_search_text(Organisation.objects.all())
    return world


def _varied_organisations():
    from orgs.models import FocusArea, Partnership, Person, Region, Source

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

    source = Source.objects.create(
        language="en",
        slug="report-2019",
        publisher="Peace Direct",
        title="Local peacebuilding in Mali",
        date="2019",
    )
    draft_only = Source.objects.create(
        language="en", slug="draft-only", publisher="X", title="Only about a draft"
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

    quoted = functools.partial(cite, source=source, locator="p. 12")
    quoted(orgs["youth-mopti"], "existence", "Youth Mopti Association trains young mediators.")
    quoted(orgs["youth-mopti"], "person", f"Its chair {HIDDEN_PERSON} said.", person=hidden)
    quoted(orgs["youth-mopti"], "person", "Its coordinator Oumar Public said.", person=shown)
    quoted(
        orgs["youth-mopti"], "partnership", "Funded by the Donor Fund.", partnership=partnership
    )
    quoted(orgs["youth-mopti"], "region", "Active across Mopti.", region=region["mopti"])
    quoted(sensitive, "existence", "A committee mediating local conflicts.")
    quoted(sensitive, "headquarters", f"The committee is based in {SENSITIVE_TOWN}.")
    quoted(sensitive, "person", "Its mediator Fatoumata Protégée.", person=at_risk)
    quoted(orgs["draft-secret"], "existence", "Draft Secret exists.", source=draft_only)
    # A document in French: its quote, title and locator are marked on English pages.
    in_french = Source.objects.create(
        language="fr", slug="rapport-2021", publisher="Réseau Paix", title="La paix à Mopti"
    )
    cite(
        orgs["youth-mopti"],
        "region",
        "L'association est active dans toute la région de Mopti.",
        source=in_french,
        locator="chapitre 2",
        region=region["mopti"],
    )
    return orgs


def _open_data_cases(django_user_model):
    """AJCET and its partners: the cases the open data was first tested with."""
    from orgs.models import FocusArea, Partnership, Person, Region, Source

    region = {r.slug: r for r in Region.objects.all()}
    focus = {f.slug: f for f in FocusArea.objects.all()}
    curator = django_user_model.objects.create_user("curator", password="x-not-used-9")
    source = Source.objects.create(
        language="en",
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
        slug="jeunes-citoyens",
        founded=2006,
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
        slug="peace-institute",
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

    Person.objects.create(organisation=ajcet, name="Awa Diarra", role="Director", is_public=True)
    hidden = Person.objects.create(organisation=ajcet, name="Moussa Kanouté", role="Coordinator")
    secret_person = Person.objects.create(
        organisation=secret, name="Fatoumata Secret", role="President", is_public=True
    )
    Person.objects.create(organisation=draft, name="Dramane Sissoko", is_public=True)

    def quoted(org, fact, **subject):
        return cite(org, fact, f"Quote on {fact}.", source=source, locator="p. 12", **subject)

    # Every public fact of a published organisation is cited (orgs.evidence).
    quoted(ajcet, "existence")
    quoted(ajcet, "founded")
    quoted(ajcet, "headquarters")
    quoted(ajcet, "region", region=region["mopti"])
    quoted(ajcet, "region", region=region["segou"])
    quoted(ajcet, "focus", focus_area=focus["youth"])
    quoted(ajcet, "focus", focus_area=focus["peacebuilding"])
    quoted(ajcet, "partnership", partnership=funded)
    quoted(usip, "existence")
    quoted(usip, "founded")
    quoted(secret, "existence")
    quoted(secret, "founded")
    quoted(secret, "region", region=region["kidal"])
    quoted(secret, "focus", focus_area=focus["womens-rights"])
    quoted(secret, "partnership", partnership=member_of)
    quoted(ajcet, "partnership", partnership=with_draft)
    quoted(ajcet, "person", person=Person.objects.get(name="Awa Diarra"))
    # Quotes that name what is hidden.
    quote_at = functools.partial(cite, source=source)
    quote_at(
        ajcet, "person", "Moussa Kanouté coordinates the clubs.", locator="p. 13", person=hidden
    )
    quote_at(secret, "headquarters", "Based in Anefis.", locator="p. 14")
    quote_at(
        secret,
        "person",
        "Fatoumata Secret leads the network.",
        locator="p. 14",
        person=secret_person,
    )
    quoted(draft, "existence")
    return {
        "jeunes-citoyens": ajcet,
        "peace-institute": usip,
        "femmes-kidal": secret,
        "secret": secret,
        "draft-collective": draft,
        "draft": draft,
        "archived-forum": archived,
        "archived": archived,
        "curator": curator,
    }


def _hidden_text_everywhere():
    """Hidden names, a sensitive town and hidden contacts written into every field a
    curator can write (quotes, locators, descriptions, programmes, source titles,
    publishers and descriptions), and a published organisation linked to a draft
    and to an archived one."""
    from orgs.models import Citation, Partnership, Person, Region, Source

    mopti = Region.objects.get(slug="mopti")
    shown = make_org(
        slug="open-association",
        name="Open Association",
        hq_region=mopti,
        # Its own hidden phone and a draft's email, typed into its description.
        description_en=(
            "Founded by Mariam Sangaré-Dembélé; active near Ndiongo-Boré. "
            "Call 76 12 34 56, or draft.group@mail.example."
        ),
        # A name written in the French description only, so a leak of it is seen alone.
        description_fr="Fondée avec Kadidia Konaté ; active près de Ndiongo-Boré.",
        contact_email="bonjour@open-association.example",
        contact_email_public=True,
        contact_phone="+223 76 12 34 56",  # hidden
        contact_address="Rue 14, porte 7, Mopti",  # hidden
        social_links="https://www.facebook.com/open.association.ml\nhttps://x.com/openassoc_ml",
        social_links_public=True,
    )
    sensitive = make_org(
        slug="quiet-committee",
        name="Quiet Committee",
        sensitive=True,
        hq_region=mopti,
        hq_town="Ndiongo-Boré",
        description_en="A committee based in NDIONGO-BORE, led by Issa Coulibaly.",
        description_fr="Un comité établi à Ndiongo-Boré, mené par Issa Coulibaly.",
        # Marked public, yet never shown: the organisation is sensitive.
        contact_email="quiet.committee@mail.example",
        contact_email_public=True,
        contact_phone="+223 66 55 44 33",
        contact_phone_public=True,
        contact_address="BP 77, Ndiongo-Boré",
        contact_address_public=True,
        social_links="https://www.facebook.com/quiet.committee",
        social_links_public=True,
    )
    draft = make_org(
        slug="draft-group",
        name="Draft Group",
        status=Organisation.Status.DRAFT,
        contact_email="draft.group@mail.example",
        contact_email_public=True,
    )
    archived = make_org(
        slug="archived-circle",
        name="Archived Circle",
        kind=Organisation.Kind.NETWORK,
        status=Organisation.Status.ARCHIVED,
    )
    Partnership.objects.create(
        organisation=shown, relation=Partnership.Relation.PARTNER_OF, partner=draft
    )
    Partnership.objects.create(
        organisation=archived, relation=Partnership.Relation.MEMBER_OF, partner=shown
    )
    Person.objects.create(organisation=shown, name="Mariam Sangaré-Dembélé")  # switch off
    Person.objects.create(organisation=shown, name="Kadidia Konaté")  # switch off
    Person.objects.create(organisation=sensitive, name="Issa Coulibaly", is_public=True)
    Person.objects.create(organisation=draft, name="Zeinab Ouattara", is_public=True)
    # A public person whose role names a hidden one.
    Person.objects.create(
        organisation=shown,
        name="Oumar Visible",
        role="Chair, after Kadidia Konaté",
        is_public=True,
    )
    source = Source.objects.create(
        language="en",
        slug="interviews",
        publisher="Interviews with Mariam Sangaré Dembélé",
        title="Talking with Zeinab Ouattara in Ndiongo Boré",
        description_en="Conversations with Issa Coulibaly.",
        description_fr=(
            "Entretiens avec Kadidia Konaté. Contact : 66554433, facebook.com/quiet.committee."
        ),
        date="2020",
    )
    partnership = Partnership.objects.create(
        organisation=shown,
        relation=Partnership.Relation.PARTNER_OF,
        partner=sensitive,
        programme="Zeinab's programme in Ndiongo-Boré",
    )
    quotes = {
        Citation.Fact.EXISTENCE: "Sangaré explains the work, with Ouattara and Coulibaly.",
        Citation.Fact.REGION: "mariam works from ndiongo-bore.",
    }
    for fact, quote in quotes.items():
        cite(
            shown,
            fact,
            quote,
            source=source,
            locator="Interview with Issa Coulibaly",
            region=mopti if fact == Citation.Fact.REGION else None,
        )
    cite(
        sensitive,
        Citation.Fact.PARTNERSHIP,
        "Coulibaly's committee in Ndiongo-Boré works with Open Association.",
        source=source,
        locator="Zeinab, p. 3",
        partnership=partnership,
    )
    cite(
        sensitive,
        Citation.Fact.EXISTENCE,
        "The Quiet Committee meets every week; write to quiet.committee@mail.example.",
        source=source,
        locator="p. 4",
    )
    return {org.slug: org for org in (shown, sensitive, draft, archived)}


def _cite_every_public_fact():
    """A citation from the test source for each public fact of a published organisation
    that has none yet, as orgs.evidence requires before an import stores the world:
    its existence, founding year, headquarters, each region and focus area, each
    partnership (cited on either side) and each public person of an organisation
    that is not sensitive."""
    from orgs.models import Citation

    cited = {
        (c.organisation_id, c.fact, c.region_id or c.focus_area_id or c.person_id)
        for c in Citation.objects.all()
    }
    cited_links = set(Citation.objects.values_list("partnership_id", flat=True))
    for org in Organisation.objects.published():
        facts = [("existence", {})]
        facts += [("founded", {})] if org.founded is not None else []
        facts += [("headquarters", {})] if org.hq_region_id or org.hq_town else []
        facts += [("region", {"region": r}) for r in org.regions.all()]
        facts += [("focus", {"focus_area": f}) for f in org.focus_areas.all()]
        if not org.sensitive:
            facts += [("person", {"person": p}) for p in org.people.filter(is_public=True)]
        for fact, subject in facts:
            subject_id = next(iter(subject.values())).pk if subject else None
            if (org.pk, fact, subject_id) not in cited:
                cite(org, fact, **subject)
        for link in org.partnerships.exclude(pk__in=cited_links):
            cite(org, "partnership", partnership=link)


# --- The facet index -------------------------------------------------------------


def index_contents(index):
    """Everything an index serves from: order, every bitmap, name postings, acronyms."""
    return {
        "order": index.order,
        "options": index.options,
        "acronyms": index.acronyms,
        "name_words": index.name_words,
        "name_postings": index.name_postings,
    }


@pytest.fixture
def builds(monkeypatch):
    """The full builds the index makes (each one still runs)."""
    from orgs import facets
    from orgs.facets import FacetIndex

    made = []
    build = FacetIndex.build.__func__

    def counted(cls, position):
        made.append(position)
        return build(cls, position)

    monkeypatch.setattr(FacetIndex, "build", classmethod(counted))
    monkeypatch.setattr(facets, "_index", None)
    return made
