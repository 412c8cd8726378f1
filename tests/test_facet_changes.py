"""The log of which organisations changed (orgs.facet_changes), kept by the database."""

import pytest
from django.db import connection, transaction

from orgs import facet_changes
from orgs.models import FocusArea, Organisation, Region

from .conftest import make_org


def logged(action):
    """What `action` logged: organisation ids, or EVERYTHING."""
    before = facet_changes.position()[1]
    action()
    return facet_changes.changed_since(before, facet_changes.position()[1])


def test_each_write_logs_the_organisation_it_changes(reference_data):
    mopti = Region.objects.get(slug="mopti")
    youth = FocusArea.objects.get(slug="youth")
    org = make_org()
    other = make_org(slug="other", name="Other")
    assert logged(lambda: make_org(slug="third", name="Third")) == {
        Organisation.objects.get(slug="third").pk
    }
    for update in [{"status": "draft"}, {"kind": "network"}, {"founded": 2001},
                   {"hq_region": mopti}, {"sort_name": "zzz"}, {"search_names": "x"}]:  # fmt: skip
        assert logged(lambda u=update: Organisation.objects.filter(pk=org.pk).update(**u)) == {
            org.pk
        }, update
    assert logged(lambda: org.regions.add(mopti)) == {org.pk}
    assert logged(lambda: other.focus_areas.add(youth)) == {other.pk}
    assert logged(lambda: other.focus_areas.clear()) == {other.pk}
    assert logged(lambda: Organisation.objects.filter(pk=other.pk).delete()) == {other.pk}


def test_writes_the_index_does_not_read_log_nothing(reference_data):
    org = make_org()
    assert logged(lambda: Organisation.objects.filter(pk=org.pk).update(founded=1999))  # control
    assert (
        logged(lambda: Organisation.objects.filter(pk=org.pk).update(website="https://x.org"))
        == set()
    )


def test_a_region_or_focus_area_write_logs_everything(reference_data):
    assert logged(lambda: Region.objects.filter(slug="mopti").update(zone="north")) is None
    assert logged(lambda: FocusArea.objects.filter(slug="youth").update(slug="young")) is None


def test_entries_no_longer_kept_mean_everything(reference_data):
    last = facet_changes.position()[1]
    assert facet_changes.changed_since(last, last) == set()  # control: nothing since
    assert facet_changes.changed_since(last - facet_changes.KEEP - 1, last) is None


def log_entries(count):
    """Log `count` entries in one statement, and how many the log then holds."""
    table = facet_changes.TABLE
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (organisation_id) SELECT NULL FROM generate_series(1, %s)",
            [count],
        )
        cursor.execute(f"SELECT count(*) FROM {table}")
        return cursor.fetchone()[0]


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite prunes at every entry: a deleted row leaves its index at once",
)
def test_postgresql_prunes_the_log_once_per_transaction(transactional_db):
    """A prune at every entry scanned again, each time, the rows the transaction had
    already deleted (they stay in the index until it ends): a transaction logging n
    entries cost n squared, hours for 100,000 synthetic organisations. The first
    entry of a transaction prunes; its own entries wait for the next transaction."""
    keep = facet_changes.KEEP
    with transaction.atomic():
        assert log_entries(keep + 10) == keep  # control: the first statement prunes
        assert log_entries(5) == keep + 5  # the same transaction's later ones do not
    with transaction.atomic():
        assert log_entries(1) == keep  # the next transaction prunes them


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite remakes tables")
def test_triggers_a_table_remake_dropped_come_back_after_migrate(reference_data):
    name = "orgs_facet_change_orgs_organisation_insert"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER {name}")
    assert logged(facet_changes.after_migrate) is None  # it may have missed writes
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = %s", [name])
        assert cursor.fetchone() == (1,)
    org_pk = []
    assert logged(lambda: org_pk.append(make_org().pk)) == set(org_pk)
