"""`manage.py load_seeds`: seed files in a temporary SEEDS_DIR, loaded into the real database."""

import json
import locale
import sys
import tomllib
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import translation

from orgs.models import Citation, FocusArea, Organisation, Partnership, Person, Region, Source

from .conftest import rename

pytestmark = pytest.mark.django_db

MODELS = [Source, Organisation, Person, Partnership, Citation]


# --- Builders ----------------------------------------------------------------------------


def toml(value):
    """A Python value as TOML (tables inline: enough for seed files)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(toml(v) for v in value) + "]"
    return "{" + ", ".join(f"{k} = {toml(v)}" for k, v in value.items()) + "}"


def cite(quote="A verbatim sentence.", locator="p. 1"):
    return {"locator": locator, "quote": quote}


def org(slug, **fields):
    """An organisation entry with a name, a kind and its existence citation."""
    entry = {
        "slug": slug,
        "name": f"Association {slug}",
        "kind": "local_association",
        "existence": cite(f"{slug} works here."),
    }
    entry.update(fields)
    return {key: value for key, value in entry.items() if value is not None}


def partnership(organisation, relation, partner, **fields):
    entry = {"organisation": organisation, "relation": relation, "partner": partner}
    entry.update(cite(f"{organisation} {relation} {partner}."))
    entry.update(fields)
    return {key: value for key, value in entry.items() if value is not None}


def write_seed(seeds_dir, name, source, organisations=(), partnerships=(), **source_fields):
    """Write seeds_dir/name: a [source] table, then the organisations and partnerships."""
    source_table = {
        "slug": source,
        "publisher": "Peace Direct",
        "title": f"Report {source}",
        "language": "en",
    }
    source_table.update(source_fields)
    lines = ["[source]", *(f"{k} = {toml(v)}" for k, v in source_table.items())]
    for key, entries in (("organisations", organisations), ("partnerships", partnerships)):
        for entry in entries:
            lines += ["", f"[[{key}]]", *(f"{k} = {toml(v)}" for k, v in entry.items())]
    (seeds_dir / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def load(*args, verbosity=1):
    out = StringIO()
    call_command("load_seeds", *args, stdout=out, verbosity=verbosity)
    return out.getvalue()


def load_error(*args):
    with translation.override("en"), pytest.raises(CommandError) as excinfo:
        load(*args)
    return str(excinfo.value)


def snapshot():
    """Row counts of every seeded model and of its history."""
    counts = {model.__name__: model.objects.count() for model in MODELS}
    counts |= {f"history {m.__name__}": m.history.count() for m in MODELS}
    return counts


def empty_seeds_dir(tmp_path, settings):
    seeds_dir = tmp_path / "seeds"
    seeds_dir.mkdir()
    settings.SEEDS_DIR = seeds_dir
    return seeds_dir


@pytest.fixture
def seeds_dir(reference_data, tmp_path, settings):
    """An empty SEEDS_DIR, over a database that has its regions and focus areas, as
    after any first load. Restored, not loaded: creating them costs each load a fifth
    of a second, and is tested from an empty database (`bare_seeds_dir`)."""
    return empty_seeds_dir(tmp_path, settings)


@pytest.fixture
def bare_seeds_dir(tmp_path, settings):
    """An empty SEEDS_DIR, over a database with no rows at all."""
    return empty_seeds_dir(tmp_path, settings)


def base_seed(seeds_dir, **overrides):
    """A first file: AJCET (funded by USIP) and USIP, with every kind of fact."""
    ajcet = org(
        "ajcet",
        name="AJCET",
        name_original="Association des jeunes pour la citoyenneté",
        description_en="Youth civic education.",
        founded={"year": 2010, **cite("It was founded in 2010.")},
        headquarters={"region": "tombouctou", "town": "Timbuktu", **cite("Based in Timbuktu.")},
        regions=[{"region": "tombouctou", **cite("Works in Timbuktu.")}],
        focus=[{"focus": "peacebuilding", **cite("Mediates between groups.")}],
        people=[{"name": "Jane Doe", "role": "Director", **cite("Jane Doe leads AJCET.")}],
    )
    ajcet.update(overrides)
    write_seed(
        seeds_dir,
        "001-base.toml",
        "base-doc",
        organisations=[ajcet, org("usip", name="USIP", kind="donor")],
        partnerships=[partnership("ajcet", "funded_by", "usip", start=2017, end=2018)],
    )


# --- Loading -----------------------------------------------------------------------------


def test_load_creates_every_record_with_its_citations(seeds_dir):
    base_seed(seeds_dir)
    out = load()

    ajcet = Organisation.objects.get(slug="ajcet")
    assert ajcet.name == "AJCET"
    assert ajcet.name_original == "Association des jeunes pour la citoyenneté"
    assert ajcet.kind == "local_association"
    assert ajcet.founded == 2010
    assert (ajcet.hq_region.slug, ajcet.hq_town) == ("tombouctou", "Timbuktu")
    assert [r.slug for r in ajcet.regions.all()] == ["tombouctou"]
    assert [f.slug for f in ajcet.focus_areas.all()] == ["peacebuilding"]
    assert ajcet.status == Organisation.Status.PUBLISHED
    assert ajcet.verification == Organisation.Verification.PUBLIC_SOURCES
    assert "ajcet" in ajcet.search_text
    facts = sorted(ajcet.citations.values_list("fact", flat=True))
    assert facts == [
        "existence",
        "focus",
        "founded",
        "headquarters",
        "partnership",
        "person",
        "region",
    ]
    region_citation = ajcet.citations.get(fact="region")
    assert region_citation.region.slug == "tombouctou"
    assert region_citation.quote == "Works in Timbuktu."
    assert region_citation.source.slug == "base-doc"
    assert Source.objects.get(slug="base-doc").publisher == "Peace Direct"
    assert "created" in out and "0 conflicts" in out


def test_load_also_loads_the_reference_fixtures(bare_seeds_dir):
    assert Region.objects.count() == 0
    out = load(verbosity=2)
    assert Region.objects.filter(slug="tombouctou").exists()
    assert "region tombouctou: created (regions.json)" in out
    # Rows keep their fixture's ids, and what a curator adds next takes a free one
    # (on PostgreSQL, the id sequences are moved past the ids the fixtures gave).
    Region.objects.create(slug="new-region", name="New region", zone="north")
    FocusArea.objects.create(slug="new-area", label_en="New area", label_fr="Nouveau domaine")


def test_a_fixture_row_a_curator_changed_is_restored_and_its_version_moves_on(seeds_dir):
    load()
    gao = Region.objects.get(slug="gao")
    fixture, version = (gao.name, gao.pcode), gao.version
    gao.name = "Gao (edited)"
    gao.save()
    gao.pcode = "ML99"
    gao.save()

    out = load(verbosity=2)

    gao.refresh_from_db()
    assert (gao.name, gao.pcode, gao.version) == (*fixture, version + 3)
    assert [line for line in out.splitlines() if "updated" in line] == [
        "region gao: updated (name, pcode)",
        "0 seed files loaded: 0 created, 1 updated, "
        f"{Region.objects.count() + FocusArea.objects.count() - 1} unchanged, 0 conflicts.",
    ]


def test_a_fixture_row_whose_id_a_curator_took_is_created_under_another(bare_seeds_dir):
    regions = json.loads((settings.FIXTURE_DIRS[0] / "regions.json").read_text("utf-8"))
    gao = next(row for row in regions if row["fields"]["slug"] == "gao")
    fields = {**gao["fields"], "slug": "curators-region", "name": "A curator's region"}
    Region.objects.create(pk=gao["pk"], **{k: v for k, v in fields.items() if k != "parent"})

    out = load(verbosity=2)

    assert "region gao: created (regions.json)" in out.splitlines()
    assert Region.objects.get(pk=gao["pk"]).name == "A curator's region"
    assert Region.objects.get(slug="gao").name == gao["fields"]["name"]
    # Every other row keeps its fixture's id, none overwritten by the one moved.
    loaded = dict(Region.objects.values_list("slug", "pk"))
    assert {row["fields"]["slug"]: row["pk"] for row in regions if row is not gao} == {
        slug: pk for slug, pk in loaded.items() if slug not in ("gao", "curators-region")
    }
    # And a curator can add another (PostgreSQL's sequence is past every id used).
    Region.objects.create(slug="new-region", name="New region", zone=gao["fields"]["zone"])


def test_a_missing_fixture_stops_the_load_and_says_where_it_was_looked_for(
    seeds_dir, settings, tmp_path
):
    settings.FIXTURE_DIRS = [tmp_path / "nowhere"]
    assert load_error().splitlines()[1:] == [
        f"fixture regions.json is in none of {settings.FIXTURE_DIRS}"
    ]


def test_load_reads_the_fixtures_as_utf8_whatever_the_servers_locale(seeds_dir):
    """A server whose locale is plain C (ASCII, as when nothing sets it and Python is
    told not to coerce it) still reads Ségou from the fixtures."""
    if sys.flags.utf8_mode:
        pytest.skip("Python's UTF-8 mode ignores the locale")
    before = locale.setlocale(locale.LC_CTYPE)
    locale.setlocale(locale.LC_CTYPE, "C")
    try:
        assert locale.getpreferredencoding(False) != "UTF-8"  # the locale is really ASCII
        load()
    finally:
        locale.setlocale(locale.LC_CTYPE, before)
    assert Region.objects.get(slug="segou").name == "Ségou"


def test_person_is_hidden_unless_a_seed_file_says_public(seeds_dir):
    base_seed(seeds_dir)
    write_seed(
        seeds_dir,
        "002-more.toml",
        "more-doc",
        organisations=[
            org(
                "ajcet",
                name=None,
                people=[{"name": "Ali Maiga", "public": True, **cite("Ali Maiga.")}],
            )
        ],
    )
    load()
    assert Person.objects.get(name="Jane Doe").is_public is False
    assert Person.objects.get(name="Ali Maiga").is_public is True
    assert [p.name for p in Person.objects.public()] == ["Ali Maiga"]
    assert Citation.objects.get(fact="person", person__name="Jane Doe").quote == (
        "Jane Doe leads AJCET."
    )


def test_partnership_keeps_its_direction_and_cites_on_the_organisation(seeds_dir):
    base_seed(seeds_dir)
    load()
    link = Partnership.objects.get()
    assert (link.organisation.slug, link.relation, link.partner.slug) == (
        "ajcet",
        "funded_by",
        "usip",
    )
    assert (link.start_year, link.end_year) == (2017, 2018)
    citation = Citation.objects.get(fact="partnership")
    assert citation.partnership == link
    assert citation.organisation.slug == "ajcet"


def test_partnership_citation_goes_to_the_partner_when_cite_on_says_so(seeds_dir):
    write_seed(
        seeds_dir,
        "001-a.toml",
        "doc-a",
        organisations=[org("cordaid", kind="international_ngo"), org("jfa", kind="consortium")],
        partnerships=[partnership("cordaid", "leads", "jfa", cite_on="jfa")],
    )
    load()
    citation = Citation.objects.get(fact="partnership")
    assert citation.organisation.slug == "jfa"
    assert citation.partnership.organisation.slug == "cordaid"


def test_partnership_may_name_an_organisation_already_in_the_database(seeds_dir):
    Organisation.objects.create(slug="wanep", name="WANEP", kind="network")
    write_seed(
        seeds_dir,
        "001-a.toml",
        "doc-a",
        organisations=[org("wanep-mali")],
        partnerships=[partnership("wanep-mali", "member_of", "wanep")],
    )
    load()
    assert Partnership.objects.get().partner.slug == "wanep"


def test_source_document_key_is_accepted(seeds_dir):
    write_seed(
        seeds_dir, "001-a.toml", "doc-a", [org("ajcet")], document="002_8cbac881074c6eb1.txt"
    )
    load()
    assert Source.objects.filter(slug="doc-a").exists()


def test_organisation_in_two_files_is_one_record_with_a_citation_from_each(seeds_dir):
    base_seed(seeds_dir)
    write_seed(
        seeds_dir,
        "002-second.toml",
        "second-doc",
        organisations=[
            org(
                "ajcet",
                name=None,
                kind=None,
                acronym="AJCET",
                existence=cite("AJCET took part."),
                regions=[
                    {"region": "tombouctou", **cite("In Tombouctou again.")},
                    {"region": "mopti", **cite("Also in Mopti.")},
                ],
            )
        ],
    )
    load()
    ajcet = Organisation.objects.get(slug="ajcet")
    assert Organisation.objects.filter(slug="ajcet").count() == 1
    assert ajcet.acronym == "AJCET" and ajcet.name == "AJCET"
    assert sorted(r.slug for r in ajcet.regions.all()) == ["mopti", "tombouctou"]
    existence = ajcet.citations.filter(fact="existence").order_by("source__slug")
    assert [c.source.slug for c in existence] == ["base-doc", "second-doc"]
    tombouctou = ajcet.citations.filter(fact="region", region__slug="tombouctou")
    assert sorted(c.quote for c in tombouctou) == ["In Tombouctou again.", "Works in Timbuktu."]


def test_partnership_in_two_files_is_one_record_with_a_citation_from_each(seeds_dir):
    base_seed(seeds_dir)  # ajcet funded_by usip, 2017 to 2018
    write_seed(
        seeds_dir,
        "002-second.toml",
        "second-doc",
        partnerships=[partnership("ajcet", "funded_by", "usip", start=2017)],
    )
    load()
    funded = Partnership.objects.get()
    assert (funded.start_year, funded.end_year) == (2017, 2018)
    cited_by = funded.citations.values_list("source__slug", flat=True)
    assert sorted(cited_by) == ["base-doc", "second-doc"]
    # The organisation's own citations name only the file that gives the organisation.
    existence = Citation.objects.get(fact="existence", organisation__slug="ajcet")
    assert existence.history.get().history_change_reason == "load_seeds: 001-base.toml"


def test_history_records_the_change_and_the_seed_file(seeds_dir):
    base_seed(seeds_dir)
    load()
    ajcet = Organisation.objects.get(slug="ajcet")
    created = ajcet.history.get()  # one row per load, not one per many-to-many change
    assert created.history_type == "+"
    assert created.history_change_reason == "load_seeds: 001-base.toml"
    assert "ajcet" in created.search_text  # the row as the load left it, searchable
    assert [r.region.slug for r in created.regions.all()] == ["tombouctou"]

    base_seed(seeds_dir, description_en="Civic education for young people.")
    load()
    latest = ajcet.history.filter(description_en="Civic education for young people.").first()
    assert latest.history_change_reason == "load_seeds: 001-base.toml"
    assert latest.history_type == "~"


def test_each_citation_is_reported_and_its_history_names_its_seed_file(seeds_dir):
    base_seed(seeds_dir)
    out = load(verbosity=2)
    assert "citation existence of ajcet from base-doc: created" in out.splitlines()
    founded = Citation.objects.get(fact="founded")
    assert (founded.locator, founded.quote) == ("p. 1", "It was founded in 2010.")
    assert founded.history.get().history_change_reason == "load_seeds: 001-base.toml"

    base_seed(seeds_dir, founded={"year": 2010, **cite("Founded in 2010, it says.", "p. 9")})
    out = load(verbosity=2)

    assert "citation founded of ajcet from base-doc: updated (locator, quote)" in out
    assert "0 created, 1 updated" in out
    founded.refresh_from_db()
    assert (founded.locator, founded.quote) == ("p. 9", "Founded in 2010, it says.")
    assert founded.history.first().history_change_reason == "load_seeds: 001-base.toml"


def test_citations_from_a_curators_own_source_are_the_curators(seeds_dir):
    """A curator's citation deleted, and a seed citation moved to the curator's source:
    the seeds' citation is written again from the seeds' source, as nothing deleted it."""
    base_seed(seeds_dir)
    load()
    ajcet = Organisation.objects.get(slug="ajcet")
    registry = Source.objects.create(language="en", slug="registry", publisher="Mali", title="R")
    Citation.objects.create(
        organisation=ajcet, source=registry, fact="founded", locator="entry 12", quote="2010."
    ).delete()
    moved = Citation.objects.get(fact="existence", organisation=ajcet)
    moved.source = registry
    moved.save()

    out = load(verbosity=2)

    assert "citation existence of ajcet from base-doc: created" in out.splitlines()
    existence = ajcet.citations.filter(fact="existence")
    assert sorted(existence.values_list("source__slug", flat=True)) == ["base-doc", "registry"]
    assert ajcet.citations.filter(fact="founded").count() == 1
    assert "0 conflicts" in out


def test_each_record_created_is_reported_and_recorded_with_every_file_that_gives_it(seeds_dir):
    base_seed(seeds_dir)
    jane = {"name": "Jane Doe", "role": "Director", **cite("Jane Doe, again.")}
    write_seed(
        seeds_dir, "002-second.toml", "second-doc", [org("ajcet", name=None, people=[jane])]
    )

    out = load(verbosity=2)

    both = "seeds/001-base.toml, seeds/002-second.toml"
    assert f"organisation ajcet: created ({both})" in out.splitlines()
    assert f"person ajcet Jane Doe: created ({both})" in out.splitlines()
    assert "partnership ajcet funded_by usip: created (seeds/001-base.toml)" in out.splitlines()
    reason = "load_seeds: 001-base.toml, 002-second.toml"
    assert Person.objects.get().history.get().history_change_reason == reason
    assert Organisation.objects.get(slug="ajcet").history.get().history_change_reason == reason


def test_the_history_signal_of_a_load_reaches_receivers_as_a_save_sends_it(seeds_dir):
    """One post_save per organisation records its history once the load has written it:
    a receiver of post_save (simple-history's, search's, any other) gets it with the
    arguments of a real save, as it gets the save the load made without history."""
    from django.db.models.signals import post_save

    received = []

    def receiver(sender, instance, **kwargs):
        arguments = ("created", "raw", "using", "update_fields")
        received.append((instance.slug, *(kwargs[name] for name in arguments)))

    post_save.connect(receiver, sender=Organisation, dispatch_uid="test_load_seeds")
    try:
        base_seed(seeds_dir)
        load()
    finally:
        post_save.disconnect(sender=Organisation, dispatch_uid="test_load_seeds")
    saved = [(slug, True, False, "default", None) for slug in ("ajcet", "usip")]
    assert received == saved * 2  # the saves without history, then the history


def test_a_source_is_reported_and_recorded_with_the_file_that_gives_it(seeds_dir):
    base_seed(seeds_dir)
    out = load(verbosity=2)
    assert "source base-doc: created (seeds/001-base.toml)" in out.splitlines()
    source = Source.objects.get(slug="base-doc")
    assert source.history.get().history_change_reason == "load_seeds: 001-base.toml"

    path = seeds_dir / "001-base.toml"
    text = path.read_text().replace('"Report base-doc"', '"Report, revised"')
    path.write_text(text.replace('"Peace Direct"', '"Peace Direct Mali"'))
    out = load(verbosity=2)

    assert "source base-doc: updated (publisher, title)" in out.splitlines()
    source.refresh_from_db()
    assert (source.publisher, source.title) == ("Peace Direct Mali", "Report, revised")
    assert source.history.first().history_change_reason == "load_seeds: 001-base.toml"


def test_a_history_reason_too_long_for_its_column_is_cut_with_an_ellipsis(seeds_dir):
    """simple-history keeps 100 characters: a reason of 100 is kept whole, 101 is cut."""
    fits = "a" * 83 + ".toml"  # "load_seeds: " and 88 characters
    write_seed(seeds_dir, fits, "fits", [org("one")])
    write_seed(seeds_dir, "b" + fits, "cut", [org("two")])
    load()
    fitting = Source.objects.get(slug="fits").history.get().history_change_reason
    assert fitting == f"load_seeds: {fits}"
    assert len(fitting) == 100
    cut = Source.objects.get(slug="cut").history.get().history_change_reason
    assert cut == f"load_seeds: b{fits}"[:99] + "…"


def test_history_names_every_file_that_gives_the_organisation(seeds_dir):
    """Its person is in the first file only; the second file still counts."""
    base_seed(seeds_dir)
    write_seed(seeds_dir, "002-second.toml", "second-doc", [org("ajcet", name=None, acronym="A")])
    load()
    created = Organisation.objects.get(slug="ajcet").history.get()
    assert created.history_change_reason == "load_seeds: 001-base.toml, 002-second.toml"


# --- Idempotence and dry runs -------------------------------------------------------------


def test_second_run_changes_nothing_and_says_unchanged(seeds_dir):
    base_seed(seeds_dir)
    write_seed(
        seeds_dir, "002-second.toml", "second-doc", [org("ajcet", name=None, acronym="AJCET")]
    )
    load()
    before = snapshot()
    updated = Organisation.objects.get(slug="ajcet").updated

    out = load(verbosity=2)

    assert snapshot() == before
    assert Organisation.objects.get(slug="ajcet").updated == updated
    # Nothing listed, and every row the files and fixtures give counted once.
    rows = sum(model.objects.count() for model in [Region, FocusArea, *MODELS])
    assert out.splitlines() == [
        f"2 seed files unchanged: 0 created, 0 updated, {rows} unchanged, 0 conflicts."
    ]


def test_dry_run_writes_nothing_and_lists_what_it_would_do(seeds_dir):
    base_seed(seeds_dir)
    out = load("--dry-run")
    assert Organisation.objects.count() == 0
    assert Citation.objects.count() == 0
    assert "organisation ajcet: would be created" in out
    assert "Dry run, nothing written." in out

    load()
    before = snapshot()
    base_seed(seeds_dir, name="AJCET Mali")
    out = load("--dry-run")
    assert "organisation ajcet: would be updated (name)" in out
    rows = sum(model.objects.count() for model in [Region, FocusArea, *MODELS])
    assert out.splitlines()[-1] == (
        "Dry run, nothing written. 1 seed file would change: "
        f"0 created, 1 updated, {rows - 1} unchanged, 0 conflicts."
    )
    assert snapshot() == before
    assert Organisation.objects.get(slug="ajcet").name == "AJCET"


def test_dry_run_reports_conflicts_too(seeds_dir):
    base_seed(seeds_dir)
    load()
    Organisation.objects.filter(slug="ajcet").update(name="AJCET (curated)")
    base_seed(seeds_dir, name="AJCET Mali")
    out = load("--dry-run")
    assert "name: kept the curator's 'AJCET (curated)', the seeds say 'AJCET Mali'" in out
    assert Organisation.objects.get(slug="ajcet").name == "AJCET (curated)"


def test_quiet_run_prints_nothing(seeds_dir):
    base_seed(seeds_dir)
    assert load(verbosity=0) == ""
    assert Organisation.objects.count() == 2


def test_seed_change_updates_a_field_nobody_touched(seeds_dir):
    base_seed(seeds_dir)
    load()
    base_seed(seeds_dir, name="AJCET Mali")
    out = load(verbosity=2)
    assert Organisation.objects.get(slug="ajcet").name == "AJCET Mali"
    assert "organisation ajcet: updated (name)" in out
    assert "1 updated" in out


def test_seed_changes_update_every_kind_of_record_and_say_which_fields(
    seeds_dir,
):
    base_seed(seeds_dir)
    load()
    base_seed(
        seeds_dir,
        name="AJCET Mali",
        description_en="Civic education for young people.",
        people=[{"name": "Jane Doe", "role": "Founder", **cite("Jane Doe leads AJCET.")}],
    )
    path = seeds_dir / "001-base.toml"
    text = path.read_text()
    assert '"Report base-doc"' in text and "end = 2018" in text
    text = text.replace('"Report base-doc"', '"Report base-doc, revised"')
    text = text.replace("start = 2017", "start = 2016")
    path.write_text(text.replace("end = 2018", "end = 2019"))

    out = load(verbosity=2)

    assert Source.objects.get(slug="base-doc").title == "Report base-doc, revised"
    jane = Person.objects.get(name="Jane Doe")
    assert jane.role == "Founder"
    assert jane.history.first().history_change_reason == "load_seeds: 001-base.toml"
    link = Partnership.objects.get()
    assert (link.start_year, link.end_year) == (2016, 2019)
    assert link.history.first().history_change_reason == "load_seeds: 001-base.toml"
    assert "source base-doc: updated (title)" in out
    assert "organisation ajcet: updated (name, description_en)" in out
    assert "person ajcet Jane Doe: updated (role)" in out
    assert "partnership ajcet funded_by usip: updated (start_year, end_year)" in out
    assert "4 updated" in out


def test_a_form_opened_before_a_load_cannot_overwrite_what_the_load_wrote(seeds_dir, admin_client):
    """Every row load_seeds updates moves its version on, so stale forms are refused."""
    from .conftest import change_form_data

    base_seed(seeds_dir)
    load()
    rows = (
        Source.objects.get(slug="base-doc"),
        Citation.objects.get(fact="founded"),
        Organisation.objects.get(slug="ajcet"),
    )
    urls = [f"/admin/orgs/{type(row).__name__.lower()}/{row.pk}/change/" for row in rows]
    forms = [change_form_data(admin_client.get(url)) for url in urls]

    base_seed(
        seeds_dir,
        name="AJCET Mali",
        founded={"year": 2010, **cite("Founded in 2010, says the report.")},
    )
    path = seeds_dir / "001-base.toml"
    text = path.read_text()
    assert '"Report base-doc"' in text
    path.write_text(text.replace('"Report base-doc"', '"Report base-doc, revised"'))
    load()
    assert Source.objects.get(slug="base-doc").title == "Report base-doc, revised"

    forms[0]["publisher"] = "Edited on a stale page"
    forms[1]["locator"] = "Edited on a stale page"
    forms[2]["acronym"] = "EDITED"
    for url, data in zip(urls, forms, strict=True):
        response = admin_client.post(url, data)
        assert response.status_code == 200, url
        assert "Someone else saved this" in response.content.decode()
    assert Source.objects.get(slug="base-doc").publisher == "Peace Direct"
    assert Citation.objects.get(fact="founded").quote == "Founded in 2010, says the report."
    assert Organisation.objects.get(slug="ajcet").name == "AJCET Mali"


def test_field_given_for_the_first_time_fills_an_empty_field(seeds_dir):
    base_seed(seeds_dir)
    load()
    base_seed(seeds_dir, acronym="AJCET", website="https://ajcet.example.org")
    out = load()
    ajcet = Organisation.objects.get(slug="ajcet")
    assert (ajcet.acronym, ajcet.website) == ("AJCET", "https://ajcet.example.org")
    assert "0 conflicts" in out


# --- Curators win -------------------------------------------------------------------------


def test_curator_edit_wins_over_a_changed_seed_and_is_reported(seeds_dir):
    base_seed(seeds_dir)
    load()
    ajcet = Organisation.objects.get(slug="ajcet")
    ajcet.description_en = "A curator wrote this."
    ajcet.save()

    base_seed(seeds_dir, description_en="The seeds say this now.", name="AJCET Mali")
    out = load()

    ajcet.refresh_from_db()
    assert ajcet.description_en == "A curator wrote this."
    assert ajcet.name == "AJCET Mali"  # untouched by the curator: follows the seeds
    assert (
        "conflict: seeds/001-base.toml: organisations[0] (ajcet): description_en: kept the "
        "curator's 'A curator wrote this.', the seeds say 'The seeds say this now.'"
    ) in out
    assert "1 conflicts" in out

    out = load()  # still reported until someone decides
    assert "1 conflicts" in out

    load("--force")
    ajcet.refresh_from_db()
    assert ajcet.description_en == "The seeds say this now."
    assert "0 conflicts" in load()


def test_a_conflict_on_the_founding_year_names_the_entry_that_gives_it(seeds_dir):
    base_seed(seeds_dir)
    load()
    Organisation.objects.filter(slug="ajcet").update(founded=2011)
    base_seed(seeds_dir, founded={"year": 2012, **cite("It was founded in 2012.")})
    out = load()
    assert Organisation.objects.get(slug="ajcet").founded == 2011
    assert (
        "conflict: seeds/001-base.toml: organisations[0] (ajcet): founded: kept the "
        "curator's 2011, the seeds say 2012"
    ) in out


def test_curator_edit_is_kept_quietly_while_the_seed_is_unchanged(seeds_dir):
    base_seed(seeds_dir)
    load()
    ajcet = Organisation.objects.get(slug="ajcet")
    ajcet.status = Organisation.Status.ARCHIVED
    ajcet.save()
    ajcet.regions.add(Region.objects.get(slug="mopti"))
    before = snapshot()

    out = load()

    ajcet.refresh_from_db()
    assert ajcet.status == Organisation.Status.ARCHIVED
    assert sorted(r.slug for r in ajcet.regions.all()) == ["mopti", "tombouctou"]
    assert snapshot() == before
    assert "0 conflicts" in out


def test_curator_archive_wins_over_a_seed_that_changes_status(seeds_dir):
    base_seed(seeds_dir)
    load()
    Organisation.objects.filter(slug="ajcet").update(status=Organisation.Status.ARCHIVED)
    base_seed(seeds_dir, status="draft")
    out = load()
    assert Organisation.objects.get(slug="ajcet").status == Organisation.Status.ARCHIVED
    assert "status: kept the curator's 'archived', the seeds say 'draft'" in out


def test_curator_region_change_conflicts_with_new_seed_regions(seeds_dir):
    base_seed(seeds_dir)
    load()
    ajcet = Organisation.objects.get(slug="ajcet")
    gao = Region.objects.get(slug="gao")
    ajcet.regions.set([gao])  # and cites it, as the admin requires of a published organisation
    Citation.objects.create(
        organisation=ajcet,
        source=Source.objects.get(),
        fact="region",
        region=gao,
        locator="p. 2",
        quote="Works in Gao.",
    )
    base_seed(
        seeds_dir,
        regions=[
            {"region": "tombouctou", **cite("Works in Timbuktu.")},
            {"region": "mopti", **cite("And Mopti.")},
        ],
        focus=[
            {"focus": "peacebuilding", **cite("Mediates between groups.")},
            {"focus": "youth", **cite("Works with the young.")},
        ],
    )
    out = load()
    assert [r.slug for r in ajcet.regions.all()] == ["gao"]
    # The citations after the one not written are: the new focus area is cited.
    assert Citation.objects.get(focus_area__slug="youth").quote == "Works with the young."
    assert "regions: kept the curator's ['gao'], the seeds say ['mopti', 'tombouctou']" in out
    # The seeds' citation of Mopti would cite a region the kept value does not have.
    assert "regions[1]: citation not written: Mopti is not a region where AJCET works" in out
    assert not Citation.objects.filter(region__slug="mopti").exists()
    assert Citation.objects.filter(region__slug="tombouctou").exists()  # its headquarters


def test_a_conflict_on_the_headquarters_names_the_entry_that_gives_it(seeds_dir):
    base_seed(seeds_dir)  # headquarters in Timbuktu, Tombouctou
    load()
    Organisation.objects.filter(slug="ajcet").update(hq_region=Region.objects.get(slug="gao"))
    Organisation.objects.filter(slug="ajcet").update(hq_town="Gao")
    base_seed(
        seeds_dir,
        headquarters={"region": "mopti", "town": "Sévaré", **cite("Based in Timbuktu.")},
    )
    out = load()
    ajcet = Organisation.objects.get(slug="ajcet")
    assert (ajcet.hq_region.slug, ajcet.hq_town) == ("gao", "Gao")
    assert [line for line in out.splitlines() if line.startswith("conflict: ")] == [
        "conflict: seeds/001-base.toml: organisations[0] (ajcet): headquarters: hq_region: "
        "kept the curator's 'gao', the seeds say 'mopti'",
        "conflict: seeds/001-base.toml: organisations[0] (ajcet): headquarters: hq_town: "
        "kept the curator's 'Gao', the seeds say 'Sévaré'",
    ]


def test_a_seed_file_cannot_make_a_person_the_seeds_left_hidden_public(seeds_dir):
    """The person was loaded hidden (no file said public); a file saying so later is a
    conflict for a curator to decide, not a person made public by a load."""
    base_seed(seeds_dir)
    load()
    base_seed(
        seeds_dir,
        people=[{"name": "Jane Doe", "role": "Director", "public": True, **cite("Jane Doe.")}],
    )
    out = load()
    assert Person.objects.get(name="Jane Doe").is_public is False
    assert [line for line in out.splitlines() if line.startswith("conflict: ")] == [
        "conflict: seeds/001-base.toml: organisations[0] (ajcet): people[0] (Jane Doe): "
        "is_public: kept False, which the seeds never wrote; the seeds say True",
    ]


def test_a_conflict_on_a_value_the_seeds_never_wrote_does_not_call_it_the_curators(seeds_dir):
    """The seeds gave no acronym; a curator's, then a file's: the conflict names whose."""
    base_seed(seeds_dir)
    load()
    Organisation.objects.filter(slug="ajcet").update(acronym="AJC")
    base_seed(seeds_dir, acronym="AJCET-M")
    out = load()
    assert Organisation.objects.get(slug="ajcet").acronym == "AJC"
    assert [line for line in out.splitlines() if line.startswith("conflict: ")] == [
        "conflict: seeds/001-base.toml: organisations[0] (ajcet): "
        "acronym: kept 'AJC', which the seeds never wrote; the seeds say 'AJCET-M'",
    ]


def test_curator_who_hides_a_person_wins(seeds_dir):
    base_seed(
        seeds_dir,
        people=[{"name": "Jane Doe", "role": "Director", "public": True, **cite("Jane.")}],
    )
    load()
    Person.objects.filter(name="Jane Doe").update(is_public=False, role="Chair")
    base_seed(
        seeds_dir,
        people=[{"name": "Jane Doe", "role": "Founder", "public": True, **cite("Jane.")}],
    )
    out = load()
    jane = Person.objects.get(name="Jane Doe")
    assert (jane.is_public, jane.role) == (False, "Chair")
    assert "people[0] (Jane Doe): role: kept the curator's 'Chair', the seeds say 'Founder'" in out


def test_force_gives_a_person_the_seeds_changed_value_over_the_curators(seeds_dir):
    base_seed(seeds_dir)
    load()
    Person.objects.filter(name="Jane Doe").update(role="Chair")
    base_seed(seeds_dir, people=[{"name": "Jane Doe", "role": "Founder", **cite("Jane.")}])
    assert "1 conflicts" in load()
    assert Person.objects.get(name="Jane Doe").role == "Chair"

    load("--force")

    assert Person.objects.get(name="Jane Doe").role == "Founder"
    # What the seeds last wrote is now the forced value: a curator's later edit is theirs.
    Person.objects.filter(name="Jane Doe").update(role="Treasurer")
    assert "0 conflicts" in load()
    assert Person.objects.get(name="Jane Doe").role == "Treasurer"


def test_curator_edit_after_the_seeds_changed_a_person_is_kept_quietly(seeds_dir):
    """The load that follows the seeds' new role records it as what the seeds last wrote."""
    base_seed(seeds_dir)
    load()
    base_seed(seeds_dir, people=[{"name": "Jane Doe", "role": "Founder", **cite("Jane.")}])
    load()
    Person.objects.filter(name="Jane Doe").update(role="Chair")

    assert "0 conflicts" in load()
    assert Person.objects.get(name="Jane Doe").role == "Chair"


