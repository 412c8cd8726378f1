from django.db import migrations

# The trigger DDL lives in orgs.facet_version, next to the code that reads it.
from orgs import facet_version


def reinstall(apps, schema_editor):
    facet_version.reinstall_triggers(schema_editor, facet_version.WATCHED_BEFORE_CONTACTS)


class Migration(migrations.Migration):
    """The data-version token also watches people, and organisations' sensitivity and
    town: the public-text rule (orgs.public_text) is keyed by it."""

    dependencies = [
        ("orgs", "0008_limits_on_fields"),
    ]

    operations = [
        migrations.RunPython(reinstall, migrations.RunPython.noop),
    ]
