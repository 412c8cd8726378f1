"""Write seeds/seed.schema.json, the seed format as a JSON Schema for editors.

The schema is generated from orgs.seed_schema, whose limits come from the models;
run this after changing either (a test fails until the committed file matches).
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from orgs.seed_schema import json_schema_text


class Command(BaseCommand):
    help = "Write the seed files' JSON Schema to seeds/seed.schema.json ('-' for standard output)."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=None, help="Where to write it.")

    def handle(self, *args, path=None, **options):
        text = json_schema_text()
        if path == "-":
            self.stdout.write(text, ending="")
            return
        target = Path(path) if path else Path(settings.SEEDS_DIR) / "seed.schema.json"
        target.write_text(text, encoding="utf-8")
        if options["verbosity"] >= 1:
            self.stdout.write(self.style.SUCCESS(f"Wrote {target}."))
