"""The facet index brought up to date by what changed (orgs.facet_upkeep) is the index a
fresh build gives, after any sequence of curators' changes; and it is updated, not
rebuilt, for a change of a few organisations.

These tests commit (`transactional_db`): inside a transaction the index is always
rebuilt, since what it would apply may yet be rolled back.
"""

import random

import pytest
from django.db import connection

from orgs import facet_changes, facets
from orgs.facets import FacetIndex, current_index
from orgs.filters import OrganisationFilter
from orgs.models import FocusArea, Organisation, Region

from .conftest import index_contents as contents
from .conftest import make_org

WORDS = ["alpha", "zulu", "femmes", "jeunes", "paix", "mopti", "aaron", "zzz", "kola", "union"]


def random_change(rng, regions, focus):
    """One change a curator (or a script) makes, through the ORM or a bulk update."""
    orgs = list(Organisation.objects.order_by("pk"))
    org = rng.choice(orgs)
    change = rng.choice(
        ["publish", "unpublish", "rename", "regions", "focus", "kind", "founded",
         "description", "hq", "acronym", "delete", "create"]
    )  # fmt: skip
    if change == "publish":
        Organisation.objects.filter(pk=org.pk).update(status="published")
    elif change == "unpublish":
        Organisation.objects.filter(pk=org.pk).update(status=rng.choice(["draft", "archived"]))
    elif change == "rename":  # its rank moves
        org.name = f"{rng.choice(WORDS).title()} {rng.choice(WORDS)} {rng.randint(1, 99)}"
        org.save()
    elif change == "regions":
        org.regions.set(rng.sample(regions, rng.randint(0, 3)))
    elif change == "focus":
        org.focus_areas.set(rng.sample(focus, rng.randint(0, 2)))
    elif change == "kind":
        org.kind = rng.choice(Organisation.Kind.values)
        org.save()
    elif change == "founded":
        org.founded = rng.choice([None, 1990, 2005, 2006, 2021])
        org.save()
    elif change == "description":
        org.description_en = f"{rng.choice(WORDS)} {rng.choice(WORDS)}"
        org.save()
    elif change == "hq":
        org.hq_region = rng.choice([None, *regions])
        org.save()
    elif change == "acronym":
        org.acronym = rng.choice(["", "AJCET", "UNF", "ZZ", "PAIX"])
        org.save()
    elif change == "delete":
        org.delete()
    else:
        n = rng.randint(1000, 999_999)
        make_org(
            slug=f"made-{n}",
            name=f"{rng.choice(WORDS).title()} {n}",
            status=rng.choice(["published", "published", "draft"]),
            hq_region=rng.choice([None, *regions]),
            founded=rng.choice([None, 2005, 2013]),
        ).regions.set(rng.sample(regions, rng.randint(0, 2)))
    return change


def fresh():
    return FacetIndex.build(facet_changes.position())


def test_random_changes_leave_the_index_as_a_fresh_build_makes_it(
    transactional_db, directory, builds
):
    rng = random.Random(20261129)
    regions, focus = list(Region.objects.all()), list(FocusArea.objects.all())
    current_index()
    assert len(builds) == 1  # the first index is built
    done = set()
    for step in range(60):
        for _ in range(rng.choice([1, 1, 1, 2, 4])):  # one save, or several in a row
            done.add(random_change(rng, regions, focus))
        updated = current_index()
        assert contents(updated) == contents(fresh()), (step, done)
    assert len(builds) == 1 + 60  # the fresh ones compared with: never a rebuild
    assert len(done) == 12  # every kind of change was made
    # Positive control: what it serves moved with the changes.
    assert updated.total({}) == Organisation.objects.published().count()


def test_every_kind_of_write_reaches_the_updated_index(transactional_db, directory, builds):
    mopti = Region.objects.get(slug="mopti")
    index = current_index()
    before = index.counts({})["region"].get("mopti", 0)
    draft = directory["draft"]
    Organisation.objects.filter(pk=draft.pk).update(status="published")
    draft.regions.add(mopti)
    assert current_index().counts({})["region"]["mopti"] == before + 1
    with connection.cursor() as cursor:  # raw SQL, as a script would
        cursor.execute(
            "DELETE FROM orgs_organisation_regions WHERE organisation_id = %s", [draft.pk]
        )
    assert current_index().counts({})["region"].get("mopti", 0) == before
    Organisation.objects.filter(pk=draft.pk).update(status="draft")
    assert current_index().total({}) == index.total({})
    assert len(builds) == 1  # all updates
    assert contents(current_index()) == contents(fresh())


def test_a_region_change_rebuilds(transactional_db, directory, builds):
    current_index()
    Region.objects.filter(slug="mopti").update(zone="north")
    north = OrganisationFilter({"zone": "north"}, queryset=Organisation.objects.published())
    assert current_index().counts({})["zone"]["north"] == north.qs.count()
    assert len(builds) == 2


def test_a_search_after_a_rename_finds_the_new_name_first(transactional_db, directory, builds):
    org = Organisation.objects.published().order_by("pk").first()
    assert current_index().query_ids("Kolanut") == []  # control: nothing yet
    org.name = "Kolanut Growers"
    org.save()
    assert current_index().query_ids("Kolanut") == [org.pk]
    assert len(builds) == 1


@pytest.mark.parametrize(
    "url", ["/en/orgs/", "/en/orgs/?q=mopti", "/en/orgs/?region=mopti", "/fr/regions/"]
)
def test_listing_pages_agree_with_a_rebuilt_index(transactional_db, directory, client, url):
    rng = random.Random(url)
    regions, focus = list(Region.objects.all()), list(FocusArea.objects.all())
    current_index()
    for _ in range(15):
        random_change(rng, regions, focus)
    assert current_index().seq is not None  # updated, not rebuilt in a transaction

    def page():
        response = client.get(url, HTTP_CACHE_CONTROL="no-cache")
        assert response.status_code == 200
        return response.content.decode()

    updated = page()
    facets._index = None
    assert page() == updated
    assert "result" in updated.lower() or "organisation" in updated.lower()