def test_a_value_the_seeds_confirm_is_theirs_to_change_later(seeds_dir):
    """A curator's start year that a file then gives too is the seeds' value from then on."""

    def write(**years):
        link = partnership("ajcet", "funded_by", "usip", **years)
        organisations = [org("ajcet"), org("usip", kind="donor")]
        write_seed(seeds_dir, "001-a.toml", "doc-a", organisations, [link])

    write()
    load()
    Partnership.objects.update(start_year=2015)
    write(start=2015)
    assert "0 conflicts" in load()
    write(start=2016)

    out = load()

    assert Partnership.objects.get().start_year == 2016
    assert "0 conflicts" in out


def test_an_organisation_value_the_seeds_confirm_is_theirs_to_change_later(seeds_dir):
    """A curator's acronym that a file then gives too is the seeds' from then on."""
    base_seed(seeds_dir)
    load()
    Organisation.objects.filter(slug="ajcet").update(acronym="AJC")
    base_seed(seeds_dir, acronym="AJC")
    out = load(verbosity=2)
    assert "organisation ajcet: updated ((what the seeds last wrote))" in out
    assert "0 conflicts" in out
    base_seed(seeds_dir, acronym="AJCM")

    out = load()

    assert Organisation.objects.get(slug="ajcet").acronym == "AJCM"
    assert "0 conflicts" in out


