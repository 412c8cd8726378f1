from django.db import migrations

from orgs import facet_changes


def prune_once_per_transaction(apps, schema_editor):
    facet_changes.prune_once_per_transaction(schema_editor)


class Migration(migrations.Migration):
    """PostgreSQL prunes the facet change log once per transaction, not at every entry,
    which made a transaction logging many entries cost their number squared
    (orgs.facet_changes). Going back keeps the new function: it prunes the same log."""

    dependencies = [
        ("orgs", "0017_source_language"),
    ]

    operations = [
        migrations.RunPython(prune_once_per_transaction, migrations.RunPython.noop),
    ]
