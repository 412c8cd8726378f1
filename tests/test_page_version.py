"""The page version (orgs.page_version): the database changes it on every write to
anything a public page shows, whoever writes, so the page cache never serves a page
whose data changed. Each case warms a real page, writes as a curator, a bulk job or a
script would, and reads the page again."""

import re

import pytest
from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from orgs import (
    facet_changes,
    facet_snapshot,
    facet_version,
    page_version,
    public_text_snapshot,
    public_text_version,
    search_schema,
)
from orgs.models import Citation, FocusArea, Organisation, Partnership, Person, Region

from .conftest import make_org


def url(name, language="en", **kwargs):
    with translation.override(language):
        return reverse(name, kwargs=kwargs or None)


def changes(action):
    before = page_version.current()
    action()
    return page_version.current() != before


def raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def link(table, column, model, slug):
    """A many-to-many link written by raw SQL, as a script or another program would."""
    raw(
        f"INSERT INTO {table} (organisation_id, {column}_id) VALUES (%s, %s)",
        [Organisation.objects.get(slug="donor-fund").pk, model.objects.get(slug=slug).pk],
    )


def save(obj, **fields):
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.save()


# (what changes, the page that shows it, the write, what the page shows after)
CASES = [
    (
        "organisation, saved",
        ("orgs:org_detail", {"slug": "donor-fund"}),
        lambda: save(Organisation.objects.get(slug="donor-fund"), website="https://new.example"),
        "https://new.example",
    ),
    (
        "organisation contacts, queryset.update()",
        ("orgs:org_detail", {"slug": "donor-fund"}),
        lambda: Organisation.objects.filter(slug="donor-fund").update(
            contact_email="desk@fund.example", contact_email_public=True
        ),
        "desk@fund.example",
    ),
    (
        "organisation name, raw SQL",
        ("orgs:org_list", {}),
        lambda: raw(
            "UPDATE orgs_organisation SET name = %s WHERE slug = %s",
            ["Renamed Donor Fund", "donor-fund"],
        ),
        "Renamed Donor Fund",
    ),
    (
        "regions of work (many-to-many)",
        ("orgs:org_detail", {"slug": "donor-fund"}),
        lambda: Organisation.objects.get(slug="donor-fund").regions.add(
            Region.objects.get(slug="kidal")
        ),
        "Kidal",
    ),
    (
        "regions of work, raw SQL (no signal rewrites the organisation)",
        ("orgs:org_detail", {"slug": "donor-fund"}),
        lambda: link("orgs_organisation_regions", "region", Region, "gao"),
        "Gao",
    ),
    (
        "focus areas (many-to-many)",
        ("orgs:org_detail", {"slug": "donor-fund"}),
        lambda: Organisation.objects.get(slug="donor-fund").focus_areas.add(
            FocusArea.objects.get(slug="health")
        ),
        {"en": "Health", "fr": "Santé"},
    ),
    (
        "focus areas, raw SQL",
        ("orgs:org_detail", {"slug": "donor-fund"}),
        lambda: link("orgs_organisation_focus_areas", "focusarea", FocusArea, "education"),
        {"en": "Education", "fr": "Éducation"},
    ),
    (
        "region name",
        ("orgs:region_list", {}),
        lambda: Region.objects.filter(slug="kayes").update(name_en="Kayes Renamed"),
        "Kayes Renamed",
    ),
    (
        "focus area label",
        ("orgs:region_list", {}),
        lambda: save(
            FocusArea.objects.get(slug="health"), label_en="Health and Care", label_fr="Soins"
        ),
        {"en": "Health and Care", "fr": "Soins"},
    ),
    (
        "person, bulk_create",
        ("orgs:org_detail", {"slug": "youth-mopti"}),
        lambda: Person.objects.bulk_create(
            [
                Person(
                    organisation=Organisation.objects.get(slug="youth-mopti"),
                    name="Awa Newcomer",
                    role="Treasurer",
                    is_public=True,
                )
            ]
        ),
        "Awa Newcomer",
    ),
    (
        "citation quote",
        ("orgs:org_detail", {"slug": "youth-mopti"}),
        lambda: Citation.objects.filter(fact="existence", organisation__slug="youth-mopti").update(
            quote="Youth Mopti Association now runs radio clubs."
        ),
        "now runs radio clubs",
    ),
    (
        "partnership programme",
        ("orgs:org_detail", {"slug": "youth-mopti"}),
        lambda: save(
            Partnership.objects.get(organisation__slug="youth-mopti"), programme="Radios"
        ),
        "Radios",
    ),
    (
        "source title, raw SQL",
        ("orgs:source_detail", {"slug": "report-2019"}),
        lambda: raw(
            "UPDATE orgs_source SET title = %s WHERE slug = %s",
            ["Peacebuilding in Mali, revised", "report-2019"],
        ),
        "Peacebuilding in Mali, revised",
    ),
]


