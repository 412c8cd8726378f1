"""Restore a file written by `export_directory` into an empty database.

All or nothing: the file is checked entry by entry inside one transaction, and the
first problem stops the import with a message naming the entry, leaving the
database as it was.
"""

import json

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from orgs import statistics
from orgs.backup import BackupError, load


class DryRun(Exception):
    pass


class Command(BaseCommand):
    help = "Restore the directory from a JSON file written by export_directory (empty database)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="A file written by export_directory.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and roll back; write nothing."
        )

    def handle(self, *args, path, dry_run, **options):
        try:
            with open(path, encoding="utf-8") as file:
                data = json.load(file)
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}") from error
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise CommandError(f"{path} is not valid JSON: {error}") from error
        try:
            with transaction.atomic():
                counts = load(data)
                if dry_run:
                    raise DryRun
        except BackupError as error:
            raise CommandError(f"{path}: {error}. Nothing was imported.") from error
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
