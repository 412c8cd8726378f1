from django.db import migrations

# The trigger DDL lives in orgs.facet_version, next to the code that reads it.
from orgs import facet_version


def reinstall(apps, schema_editor):
    facet_version.reinstall_triggers(schema_editor)


def reinstall_before(apps, schema_editor):
    facet_version.reinstall_triggers(schema_editor, facet_version.WATCHED_BEFORE_CONTACTS)


class Migration(migrations.Migration):
    """The data-version token also watches organisations' contacts and their public
    switches: the public-text rule (orgs.public_text) withholds hidden contacts."""

    dependencies = [
        ("orgs", "0013_organisation_contacts"),
    ]

    operations = [
        migrations.RunPython(reinstall, reinstall_before),
    ]
