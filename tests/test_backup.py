import copy
import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orgs.models import Citation, FocusArea, Organisation, Partnership, Person, Region, Source

MODELS = [Region, FocusArea, Source, Organisation, Partnership, Person, Citation]


def natural(obj):
    """How a record is known whatever its database id."""
    if obj is None:
        return None
    if isinstance(obj, Partnership):
        return (obj.organisation.slug, obj.relation, obj.partner.slug, obj.programme)
    if isinstance(obj, Person):
        return (obj.organisation.slug, obj.name)
    if isinstance(obj, get_user_model()):
        return obj.get_username()
    return obj.slug


def snapshot():
    """Every field of every record of the directory, ids replaced by natural keys."""
    tables = {}
    for model in MODELS:
        rows = []
        for obj in model.objects.all():
            row = {}
            for field in model._meta.concrete_fields:
                if field.primary_key:
                    continue
                if field.is_relation:
                    row[field.name] = natural(getattr(obj, field.name))
                else:
                    row[field.name] = getattr(obj, field.attname)
            for field in model._meta.many_to_many:
                row[field.name] = sorted(natural(o) for o in getattr(obj, field.name).all())
            rows.append(repr(row))
        tables[model.__name__] = sorted(rows)
    return tables


def export(path):
    call_command("export_directory", str(path), verbosity=0)
    return json.loads(path.read_text(encoding="utf-8"))


def empty_the_database():
    """manage.py flush, as an operator would; on PostgreSQL it needs `transactional_db`."""
    call_command("flush", interactive=False, verbosity=0)


def queries_of_restoring(data, path):
    """The queries `import_directory` runs to restore `data`, written to `path`, into
    the emptied database."""
    path.write_text(json.dumps(data), encoding="utf-8")
    empty_the_database()
    with CaptureQueriesContext(connection) as queries:
        call_command("import_directory", str(path), verbosity=0)
    return queries


def assert_nothing_imported():
    for model in MODELS:
        assert model.objects.count() == 0, model.__name__
    assert not get_user_model().objects.exists()


def test_export_holds_everything_including_drafts_and_hidden_people(directory, tmp_path):
    data = export(tmp_path / "backup.json")
    assert data["format"] == "mali-cso-directory"
    assert data["version"] == 4
    slugs = {o["slug"] for o in data["organisations"]}
    assert slugs == set(Organisation.objects.values_list("slug", flat=True))
    assert {"draft-collective", "archived-forum", "quiet-committee"} <= slugs
    assert "Moussa Kanouté" in {p["name"] for p in data["people"]}
    ajcet = next(o for o in data["organisations"] if o["slug"] == "jeunes-citoyens")
    assert ajcet["checked_by"] == "curator"
    assert ajcet["last_checked"] == "2025-03-01"
    assert ajcet["regions"] == ["mopti", "segou"]
    assert len(data["citations"]) == Citation.objects.count()
    assert len(data["regions"]) == Region.objects.count()


def test_round_trip_gives_identical_data(transactional_db, directory, tmp_path):
    Organisation.objects.filter(slug="jeunes-citoyens").update(
        seeded_values={"name": "AJCET"}, version=4
    )
    before = snapshot()
    first = export(tmp_path / "first.json")
    empty_the_database()
    assert Organisation.objects.count() == 0

    call_command("import_directory", str(tmp_path / "first.json"), verbosity=0)

    assert snapshot() == before
    assert export(tmp_path / "second.json") == first
    assert (tmp_path / "first.json").read_bytes() == (tmp_path / "second.json").read_bytes()
    curator = get_user_model().objects.get(username="curator")
    assert not curator.is_active and not curator.has_usable_password()


CONTACT_FIELDS = [
    "contact_email",
    "contact_email_public",
    "contact_phone",
    "contact_phone_public",
    "contact_address",
    "contact_address_public",
    "social_links",
    "social_links_public",
]


def as_version_1(data):
    """A backup as the code before both-language descriptions wrote it (format version 1)."""
    old = copy.deepcopy(data)
    old["version"] = 1
    for source in old["sources"]:
        del source["language"]
    for collection in ("sources", "organisations"):
        for record in old[collection]:
            record["description"] = record.pop("description_en")
            del record["description_fr"]
    for org in old["organisations"]:
        for name in CONTACT_FIELDS:
            del org[name]
        seeded = org["seeded_values"]
        if "description_en" in seeded:
            seeded["description"] = seeded.pop("description_en")
            seeded.pop("description_fr", None)
    return old


