"""The token that keys the table of withheld terms (orgs.public_text_version): it moves
when anything the withholding rule reads changes, and only then."""

import pytest
from django.db import connection

from orgs import public_text, public_text_version
from orgs.models import Organisation, Person, Region

from .conftest import make_org


def changes(action):
    before = public_text_version.current()
    action()
    return public_text_version.current() != before


@pytest.fixture
def org(reference_data):
    return make_org(description_en="Radio clubs.", hq_town="Sévaré")


@pytest.mark.parametrize(
    "update",
    [
        {"status": "draft"},
        {"sensitive": True},
        {"hq_town": "Mopti"},
        {"contact_email": "a@example.org"},
        {"contact_email_public": True},
        {"contact_phone": "+223 76 12 34 56"},
        {"social_links": "https://example.org/page"},
    ],
)
def test_every_column_the_rule_reads_changes_the_token(org, update):
    assert changes(lambda: Organisation.objects.filter(pk=org.pk).update(**update))


def test_people_and_regions_change_the_token(org):
    assert changes(lambda: Person.objects.create(organisation=org, name="Hidden Hawa"))
    assert changes(lambda: Person.objects.filter(organisation=org).update(is_public=True))
    assert changes(lambda: Region.objects.filter(slug="mopti").update(name_en="Mopti region"))
    assert changes(lambda: Person.objects.filter(organisation=org).delete())
    assert changes(lambda: Organisation.objects.filter(pk=org.pk).delete())


def test_a_save_that_changes_none_of_them_keeps_the_token_and_the_table(org):
    """Django's save() writes every column: the token compares the values."""
    table = public_text.current()
    org.description_en = "Radio clubs for farmers."
    assert not changes(org.save)
    assert not changes(lambda: Organisation.objects.filter(pk=org.pk).update(status="published"))
    assert public_text.current() is table
    org.sensitive = True  # positive control: the same save, one value the rule reads
    assert changes(org.save)
    assert public_text.current() is not table


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite remakes tables")
def test_a_trigger_put_back_after_migrate_compares_the_values_as_before(org):
    """A SQLite table remake drops the triggers; the one after_migrate puts back still
    moves the token only when a value the rule reads changes."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER {public_text_version.TABLE}_orgs_organisation_update")
    public_text_version.after_migrate()
    org.description_en = "Radio clubs for farmers."
    assert not changes(org.save)
    assert changes(lambda: Organisation.objects.filter(pk=org.pk).update(hq_town="Mopti"))
    assert changes(lambda: Organisation.objects.filter(pk=org.pk).update(social_links_public=True))


def test_a_person_moves_the_token_only_by_what_the_rule_reads(org):
    """A person's name, visibility and organisation; not a role, nor the save itself
    (which bumps the record's version)."""
    person = Person.objects.create(organisation=org, name="Hidden Hawa")
    person.role = "Coordinator"
    assert not changes(person.save)
    person.name = "Hidden Hawa Keita"
    assert changes(person.save)
    person.is_public = True
    assert changes(person.save)
    person.organisation = make_org(slug="other")
    assert changes(person.save)