def test_a_curators_edit_after_the_seeds_renamed_an_organisation_is_kept_quietly(seeds_dir):
    base_seed(seeds_dir)
    load()
    base_seed(seeds_dir, name="AJCET Mali")
    load()
    assert Organisation.objects.get(slug="ajcet").name == "AJCET Mali"  # followed
    Organisation.objects.filter(slug="ajcet").update(name="AJCET (curated)")

    out = load()  # the seeds as they were at the last load

    assert Organisation.objects.get(slug="ajcet").name == "AJCET (curated)"
    assert "0 conflicts" in out


def test_after_force_a_curators_next_edit_of_an_organisation_is_kept_quietly(seeds_dir):
    """--force makes the seeds' value theirs again: a later edit is the curator's."""
    base_seed(seeds_dir)
    load()
    Organisation.objects.filter(slug="ajcet").update(name="AJCET (curated)")
    base_seed(seeds_dir, name="AJCET Mali")
    load("--force")
    assert Organisation.objects.get(slug="ajcet").name == "AJCET Mali"
    Organisation.objects.filter(slug="ajcet").update(name="AJCET (curated again)")

    out = load()

    assert Organisation.objects.get(slug="ajcet").name == "AJCET (curated again)"
    assert "0 conflicts" in out


def test_changed_seed_regions_and_focus_areas_of_an_organisation_are_followed(seeds_dir):
    base_seed(seeds_dir)
    load()
    base_seed(
        seeds_dir,
        regions=[
            {"region": "tombouctou", **cite("Works in Timbuktu.")},
            {"region": "gao", **cite("And in Gao.")},
        ],
        focus=[
            {"focus": "peacebuilding", **cite("Mediates between groups.")},
            {"focus": "youth", **cite("Works with the young.")},
        ],
    )

    out = load()

    ajcet = Organisation.objects.get(slug="ajcet")
    assert sorted(r.slug for r in ajcet.regions.all()) == ["gao", "tombouctou"]
    assert sorted(f.slug for f in ajcet.focus_areas.all()) == ["peacebuilding", "youth"]
    assert "0 conflicts" in out


