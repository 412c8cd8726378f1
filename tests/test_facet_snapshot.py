"""The stored facet index (orgs.facet_snapshot): a starting process loads it rather than
build the index, and what it then serves is what a fresh build serves."""

import pytest
from django.db import connection

from orgs import facet_changes, facet_snapshot, facets
from orgs.facets import FacetIndex, current_index
from orgs.models import Organisation, Region

from .conftest import index_contents as contents
from .conftest import make_org


def fresh():
    return FacetIndex.build(facet_changes.position())


def a_new_process():
    facets._index = None


def test_a_new_process_loads_the_stored_index(transactional_db, directory, builds):
    current_index()
    assert len(builds) == 1  # built, and stored
    a_new_process()
    loaded = current_index()
    assert len(builds) == 1  # loaded, not built
    assert contents(loaded) == contents(fresh())
    assert loaded.total({}) == Organisation.objects.published().count() > 0


def test_the_stored_index_is_brought_up_to_date_when_loaded(transactional_db, directory, builds):
    current_index()
    Organisation.objects.filter(pk=directory["draft"].pk).update(status="published")
    org = Organisation.objects.published().order_by("pk").first()
    org.name = "Zebra Union"
    org.save()
    a_new_process()
    loaded = current_index()
    assert len(builds) == 1  # loaded and updated
    assert contents(loaded) == contents(fresh())
    assert directory["draft"].pk in loaded.order


def test_a_stored_index_behind_a_region_change_is_not_used(transactional_db, directory, builds):
    current_index()
    Region.objects.filter(slug="mopti").update(zone="north")
    a_new_process()
    assert contents(current_index()) == contents(fresh())
    assert len(builds) == 3  # rebuilt (and the fresh one)


def test_a_stored_index_of_another_format_is_ignored(
    transactional_db, directory, builds, monkeypatch
):
    current_index()
    monkeypatch.setattr(facet_snapshot, "FORMAT", facet_snapshot.FORMAT + 1)
    a_new_process()
    current_index()
    assert len(builds) == 2


def test_inside_a_transaction_nothing_is_stored(db, directory):
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {facet_snapshot.TABLE}")
    a_new_process()
    assert current_index().total({}) > 0
    assert facet_snapshot.stored() is None


@pytest.mark.parametrize("index_of", [lambda: fresh()])
def test_dumps_and_loads_give_the_same_index(transactional_db, directory, index_of):
    index = index_of()
    data = facet_snapshot.dumps(index)
    loaded = facet_snapshot.loads(data, (index.token, index.seq), index.regions, index.focus_areas)
    assert contents(loaded) == contents(index)
    assert loaded.names == index.names and loaded.sort_names == index.sort_names
    assert loaded.page_ids({}, 0, 5) == index.page_ids({}, 0, 5) != []


def test_one_organisation_without_an_acronym_is_stored_and_loaded(
    transactional_db, reference_data
):
    """One empty text joined is the empty string, as no text is: the counts tell them apart."""
    make_org(slug="only", name="Only One", acronym="")
    index = fresh()
    loaded = facet_snapshot.loads(
        facet_snapshot.dumps(index), (index.token, index.seq), index.regions, index.focus_areas
    )
    assert contents(loaded) == contents(index)
    assert loaded.names == index.names and len(loaded.order) == 1
