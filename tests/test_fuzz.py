"""Bad input never gives a 500: random and hostile query strings, filter values, page
numbers and slugs thrown at every public endpoint, on the suite's database (CI runs
it on SQLite and on PostgreSQL). 4xx answers are fine; a 500 is a bug."""

import os
from urllib.parse import quote, urlencode

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orgs.models import FocusArea, Region
from tests.conftest import make_org

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "200"))  # per endpoint; more before a release

# Things that break naive search and parsing: FTS5 and tsquery operators, SQL and
# LIKE metacharacters, quotes, NUL and other control characters, odd Unicode,
# broken percent-escapes, and numbers no database column holds.
HOSTILE = [
    '"',
    '"women',
    "women*",
    "*",
    "NEAR(paix femmes)",
    "NEAR(",
    "AND",
    "OR NOT",
    "women AND NOT",
    "-women",
    "^paix",
    "name:paix",
    "()",
    "(((",
    "a & b | !c <-> d",
    "'",
    "' OR 1=1 --",
    "%",
    "_",
    "\\",
    "\x00",
    "paix\x00femmes",
    "\x1b[31m",
    "\u202e",
    "\ufeff",
    "𝔀𝓸𝓶𝓮𝓷",
    "femmes" * 2000,
    "x" * 10_000,
    " ",
    "",
    "0",
    "-1",
    "last",
    "1e309",
    "NaN",
    "99999999999999999999999",
    "-99999999999999999999999",
    "2147483648",
    "3.5",
    "bamako,mopti",
]
KEYS = [
    "q",
    "region",
    "zone",
    "focus",
    "kind",
    "founded_min",
    "founded_max",
    "page",
    "facets",
    "sort",
    "format",
    "lang",
    "utm_source",
]

values = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=50),
    # Long strings, up to 10,000 characters, built cheaply by repetition.
    st.tuples(st.text(min_size=1, max_size=5), st.integers(200, 2000)).map(
        lambda t: (t[0] * t[1])[:10_000]
    ),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(["bamako", "mopti", "youth", "womens-rights", "national_ngo", "north"]),
)
params = st.lists(st.tuples(st.sampled_from(KEYS), values), max_size=6)
raw_query = st.sampled_from(
    ["%", "%zz", "%00", "%ff%fe", "q=%C3", "page=%00", "q=%E2%80", "&&&=", "q", "=x", ";q=1"]
)
query_strings = st.one_of(params.map(lambda pairs: urlencode(pairs)), raw_query)

SLUG_HOSTILE = ["..", "%2e%2e", "test-association%00", "a" * 10_000, "-", "_", "é"]
slugs = st.one_of(
    st.sampled_from(SLUG_HOSTILE),
    st.text(min_size=1, max_size=200).map(lambda s: quote(s, safe="")),
    st.from_regex(r"\A[a-z0-9-]{1,120}\Z"),
)

ENDPOINTS = ["/en/orgs/", "/api/orgs/", "/export/orgs.csv", "/export/orgs.hxl.csv"]
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def small_directory(db):
    """A few organisations with regions and focus areas: enough for every code path."""
    call_command("loaddata", "regions", "focus_areas", verbosity=0)
    for n, (region, focus) in enumerate([("bamako", "youth"), ("mopti", "womens-rights")]):
        org = make_org(
            name=f"Association des femmes pour la paix {n}",
            slug=f"femmes-paix-{n}",
            hq_region=Region.objects.get(slug=region),
            founded=2000 + n,
            description_fr="Paix et cohésion sociale.",
        )
        org.regions.add(Region.objects.get(slug=region))
        org.focus_areas.add(FocusArea.objects.get(slug=focus))
    make_org(name="Draft", slug="draft", status="draft")


def assert_no_server_error(response, url):
    assert response.status_code < 500, f"{response.status_code} for {url[:300]!r}"


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@FUZZ
@given(query=query_strings)
def test_no_query_string_gives_a_server_error(client, small_directory, endpoint, query):
    url = f"{endpoint}?{query}"
    assert_no_server_error(client.get(url), url)


@FUZZ
@given(slug=slugs)
def test_no_organisation_slug_gives_a_server_error(client, small_directory, slug):
    url = f"/en/orgs/{slug}/"
    response = client.get(url)
    assert_no_server_error(response, url)
    assert response.status_code in (200, 301, 404)