def test_curator_edit_of_partnership_years_wins(seeds_dir):
    base_seed(seeds_dir)
    load()
    Partnership.objects.update(end_year=2020)
    base_seed(seeds_dir)  # seeds unchanged: the curator's year stays, quietly
    assert "0 conflicts" in load()
    assert Partnership.objects.get().end_year == 2020
    load("--force")
    assert Partnership.objects.get().end_year == 2020  # nothing to force: seeds unchanged


def test_a_conflict_on_a_partnerships_years_names_the_entry_that_gives_them(seeds_dir):
    def write(start, end):
        link = partnership("ajcet", "funded_by", "usip", start=start, end=end)
        organisations = [org("ajcet"), org("usip", kind="donor")]
        write_seed(seeds_dir, "001-a.toml", "doc-a", organisations, [link])

    write(2017, 2018)
    load()
    Partnership.objects.update(start_year=2015, end_year=2020)
    write(2016, 2019)

    out = load()

    kept = Partnership.objects.get()
    assert (kept.start_year, kept.end_year) == (2015, 2020)
    assert [line for line in out.splitlines() if line.startswith("conflict: ")] == [
        "conflict: seeds/001-a.toml: partnerships[0] (ajcet funded_by usip): start_year: "
        "kept the curator's 2015, the seeds say 2016",
        "conflict: seeds/001-a.toml: partnerships[0] (ajcet funded_by usip): end_year: "
        "kept the curator's 2020, the seeds say 2019",
    ]