def test_a_version_1_backup_is_read_its_description_as_the_english_one_no_contacts(
    transactional_db, directory, tmp_path
):
    Organisation.objects.filter(slug="jeunes-citoyens").update(
        description_en="Youth work.", seeded_values={"description_en": "Youth work."}
    )
    Source.objects.update(description_en="A report.")
    Organisation.objects.filter(slug="jeunes-citoyens").update(
        contact_email="info@ajcet.example", contact_email_public=True
    )
    data = export(tmp_path / "backup.json")
    path = tmp_path / "version-1.json"
    path.write_text(json.dumps(as_version_1(data)), encoding="utf-8")
    empty_the_database()

    call_command("import_directory", str(path), verbosity=0)

    ajcet = Organisation.objects.get(slug="jeunes-citoyens")
    assert (ajcet.description_en, ajcet.description_fr) == ("Youth work.", "")
    assert ajcet.seeded_values == {"description_en": "Youth work."}
    assert (ajcet.contact_email, ajcet.contact_email_public) == ("", False)  # not in v1
    assert {s.description_en for s in Source.objects.all()} == {"A report."}


def test_a_version_3_backup_reads_each_source_as_an_english_document(
    transactional_db, directory, tmp_path
):
    """Before version 4 a source had no language, and every one loaded was English."""
    assert set(Source.objects.values_list("language", flat=True)) == {"en", "fr"}
    data = export(tmp_path / "backup.json")
    for source in data["sources"]:
        del source["language"]
    data["version"] = 3
    path = tmp_path / "version-3.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    empty_the_database()

    call_command("import_directory", str(path), verbosity=0)

    assert set(Source.objects.values_list("language", flat=True)) == {"en"}
    assert Source.objects.count() == len(data["sources"])


def test_export_file_is_readable_by_its_owner_only(directory, tmp_path):
    export(tmp_path / "backup.json")
    assert (tmp_path / "backup.json").stat().st_mode & 0o777 == 0o600


def test_import_keeps_reference_data_already_loaded(transactional_db, directory, tmp_path):
    """A fresh install may have loaded the regions and focus areas already."""
    before = snapshot()
    export(tmp_path / "backup.json")
    empty_the_database()
    call_command("loaddata", "regions", "focus_areas", verbosity=0)
    call_command("import_directory", str(tmp_path / "backup.json"), verbosity=0)
    assert snapshot() == before


def test_import_takes_the_backups_spelling_over_reference_data_loaded_since(
    transactional_db, directory, tmp_path
):
    """A region renamed by a curator keeps its new name through a restore, even when
    the install loaded the fixture's older spelling first."""
    Region.objects.filter(slug="mopti").update(name_en="Mopti Region")
    export(tmp_path / "backup.json")
    empty_the_database()
    call_command("loaddata", "regions", "focus_areas", verbosity=0)
    assert Region.objects.get(slug="mopti").name_en != "Mopti Region"  # the fixture's
    call_command("import_directory", str(tmp_path / "backup.json"), verbosity=0)
    assert Region.objects.get(slug="mopti").name_en == "Mopti Region"


def test_import_makes_organisations_searchable(transactional_db, directory, tmp_path):
    export(tmp_path / "backup.json")
    empty_the_database()
    call_command("import_directory", str(tmp_path / "backup.json"), verbosity=0)
    assert list(Organisation.objects.search("citoyennete").values_list("slug", flat=True)) == [
        "jeunes-citoyens"
    ]


def test_import_refuses_a_database_that_has_organisations(directory, tmp_path):
    export(tmp_path / "backup.json")
    before = snapshot()
    with pytest.raises(CommandError, match="empty"):
        call_command("import_directory", str(tmp_path / "backup.json"), verbosity=0)
    assert snapshot() == before


def test_dry_run_writes_nothing(transactional_db, directory, tmp_path):
    export(tmp_path / "backup.json")
    empty_the_database()
    call_command("import_directory", str(tmp_path / "backup.json"), "--dry-run", verbosity=0)
    assert_nothing_imported()


