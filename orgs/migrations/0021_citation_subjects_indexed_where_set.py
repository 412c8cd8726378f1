import django.db.models.deletion
from django.db import migrations, models

# The full index Django made for each subject, and the column it covers.
FULL_INDEXES = {
    "region": "orgs_citation_region_id_c7964d36",
    "focus_area": "orgs_citation_focus_area_id_5a2cb5db",
    "partnership": "orgs_citation_partnership_id_c4829402",
    "person": "orgs_citation_person_id_818f454d",
}
TARGETS = {
    "region": ("orgs.region", "+", "region"),
    "focus_area": ("orgs.focusarea", "+", "focus area"),
    "partnership": ("orgs.partnership", "citations", "partnership"),
    "person": ("orgs.person", "citations", "person"),
}


def without_full_index(field):
    """The subject's foreign key unindexed, its index dropped where it exists: a plain
    AlterField would make SQLite copy the whole table once per field."""
    to, related_name, verbose_name = TARGETS[field]
    return migrations.SeparateDatabaseAndState(
        state_operations=[
            migrations.AlterField(
                model_name="citation",
                name=field,
                field=models.ForeignKey(
                    blank=True,
                    db_index=False,
                    null=True,
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name=related_name,
                    to=to,
                    verbose_name=verbose_name,
                ),
            ),
        ],
        database_operations=[
            migrations.RunSQL(
                f'DROP INDEX IF EXISTS "{FULL_INDEXES[field]}"',
                f'CREATE INDEX "{FULL_INDEXES[field]}" ON "orgs_citation" ("{field}_id")',
            ),
        ],
    )


class Migration(migrations.Migration):
    """Each citation subject is indexed only where it is set (orgs.models.Citation):
    SQLite's planner took the empty ones for one value shared by nearly every row."""

    dependencies = [
        ("orgs", "0020_public_text_version_watches_person_columns"),
    ]

    operations = [
        *[without_full_index(field) for field in FULL_INDEXES],
        *[
            migrations.AddIndex(
                model_name="citation",
                index=models.Index(
                    condition=models.Q((f"{field}__isnull", False)),
                    fields=[field],
                    name=f"citation_{field}",
                ),
            )
            for field in FULL_INDEXES
        ],
    ]