def test_curator_deletion_of_a_person_wins_until_forced(seeds_dir):
    base_seed(seeds_dir)
    load()
    Person.objects.get(name="Jane Doe").delete()
    before = snapshot()

    out = load()

    assert not Person.objects.filter(name="Jane Doe").exists()
    assert snapshot() == before
    assert (
        "seeds/001-base.toml: organisations[0] (ajcet): people[0] (Jane Doe): deleted by a "
        "curator, not re-created"
    ) in out
    load("--force")
    assert Person.objects.get(name="Jane Doe").citations.count() == 1


def test_a_person_a_curator_deleted_holds_back_only_themselves(seeds_dir):
    people = [
        {"name": "Jane Doe", "role": "Director", **cite("Jane Doe leads AJCET.")},
        {"name": "John Roe", "role": "Treasurer", **cite("John Roe keeps the accounts.")},
    ]
    base_seed(seeds_dir, people=people)
    load()
    Person.objects.get(name="Jane Doe").delete()
    people[1].update(role="Secretary", quote="John Roe keeps the minutes.")
    base_seed(seeds_dir, people=people)

    out = load()

    assert "people[0] (Jane Doe): deleted by a curator, not re-created" in out
    assert not Person.objects.filter(name="Jane Doe").exists()
    john = Person.objects.get(name="John Roe")  # the next one follows, and its citation
    assert john.role == "Secretary"
    assert john.citations.get().quote == "John Roe keeps the minutes."


def test_curator_deletion_of_an_organisation_wins_until_forced(seeds_dir):
    base_seed(seeds_dir)
    load()
    Organisation.objects.get(slug="usip").delete()  # takes the partnership with it

    out = load()

    assert not Organisation.objects.filter(slug="usip").exists()
    assert not Partnership.objects.exists()
    assert "organisations[1] (usip): deleted by a curator, not re-created" in out
    load("--force")
    assert Partnership.objects.get().partner.slug == "usip"


def test_an_organisation_a_curator_gave_a_new_slug_is_updated_not_created_again(seeds_dir):
    base_seed(seeds_dir)
    load()
    for old, new in (("ajcet", "ajcet-tombouctou"), ("usip", "usip-mali")):
        rename(Organisation.objects.get(slug=old), new)
    before = snapshot()

    assert "0 created, 0 updated" in load()
    assert snapshot() == before

    people = [{"name": "Jane Doe", "role": "Chair", **cite("Jane Doe chairs AJCET.")}]
    base_seed(seeds_dir, description_en="Civic education for young people.", people=people)
    load()

    ajcet = Organisation.objects.get(slug="ajcet-tombouctou")  # the seeds still say "ajcet"
    assert ajcet.description_en == "Civic education for young people."
    assert [(p.name, p.role) for p in ajcet.people.all()] == [("Jane Doe", "Chair")]
    assert ajcet.people.get().citations.get().quote == "Jane Doe chairs AJCET."
    assert Partnership.objects.get().partner.slug == "usip-mali"
    assert sorted(Organisation.objects.values_list("slug", flat=True)) == [
        "ajcet-tombouctou",
        "usip-mali",
    ]
    load("--force")  # the seeds' values win, not their slugs
    assert Organisation.objects.count() == 2


def test_an_organisation_renamed_then_deleted_by_a_curator_is_not_created_again(seeds_dir):
    base_seed(seeds_dir)
    load()
    rename(Organisation.objects.get(slug="usip"), "usip-mali").delete()

    out = load()

    assert "organisations[1] (usip): deleted by a curator, not re-created" in out
    assert list(Organisation.objects.values_list("slug", flat=True)) == ["ajcet"]
    load("--force")
    assert Partnership.objects.get().partner.slug == "usip"


def test_an_organisation_renamed_to_another_entrys_slug_is_reported_as_such(seeds_dir):
    """A curator merging two entries: USIP deleted, AJCET given its slug. The entry
    the slug names now loads into AJCET; AJCET's own entry is held back, and the
    report says why rather than "deleted"."""
    base_seed(seeds_dir)
    load()
    Organisation.objects.get(slug="usip").delete()
    ajcet = rename(Organisation.objects.get(slug="ajcet"), "usip")

    out = load()

    assert (
        "organisations[0] (ajcet): renamed by a curator to 'usip', the slug of another "
        "entry, whose facts now load into it; not re-created (--force re-creates it)"
    ) in out
    assert "(ajcet): deleted" not in out
    assert list(Organisation.objects.values_list("pk", "slug")) == [(ajcet.pk, "usip")]
    assert Organisation.objects.get().name == "USIP"  # the usip entry's facts loaded


def test_a_slug_two_organisations_held_means_the_last_of_them(seeds_dir):
    base_seed(seeds_dir)
    load()
    rename(Organisation.objects.get(slug="usip"), "usip-mali")
    Organisation.objects.create(slug="usip", name="Another USIP", kind="donor").delete()

    out = load()

    assert "organisations[1] (usip): deleted by a curator, not re-created" in out
    assert sorted(Organisation.objects.values_list("slug", flat=True)) == ["ajcet", "usip-mali"]


def test_an_organisation_a_curator_deleted_holds_back_only_itself(seeds_dir):
    base_seed(seeds_dir)
    load()
    Organisation.objects.get(slug="ajcet").delete()  # organisations[0] of 001-base.toml
    usip = org(
        "usip",
        name=None,
        kind=None,
        acronym="USIP",
        people=[{"name": "Ali Maiga", "role": "Envoy", **cite("Ali Maiga of USIP.")}],
    )
    write_seed(seeds_dir, "002-more.toml", "more-doc", [usip])

    out = load()

    assert not Organisation.objects.filter(slug="ajcet").exists()
    assert not Person.objects.filter(name="Jane Doe").exists()
    assert "organisations[0] (ajcet): deleted by a curator, not re-created" in out
    # What the seeds say after it, of another organisation, is loaded, with its citations.
    assert Organisation.objects.get(slug="usip").acronym == "USIP"
    assert Person.objects.get(name="Ali Maiga").organisation.slug == "usip"
    usip_existence = Citation.objects.filter(organisation__slug="usip", fact="existence")
    assert sorted(usip_existence.values_list("source__slug", flat=True)) == [
        "base-doc",
        "more-doc",
    ]


def test_curator_deletion_of_a_partnership_wins_until_forced_and_holds_back_only_itself(
    seeds_dir,
):
    def write(quote):
        links = [
            partnership("ajcet", "funded_by", "usip"),
            partnership("usip", "partner_of", "ajcet", quote=quote),
        ]
        write_seed(seeds_dir, "001-a.toml", "doc-a", [org("ajcet"), org("usip")], links)

    write("USIP works with AJCET.")
    load()
    Partnership.objects.get(relation="funded_by").delete()
    write("USIP and AJCET work together.")

    out = load()

    assert not Partnership.objects.filter(relation="funded_by").exists()
    assert (
        "seeds/001-a.toml: partnerships[0] (ajcet funded_by usip): deleted by a curator, "
        "not re-created"
    ) in out
    # The partnership after it follows the seeds, citation and all.
    partner_of = Partnership.objects.get(relation="partner_of")
    assert partner_of.citations.get().quote == "USIP and AJCET work together."
    load("--force")
    funded_by = Partnership.objects.get(relation="funded_by")
    assert (funded_by.organisation.slug, funded_by.partner.slug) == ("ajcet", "usip")
    assert funded_by.citations.get().quote == "ajcet funded_by usip."


def test_curator_deletion_of_a_citation_wins(seeds_dir):
    base_seed(seeds_dir)
    load()
    # The year and the town were wrong: the curator removes each with its citation.
    Organisation.objects.filter(slug="ajcet").update(founded=None, hq_region=None, hq_town="")
    Citation.objects.get(fact="founded").delete()
    Citation.objects.get(fact="headquarters").delete()
    # And cites its existence from a better source than the seeds'.
    Citation.objects.get(fact="existence", organisation__slug="ajcet").delete()
    Citation.objects.create(
        organisation=Organisation.objects.get(slug="ajcet"),
        source=Source.objects.create(
            language="en", slug="curator-doc", publisher="Mali", title="Registry"
        ),
        fact="existence",
        locator="entry 12",
        quote="AJCET, registered in 2010.",
    )
    out = load()
    assert not Citation.objects.filter(fact__in=["founded", "headquarters"]).exists()
    assert "organisations[0] (ajcet): founded: deleted by a curator" in out
    assert "organisations[0] (ajcet): headquarters: deleted by a curator" in out
    assert "organisations[0] (ajcet): existence: deleted by a curator" in out
    assert Citation.objects.filter(fact="region").exists()  # the others stay