def test_import_of_a_file_that_is_not_json_says_so(db, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"format": "mali-cso-directory", "version": 1,', encoding="utf-8")
    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("import_directory", str(path))
    path.write_text("[]", encoding="utf-8")
    with pytest.raises(CommandError, match="does not hold a JSON object"):
        call_command("import_directory", str(path))
    with pytest.raises(CommandError, match="cannot be read"):
        call_command("import_directory", str(tmp_path / "missing.json"))


def drop(key):
    def damage(data):
        del data[key]

    return damage


def setter(collection, index, key, value):
    def damage(data):
        data[collection][index][key] = value

    return damage


DAMAGES = {
    "wrong version": (lambda d: d.update(version=99), "version 99"),
    "wrong format": (lambda d: d.update(format="something"), "not a directory backup"),
    "missing collection": (drop("people"), "people"),
    "collection not a list": (lambda d: d.update(sources={}), "sources: expected a list"),
    "missing field": (
        lambda d: d["organisations"][0].pop("kind"),
        'organisations[0]: missing required key "kind"',
    ),
    "source without its language": (
        lambda d: d["sources"][0].pop("language"),
        'sources[0]: missing required key "language"',
    ),
    "unknown field": (lambda d: d["people"][0].update(age=40), 'people[0]: unknown key "age"'),
    "founded as text": (setter("organisations", 0, "founded", "1990"), "founded"),
    "boolean as number": (setter("people", 0, "is_public", 1), "is_public"),
    "unknown kind": (setter("organisations", 0, "kind", "cult"), "kind"),
    "bad date": (setter("organisations", 0, "last_checked", "yesterday"), "last_checked"),
    "bad slug": (setter("sources", 0, "slug", "not a slug!"), "slug"),
    "dangling region": (setter("organisations", 0, "hq_region", "atlantis"), "atlantis"),
    "dangling region of work": (
        lambda d: d["organisations"][0]["regions"].append("atlantis"),
        "atlantis",
    ),
    "dangling partner": (setter("partnerships", 0, "partner", "nobody"), "nobody"),
    "dangling source": (setter("citations", 0, "source", "lost-report"), "lost-report"),
    "dangling person": (
        lambda d: next(c for c in d["citations"] if c["person"]).update(
            person=["jeunes-citoyens", "X"]
        ),
        "person",
    ),
    "unhashable reference": (setter("citations", 0, "partnership", [{}]), "partnership"),
    "duplicate organisation": (
        lambda d: d["organisations"].append(
            copy.deepcopy(next(o for o in d["organisations"] if o["slug"] == "jeunes-citoyens"))
        ),
        'duplicate slug "jeunes-citoyens" (also organisations[',
    ),
    "citation without its subject": (
        lambda d: next(c for c in d["citations"] if c["region"]).update(region=None),
        "a region citation needs its region",
    ),
}


@pytest.mark.parametrize("damage", DAMAGES)
def test_damaged_file_stops_with_a_clear_message_and_writes_nothing(
    transactional_db, directory, tmp_path, damage
):
    data = export(tmp_path / "backup.json")
    empty_the_database()
    damage_it, expected = DAMAGES[damage]
    damage_it(data)
    path = tmp_path / "damaged.json"
    path.write_text(json.dumps(data), encoding="utf-8")

    with pytest.raises(CommandError) as error:
        call_command("import_directory", str(path), verbosity=0)

    assert expected in str(error.value)
    assert str(path) in str(error.value)
    assert_nothing_imported()


def test_export_lists_every_collection_in_natural_key_order(directory, tmp_path):
    """Whatever order the rows were written in, so that two exports of the same data
    are the same file. The rows added here come after rows they sort before."""
    ajcet, usip = directory["jeunes-citoyens"], directory["peace-institute"]
    for partner, programme in [(usip, "Youth fund"), (usip, "Civic fund")]:
        Partnership.objects.create(
            organisation=ajcet, relation="funded_by", partner=partner, programme=programme
        )
    Partnership.objects.create(
        organisation=ajcet,
        relation="funded_by",
        partner=directory["archived"],
        programme="Zeta fund",
    )
    Person.objects.create(organisation=ajcet, name="Adama First")
    Source.objects.create(
        language="en", slug="a-first-source", publisher="P", title="T", date="2019"
    )
    data = export(tmp_path / "backup.json")

    def keys(collection, *names):
        return [tuple(record[name] for name in names) for record in data[collection]]

    assert keys("partnerships", "organisation", "relation", "partner", "programme") == sorted(
        (p.organisation.slug, p.relation, p.partner.slug, p.programme)
        for p in Partnership.objects.all()
    )
    assert keys("people", "organisation", "name") == sorted(
        (p.organisation.slug, p.name) for p in Person.objects.all()
    )
    by_org_then_id = sorted(Citation.objects.all(), key=lambda c: (c.organisation.slug, c.pk))
    assert keys("citations", "organisation", "fact", "quote") == [
        (c.organisation.slug, c.fact, c.quote) for c in by_org_then_id
    ]
    for collection, model in [
        ("regions", Region),
        ("focus_areas", FocusArea),
        ("sources", Source),
        ("organisations", Organisation),
    ]:
        assert keys(collection, "slug") == sorted((o.slug,) for o in model.objects.all())


def test_export_reads_the_directory_in_a_fixed_number_of_queries(
    directory, tmp_path, django_assert_max_num_queries
):
    """Each citation's organisation, source and subjects come with it, not one query
    per citation: the directory world has citations of every kind of subject."""
    assert Citation.objects.filter(partnership__isnull=False).exists()
    assert Citation.objects.filter(person__isnull=False).exists()
    # Regions, focus areas, sources, organisations (and their regions and focus
    # areas), partnerships, people, citations.
    with django_assert_max_num_queries(9):
        data = export(tmp_path / "backup.json")
    assert len(data["citations"]) == Citation.objects.count()


def test_import_costs_no_more_queries_for_more_partnerships_and_people(
    transactional_db, directory, tmp_path
):
    """Citations find their partnership and person among the rows just written, read
    once with their organisations, not one query per partnership or person."""
    data = export(tmp_path / "backup.json")
    as_exported = queries_of_restoring(data, tmp_path / "backup.json")
    drafts = [o["slug"] for o in data["organisations"] if o["status"] == "draft"]
    data["people"] += [
        {**data["people"][0], "organisation": drafts[0], "name": f"Member {i}"} for i in range(5)
    ]
    data["partnerships"] += [
        {
            **data["partnerships"][0],
            "organisation": drafts[0],
            "partner": drafts[1],
            "programme": f"Programme {i}",
        }
        for i in range(5)
    ]

    larger = queries_of_restoring(data, tmp_path / "larger.json")

    assert Person.objects.filter(name__startswith="Member").count() == 5
    assert Partnership.objects.filter(programme__startswith="Programme").count() == 5
    assert len(larger) == len(as_exported)


def test_import_says_what_it_restored(transactional_db, directory, tmp_path):
    counts = {model: model.objects.count() for model in MODELS}
    export(tmp_path / "backup.json")
    empty_the_database()
    out = io.StringIO()
    call_command("import_directory", str(tmp_path / "backup.json"), stdout=out)
    assert out.getvalue().splitlines() == [
        f"Imported {counts[Region]} regions, {counts[FocusArea]} focus areas, "
        f"{counts[Source]} sources, {counts[Organisation]} organisations, "
        f"{counts[Partnership]} partnerships, {counts[Person]} people, "
        f"{counts[Citation]} citations from {tmp_path / 'backup.json'}.",
        "Created inactive accounts, without passwords, for curators named in the file: curator.",
    ]


def test_import_puts_the_dates_back_in_statements_of_at_most_500_organisations(
    transactional_db, directory, tmp_path
):
    """One UPDATE with a CASE branch per organisation costs each row a walk through
    every branch: a large directory's dates are restored in batches."""
    data = export(tmp_path / "backup.json")
    draft = next(o for o in data["organisations"] if o["slug"] == "draft-collective")
    data["organisations"] += [
        {
            **draft,
            "slug": f"draft-{i}",
            "name": f"Draft {i}",
            "created": f"2020-01-01T00:00:{i % 60:02}+00:00",
        }
        for i in range(501)
    ]

    queries = queries_of_restoring(data, tmp_path / "large.json")

    date_updates = [
        q["sql"]
        for q in queries
        if q["sql"].startswith('UPDATE "orgs_organisation" SET "created"')
    ]
    per_statement = [sql.count("WHEN") // 2 for sql in date_updates]  # created and updated
    assert sum(per_statement) == len(data["organisations"])
    assert max(per_statement) <= 500
    restored = Organisation.objects.get(slug="draft-7")
    assert restored.created.isoformat() == "2020-01-01T00:00:07+00:00"
