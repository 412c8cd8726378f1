"""The `curator` group and its permissions (see orgs/roles.py)."""

from django.db import migrations


def create_curator_group(apps, schema_editor):
    from orgs.roles import sync_curator_group

    sync_curator_group(apps, using=schema_editor.connection.alias)


def remove_curator_group(apps, schema_editor):
    from orgs.roles import GROUP_NAME

    apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0002_search_index"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_curator_group, remove_curator_group)]
