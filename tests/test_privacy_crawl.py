"""The leak test: no public surface, in either language, shows what is hidden.

Parametrised by surface and by hidden case. The surfaces come from the URLconf:
every public pattern (each page type in both languages, every API endpoint, both
exports, the sitemaps, the data snapshot), every page of every listing and every
detail; a pattern this test does not know makes it fail, so a new public surface
cannot be added without being crawled. Each response must be 200 and show its
positive control (something the surface is known to show), so an empty or broken
page cannot pass for a clean one.

The hidden cases come from the database, not from a list here: every person who
is not public (switch off, organisation sensitive or unpublished), their full name
and each part of three letters or more that is not a particle; every sensitive
organisation's headquarters town; every unpublished organisation. The data is the
seeded directory plus the one test world (`build_world` in tests/conftest.py),
which writes those names, towns and contacts into every field a curator can write
(quotes, locators, descriptions, programme names, source titles, publishers and
descriptions) and links a published organisation to a draft and an archived one.
It is built once per module; every response is
fetched once, by a fresh anonymous client, and checked for every kind of case. What
follows from the world alone (its addresses, its hidden cases, each response's
words) is worked out once per module too: the tests only read the world.

The same fetches check what every public response must carry, as the language is
in the address (orgs/language.py): its canonical and alternate links, no cookie,
and a cache policy a shared cache may follow.
"""

import functools
import gzip
import html
import json
import math
import re
import unicodedata

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import translation

from orgs import contacts, licence, snapshot
from orgs.caching import PUBLIC_MAX_AGE
from orgs.models import Citation, Organisation, Person, Region, Source

from .conftest import build_world

# Patterns that are not public reading surfaces: the admin, the health check (no
# data), and the confirmation link an organisation is sent privately to check its
# own record.
NOT_PUBLIC = {"admin", "healthz", "orgs:confirm"}
HIDDEN_KINDS = ("person", "name part", "sensitive town", "unpublished organisation", "contact")
PARTICLES = {"ag", "al", "el", "ould", "ben", "bin", "ibn", "de", "du", "da", "la", "le"}
LANGUAGES = ("en", "fr")


def folded_words(text):
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return re.findall(r"[^\W_]+", text)


def spaced(words):
    """The words between single spaces, a space at each end: a word sequence then
    occurs, whole words, exactly where its own spaced form is a substring (words
    hold no space)."""
    return f" {' '.join(words)} "


def hidden_cases():
    """{kind: {description: matcher(text, spaced words) -> bool}} of everything the
    public may not see, from the database; worked out once per module (the world)."""
    if not HIDDEN:
        HIDDEN.update(_hidden_cases())
    return HIDDEN


def _hidden_cases():
    public = set(Person.objects.public().values_list("pk", flat=True))
    cases = {kind: {} for kind in HIDDEN_KINDS}

    def words_of(term):
        assert term, "a hidden case with no words to look for"
        needle = spaced(term)
        return lambda _text, words: needle in words

    for person in Person.objects.exclude(pk__in=public):
        parts = folded_words(person.name)
        cases["person"][f"name {person.name!r}"] = words_of(parts)
        for part in parts:
            if len(part) >= 3 and part not in PARTICLES:
                cases["name part"][f"part {part!r} of {person.name!r}"] = words_of([part])
    for org in Organisation.objects.filter(sensitive=True).exclude(hq_town=""):
        cases["sensitive town"][f"town {org.hq_town!r} of {org.slug}"] = words_of(
            folded_words(org.hq_town)
        )
    # An unpublished organisation is never linked or listed: its slug, in an address,
    # a JSON value or an export row, never appears. (Its name may: a public quote can
    # mention it.)
    for org in Organisation.objects.exclude(status=Organisation.Status.PUBLISHED):
        slug = re.compile(rf"(?<![\w-]){re.escape(org.slug)}(?![\w-])")
        cases["unpublished organisation"][f"{org.status} {org.slug}"] = (
            lambda text, _words, slug=slug: bool(slug.search(text))
        )
    # Every contact the public may not see: its switch off, or its organisation
    # sensitive or unpublished; a phone also as a tel: link would write it.
    for org in Organisation.objects.all():
        for field, switch in contacts.FIELDS:
            if getattr(org, switch) and not org.sensitive and org.status == "published":
                continue
            values = contacts.social_link_list(getattr(org, field))
            if field == "contact_phone" and values:
                # As a tel: link writes it, and its last eight digits (Mali's
                # numbers) run together or in pairs, as texts write them.
                digits = re.sub(r"\D", "", org.contact_phone)
                national = digits[-8:]
                values.append(contacts.tel_href(org.contact_phone))
                values.append(national)
                values.append(" ".join(national[i : i + 2] for i in range(0, 8, 2)))
            if field == "social_links":
                values += [re.sub(r"^https?://(www\.)?", "", link) for link in values]
            for value in values:
                cases["contact"][f"{field} {value!r} of {org.slug}"] = words_of(
                    folded_words(value)
                )
    return cases


