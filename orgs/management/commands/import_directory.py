"""Restore a file written by `export_directory` into an empty database.

All or nothing: the whole file is checked first (orgs.backup_schema), and every
problem is reported with the entry it concerns, leaving the database as it was;
it is then restored inside one transaction.
"""

from django.core.management.base import BaseCommand, CommandError, no_translations
from django.db import transaction

from orgs import statistics
from orgs.backup import BackupError, load
from orgs.backup_schema import read_backup
from orgs.schema import FileProblems


class DryRun(Exception):
    pass


class Command(BaseCommand):
    help = "Restore the directory from a JSON file written by export_directory (empty database)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="A file written by export_directory.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and roll back; write nothing."
        )

    @no_translations  # messages in the settings' language, whatever a caller activated
    def handle(self, *args, path, dry_run, **options):
        try:
            backup = read_backup(path, path)
            with transaction.atomic():
                counts = load(backup)
                if dry_run:
                    raise DryRun
        except (FileProblems, BackupError) as error:
            # One form for every refusal: how many, where, then one problem a line.
            raise CommandError(
                f"{len(error.problems)} problem(s) in {path}; nothing was imported:\n"
                + "\n".join(error.problems)
            ) from None
        except DryRun:
            self.stdout.write(f"{path} would import cleanly (dry run: nothing written).")
            return
        statistics.refresh()  # so the planner knows the restored tables' sizes
        if options["verbosity"] >= 1:
            users = counts.pop("placeholder users")
            summary = ", ".join(f"{n} {name}" for name, n in counts.items())
            self.stdout.write(self.style.SUCCESS(f"Imported {summary} from {path}."))
            if users:
                self.stdout.write(
                    self.style.WARNING(
                        "Created inactive accounts, without passwords, for curators named in "
                        f"the file: {', '.join(users)}."
                    )
                )
