"""Load the reference fixtures and the seed files (seeds/*.toml) into the database.

The directory's first entries come from public documents, one seed file per document
with a citation beside every fact. This command is how they reach the database, on
a fresh install and after every change to a seed file. It checks every file before
writing anything, writes in one transaction, changes nothing on a second run, and
never overwrites what a curator changed in the admin unless told to with --force.
The work itself is in orgs.seed_loading (writing), orgs.seed_references (checking
entries against each other) and orgs.seed_schema (reading one file).
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, no_translations
from django.db import transaction

from orgs import seed_loading, seed_references


class Command(BaseCommand):
    help = (
        "Load fixtures/regions and focus_areas and every seeds/*.toml into the database, "
        "in one transaction. Fields a curator changed are kept and reported as conflicts."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Report what would be created, updated and in conflict; write nothing.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Overwrite fields a curator changed with the seed files' values.",
        )

    @no_translations  # messages in the settings' language, whatever a caller activated
    def handle(self, *args, dry_run=False, force=False, verbosity=1, **options):
        seeds_dir = settings.SEEDS_DIR
        try:
            with transaction.atomic():
                report = seed_loading.load(seeds_dir, force=force)
                if dry_run:
                    transaction.set_rollback(True)
        except seed_references.SeedError as e:
            raise CommandError(
                f"{len(e.errors)} problem(s) in the seed files in {seeds_dir}; "
                "nothing was loaded:\n" + "\n".join(e.errors)
            ) from None

        # Per object at -v 2, or always for a dry run: what it is for.
        if verbosity >= 2 or (dry_run and verbosity >= 1):
            would = "would be " if dry_run else ""
            for action, label, detail in report.changes:
                line = f"{label}: {would}{action}" + (f" ({detail})" if detail else "")
                self.stdout.write(line)
        if verbosity >= 1:
            for notice in report.notices:
                self.stdout.write(f"notice: {notice}")
            for conflict in report.conflicts:
                self.stdout.write(self.style.WARNING(f"conflict: {conflict}"))
            if report.conflicts:
                self.stdout.write(
                    self.style.WARNING(
                        "The curators' values were kept; --force overwrites them with the seeds'."
                    )
                )
            prefix = "Dry run, nothing written. " if dry_run else ""
            self.stdout.write(self.style.SUCCESS(prefix + report.summary(dry_run)))
