"""The privacy crawl: no public URL, in either language, shows a hidden name or town.

The cases come from the database, not from a list here: every person who is not
public (switch off, organisation sensitive or unpublished), their full name and
each part of three letters or more that is not a particle, and every sensitive
organisation's headquarters town. The data is the seeded directory plus a test
world that writes those names and towns into every field a curator can write:
quotes, locators, descriptions, programme names, source titles, publishers and
descriptions.

The URLs come from the URLconf: every public pattern is fetched, every page of
every listing and every detail, and a pattern the crawl does not know makes the
test fail, so a new public surface cannot be added without being crawled. Each
response must be 200 and show its positive control (something the page is known
to show), so an empty or broken page cannot pass for a clean one.
"""

import html
import json
import math
import re
import unicodedata

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from orgs import licence, snapshot
from orgs.models import Citation, Organisation, Partnership, Person, Region, Source

# Patterns that are not public reading surfaces: the admin, the language switch
# (a POST), the health check (no data), and the confirmation link an organisation
# is sent privately to check its own record.
NOT_PUBLIC = {"admin", "set_language", "healthz", "orgs:confirm"}
PARTICLES = {"ag", "al", "el", "ould", "ben", "bin", "ibn", "de", "du", "da", "la", "le"}
LANGUAGES = ("en", "fr")


def folded_words(text):
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return re.findall(r"[^\W_]+", text)


def contains(words, term):
    """Whether the word sequence `term` occurs, whole words, in `words`."""
    n = len(term)
    return any(words[i : i + n] == term for i in range(len(words) - n + 1))


def hidden_cases():
    """{description: folded words} of every name and town the public may not see."""
    public = set(Person.objects.public().values_list("pk", flat=True))
    cases = {}
    for person in Person.objects.exclude(pk__in=public):
        parts = folded_words(person.name)
        cases[f"name {person.name!r}"] = parts
        for part in parts:
            if len(part) >= 3 and part not in PARTICLES:
                cases[f"part {part!r} of {person.name!r}"] = [part]
    for org in Organisation.objects.filter(sensitive=True).exclude(hq_town=""):
        cases[f"town {org.hq_town!r} of {org.slug}"] = folded_words(org.hq_town)
    return cases


