"""A world restored from its rows is the world its builder made (tests/world_cache.py)."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import TransactionTestCase

from orgs.facet_version import FACET_VERSION
from orgs.facets import current_index
from orgs.models import FocusArea, Organisation, Person, Region
from orgs.page_version import PAGE_VERSION
from orgs.roles import GROUP_NAME, curator_codenames
from orgs.search_upkeep import update_search_text
from tests import world_cache
from tests.conftest import make_org
from tests.world_cache import _contents, _tables, cached_world


def built_and_restored(builder):
    """Build through `builder` once, roll back, then call it again from the same state:
    the rows, the value and the builder's calls each time."""
    calls = []

    def build():
        calls.append(1)
        return builder()

    build.__qualname__ = f"world_{builder.__qualname__}"  # the cache key names it
    world = cached_world(build)
    savepoint = transaction.savepoint()
    built_value = world()
    built = _contents(_tables())
    transaction.savepoint_rollback(savepoint)
    restored_value = world()
    return built_value, built, restored_value, _contents(_tables()), len(calls)


def a_world():
    """Adds rows through the application's saves and signals, changes a row that was
    there before and removes another."""
    mopti = Region.objects.get(slug="mopti")
    mopti.aliases = ["Mopti-Sévaré"]
    mopti.save()
    FocusArea.objects.filter(slug="health").delete()
    org = make_org(name="Apiculteurs de Bandiagara", slug="apiculteurs", hq_region=mopti)
    org.regions.set([mopti])
    org.focus_areas.set([FocusArea.objects.get(slug="youth")])
    Person.objects.create(organisation=org, name="Awa Public", is_public=True)
    update_search_text(Organisation.objects.all())
    return {"org": org, "regions": [mopti], "label": "kept as it is"}


def test_a_restored_world_has_the_built_rows_and_objects(reference_data):
    before = _contents(_tables())
    built_value, built, restored_value, restored, calls = built_and_restored(a_world)
    assert calls == 1  # the second time, restored rather than built
    assert restored == built != before
    assert restored["orgs_focusarea"] == built["orgs_focusarea"]  # the removal
    assert restored_value["org"] == built_value["org"]  # same model, same id
    assert restored_value["org"] is not built_value["org"]  # read back from the database
    assert restored_value["org"].name == "Apiculteurs de Bandiagara"
    assert restored_value["regions"][0].aliases == ["Mopti-Sévaré"]
    assert restored_value["label"] == "kept as it is"


def test_a_world_of_more_rows_than_one_statement_takes_is_restored_whole(
    reference_data, monkeypatch
):
    """Rows are written back many to a statement (world_cache.rows_per_statement): with
    two a statement, five organisations take three, the last one short."""
    monkeypatch.setattr(world_cache, "rows_per_statement", lambda columns: 2)
    before = _contents(_tables())

    def five_organisations():
        return [make_org(name=f"Groupement {n}", slug=f"groupement-{n}") for n in range(5)]

    built_value, built, restored_value, restored, calls = built_and_restored(five_organisations)
    assert calls == 1
    assert len(built["orgs_organisation"]) == len(before["orgs_organisation"]) + 5
    assert restored == built
    assert [org.slug for org in restored_value] == [org.slug for org in built_value]


def test_a_restored_world_is_searched_and_counted_like_the_built_one(client, reference_data):
    built_and_restored(a_world)
    page = client.get("/en/orgs/?q=apiculteurs").content.decode()
    assert "Apiculteurs de Bandiagara" in page  # the search index followed the rows
    assert current_index().total({}) == 1


def test_a_world_asked_for_from_another_state_is_built_again(reference_data):
    calls = []

    def build():
        calls.append(1)
        return make_org(name="Once", slug="once")

    build.__name__ = "world_from_another_state"
    world = cached_world(build)
    savepoint = transaction.savepoint()
    world()
    transaction.savepoint_rollback(savepoint)
    make_org(name="Already here", slug="already-here")  # another starting state
    world()
    assert len(calls) == 2
    assert set(Organisation.objects.values_list("slug", flat=True)) == {"once", "already-here"}


@pytest.fixture
def a_user(db, django_user_model):
    """A row written by a fixture of the test's own: the time the user joined makes
    the database's state one no earlier test started from."""
    return django_user_model.objects.create_user("asked-for-first", password="x-not-used-9")


def test_a_world_is_set_up_before_the_fixtures_asked_for_before_it(
    request, a_user, reference_data
):
    """Else each such test would build its world anew (tests/world_cache.worlds_first)."""
    order = request.node.fixturenames
    assert order.index("reference_data") < order.index("a_user")
    assert order.index("db") < order.index("reference_data")  # what the world needs, first
    assert Region.objects.exists() and type(a_user).objects.filter(pk=a_user.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_after_a_test_that_commits_the_database_is_as_new(directory, django_user_model):
    """The teardown of a test that commits (tests/conftest.py) empties every table,
    writes back what the new database held with its ids, restarts the id counters,
    and moves the version tokens as any write does, so caches follow."""
    new = world_cache._start
    curators = Group.objects.get(name=GROUP_NAME)
    curators.permissions.remove(Permission.objects.get(codename="change_organisation"))
    Permission.objects.filter(codename="view_user").delete()
    django_user_model.objects.create_user("committed", password="x-not-used-9")
    tokens = PAGE_VERSION.current(), FACET_VERSION.current()
    assert _contents(_tables()) != new  # the positive control: the test wrote
    assert new["auth_permission"] and new["django_content_type"]  # the start has rows

    TransactionTestCase(methodName="__init__")._fixture_teardown()

    assert _contents(_tables()) == new
    assert not Organisation.objects.exists() and not django_user_model.objects.exists()
    assert (
        set(Group.objects.get(name=GROUP_NAME).permissions.values_list("codename", flat=True))
        == curator_codenames()
    )
    assert PAGE_VERSION.current() != tokens[0] and FACET_VERSION.current() != tokens[1]
    # Ids count on from the new database's: 1 for an empty table, after the last kept.
    assert Region.objects.create(slug="new", name="New", zone="north").pk == 1
    kept = max(new["auth_permission"])
    assert (
        Permission.objects.create(
            codename="x", name="x", content_type=ContentType.objects.first()
        ).pk
        == kept + 1
    )
