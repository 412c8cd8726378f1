import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from orgs import statistics
from orgs.models import Citation, Partnership, Person, Region, Source, last_holders

from .conftest import cite, make_org, make_orgs_in_bulk, rename


@pytest.mark.django_db
def test_founded_year_must_be_plausible():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_org(founded=1200)


@pytest.mark.django_db
def test_organisation_cannot_partner_with_itself():
    org = make_org()
    with pytest.raises(IntegrityError), transaction.atomic():
        Partnership.objects.create(organisation=org, partner=org, relation="partner_of")


@pytest.mark.django_db
def test_region_citation_must_name_its_region(reference_data):
    org = make_org()
    source = Source.objects.create(language="en", slug="s", publisher="P", title="T")
    with pytest.raises(IntegrityError), transaction.atomic():
        Citation.objects.create(
            organisation=org, source=source, fact="region", locator="p. 1", quote="q"
        )
    Citation.objects.create(
        organisation=org,
        source=source,
        fact="region",
        region=Region.objects.get(slug="mopti"),
        locator="p. 1",
        quote="q",
    )


@pytest.mark.django_db
def test_citation_quote_cannot_be_empty():
    org = make_org()
    source = Source.objects.create(language="en", slug="s", publisher="P", title="T")
    with pytest.raises(IntegrityError), transaction.atomic():
        Citation.objects.create(
            organisation=org, source=source, fact="existence", locator="p. 1", quote=""
        )


def errors(record, field):
    """The messages full_clean (what the admin runs) gives for one field."""
    with pytest.raises(ValidationError) as refused:
        record.full_clean()
    return refused.value.message_dict[field]


@pytest.mark.django_db
def test_a_source_is_dated_by_a_real_year_month_or_day():
    source = Source(language="en", slug="s", publisher="P", title="T")
    for date in ["2018", "2018-05", "2018-05-08", ""]:
        source.date = date
        source.full_clean()
    source.date = "2018-02-30"
    assert errors(source, "date") == ["2018-02-30 is not a real date."]
    source.date = "May 2018"
    assert errors(source, "date") == ["Give a date as 2018, 2018-05 or 2018-05-08."]


def test_a_regions_other_spellings_are_a_list_of_short_texts(reference_data):
    region = Region.objects.get(slug="tombouctou")
    for aliases in [["Timbuktu", "T"], ["x" * 80]]:
        region.aliases = aliases
        region.full_clean()
    refusal = ["Give a list of spellings, each a text of 1 to 80 characters."]
    for aliases in ["Timbuktu", [""], ["  "], ["x" * 81], [5], ["Tim\x00buktu"]]:
        region.aliases = aliases
        assert errors(region, "aliases") == refusal, aliases


def test_hidden_people_are_everyone_the_public_may_not_see(directory):
    people = set(Person.objects.values_list("pk", flat=True))
    public = set(Person.objects.public().values_list("pk", flat=True))
    hidden = set(Person.objects.hidden().values_list("pk", flat=True))
    assert public and hidden  # the world has both
    assert hidden == people - public


@pytest.mark.django_db
def test_last_holders_answers_for_the_slugs_asked_only():
    """load_seeds holds back every slug it gets back that no organisation holds now: a
    slug of another organisation's past, not in the seeds, must not be among them."""
    asked = rename(make_org(slug="old-name"), "new-name")
    other = rename(make_org(slug="other-old-name"), "other-new-name")

    assert last_holders(["old-name"]) == {"old-name": asked.pk}
    assert last_holders(["old-name", "other-old-name"]) == {
        "old-name": asked.pk,
        "other-old-name": other.pk,
    }


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner, misled")
def test_deleted_peoples_citations_are_read_through_the_index_of_cited_people(db):
    """Most citations have no person. A full index of the column counted the empty ones
    as one value shared by half the rows here (nearly all in a real directory), and
    SQLite, so told that three people's citations were more than the table, read it
    all in organisation order to delete them (0.65 s at 300,000 citations); the index
    of the rows that name one is used."""
    orgs = make_orgs_in_bulk([(f"Org {i}", f"org-{i}") for i in range(300)])
    source = cite(orgs[0]).source
    Citation.objects.bulk_create(
        Citation(organisation=org, source=source, fact="existence", locator="p. 1", quote="q")
        for org in orgs
        for _ in range(3)
    )
    people = Person.objects.bulk_create(
        Person(organisation=orgs[0], name=name) for name in ("Awa Traore", "Ali Ba", "Kola Togo")
    )
    cite(orgs[0], "person", source=source, person=people[0])
    statistics.refresh()
    with CaptureQueriesContext(connection) as queries:
        Person.objects.filter(organisation=orgs[0]).delete()
    (read,) = [q["sql"] for q in queries if q["sql"].startswith('SELECT "orgs_citation"."id"')]
    assert '"orgs_citation"."person_id" IN' in read
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {read}")
        plan = " ".join(row[-1] for row in cursor.fetchall())
    assert plan.startswith("SEARCH orgs_citation USING INDEX citation_person"), plan
    assert not Citation.objects.filter(fact="person").exists()