# --- Errors: every problem reported, nothing written --------------------------------------


def bad_entry(**overrides):
    return org("bad-org", **overrides)


ERROR_CASES = {
    "malformed toml": (
        "[source\nslug = 'x'\n",
        "seeds/002-bad.toml: malformed TOML: Expected ']' at the end of a table declaration "
        "(at line 1, column 8)",
    ),
    "unknown key": (
        {"organisations": [bad_entry(nmae="Typo")]},
        'seeds/002-bad.toml: organisations[0]: unknown key "nmae" (did you mean "name"?)',
    ),
    "missing required key": (
        {"organisations": [{"name": "No slug", "existence": cite()}]},
        'seeds/002-bad.toml: organisations[0]: missing required key "slug"',
    ),
    "missing source title": (
        {"source_fields": {"title": None}},
        'seeds/002-bad.toml: source: missing required key "title"',
    ),
    "missing source language": (
        {"source_fields": {"language": None}},
        'seeds/002-bad.toml: source: missing required key "language"',
    ),
    "unknown source language": (
        {"source_fields": {"language": "bm"}},
        'seeds/002-bad.toml: source.language: unknown language "bm" (one of: fr, en)',
    ),
    "unknown region": (
        {"organisations": [bad_entry(regions=[{"region": "tombuctu", **cite()}])]},
        'seeds/002-bad.toml: organisations[0].regions[0].region: unknown region "tombuctu" '
        '(did you mean "tombouctou"?)',
    ),
    "unknown headquarters region": (
        {"organisations": [bad_entry(headquarters={"region": "atlantis", **cite()})]},
        'seeds/002-bad.toml: organisations[0].headquarters.region: unknown region "atlantis"',
    ),
    "unknown focus area": (
        {"organisations": [bad_entry(focus=[{"focus": "knitting", **cite()}])]},
        'seeds/002-bad.toml: organisations[0].focus[0].focus: unknown focus area "knitting"',
    ),
    "unknown kind": (
        {"organisations": [bad_entry(kind="ngo")]},
        'seeds/002-bad.toml: organisations[0].kind: unknown kind "ngo" (one of: '
        + ", ".join(Organisation.Kind.values)
        + ")",
    ),
    "kind that is nearly one": (
        {"organisations": [bad_entry(kind="local-association")]},
        'seeds/002-bad.toml: organisations[0].kind: unknown kind "local-association" '
        '(did you mean "local_association"?) (one of: '
        + ", ".join(Organisation.Kind.values)
        + ")",
    ),
    "slug that is no slug": (
        {"organisations": [org("Bad Org")]},
        'seeds/002-bad.toml: organisations[0].slug: "Bad Org" is not a slug '
        "(lower-case letters, digits, single hyphens)",
    ),
    "citation given as an array": (
        {"organisations": [bad_entry(existence=[cite()])]},
        "seeds/002-bad.toml: organisations[0].existence: expected a table with locator, quote, "
        "got an array",
    ),
    "regions given as a text": (
        {"organisations": [bad_entry(regions="tombouctou")]},
        "seeds/002-bad.toml: organisations[0].regions: expected an array, "
        'got the text "tombouctou"',
    ),
    "unknown relation": (
        {"partnerships": [partnership("ajcet", "befriends", "usip")]},
        'seeds/002-bad.toml: partnerships[0].relation: unknown relation "befriends" (one of: '
        + ", ".join(Partnership.Relation.values)
        + ")",
    ),
    "partner nowhere": (
        {"partnerships": [partnership("ajcet", "member_of", "wanep")]},
        'seeds/002-bad.toml: partnerships[0].partner: partner "wanep" is in no seed file and '
        "not in the database",
    ),
    "partner nowhere, then a partnership of known organisations": (
        {
            "partnerships": [
                partnership("ajcet", "member_of", "wanep"),
                partnership("usip", "partner_of", "ajcet"),
            ]
        },
        'seeds/002-bad.toml: partnerships[0].partner: partner "wanep" is in no seed file and '
        "not in the database",
    ),
    "region twice in an entry": (
        {
            "organisations": [
                bad_entry(
                    regions=[
                        {"region": "mopti", **cite("Works in Mopti.")},
                        {"region": "gao", **cite("Works in Gao.")},
                        {"region": "mopti", **cite("Mopti again.")},
                        {"region": "atlantis", **cite("Works in Atlantis.")},
                    ]
                )
            ]
        },
        [
            'seeds/002-bad.toml: organisations[0].regions[2].region: region "mopti" repeats '
            "regions[0]",
            'seeds/002-bad.toml: organisations[0].regions[3].region: unknown region "atlantis"',
        ],
    ),
    "focus area twice in an entry": (
        {
            "organisations": [
                bad_entry(
                    focus=[
                        {"focus": "governance", **cite("Governance.")},
                        {"focus": "peacebuilding", **cite("Peace.")},
                        {"focus": "peacebuilding", **cite("Peace again.")},
                        {"focus": "knitting", **cite("Knits.")},
                    ]
                )
            ]
        },
        [
            'seeds/002-bad.toml: organisations[0].focus[2].focus: focus "peacebuilding" repeats '
            "focus[1]",
            'seeds/002-bad.toml: organisations[0].focus[3].focus: unknown focus area "knitting"',
        ],
    ),
    "person twice in an entry, then one the files disagree on": (
        {
            "organisations": [
                org(
                    "ajcet",
                    name=None,
                    kind=None,
                    people=[
                        {"name": "Ali Maiga", **cite("Ali.")},
                        {"name": "Awa Traoré", **cite("Awa.")},
                        {"name": "Ali Maiga", **cite("Ali again.")},
                        {"name": "Jane Doe", "role": "Chair", **cite("Jane.")},
                    ],
                )
            ]
        },
        [
            'seeds/002-bad.toml: organisations[0].people[2].name: person "Ali Maiga" repeats '
            "people[0]",
            'seeds/002-bad.toml: organisations[0].people[3].role: "Chair" disagrees with '
            'seeds/001-base.toml: organisations[0].people[0].role: "Director"',
        ],
    ),
    "organisation nowhere": (
        {"partnerships": [partnership("wanep", "member_of", "usip")]},
        'seeds/002-bad.toml: partnerships[0].organisation: organisation "wanep" is in no seed '
        "file and not in the database",
    ),
    "duplicate slug in a file": (
        {"organisations": [bad_entry(), bad_entry()]},
        'seeds/002-bad.toml: organisations[1].slug: duplicate slug "bad-org" '
        "(also organisations[0])",
    ),
    "source slug in two files": (
        {"source": "base-doc"},
        'seeds/002-bad.toml: source.slug: source slug "base-doc" is also used by '
        "seeds/001-base.toml",
    ),
    "founded without citation": (
        {"organisations": [bad_entry(founded={"year": 2010})]},
        [
            f'seeds/002-bad.toml: organisations[0].founded: no citation: missing "{key}" '
            "(every fact needs a locator and a verbatim quote)"
            for key in ("locator", "quote")
        ],
    ),
    "founded as a bare year": (
        {"organisations": [bad_entry(founded=2010)]},
        "seeds/002-bad.toml: organisations[0].founded: expected a table with locator, quote, "
        "year, got the number 2010",
    ),
    "region without quote": (
        {"organisations": [bad_entry(regions=[{"region": "mopti", "locator": "p. 2"}])]},
        'seeds/002-bad.toml: organisations[0].regions[0]: no citation: missing "quote" '
        "(every fact needs a locator and a verbatim quote)",
    ),
    "organisation without existence": (
        {"organisations": [bad_entry(existence=None)]},
        'seeds/002-bad.toml: organisations[0]: missing required key "existence"',
    ),
    "empty quote": (
        {"organisations": [bad_entry(existence=cite("   "))]},
        "seeds/002-bad.toml: organisations[0].existence.quote: empty",
    ),
    "over-long quote": (
        {"organisations": [bad_entry(existence=cite("x" * 601))]},
        "seeds/002-bad.toml: organisations[0].existence.quote: 601 characters, at most 600",
    ),
    "implausible year": (
        {"organisations": [bad_entry(founded={"year": 1200, **cite()})]},
        "seeds/002-bad.toml: organisations[0].founded.year: 1200 is outside 1800-2100",
    ),
    "year as text": (
        {"organisations": [bad_entry(founded={"year": "2010", **cite()})]},
        "seeds/002-bad.toml: organisations[0].founded.year: expected a whole number, "
        'got the text "2010"',
    ),
    "partnership ends before it starts": (
        {"partnerships": [partnership("ajcet", "funded_by", "usip", start=2018, end=2016)]},
        "seeds/002-bad.toml: partnerships[0]: end 2016 is before start 2018",
    ),
    "new organisation without a kind": (
        {"organisations": [bad_entry(kind=None)]},
        "seeds/002-bad.toml: organisations[0]: no seed file gives this new organisation a kind",
    ),
    "bad website": (
        {"organisations": [bad_entry(website="www.example")]},
        "seeds/002-bad.toml: organisations[0].website: Enter a web address starting with "
        "http:// or https://.",
    ),
    "partnership twice in a file": (
        {"partnerships": [partnership("ajcet", "member_of", "usip")] * 2},
        "seeds/002-bad.toml: partnerships[1]: repeats seeds/002-bad.toml: partnerships[0]",
    ),
    "cite_on neither side": (
        {"partnerships": [partnership("ajcet", "funded_by", "usip", cite_on="wanep")]},
        'seeds/002-bad.toml: partnerships[0]: cite_on: "wanep" is neither "ajcet" nor "usip"',
    ),
}


