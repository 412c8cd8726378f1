"""Write the whole directory to one JSON file: a backup a person can read.

Everything is in it (drafts, hidden people, verification details), so the file
must be kept as safe as the database. `import_directory` restores it.
"""

import json
import os

from django.core.management.base import BaseCommand, CommandError

from orgs.backup import dump


class Command(BaseCommand):
    help = "Write every organisation, person, partnership, source and citation to a JSON file."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The file to write ('-' for standard output).")

    def handle(self, *args, path, **options):
        data = dump()
        text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
        if path == "-":
            self.stdout.write(text, ending="")
            return
        try:
            # Only the owner may read it: it holds hidden people and unpublished drafts.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with open(fd, "w", encoding="utf-8") as file:
                file.write(text)
        except OSError as error:
            raise CommandError(f"Cannot write {path}: {error.strerror}") from error
        if options["verbosity"] >= 1:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Wrote {len(data['organisations'])} organisations, "
                    f"{len(data['people'])} people, {len(data['partnerships'])} partnerships, "
                    f"{len(data['sources'])} sources and {len(data['citations'])} citations "
                    f"to {path}."
                )
            )
