from django.db import migrations

# The table's DDL lives in orgs.public_text_snapshot, next to the code that reads it.
from orgs import public_text_snapshot


def install(apps, schema_editor):
    public_text_snapshot.install(schema_editor)


def uninstall(apps, schema_editor):
    public_text_snapshot.uninstall(schema_editor)


class Migration(migrations.Migration):
    """The stored table of withheld terms, which a starting process loads rather than
    read every hidden person (orgs.public_text_snapshot)."""

    dependencies = [
        ("orgs", "0021_citation_subjects_indexed_where_set"),
    ]

    operations = [
        migrations.RunPython(install, uninstall),
    ]