@pytest.mark.parametrize("case", ERROR_CASES, ids=list(ERROR_CASES))
def test_bad_seed_file_stops_the_load_and_changes_nothing(seeds_dir, case):
    base_seed(seeds_dir)
    load()
    base_seed(seeds_dir, name="AJCET renamed")  # would be written if the load went ahead
    content, message = ERROR_CASES[case]
    if isinstance(content, str):
        (seeds_dir / "002-bad.toml").write_text(content)
    else:
        source_fields = {k: v for k, v in content.get("source_fields", {}).items()}
        write_seed(
            seeds_dir,
            "002-bad.toml",
            content.get("source", "bad-doc"),
            content.get("organisations", ()),
            content.get("partnerships", ()),
            **{k: v for k, v in source_fields.items() if v is not None},
        )
        if None in source_fields.values():
            text = (seeds_dir / "002-bad.toml").read_text()
            for key in (k for k, v in source_fields.items() if v is None):
                text = "\n".join(
                    line for line in text.splitlines() if not line.startswith(f"{key} =")
                )
            (seeds_dir / "002-bad.toml").write_text(text + "\n")
    before = snapshot()

    error = load_error()

    # Each problem whole, and no other: the file, the entry, what is wrong, any hint.
    problems = [message] if isinstance(message, str) else message
    assert error.splitlines() == [
        f"{len(problems)} problem(s) in the seed files in {seeds_dir}; nothing was loaded:",
        *problems,
    ]
    assert snapshot() == before
    assert Organisation.objects.get(slug="ajcet").name == "AJCET"


def test_a_missing_seeds_directory_is_named_with_the_setting_that_names_it(tmp_path, settings):
    settings.SEEDS_DIR = tmp_path / "no-seeds"
    assert load_error().splitlines() == [
        f"1 problem(s) in the seed files in {tmp_path / 'no-seeds'}; nothing was loaded:",
        f"{tmp_path / 'no-seeds'}: no such directory (settings.SEEDS_DIR)",
    ]
    assert Organisation.objects.count() == 0


def test_every_problem_in_every_file_is_reported_together(bare_seeds_dir):
    write_seed(
        bare_seeds_dir,
        "001-a.toml",
        "doc-a",
        [org("one", kind="ngo"), org("two", regions=[{"region": "nowhere", **cite()}])],
    )
    write_seed(bare_seeds_dir, "002-b.toml", "doc-b", [org("three", existence=cite(""))])
    error = load_error()
    assert "3 problem(s)" in error
    assert 'seeds/001-a.toml: organisations[0].kind: unknown kind "ngo"' in error
    assert "seeds/001-a.toml: organisations[1].regions[0].region: unknown region" in error
    assert "seeds/002-b.toml: organisations[0].existence.quote: empty" in error
    assert Organisation.objects.count() == 0
    assert Region.objects.count() == 0  # even the fixtures were rolled back


def test_the_seed_error_of_a_load_lists_every_problem(seeds_dir):
    """What a caller of seed_loading.load() outside the command (a shell, a script) sees."""
    from django.db import transaction

    from orgs import seed_loading

    write_seed(seeds_dir, "001-a.toml", "doc-a", [org("one", kind="ngo"), org("two", kind="x")])
    with pytest.raises(seed_loading.SeedError) as excinfo, transaction.atomic():
        seed_loading.load(seeds_dir)
    assert str(excinfo.value).splitlines() == [
        'seeds/001-a.toml: organisations[0].kind: unknown kind "ngo" (one of: '
        + ", ".join(Organisation.Kind.values)
        + ")",
        'seeds/001-a.toml: organisations[1].kind: unknown kind "x" (one of: '
        + ", ".join(Organisation.Kind.values)
        + ")",
    ]


def test_a_load_outside_the_command_keeps_a_curators_edit_unless_forced(seeds_dir):
    """What a caller of seed_loading.load() (a shell, a script) gets by default."""
    from django.db import transaction

    from orgs import seed_loading

    base_seed(seeds_dir)
    load()
    Organisation.objects.filter(slug="ajcet").update(name="AJCET (curated)")
    base_seed(seeds_dir, name="AJCET Mali")
    with transaction.atomic():
        report = seed_loading.load(seeds_dir)
    assert Organisation.objects.get(slug="ajcet").name == "AJCET (curated)"
    assert len(report.conflicts) == 1


def test_what_the_seeds_last_wrote_is_stored_by_field_person_and_partnership(seeds_dir):
    """The record later loads compare a curator's values with: its shape is data that
    every database keeps from one version of the code to the next."""
    base_seed(seeds_dir)
    load()
    assert Organisation.objects.get(slug="ajcet").seeded_values == {
        "name": "AJCET",
        "name_original": "Association des jeunes pour la citoyenneté",
        "kind": "local_association",
        "description_en": "Youth civic education.",
        "founded": 2010,
        "hq_region": "tombouctou",
        "hq_town": "Timbuktu",
        "status": "published",
        "regions": ["tombouctou"],
        "focus_areas": ["peacebuilding"],
        "people": {"Jane Doe": {"role": "Director"}},
        "partnerships": {"funded_by usip": {"start_year": 2017, "end_year": 2018}},
    }


def test_files_that_disagree_on_a_field_name_both_files(seeds_dir):
    base_seed(seeds_dir)
    write_seed(
        seeds_dir,
        "002-second.toml",
        "second-doc",
        [
            org(
                "ajcet",
                name=None,
                kind="national_ngo",
                founded={"year": 2011, **cite()},
                people=[{"name": "Jane Doe", "role": "Chair", **cite()}],
            )
        ],
    )
    error = load_error()
    assert (
        'seeds/002-second.toml: organisations[0].kind: "national_ngo" disagrees with '
        'seeds/001-base.toml: organisations[0].kind: "local_association"'
    ) in error
    assert (
        "seeds/002-second.toml: organisations[0].founded.year: 2011 disagrees with "
        "seeds/001-base.toml: organisations[0].founded.year: 2010"
    ) in error
    assert (
        'seeds/002-second.toml: organisations[0].people[0].role: "Chair" disagrees with '
        'seeds/001-base.toml: organisations[0].people[0].role: "Director"'
    ) in error
    assert Organisation.objects.count() == 0


def test_files_that_disagree_on_headquarters_or_a_persons_visibility_name_both_files(seeds_dir):
    base_seed(
        seeds_dir,
        people=[{"name": "Jane Doe", "role": "Director", "public": False, **cite()}],
    )
    elsewhere = {"region": "mopti", "town": "Mopti", **cite("Based in Mopti.")}
    jane_public = {"name": "Jane Doe", "public": True, **cite()}
    write_seed(
        seeds_dir,
        "002-second.toml",
        "second-doc",
        [org("ajcet", name=None, kind=None, headquarters=elsewhere, people=[jane_public])],
    )
    assert load_error().splitlines()[1:] == [
        'seeds/002-second.toml: organisations[0].headquarters.region: "mopti" disagrees with '
        'seeds/001-base.toml: organisations[0].headquarters.region: "tombouctou"',
        'seeds/002-second.toml: organisations[0].headquarters.town: "Mopti" disagrees with '
        'seeds/001-base.toml: organisations[0].headquarters.town: "Timbuktu"',
        "seeds/002-second.toml: organisations[0].people[0].public: True disagrees with "
        "seeds/001-base.toml: organisations[0].people[0].public: False",
    ]
    assert Person.objects.count() == 0


def test_files_that_disagree_on_a_partnerships_years_name_both_files(seeds_dir):
    base_seed(seeds_dir)  # ajcet funded_by usip, 2017 to 2018
    write_seed(
        seeds_dir,
        "002-second.toml",
        "second-doc",
        partnerships=[partnership("ajcet", "funded_by", "usip", start=2016, end=2019)],
    )
    assert load_error().splitlines()[1:] == [
        "seeds/002-second.toml: partnerships[0].start: 2016 disagrees with "
        "seeds/001-base.toml: partnerships[0].start: 2017",
        "seeds/002-second.toml: partnerships[0].end: 2019 disagrees with "
        "seeds/001-base.toml: partnerships[0].end: 2018",
    ]
    assert Partnership.objects.count() == 0


def test_a_refused_entry_is_the_one_problem_of_its_organisation(seeds_dir):
    """Another file naming the organisation without a kind adds no second problem:
    the kind is in the entry the schema refused."""
    write_seed(seeds_dir, "001-a.toml", "doc-a", [org("new-one", kind="ngo")])
    write_seed(seeds_dir, "002-b.toml", "doc-b", [org("new-one", name=None, kind=None)])
    error = load_error()
    assert 'seeds/001-a.toml: organisations[0].kind: unknown kind "ngo"' in error
    assert "1 problem(s)" in error
    assert "no seed file gives this new organisation" not in error


def test_a_duplicate_slug_does_not_hide_the_entries_after_it(seeds_dir):
    two = org("two", regions=[{"region": "nowhere", **cite()}])
    write_seed(seeds_dir, "001-a.toml", "doc-a", [org("one"), org("one"), two])
    error = load_error()
    assert "seeds/001-a.toml: organisations[1].slug: duplicate slug" in error
    assert 'organisations[2].regions[0].region: unknown region "nowhere"' in error


# --- Speed --------------------------------------------------------------------------------


def test_unchanged_reload_of_sixty_organisations_takes_few_queries(
    seeds_dir, django_assert_max_num_queries
):
    organisations = [
        org(
            f"org-{i}",
            headquarters={"region": "mopti", "town": "Mopti", **cite()},
            regions=[{"region": "mopti", **cite()}],
            focus=[{"focus": "peacebuilding", **cite()}],
            people=[{"name": f"Person {i}", "role": "Director", **cite()}],
        )
        for i in range(60)
    ]
    links = [partnership(f"org-{i}", "member_of", "org-0") for i in range(1, 60)]
    write_seed(seeds_dir, "001-many.toml", "many", organisations, links)
    load()
    with django_assert_max_num_queries(30):
        out = load()
    assert "unchanged: 0 created, 0 updated" in out


