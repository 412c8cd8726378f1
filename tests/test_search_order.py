"""The search ranking, page after page, on random data: the public listing, the API and
SQL give exactly the order the rules say, computed here from the test's own data.

The rules (orgs.search): every word matches a word of the text (a word of three
letters or more as its start); exact acronym first, then every word in a name,
then the rest; within a tier, name order ignoring case and accents, then the id.
"""

import random
import re
import unicodedata

import pytest
from django.urls import reverse

from orgs.models import Organisation

from .conftest import make_org
from .world_cache import cached_world

# Invented words, so no region or focus-area label can match them.
NAME_WORDS = ["Zarbo", "zárbonne", "Kveli", "KVELIKA", "plumo", "Plúmoxe", "Qu", "qi", "Ébrak"]
TEXT_WORDS = ["zarbette", "kvel", "plumoxa", "qu", "qix", "ebrakine", "tiv", "tivolo"]
ACRONYMS = ["", "", "ZB", "Z.B.K.", "KV", "QU", "ZBK", "Ebr"]
QUERIES = [
    "zarbo", "ZAR", "kvel", "Kveli", "plumox", "qu", "qi", "ébrak", "ebr", "zb", "Z B K",
    "zbk", "kv", "tiv", "zarbo kveli", "kve plu", "qu zar", "ebrak tivolo", "nothingatall",
]  # fmt: skip
PAGE = 25


def fold(text):
    """The test's own normalisation: accents and case off, words of letters and digits."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return re.findall(r"[a-z0-9]+", text)


def words_of(query):
    words = list(dict.fromkeys(fold(query)))
    return ["".join(words)] if len(words) > 1 and all(len(w) == 1 for w in words) else words


def matches(word, text_words):
    return any(t == word or (len(word) >= 3 and t.startswith(word)) for t in text_words)


@pytest.fixture
@cached_world
def random_directory(reference_data):
    """About 130 published organisations (and a few drafts) with random names,
    acronyms, descriptions and kinds; the same every run."""
    rng = random.Random(13)
    kinds = [Organisation.Kind.LOCAL_ASSOCIATION, Organisation.Kind.NATIONAL_NGO]
    orgs = []
    for i in range(140):
        name = " ".join(rng.sample(NAME_WORDS, rng.randint(1, 3)))
        org = make_org(
            name=name,
            slug=f"r-{i}",
            acronym=rng.choice(ACRONYMS),
            name_original=" ".join(rng.sample(NAME_WORDS, 1)) if rng.random() < 0.2 else "",
            description_en=" ".join(rng.choices(TEXT_WORDS, k=rng.randint(0, 4))),
            kind=rng.choice(kinds),
            status=(
                Organisation.Status.DRAFT if rng.random() < 0.07 else Organisation.Status.PUBLISHED
            ),
        )
        orgs.append(org)
    return orgs


def expected_order(orgs, query, kind=None):
    """Slugs of the published organisations matching `query`, best first, by the rules."""
    words = words_of(query)
    ranked = []
    for org in orgs:
        if org.status != Organisation.Status.PUBLISHED or (kind and org.kind != kind):
            continue
        acronym = fold(org.acronym)
        compact = "".join(acronym)
        names = [*acronym, compact, *fold(org.name), *fold(org.name_original)]
        text = [*names, *fold(org.description_en)]
        if words and not all(matches(w, text) for w in words):
            continue
        if not words:
            tier = 0
        elif compact == "".join(words):
            tier = 0
        elif all(matches(w, names) for w in words):
            tier = 1
        else:
            tier = 2
        ranked.append(((tier, " ".join(fold(org.name)), org.pk), org.slug))
    return [slug for _key, slug in sorted(ranked)]


CARD = re.compile(r'<li class="card">\s*<h3>\s*<a href="[^"]*/orgs/([^/"]+)/"')


def page_count(expected):
    return max(1, -(-len(expected) // PAGE))


def listing_pages(client, params, pages):
    """The slugs of the cards of pages 1 to `pages`, in order."""
    found = []
    for number in range(1, pages + 1):
        response = client.get(reverse("orgs:org_list"), {**params, "page": number})
        assert response.status_code == 200
        found += CARD.findall(response.content.decode())
    return found


def api_pages(client, params, pages):
    found = []
    for number in range(1, pages + 1):
        response = client.get("/api/orgs/", {**params, "page": number})
        if response.status_code == 404 and number > 1:
            break  # past the last page
        assert response.status_code == 200
        found += [org["slug"] for org in response.json()["results"]]
    return found


@pytest.mark.django_db
def test_search_results_come_page_after_page_in_the_ranking_order(client, random_directory):
    searched = 0
    for query in QUERIES:
        expected = expected_order(random_directory, query)
        pages = page_count(expected)
        assert listing_pages(client, {"q": query}, pages) == expected, query
        assert api_pages(client, {"q": query}, pages) == expected, query
        assert [o.slug for o in Organisation.objects.published().search(query)] == expected
        searched += len(expected) > PAGE
    # Positive controls: several queries span pages, one finds nothing, tiers all occur.
    assert searched >= 3
    assert expected_order(random_directory, "nothingatall") == []


@pytest.mark.django_db
def test_filtered_and_unfiltered_pages_are_in_name_order(client, random_directory):
    everything = expected_order(random_directory, "")
    assert len(everything) > 4 * PAGE
    assert listing_pages(client, {}, page_count(everything)) == everything
    assert api_pages(client, {}, page_count(everything)) == everything
    kind = Organisation.Kind.NATIONAL_NGO
    for query in ("", "zar", "kveli plumo"):
        expected = expected_order(random_directory, query, kind)
        assert 0 < len(expected) < len(everything)
        params = {"kind": kind, **({"q": query} if query else {})}
        assert listing_pages(client, params, page_count(expected)) == expected, query
        assert api_pages(client, params, page_count(expected)) == expected, query
    # Searching in name order: the same matches, tiers ignored.
    by_name = sorted(
        expected_order(random_directory, "zar"),
        key=lambda slug: everything.index(slug),
    )
    assert listing_pages(client, {"q": "zar", "order": "name"}, page_count(by_name)) == by_name
