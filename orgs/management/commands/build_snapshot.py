"""Write today's snapshot of all published data (orgs.snapshot) for the Data page."""

from urllib.parse import urlsplit

from django.core.management.base import BaseCommand, CommandError

from orgs.snapshot import build


class Command(BaseCommand):
    help = "Write today's snapshot of all published data, replacing older ones."

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000/",
            help="The site's address, for the links in the file (default: %(default)s).",
        )

    def handle(self, base_url, **options):
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise CommandError(f"--base-url {base_url!r} is not an http(s) address")
        path = build(base_url.rstrip("/") + "/")
        self.stdout.write(f"{path}: {path.stat().st_size:,} bytes")
