"""Descriptions in French and English: the one description there was is English."""

from django.db import migrations, models


def both(model_name, help_en, help_fr):
    return [
        migrations.RenameField(model_name, "description", "description_en"),
        migrations.AlterField(
            model_name=model_name,
            name="description_en",
            field=models.TextField(
                blank=True, help_text=help_en, max_length=2000, verbose_name="description in English"
            ),
        ),
        migrations.AddField(
            model_name=model_name,
            name="description_fr",
            field=models.TextField(
                blank=True, help_text=help_fr, max_length=2000, verbose_name="description in French"
            ),
        ),
    ]


ORG_HELP = "In our own words, never copied from a source."
ORG_HELP_FR = (
    "In our own words, never copied from a source, written in French (not machine-translated)."
)
SOURCE_HELP = "What the document is, in our own words."
SOURCE_HELP_FR = (
    "What the document is, in our own words, written in French (not machine-translated)."
)


def rename_seeded_key(apps, schema_editor):
    """What load_seeds last wrote as `description` it wrote to what is now description_en."""
    Organisation = apps.get_model("orgs", "Organisation")
    for org in Organisation.objects.exclude(seeded_values={}).only("pk", "seeded_values"):
        seeded = org.seeded_values or {}
        if "description" in seeded:
            org.seeded_values = {
                ("description_en" if key == "description" else key): value
                for key, value in seeded.items()
            }
            Organisation.objects.filter(pk=org.pk).update(seeded_values=org.seeded_values)


def restore_seeded_key(apps, schema_editor):
    Organisation = apps.get_model("orgs", "Organisation")
    for org in Organisation.objects.exclude(seeded_values={}).only("pk", "seeded_values"):
        seeded = org.seeded_values or {}
        if "description_en" in seeded or "description_fr" in seeded:
            seeded = {
                ("description" if key == "description_en" else key): value
                for key, value in seeded.items()
                if key != "description_fr"
            }
            Organisation.objects.filter(pk=org.pk).update(seeded_values=seeded)


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0011_remove_region_tiles"),
    ]

    operations = [
        *both("organisation", ORG_HELP, ORG_HELP_FR),
        *both("historicalorganisation", ORG_HELP, ORG_HELP_FR),
        *both("source", SOURCE_HELP, SOURCE_HELP_FR),
        *both("historicalsource", SOURCE_HELP, SOURCE_HELP_FR),
        migrations.RunPython(rename_seeded_key, restore_seeded_key),
    ]