@pytest.fixture
def leaky_world(seeded, django_user_model):
    """The seeds, plus hidden names and a sensitive town written into every text field."""
    mopti = Region.objects.get(slug="mopti")
    shown = Organisation.objects.create(
        slug="open-association",
        name="Open Association",
        kind=Organisation.Kind.LOCAL_ASSOCIATION,
        status=Organisation.Status.PUBLISHED,
        hq_region=mopti,
        description="Founded by Mariam Sangaré-Dembélé; active near Ndiongo-Boré.",
    )
    sensitive = Organisation.objects.create(
        slug="quiet-committee",
        name="Quiet Committee",
        kind=Organisation.Kind.LOCAL_ASSOCIATION,
        status=Organisation.Status.PUBLISHED,
        sensitive=True,
        hq_region=mopti,
        hq_town="Ndiongo-Boré",
        description="A committee based in NDIONGO-BORE, led by Issa Coulibaly.",
    )
    draft = Organisation.objects.create(
        slug="draft-group",
        name="Draft Group",
        kind=Organisation.Kind.LOCAL_ASSOCIATION,
        status=Organisation.Status.DRAFT,
    )
    Person.objects.create(organisation=shown, name="Mariam Sangaré-Dembélé")  # switch off
    Person.objects.create(organisation=sensitive, name="Issa Coulibaly", is_public=True)
    Person.objects.create(organisation=draft, name="Zeinab Ouattara", is_public=True)
    Person.objects.create(organisation=shown, name="Oumar Visible", role="Chair", is_public=True)
    source = Source.objects.create(
        slug="interviews",
        publisher="Interviews with Mariam Sangaré Dembélé",
        title="Talking with Zeinab Ouattara in Ndiongo Boré",
        description="Conversations with Issa Coulibaly.",
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
        Citation.objects.create(
            organisation=shown,
            source=source,
            fact=fact,
            region=mopti if fact == Citation.Fact.REGION else None,
            locator="Interview with Issa Coulibaly",
            quote=quote,
        )
    Citation.objects.create(
        organisation=sensitive,
        source=source,
        fact=Citation.Fact.PARTNERSHIP,
        partnership=partnership,
        locator="Zeinab, p. 3",
        quote="Coulibaly's committee in Ndiongo-Boré works with Open Association.",
    )
    Citation.objects.create(
        organisation=sensitive,
        source=source,
        fact=Citation.Fact.EXISTENCE,
        locator="p. 4",
        quote="The Quiet Committee meets every week.",
    )


@pytest.fixture
def crawled_world(leaky_world, settings, tmp_path):
    """The leaky world with today's data snapshot written, so the crawl fetches it too."""
    settings.SNAPSHOT_DIR = tmp_path / "snapshots"
    snapshot.build("http://testserver/")


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


def crawl_urls():
    """{pattern name: [(url, positive control)]} for every page of every public pattern."""
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
        "orgs:home": [("/", published.order_by("-updated").first().name)],
        "orgs:org_list": [(f"/orgs/?page={n}", "card") for n in range(1, pages + 1)],
        "orgs:org_detail": orgs,
        "orgs:suggest_correction": [
            (f"/orgs/{o.slug}/suggest-correction/", o.name) for o in published
        ],
        "orgs:ask_to_hide": [(f"/orgs/{o.slug}/ask-to-hide/", o.name) for o in published],
        "orgs:suggest_organisation": [("/suggest-organisation/", "<form")],
        "orgs:submission_thanks": [("/thanks/", 'href="/orgs/"')],
        "orgs:region_list": [("/regions/", regions[0].name)],
        "orgs:region_detail": region_pages,
        "orgs:source_list": [("/sources/", sources[0].slug)],
        "orgs:source_detail": [(s.get_absolute_url(), s.date or s.slug) for s in sources],
        "orgs:data": [("/data/", licence.NAME)],
        "orgs:snapshot": [(f"/data/{snapshot_name}", f'"slug": "{first.slug}"')],
        "robots_txt": [("/robots.txt", "User-agent")],
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


def body(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    text = content.decode("utf-8")
    if response["Content-Type"].startswith("application/json"):
        # Compare what a reader sees, not JSON escapes.
        text = json.dumps(json.loads(text), ensure_ascii=False)
    return html.unescape(text)


def test_the_crawl_covers_every_public_url_pattern(crawled_world):
    covered = set(crawl_urls())
    patterns = {name for _route, name in public_patterns()} - NOT_PUBLIC
    assert patterns - covered == set(), "public URL patterns the privacy crawl does not fetch"
    assert covered - patterns == set(), "crawled patterns that no longer exist"


def test_no_public_url_shows_a_hidden_name_or_town(client, crawled_world):
    cases = hidden_cases()
    # The test world's cases are among them: the crawl checks what it is meant to.
    assert "town 'Ndiongo-Boré' of quiet-committee" in cases
    assert "name 'Zeinab Ouattara'" in cases and "part 'coulibaly' of 'Issa Coulibaly'" in cases
    assert "name 'Kola Togo'" in cases  # from the seeds
    leaks = []
    fetched = 0
    for name, urls in crawl_urls().items():
        assert urls, name
        for url, control in urls:
            for language in LANGUAGES:
                response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
                assert response.status_code == 200, (url, language)
                text = body(response)
                assert control in text, (url, language, control)
                words = folded_words(text)
                leaks += [
                    (url, language, case) for case, term in cases.items() if contains(words, term)
                ]
                fetched += 1
    assert fetched > 100
    assert leaks == []


def test_the_crawl_sees_what_is_public(client, leaky_world):
    """Positive control for the world itself: public text around the withheld words shows."""
    page = body(client.get("/orgs/open-association/"))
    assert "Oumar Visible" in page and "explains the work, with" in page
    french = body(client.get("/orgs/open-association/", HTTP_ACCEPT_LANGUAGE="fr"))
    assert "[nom masqué] explains the work" in french
