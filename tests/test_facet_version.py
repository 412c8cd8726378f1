"""The database-kept token that tells the facet index the data changed."""

import pytest
from django.db import connection

from orgs import facet_version
from orgs.models import FocusArea, Organisation, Region

from .conftest import make_org


def changes(action):
    before = facet_version.current()
    action()
    return facet_version.current() != before


def test_every_counted_write_changes_the_token(reference_data):
    mopti = Region.objects.get(slug="mopti")
    youth = FocusArea.objects.get(slug="youth")
    org = make_org()
    assert changes(lambda: make_org(slug="other", name="Other"))
    assert changes(lambda: Organisation.objects.filter(pk=org.pk).update(kind="network"))
    assert changes(lambda: Organisation.objects.filter(pk=org.pk).update(founded=2001))
    assert changes(lambda: Organisation.objects.filter(pk=org.pk).update(hq_region=mopti))
    assert changes(lambda: Organisation.objects.filter(pk=org.pk).update(status="draft"))
    assert changes(lambda: org.regions.add(mopti))
    assert changes(lambda: org.focus_areas.add(youth))
    assert changes(lambda: org.focus_areas.clear())
    assert changes(lambda: Region.objects.filter(pk=mopti.pk).update(zone="north"))
    assert changes(lambda: FocusArea.objects.filter(pk=youth.pk).update(slug="young"))
    assert changes(lambda: Organisation.objects.filter(pk=org.pk).delete())


@pytest.mark.parametrize("column", ["search_text", "search_names", "search_acronym"])
def test_a_change_of_searched_text_changes_the_token(reference_data, column):
    """Search results are cached per token: what search matches is counted data too."""
    org = make_org()
    assert changes(lambda: Organisation.objects.filter(pk=org.pk).update(**{column: "x y z"}))


def test_saving_only_the_description_changes_the_token(reference_data):
    org = make_org(description_en="Youth dialogue clubs.")
    org.description_en = "Radio programmes for farmers."
    assert changes(lambda: org.save(update_fields=["description_en"]))


def test_writes_no_count_depends_on_leave_the_token(reference_data):
    org = make_org()
    # Positive control: the same row, a counted column.
    assert changes(lambda: Organisation.objects.filter(pk=org.pk).update(founded=1999))
    assert not changes(
        lambda: Organisation.objects.filter(pk=org.pk).update(website="https://x.org")
    )
    assert not changes(lambda: Organisation.objects.filter(pk=org.pk).update(version=7))


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite remakes tables")
def test_triggers_a_table_remake_dropped_come_back_after_migrate(reference_data):
    name = "orgs_facet_version_orgs_organisation_insert"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER {name}")
    facet_version.after_migrate()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = %s", [name])
        assert cursor.fetchone() == (1,)
    assert changes(lambda: make_org())


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite remakes tables")
def test_an_update_trigger_put_back_after_migrate_watches_the_same_columns(reference_data):
    org = make_org()
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER orgs_facet_version_orgs_organisation_update")
    facet_version.after_migrate()
    assert not changes(
        lambda: Organisation.objects.filter(pk=org.pk).update(website="https://x.org")
    )
    assert changes(lambda: Organisation.objects.filter(pk=org.pk).update(founded=1999))
    assert changes(lambda: Organisation.objects.filter(pk=org.pk).update(social_links_public=True))
