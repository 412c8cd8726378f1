"""Migrations carry an existing directory forward: what was there before is still found."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from orgs.search import matching_id_list

from .test_public_text_snapshot import a_new_process, loaded_with_queries, reads_people

BEFORE_SEARCH = ("orgs", "0001_initial")
SEARCH = ("orgs", "0002_search_index")


def migrate_to(target):
    """Migrate orgs to `target`, as `migrate orgs <target>` would; the historical apps."""
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    executor.loader.build_graph()
    return executor.loader.project_state(target).apps


@pytest.mark.django_db(transaction=True)
def test_organisations_from_before_search_are_found_after_migrating(client):
    """0002 adds the search columns and fills them for the rows already there: its
    index finds them at once, and the public listing finds them after every migration.

    Migrates this test's own database back and forward, so it needs a transaction of
    its own (SQLite cannot change its schema inside one), and it always ends at the
    latest migration, through `migrate` as an operator runs it, for the tests after it.
    """
    try:
        Organisation = migrate_to(BEFORE_SEARCH).get_model("orgs", "Organisation")
        published = Organisation.objects.create(
            name="Association Tessit Solidarité",
            slug="tessit-solidarite",
            kind="local_association",
            status="published",
            description="Une radio communautaire.",
        )
        draft = Organisation.objects.create(
            name="Collectif Brouillon Tessit", slug="brouillon-tessit", kind="network"
        )
        migrate_to(SEARCH)
        assert sorted(matching_id_list("tessit")) == sorted([published.pk, draft.pk])
        assert matching_id_list("solidarite") == [published.pk]
        assert matching_id_list("communautaire") == [published.pk]  # the one description
    finally:
        call_command("migrate", verbosity=0)

    found = client.get("/en/orgs/?q=tessit")
    other = client.get("/en/orgs/?q=brouillon")

    assert found.status_code == other.status_code == 200
    page = found.content.decode()
    assert 'href="/en/orgs/tessit-solidarite/"' in page
    assert 'href="/en/orgs/brouillon-tessit/"' not in page  # a draft stays out
    # The search narrows: a word only the draft holds does not list the published one.
    assert 'href="/en/orgs/tessit-solidarite/"' not in other.content.decode()
    # The table of withheld terms the pages built was stored in the table the
    # migrations made again (orgs.public_text_snapshot): a new process loads it.
    a_new_process()
    assert not reads_people(loaded_with_queries()[1])
