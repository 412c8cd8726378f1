from django.db import migrations

# The trigger DDL lives in orgs.page_version, next to the code that reads it.
from orgs import page_version


def install(apps, schema_editor):
    page_version.install(schema_editor)


def uninstall(apps, schema_editor):
    page_version.uninstall(schema_editor)


class Migration(migrations.Migration):
    """The page version: a token the database changes on every write to anything a
    public page shows, the key of the page cache (orgs.page_cache)."""

    dependencies = [
        ("orgs", "0014_data_version_watches_contacts"),
    ]

    operations = [
        migrations.RunPython(install, uninstall),
    ]
