from django.db import migrations, models

# The table and trigger DDL live in orgs.facet_version, next to the code that reads it.
from orgs import facet_version


def install(apps, schema_editor):
    facet_version.install(schema_editor, facet_version.WATCHED_BEFORE_CONTACTS)


def uninstall(apps, schema_editor):
    facet_version.uninstall(schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ("orgs", "0003_admin_curator_group"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="organisation",
            index=models.Index(fields=["status", "updated"], name="orgs_organi_status_70a60f_idx"),
        ),
        migrations.RunPython(install, uninstall),
    ]
