"""Send curators one message listing the submissions they have not heard of yet.

Requests to hide are sent at once, when they arrive; everything else waits for this
digest, so curators get one message a day rather than one per suggestion. Run it
from cron (daily, or hourly for a busier directory).
"""

from django.core.management.base import BaseCommand

from orgs.models import Submission
from orgs.notifications import send_digest


class Command(BaseCommand):
    help = "Email curators a digest of new submissions they have not been told of."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Say how many, send nothing.")

    def handle(self, *args, dry_run=False, verbosity=1, **options):
        pending = Submission.objects.filter(curators_notified__isnull=True).count()
        if not dry_run and pending:
            send_digest()
        if verbosity:
            verb = "to send" if dry_run else "sent"
            self.stdout.write(self.style.SUCCESS(f"{pending} new submission(s) {verb}."))
