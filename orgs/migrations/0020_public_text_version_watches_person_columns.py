from django.db import migrations

# The trigger DDL lives in orgs.public_text_version, next to the code that reads it.
from orgs import public_text_version


def reinstall(apps, schema_editor):
    public_text_version.reinstall_triggers(schema_editor)


def reinstall_before(apps, schema_editor):
    public_text_version.reinstall_triggers(
        schema_editor, public_text_version.WATCHED_BEFORE_PERSON_COLUMNS
    )


class Migration(migrations.Migration):
    """The public-text version moves for a person's name, visibility or organisation
    only: any other save of a person (a role, and every save, which bumps its version
    column) rebuilt the table of withheld terms, which reads every hidden person."""

    dependencies = [
        ("orgs", "0019_organisation_withheld_terms_index"),
    ]

    operations = [
        migrations.RunPython(reinstall, reinstall_before),
    ]