@pytest.mark.parametrize(
    ("page", "write", "shown"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_page_shows_a_write_at_once_whoever_made_it(
    client, directory, page, write, shown, language
):
    name, kwargs = page
    address = url(name, language, **kwargs)
    shown = shown[language] if isinstance(shown, dict) else shown
    before = client.get(address)
    assert before.status_code == 200
    assert shown not in before.content.decode()
    assert client.get(address)["ETag"] == before["ETag"]  # kept: the next would be a hit
    write()
    after = client.get(address)
    assert after.status_code == 200
    assert shown in after.content.decode()
    assert after["ETag"] != before["ETag"]


@pytest.mark.parametrize("write", ["save", "update"])
def test_an_unpublished_organisation_is_never_served_from_the_cache(client, directory, write):
    """Nothing unpublished leaks: its page, the listing and the region page forget it."""
    pages = [url("orgs:org_detail", language, slug="youth-mopti") for language in ("en", "fr")] + [
        url("orgs:org_list", language) for language in ("en", "fr")
    ]
    pages += [url("orgs:region_detail", language, slug="mopti") for language in ("en", "fr")]
    for address in pages:
        response = client.get(address)
        assert response.status_code == 200
        assert "Youth Mopti Association" in response.content.decode(), address
    org = Organisation.objects.get(slug="youth-mopti")
    if write == "save":
        save(org, status=Organisation.Status.DRAFT)
    else:
        Organisation.objects.filter(pk=org.pk).update(status=Organisation.Status.DRAFT)
    assert client.get(pages[0]).status_code == 404
    assert client.get(pages[1]).status_code == 404
    for address in pages[2:]:
        response = client.get(address)
        assert response.status_code == 200
        assert "Youth Mopti Association" not in response.content.decode(), address
        assert "Prison Mopti Association" in response.content.decode(), address  # control


def test_every_table_a_public_page_reads_is_watched(client, directory):
    """The tables in the SQL of every cached page, in both languages, are all watched:
    a new table a page reads without a trigger would be served stale."""
    from orgs.page_cache import CACHED_VIEWS

    kwargs = {
        "orgs:org_detail": {"slug": "youth-mopti"},
        "orgs:region_detail": {"slug": "mopti"},
        "orgs:source_detail": {"slug": "report-2019"},
    }
    read = set()
    for name in sorted(CACHED_VIEWS):
        for language in ("en", "fr"):
            for query in ("", "?q=youth&region=mopti"):
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(url(name, language, **kwargs.get(name, {})) + query)
                assert response.status_code == 200
                for captured in queries:
                    read |= set(re.findall(r'(?:FROM|JOIN)\s+"?(\w+)"?', captured["sql"]))
    assert {"orgs_organisation", "orgs_citation", "orgs_person"} <= read  # control
    # The token tables themselves, and the search index, which is made of watched
    # columns of orgs_organisation.
    derived = {
        page_version.TABLE,
        facet_version.TABLE,
        facet_changes.TABLE,
        facet_snapshot.TABLE,
        public_text_snapshot.TABLE,
        public_text_version.TABLE,
        search_schema.FTS_TABLE,
    }
    assert read - derived <= set(page_version.WATCHED)


@pytest.mark.parametrize("table", page_version.WATCHED)
def test_a_raw_write_to_any_watched_table_changes_the_token(directory, table):
    assert changes(
        lambda: raw(f"UPDATE {table} SET id = id WHERE id = (SELECT min(id) FROM {table})")
    )


def test_a_write_to_a_table_no_page_shows_leaves_the_token(directory, django_user_model):
    org = make_org(slug="control", name="Control")
    assert changes(lambda: Organisation.objects.filter(pk=org.pk).update(website="x"))  # control
    assert not changes(lambda: django_user_model.objects.create_user("someone"))


def test_loading_the_seeds_changes_the_pages(client, reference_data):
    listing = url("orgs:org_list")
    assert client.get(listing).status_code == 200
    first = client.get(listing)
    call_command("load_seeds", verbosity=0)
    after = client.get(listing)
    assert after.status_code == 200
    assert after["ETag"] != first["ETag"]
    some = Organisation.objects.published().order_by("sort_name").first()
    assert some is not None and some.name in after.content.decode()


def test_a_restored_backup_is_served_not_the_empty_directory(
    client, transactional_db, directory, tmp_path
):
    page = url("orgs:org_detail", slug="jeunes-citoyens")
    assert client.get(page).status_code == 200
    call_command("export_directory", str(tmp_path / "backup.json"), verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    assert client.get(page).status_code == 404
    assert client.get(page).status_code == 404  # kept
    call_command("import_directory", str(tmp_path / "backup.json"), verbosity=0)
    restored = client.get(page)
    assert restored.status_code == 200
    assert "Association des Jeunes pour la Citoyenneté" in restored.content.decode()


def test_a_migration_moves_the_token_on(directory):
    """A migration may change what a page shows without writing a watched row."""
    loader = MigrationLoader(connection)
    last = loader.graph.leaf_nodes("orgs")[0]
    plan = [(loader.graph.nodes[last], False)]
    assert changes(lambda: emit_post_migrate_signal(0, False, "default", plan=plan))
    # A test flush (no plan) leaves it: nothing was migrated.
    assert not changes(lambda: emit_post_migrate_signal(0, False, "default", plan=None))


def test_every_migration_moves_the_token_to_a_new_value(directory):
    """Two migrations in a row must not leave a token seen before: a process that kept
    pages under it would serve them again as if nothing had changed."""
    loader = MigrationLoader(connection)
    last = loader.graph.leaf_nodes("orgs")[0]
    plan = [(loader.graph.nodes[last], False)]
    seen = {page_version.current()}
    for _ in range(8):
        page_version.after_migrate(plan=plan)
        seen.add(page_version.current())
    assert len(seen) == 9


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite remakes tables")
def test_triggers_a_table_remake_dropped_come_back_after_migrate(client, directory):
    """And the token moves on: a page kept while the trigger was gone missed writes."""
    page = url("orgs:org_detail", slug="youth-mopti")
    name = f"{page_version.TABLE}_orgs_citation_update"
    raw(f"DROP TRIGGER {name}")
    assert "runs radio clubs" not in client.get(page).content.decode()  # kept
    quotes = Citation.objects.filter(fact="existence", organisation__slug="youth-mopti")
    assert not changes(lambda: quotes.update(quote="Youth Mopti Association runs radio clubs."))
    assert "runs radio clubs" not in client.get(page).content.decode()  # the gap
    page_version.after_migrate(plan=None)
    assert "runs radio clubs" in client.get(page).content.decode()
    raw_count = connection.cursor()
    raw_count.execute("SELECT count(*) FROM sqlite_master WHERE name = %s", [name])
    assert raw_count.fetchone() == (1,)
    assert changes(lambda: Citation.objects.update(locator="p. 14"))