@pytest.fixture(scope="module")
def crawl_data(django_db_setup, django_db_blocker, tmp_path_factory):
    """The seeds, the test world and today's data snapshot, built once per module
    in a transaction that is rolled back after it (each test runs in a savepoint)."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with override_settings(SNAPSHOT_DIR=tmp_path_factory.mktemp("snapshots")):
                call_command("load_seeds", verbosity=0)
                build_world()
                snapshot.build("http://testserver/")
                forget_the_world()
                yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            forget_the_world()


@pytest.fixture
def crawled_world(crawl_data, db):
    """The crawled world (seeds and test world) with its data snapshot, for one test."""


def public_patterns(resolver=None, prefix="", namespace=""):
    """(route, name) of every URL pattern, namespaced names as 'ns:name'."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            if ns in NOT_PUBLIC or entry.app_name in NOT_PUBLIC:
                continue
            yield from public_patterns(entry, route, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(entry, URLPattern):
            yield route, f"{namespace}{entry.name}"


def crawl_urls(language):
    """{pattern name: [(url, positive control)]} for every page of every public pattern,
    the pages at their addresses in `language` (`/fr/…`), the rest as they are; worked
    out once per module (the world)."""
    if language not in URLS:
        with translation.override(language):
            URLS[language] = _crawl_urls(f"/{language}")
    return URLS[language]


def _crawl_urls(prefix):
    published = Organisation.objects.published().order_by("name", "slug")
    first = published.first()
    orgs = [(o.get_absolute_url(), o.name) for o in published]
    api_orgs = [(f"/api/orgs/{o.slug}/", f'"slug": "{o.slug}"') for o in published]
    pages = math.ceil(published.count() / 25)
    api_pages = math.ceil(published.count() / 100)
    regions = list(Region.objects.all())
    region_pages = []
    for region in regions:
        n = published.in_regions([region]).count()
        for page in range(1, max(1, math.ceil(n / 25)) + 1):
            region_pages.append((f"{region.get_absolute_url()}?page={page}", region.name))
    sources = list(Source.objects.all())
    snapshot_name = snapshot.latest()[0].name
    return {
        # Names lead in the page's language: controls that hold in both are links.
        "orgs:home": [(f"{prefix}/", published.order_by("-updated").first().get_absolute_url())],
        "orgs:org_list": [(f"{prefix}/orgs/?page={n}", "card") for n in range(1, pages + 1)],
        "orgs:org_detail": orgs,
        "orgs:suggest_correction": [
            (f"{prefix}/orgs/{o.slug}/suggest-correction/", o.get_absolute_url())
            for o in published
        ],
        "orgs:ask_to_hide": [
            (f"{prefix}/orgs/{o.slug}/ask-to-hide/", o.get_absolute_url()) for o in published
        ],
        "orgs:suggest_organisation": [(f"{prefix}/suggest-organisation/", "<form")],
        "orgs:submission_thanks": [(f"{prefix}/thanks/", f'href="{prefix}/orgs/"')],
        "orgs:region_list": [(f"{prefix}/regions/", regions[0].name)],
        "orgs:region_detail": region_pages,
        "orgs:source_list": [(f"{prefix}/sources/", sources[0].slug)],
        "orgs:source_detail": [(s.get_absolute_url(), s.date or s.slug) for s in sources],
        "orgs:data": [(f"{prefix}/data/", licence.NAME)],
        "snapshot": [(f"/data/{snapshot_name}", f'"slug": "{first.slug}"')],
        "robots_txt": [("/robots.txt", "User-agent")],
        "sitemap": [("/sitemap.xml", "/sitemap-organisations.xml")],
        "sitemap_section": [
            ("/sitemap-pages.xml", f"{prefix}/data/"),
            ("/sitemap-organisations.xml", f"{prefix}/orgs/{first.slug}/"),
            ("/sitemap-regions.xml", f"{prefix}/regions/{regions[0].slug}/"),
            ("/sitemap-sources.xml", f"{prefix}/sources/{sources[0].slug}/"),
        ],
        "favicon": [("/favicon.ico", "<svg")],
        "api:org_list": [
            (f"/api/orgs/?page_size=100&page={n}", f'"count": {published.count()}')
            for n in range(1, api_pages + 1)
        ],
        "api:org_detail": api_orgs,
        "api:region_list": [("/api/regions/", f'"slug": "{regions[0].slug}"')],
        "api:focus_area_list": [("/api/focus-areas/", '"label_fr"')],
        "api:source_list": [("/api/sources/", f'"slug": "{sources[0].slug}"')],
        "api:schema": [("/api/schema/", '"openapi"')],
        # The exports take their language from ?lang=, not from the request's.
        "exports:orgs_csv": [(f"/export/orgs.csv?lang={lang}", first.slug) for lang in LANGUAGES],
        "exports:orgs_hxl": [
            (f"/export/orgs.hxl.csv?lang={lang}", "#org+name") for lang in LANGUAGES
        ],
    }


class Fetched:
    """One response as a reader's browser has it: status, headers, the cookies it
    sets, the page's HTML (uncompressed), and what a reader sees in it."""

    def __init__(self, response):
        self.status = response.status_code
        self.headers = dict(response.items())
        self.cookies = response.cookies
        content = b"".join(response.streaming_content) if response.streaming else response.content
        if response.get("Content-Encoding") == "gzip":
            content = gzip.decompress(content)
        self.html = content.decode("utf-8")

    @functools.cached_property
    def text(self):
        text = self.html
        if self.headers["Content-Type"].startswith("application/json"):
            # Compare what a reader sees, not JSON escapes.
            text = json.dumps(json.loads(text), ensure_ascii=False)
        return html.unescape(text)

    @functools.cached_property
    def words(self):
        return spaced(folded_words(self.text))


def body(response):
    return Fetched(response).text


# What the module's world gives, worked out once per module (crawl_data resets them):
# {(url, language): Fetched}, {language: crawl_urls(language)}, hidden_cases(), and the
# reader's client (one for all fetches: a new client loads the middleware anew).
RESPONSES = {}
URLS = {}
HIDDEN = {}
READER = []


def forget_the_world():
    for cache in (RESPONSES, URLS, HIDDEN, READER):
        cache.clear()


def fetch(url, language):
    """`url` as an anonymous reader in `language` gets it (no cookie, a browser's
    Accept-Language and gzip): fetched once per module, for every test that reads it."""
    if (url, language) not in RESPONSES:
        if not READER:
            READER.append(Client(enforce_csrf_checks=True))
        reader = READER[0]
        reader.cookies.clear()
        response = reader.get(url, HTTP_ACCEPT_LANGUAGE=language, HTTP_ACCEPT_ENCODING="gzip")
        RESPONSES[url, language] = Fetched(response)
    return RESPONSES[url, language]


SURFACES = sorted({name for _route, name in public_patterns()} - NOT_PUBLIC)


def test_the_crawl_covers_every_public_url_pattern(crawled_world):
    covered = set(crawl_urls("fr"))
    assert set(crawl_urls("en")) == covered
    patterns = set(SURFACES)
    assert patterns - covered == set(), "public URL patterns the privacy crawl does not fetch"
    assert covered - patterns == set(), "crawled patterns that no longer exist"


def test_the_cases_come_from_the_world_and_the_seeds(crawled_world):
    cases = hidden_cases()
    assert "town 'Ndiongo-Boré' of quiet-committee" in cases["sensitive town"]
    assert "name 'Zeinab Ouattara'" in cases["person"]
    assert "part 'coulibaly' of 'Issa Coulibaly'" in cases["name part"]
    assert "name 'Kola Togo'" in cases["person"]  # from the seeds
    assert {"draft draft-group", "archived archived-circle"} <= set(
        cases["unpublished organisation"]
    )
    assert "contact_phone '+22376123456' of open-association" in cases["contact"]
    social = "https://www.facebook.com/quiet.committee"
    assert f"social_links {social!r} of quiet-committee" in cases["contact"]
    assert "contact_email 'draft.group@mail.example' of draft-group" in cases["contact"]
    # A public contact is not a case: the crawl would fail on what should be shown.
    assert not [case for case in cases["contact"] if "bonjour@open-association" in case]


@pytest.mark.parametrize("kind", HIDDEN_KINDS)
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("surface", SURFACES)
def test_no_surface_shows_what_is_hidden(crawled_world, surface, language, kind):
    cases = hidden_cases()[kind]
    assert cases, f"the world has no {kind} to look for"
    urls = crawl_urls(language)[surface]
    assert urls, surface
    leaks = []
    for url, control in urls:
        page = fetch(url, language)
        assert page.status == 200, (url, language)
        assert control in page.text, (url, language, control)
        leaks += [(url, case) for case, found in cases.items() if found(page.text, page.words)]
    assert leaks == []


def test_the_crawl_sees_what_is_public(client, crawled_world):
    """Positive control for the world itself: public text around the withheld words shows."""
    page = body(client.get("/en/orgs/open-association/"))
    assert "Oumar Visible" in page and "explains the work, with" in page
    assert 'href="mailto:bonjour@open-association.example"' in page  # a public contact
    assert 'href="https://x.com/openassoc_ml"' in page
    french = body(client.get("/fr/orgs/open-association/"))
    assert "[nom masqué] explains the work" in french


# What every response must carry, besides hiding what is hidden: read from the same
# fetches as the leak test (each address fetched once per module).

PUBLIC_CACHE = f"public, max-age=0, s-maxage={PUBLIC_MAX_AGE}"
FORMS = {"orgs:suggest_correction", "orgs:ask_to_hide", "orgs:suggest_organisation"}


def links(page):
    """{rel or hreflang: href} of the page's canonical and alternate links."""
    found = {}
    for tag in re.findall(r"<link rel=\"(?:canonical|alternate)\"[^>]*>", page):
        key = re.search(r'hreflang="([^"]+)"', tag) or re.search(r'rel="([^"]+)"', tag)
        found[key[1]] = html.unescape(re.search(r'href="([^"]+)"', tag)[1])
    return found


def pages(languages=LANGUAGES):
    """(language, url, page) of every crawled page in `languages`, each a 200: the
    API, the exports and the site files are not pages."""
    for language in languages:
        for _name, urls in crawl_urls(language).items():
            for url, _control in urls:
                if url.startswith(f"/{language}/"):
                    page = fetch(url, language)
                    assert page.status == 200, url
                    yield language, url, page


def test_every_public_page_has_its_alternates_and_a_canonical_link(crawled_world):
    checked = 0
    for language, url, page in pages():
        other = "en" if language == "fr" else "fr"
        absolute = f"http://testserver{url}"
        assert links(page.html) == {
            "canonical": absolute,
            language: absolute,
            other: absolute.replace(f"/{language}/", f"/{other}/", 1),
            "x-default": absolute.replace(f"/{language}/", "/", 1),
        }, url
        checked += 1
    assert checked > 100


def test_no_anonymous_public_get_sets_a_cookie_and_pages_may_be_cached(crawled_world):
    problems = []
    fetched = 0
    for language in LANGUAGES:
        for name, urls in crawl_urls(language).items():
            for url, _control in urls:
                page = fetch(url, language)  # a reader with no cookie, gzip accepted
                assert page.status == 200, url
                fetched += 1
                vary = page.headers.get("Vary", "")
                cache = page.headers.get("Cache-Control", "")
                if page.cookies or "Cookie" in vary:
                    problems.append((url, "cookie", list(page.cookies), vary))
                if name in FORMS:
                    # Never stored: the same view answers posts with what was typed.
                    if "no-store" not in cache:
                        problems.append((url, "form cache", cache))
                    continue
                if url.startswith(f"/{language}/") and cache != PUBLIC_CACHE:
                    problems.append((url, "cache", cache))
                if url.startswith(f"/{language}/") and "Accept-Language" in vary:
                    problems.append((url, "vary", vary))
    assert fetched > 200
    assert problems == []


def test_french_pages_set_a_space_before_each_colon(crawled_world):
    """French puts a space before a colon, English none: colons written into the
    templates and the code once gave French pages the English one. The sources' own
    words (quotes, titles, locators) and the organisations' names stay as written."""
    as_written = sorted(
        {
            *Source.objects.values_list("title", flat=True),
            *Citation.objects.values_list("locator", flat=True),
            *Organisation.objects.values_list("name", flat=True),
        },
        key=len,
        reverse=True,
    )
    unspaced = []
    checked = 0
    for _language, url, page in pages(["fr"]):
        text = re.sub(r"(?s)<(blockquote|script|style)\b.*?</\1>", " ", page.html)
        text = html.unescape(re.sub(r"<[^>]+>", "", text))
        assert "Données ouvertes : API" in text, url  # the footer: the text is read
        for words in as_written:
            text = text.replace(words, " ")
        unspaced += [(url, found) for found in re.findall(r"\S{0,30}[^\s\d]:\s", text)]
        checked += 1
    assert checked > 100
    assert unspaced == []


# A source's own words on a page: a link to it (its title), and each citation's quote,
# title and locator, as organisation_detail.html writes them.
SOURCE_LINK = re.compile(r'<a href="/(?:en|fr)/sources/(?P<slug>[^/"]+)/"(?P<attrs>[^>]*)>')
CITATION = re.compile(
    r"<blockquote(?P<quote>[^>]*)>[^<]*</blockquote>\s*"
    r'<p class="meta"><a href="/(?:en|fr)/sources/(?P<slug>[^/"]+)/"(?P<title>[^>]*)>'
    r"[^<]*</a>.*? — <span(?P<locator>[^>]*)>"
)
SOURCE_PAGE = re.compile(r"^/(?:en|fr)/sources/(?P<slug>[^/]+)/$")


def test_a_sources_own_words_are_marked_with_its_language_on_a_page_in_the_other(
    crawled_world,
):
    """Titles, quotes and locators are in the document's language, whatever the page's:
    marked, a screen reader reads an English quote on a French page in English."""
    language_of = dict(Source.objects.values_list("slug", "language"))
    assert set(language_of.values()) == {"en", "fr"}  # the world holds both cases
    wrong = []
    seen = {"link": set(), "citation": set(), "heading": set()}
    for language, url, page in pages():

        def expect(what, slug, attrs, url=url, language=language):
            source_language = language_of[slug]
            marked = "" if source_language == language else f' lang="{source_language}"'
            seen[what].add((language, marked))
            if attrs.strip() != marked.strip():
                wrong.append((url, what, slug, attrs))

        for link in SOURCE_LINK.finditer(page.html):
            if "hreflang" not in link["attrs"]:  # not the page in the other language
                expect("link", link["slug"], link["attrs"])
        for citation in CITATION.finditer(page.html):
            for part in ("quote", "title", "locator"):
                expect("citation", citation["slug"], citation[part])
        if source_page := SOURCE_PAGE.match(url):
            heading = re.search(r"<h1([^>]*)>", page.html)
            expect("heading", source_page["slug"], heading.group(1))
    # Each kind of place was seen marked and unmarked, on pages in both languages.
    marked_both_ways = {(lang, marked != "") for lang in LANGUAGES for marked in ("", "x")}
    for what, cases in seen.items():
        assert {(lang, marked != "") for lang, marked in cases} == marked_both_ways, what
    assert wrong == []
