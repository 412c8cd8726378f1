"""The in-memory facet index (orgs.facets) against the listing's own SQL filters.

The SQL filters define what a filter means; the index must count exactly what they
return, for any combination of filters, and must never count stale data.
"""

import random

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from orgs.facets import FACETS, current_index
from orgs.filters import OrganisationFilter
from orgs.models import FocusArea, Organisation, Region, Zone

from .conftest import make_org

QUERIES = ["", "mopti", "youth association", "womens", "zzz", "a" * 70, "ségou", "!!"]


def options():
    return {
        "region": list(Region.objects.values_list("slug", flat=True)),
        "zone": [value for value, _ in Zone.choices],
        "focus": list(FocusArea.objects.values_list("slug", flat=True)),
        "kind": [value for value, _ in Organisation.Kind.choices],
    }


def random_filters(rng, choices):
    data = {}
    for facet in ("region", "focus", "kind"):
        if rng.random() < 0.4:
            data[facet] = rng.sample(choices[facet], rng.randint(1, 2))
    if rng.random() < 0.3:
        data["zone"] = rng.choice(choices["zone"])
    # Founding years of the `directory` organisations and their neighbours: the edges.
    if rng.random() < 0.3:
        data["founded_min"] = str(rng.choice([1900, 1998, 2005, 2006, 2015]))
    if rng.random() < 0.3:
        data["founded_max"] = str(rng.choice([1997, 1998, 2012, 2016, 2100]))
    if rng.random() < 0.5:
        data["q"] = rng.choice(QUERIES)
    return data


def sql_count(data):
    return OrganisationFilter(data, queryset=Organisation.objects.published()).qs.count()


def test_totals_equal_the_sql_filters_for_random_combinations(directory):
    rng = random.Random(2026)
    choices = options()
    found = 0
    for _ in range(300):
        data = random_filters(rng, choices)
        result = OrganisationFilter(data, queryset=Organisation.objects.published())
        assert result.count() == result.qs.count(), data
        found += result.count() > 0
    assert found > 50  # the combinations found organisations, not only none


def sql_ids(data):
    ids = OrganisationFilter(data, queryset=Organisation.objects.published()).qs
    return set(ids.values_list("id", flat=True))


def test_counts_equal_the_sql_filters_for_random_combinations(directory):
    """An option's count is what the SQL filters find for the other filters and that
    option: the two sets are read through the SQL filters and intersected here (the
    test above checks that filters combined count what the SQL finds), so each option
    costs no query of its own."""
    rng = random.Random(20261122)
    choices = options()
    with_option = {
        (facet, value): sql_ids({facet: value if facet == "zone" else [value]})
        for facet in FACETS
        for value in choices[facet]
    }
    nonzero = 0
    for _ in range(40):
        data = random_filters(rng, choices)
        counts = OrganisationFilter(data, queryset=Organisation.objects.published()).facet_counts()
        for facet in FACETS:
            others = sql_ids({k: v for k, v in data.items() if k != facet})
            for value in choices[facet]:
                want = len(others & with_option[facet, value])
                assert counts[facet].get(value, 0) == want, (data, facet, value)
                nonzero += want > 0
    assert nonzero > 100  # the combinations found organisations, not only zeros


def test_counts_follow_every_kind_of_write_at_once(directory):
    def mopti():
        return current_index().counts({})["region"].get("mopti", 0)

    before = mopti()
    # queryset.update() sends no signal: the database's triggers still see it.
    Organisation.objects.filter(slug="draft-secret").update(status="published")
    assert mopti() == before + 1
    Organisation.objects.filter(slug="youth-mopti").update(status="archived")
    assert mopti() == before
    gao = Organisation.objects.get(slug="gao-women")
    gao.regions.add(Region.objects.get(slug="mopti"))
    assert mopti() == before + 1
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM orgs_organisation_regions WHERE organisation_id = %s", [gao.pk]
        )
    assert mopti() == before
    Region.objects.filter(slug="mopti").update(zone=Zone.NORTH)
    assert current_index().counts({})["zone"].get(Zone.NORTH) == sql_count({"zone": Zone.NORTH})
    Organisation.objects.filter(slug="prison-mopti").delete()
    assert mopti() == before - 1


def test_a_rolled_back_write_leaves_no_stale_counts(directory):
    published = current_index().total({})
    with transaction.atomic():
        make_org(slug="brief", name="Brief")
        assert current_index().total({}) == published + 1
        transaction.set_rollback(True)
    assert current_index().total({}) == published
    Organisation.objects.filter(slug="draft-secret").update(status="published")
    assert current_index().total({}) == published + 1


def test_edits_that_change_no_count_nor_search_keep_the_index(directory):
    index = current_index()
    org = Organisation.objects.get(slug="youth-mopti")
    org.website = "https://youth-mopti.example.org"
    org.save(update_fields=["website"])  # neither a count nor what search matches
    assert current_index() is index
    # Searched text is what a search's cached matches depend on: a new version.
    org.description_en = "A new description."
    org.save(update_fields=["description_en"])
    assert current_index() is not index


def test_a_repeated_query_is_searched_once_per_version(directory):
    current_index()
    with CaptureQueriesContext(connection) as first:
        OrganisationFilter({"q": "Youth"}, queryset=Organisation.objects.published()).count()
    with CaptureQueriesContext(connection) as again:
        OrganisationFilter({"q": "youth"}, queryset=Organisation.objects.published()).count()
    assert len(again) == len(first) - 1  # the same words: no second search


@pytest.mark.parametrize("url", ["/en/", "/en/regions/", "/en/orgs/", "/en/orgs/?region=mopti"])
def test_pages_count_nothing_unpublished(client, directory, url):
    def page():
        return client.get(url).content.decode()

    before = page()
    draft = Organisation.objects.get(slug="draft-secret")
    Organisation.objects.filter(pk=draft.pk).update(status="published")
    assert page() != before  # a count moved
    Organisation.objects.filter(pk=draft.pk).update(status="draft")
    assert page() == before
