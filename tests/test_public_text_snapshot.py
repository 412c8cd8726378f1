"""The stored table of withheld terms (orgs.public_text_snapshot): a process whose
public-text version matches the stored one loads it rather than read every hidden
person, and withholds exactly what a fresh build withholds."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from orgs import public_text, public_text_snapshot, public_text_version
from orgs.models import Person
from orgs.public_text import PublicText

from .conftest import make_org

TEXT = "Awa Traoré met Kola in Konna; write to awa@example.org."
WITHHELD = "[name withheld] met [name withheld] in [place withheld]; write to [contact withheld]."


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def hidden(transactional_db, reference_data):
    """Hidden people, a sensitive town and a hidden contact; no table stored yet."""
    org = make_org(slug="group", hq_town="Konna", sensitive=True, contact_email="awa@example.org")
    Person.objects.create(organisation=org, name="Awa Traoré")
    Person.objects.create(organisation=make_org(slug="other"), name="Kola Keita")
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {public_text_snapshot.TABLE}")
    a_new_process()
    return org


def a_new_process():
    public_text._current = None


def loaded_with_queries():
    with CaptureQueriesContext(connection) as queries:
        rule = public_text.current()
    return rule, [q["sql"] for q in queries]


def reads_people(queries):
    return any('"orgs_person"' in sql for sql in queries)


def test_a_new_process_loads_the_stored_table(hidden):
    built, queries = loaded_with_queries()
    assert reads_people(queries)  # built, and stored
    a_new_process()
    loaded, queries = loaded_with_queries()
    assert not reads_people(queries)
    assert loaded is not built and loaded.terms() == built.terms()
    assert loaded.withhold(TEXT) == WITHHELD == PublicText.from_database().withhold(TEXT)


def test_a_table_stored_at_another_version_is_not_used(hidden):
    public_text.current()
    # Written without signals, which would build and store the new version's table.
    Person.objects.filter(name="Kola Keita").update(name="Hawa Sidibé")
    a_new_process()
    rule, queries = loaded_with_queries()
    assert reads_people(queries)
    assert rule.withhold("Hawa spoke") == "[name withheld] spoke"
    a_new_process()  # the table of the new version replaced the old one
    rule, queries = loaded_with_queries()
    assert not reads_people(queries) and rule.withhold("Hawa spoke") == "[name withheld] spoke"


def test_a_table_stored_in_another_format_is_not_used(hidden, monkeypatch):
    public_text.current()
    monkeypatch.setattr(public_text_snapshot, "FORMAT", public_text_snapshot.FORMAT + 1)
    a_new_process()
    assert reads_people(loaded_with_queries()[1])


@pytest.mark.parametrize("data", [b"not json", b'[["name"]]', b'[["secret", "awa"]]', b"{}"])
def test_a_damaged_row_is_built_again_and_replaced(hidden, data):
    public_text.current()
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {public_text_snapshot.TABLE} SET data = %s", [data])
    a_new_process()
    rule, queries = loaded_with_queries()
    assert reads_people(queries) and rule.withhold(TEXT) == WITHHELD
    a_new_process()
    assert not reads_people(loaded_with_queries()[1])


def test_inside_a_transaction_the_table_is_built_and_nothing_stored(db, reference_data):
    """A curator's save reads the table inside its transaction: what it sees may be
    rolled back, and is not stored for others."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {public_text_snapshot.TABLE}")
    Person.objects.create(organisation=make_org(slug="group"), name="Awa Traoré")
    a_new_process()
    rule, queries = loaded_with_queries()
    assert reads_people(queries) and rule.withhold("Awa") == "[name withheld]"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {public_text_snapshot.TABLE}")
        assert cursor.fetchone() == (0,)


def test_the_last_store_is_the_one_row(transactional_db):
    public_text_snapshot.store(1, {("awa",): "name"})
    public_text_snapshot.store(2, {("konna",): "place"})
    assert public_text_snapshot.stored(1) is None
    assert public_text_snapshot.stored(2) == {("konna",): "place"}
    assert public_text_version.current() not in (1, 2)  # the stored token is its own


def test_dumps_and_loads_give_the_same_table():
    table = {("awa", "traore"): "name", ("konna",): "place", ("76", "12"): "contact"}
    table[("ségou", "œuvre")] = "name"
    assert public_text_snapshot.loads(public_text_snapshot.dumps(table)) == table
    assert public_text_snapshot.loads(public_text_snapshot.dumps({})) == {}
    for damaged in [b'[["name", ""]]', b'[["name", 7]]', b'[["kind", "awa"]]', b'{"a": 1}']:
        with pytest.raises(ValueError):
            public_text_snapshot.loads(damaged)
