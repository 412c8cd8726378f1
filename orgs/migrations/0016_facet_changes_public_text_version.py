from django.db import migrations

# The table and trigger DDL live in orgs.facet_changes, orgs.facet_snapshot and
# orgs.public_text_version, next to the code that reads them.
from orgs import facet_changes, facet_snapshot, public_text_version


def install(apps, schema_editor):
    facet_changes.install(schema_editor)
    facet_snapshot.install(schema_editor)
    public_text_version.install(schema_editor, public_text_version.WATCHED_BEFORE_PERSON_COLUMNS)


def uninstall(apps, schema_editor):
    public_text_version.uninstall(schema_editor)
    facet_snapshot.uninstall(schema_editor)
    facet_changes.uninstall(schema_editor)


class Migration(migrations.Migration):
    """The facet change log: which organisations changed, so the facet index updates
    them alone rather than rebuilding (orgs.facet_upkeep); and the public-text version,
    so that the table of withheld terms is rebuilt only when what it reads changes; and
    the stored facet index, which a starting server loads (orgs.facet_snapshot)."""

    dependencies = [
        ("orgs", "0015_page_version"),
    ]

    operations = [
        migrations.RunPython(install, uninstall),
    ]