# --- The project's own seed files ---------------------------------------------------------


def uncited_facts(organisation):
    """The public facts of one organisation that no citation supports."""
    cited = {
        (c.fact, c.region_id or c.focus_area_id or c.partnership_id)
        for c in Citation.objects.filter(organisation=organisation)
    }
    cited |= {
        ("partnership", c.partnership_id)
        for c in Citation.objects.filter(partnership__organisation=organisation)
    }
    wanted = [("existence", None)]
    wanted += [("region", region.pk) for region in organisation.regions.all()]
    wanted += [("focus", area.pk) for area in organisation.focus_areas.all()]
    wanted += [("partnership", link.pk) for link in organisation.partnerships.all()]
    if organisation.founded:
        wanted.append(("founded", None))
    if organisation.hq_region_id:
        wanted.append(("headquarters", None))
    return [fact for fact in wanted if fact not in cited]


def seed_file_statuses():
    """slug -> status, read from the project's seed files (the default is published)."""
    statuses = {}
    for path in sorted(settings.SEEDS_DIR.glob("*.toml")):
        with path.open("rb") as handle:
            for entry in tomllib.load(handle)["organisations"]:
                if "status" in entry or entry["slug"] not in statuses:
                    statuses[entry["slug"]] = entry.get("status", "published")
    return statuses


def test_project_seeds_load_on_a_fresh_database_and_a_second_load_changes_nothing(seeded):
    expected = seed_file_statuses()
    assert set(Organisation.objects.values_list("slug", flat=True)) == set(expected)
    published = Organisation.objects.filter(status=Organisation.Status.PUBLISHED)
    assert set(published.values_list("slug", flat=True)) == {
        slug for slug, status in expected.items() if status == "published"
    }
    assert Person.objects.exists() and not Person.objects.filter(is_public=True).exists()

    out = load()
    assert " 0 created, 0 updated" in out and "0 conflicts" in out


def test_every_published_seeded_organisation_has_every_public_fact_cited(seeded):
    published = Organisation.objects.filter(status=Organisation.Status.PUBLISHED)
    assert published.count() > 20  # positive control: the seeds publish most entries
    uncited = {org.slug: uncited_facts(org) for org in published}
    assert not {slug: facts for slug, facts in uncited.items() if facts}


# --- What the public will see --------------------------------------------------------


def test_texts_shown_with_something_withheld_are_notices_not_errors(seeds_dir):
    named = cite("Doe works in Mopti.", "Interview with Jane")
    write_seed(
        seeds_dir,
        "001-a.toml",
        "report-a",
        [
            org(
                "ajcet",
                description_en="Founded by Jane Doe.",
                regions=[{"region": "mopti", **named}],
                people=[{"name": "Jane Doe", "role": "Director", **cite("Jane Doe leads AJCET.")}],
            ),
            org("other", regions=[{"region": "mopti", **cite("Nothing to hide in Mopti.")}]),
        ],
    )
    out = load()
    assert "1 seed file loaded" in out
    notices = [line for line in out.splitlines() if line.startswith("notice: ")]
    assert notices == [
        "notice: seeds/001-a.toml: organisations[0] (ajcet): description_en is shown to the "
        "public as “Founded by [name withheld].”",
        "notice: seeds/001-a.toml: organisations[0] (ajcet): regions[0]: quote is shown to the "
        "public as “[name withheld] works in Mopti.”",
        "notice: seeds/001-a.toml: organisations[0] (ajcet): regions[0]: locator is shown to the "
        "public as “Interview with [name withheld]”",
    ]
    assert Citation.objects.get(fact="region", organisation__slug="ajcet").quote == (
        "Doe works in Mopti."
    )


def test_every_seed_text_the_public_reads_is_checked_for_withheld_names(seeds_dir):
    """A source's four texts, a public person's citations, a partnership's programme and
    its citation are all shown to the public: a hidden name in any of them is a notice.
    A hidden person's own citation is never shown, so it is no notice."""
    write_seed(
        seeds_dir,
        "001-a.toml",
        "report-a",
        [
            org(
                "ajcet",
                description_fr="Fondée par Jane Doe.",
                people=[
                    {"name": "Jane Doe", "role": "Director", **cite("Doe leads AJCET.")},
                    {"name": "Ali Maiga", "public": True, **cite("Ali works with Doe.", "p. 4")},
                ],
            ),
            org("other"),
        ],
        [
            partnership(
                "ajcet",
                "funded_by",
                "other",
                programme="Doe's fund",
                quote="Doe asked.",
                locator="Letter from Doe",
            )
        ],
        title="Talks with Doe",
        publisher="Doe Press",
        description_en="Doe's notes.",
        description_fr="Notes de Doe.",
    )
    out = load()
    assert "1 seed file loaded" in out
    notices = [line for line in out.splitlines() if line.startswith("notice: ")]
    assert notices == [
        "notice: seeds/001-a.toml: source: title is shown to the public as "
        "“Talks with [name withheld]”",
        "notice: seeds/001-a.toml: source: publisher is shown to the public as "
        "“[name withheld] Press”",
        "notice: seeds/001-a.toml: source: description_en is shown to the public as "
        "“[name withheld]'s notes.”",
        "notice: seeds/001-a.toml: source: description_fr is shown to the public as "
        "“Notes de [name withheld].”",
        "notice: seeds/001-a.toml: organisations[0] (ajcet): description_fr is shown to the "
        "public as “Fondée par [name withheld].”",
        "notice: seeds/001-a.toml: organisations[0] (ajcet): people[1] (Ali Maiga): quote is "
        "shown to the public as “Ali works with [name withheld].”",
        "notice: seeds/001-a.toml: partnerships[0] (ajcet funded_by other): programme is "
        "shown to the public as “[name withheld]'s fund”",
        "notice: seeds/001-a.toml: partnerships[0] (ajcet funded_by other): quote is shown "
        "to the public as “[name withheld] asked.”",
        "notice: seeds/001-a.toml: partnerships[0] (ajcet funded_by other): locator is shown "
        "to the public as “Letter from [name withheld]”",
    ]


# --- The evidence of what a load wrote ------------------------------------------------------


def test_an_uncited_fact_is_refused_at_the_entry_and_every_other_file_that_gives_it(seeds_dir):
    """A curator's uncited region on a draft the seeds then publish: the problem names the
    entry, then the other files that give the organisation."""
    base_seed(seeds_dir, status="draft")
    load()
    Organisation.objects.get(slug="ajcet").regions.add(Region.objects.get(slug="gao"))
    base_seed(seeds_dir, status="published")
    for name in ("002-second.toml", "003-third.toml"):
        write_seed(seeds_dir, name, name[:3], [org("ajcet", name=None, kind=None)])
    before = snapshot()

    error = load_error()

    assert error.splitlines()[1:] == [
        "seeds/001-base.toml: organisations[0] (ajcet) (also in seeds/002-second.toml, "
        "seeds/003-third.toml): AJCET: every public fact of a published organisation needs a "
        "citation; none for region of work: Gao."
    ]
    assert snapshot() == before


def test_an_uncited_fact_of_an_organisation_named_only_in_partnerships_is_refused_there(
    seeds_dir, reference_data
):
    """Published organisations a curator created without citations, which the seeds name
    only as one side of a partnership: each problem names the first partnership naming it.
    An organisation one file gives is named by its entry alone."""
    ajcet = Organisation.objects.create(
        slug="ajcet", name="Association ajcet", kind="local_association", status="published"
    )
    ajcet.regions.add(Region.objects.get(slug="gao"))  # a curator's, not cited
    Organisation.objects.create(slug="wanep", name="WANEP", kind="network", status="published")
    Organisation.objects.create(slug="cordaid", name="Cordaid", kind="donor", status="published")
    links = [
        partnership("ajcet", "member_of", "wanep"),
        partnership("cordaid", "funded_by", "usip"),
        partnership("usip", "partner_of", "wanep"),
        partnership("cordaid", "partner_of", "ajcet"),
    ]
    write_seed(seeds_dir, "001-a.toml", "doc-a", [org("ajcet"), org("usip")], links)
    before = snapshot()

    error = load_error()

    assert error.splitlines()[1:] == [
        "seeds/001-a.toml: organisations[0] (ajcet): Association ajcet: every public fact of "
        "a published organisation needs a citation; none for region of work: Gao.",
        "seeds/001-a.toml: partnerships[0] (ajcet member_of wanep): WANEP: every public fact "
        "of a published organisation needs a citation; none for existence.",
        "seeds/001-a.toml: partnerships[1] (cordaid funded_by usip): Cordaid: every public "
        "fact of a published organisation needs a citation; none for existence.",
    ]
    assert snapshot() == before


def test_a_seed_text_is_stored_without_its_surrounding_spaces_and_spaces_alone_are_empty(
    seeds_dir,
):
    """Seed files are written by hand: a name typed with spaces around it is stored
    without them, and a required text of spaces only is refused as empty."""
    write_seed(
        seeds_dir,
        "000-a.toml",
        "report-a",
        organisations=[org("spaced", name="  Association Spaced \n", acronym=" AS ")],
    )
    load()
    stored = Organisation.objects.get(slug="spaced")
    assert (stored.name, stored.acronym) == ("Association Spaced", "AS")
    write_seed(seeds_dir, "000-a.toml", "report-a", organisations=[org("spaced", name="   ")])
    assert load_error().splitlines()[1:] == ["seeds/000-a.toml: organisations[0].name: empty"]
