"""Delete submitters' email addresses 90 days after their submission was closed.

An address is kept only to reply; once a submission has been accepted or declined
and the reply sent, 90 days leave time for a follow-up, then it goes. Run daily
from cron. History never held the addresses (Submission.history excludes them).
"""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from orgs.models import Submission


class Command(BaseCommand):
    help = "Delete the email addresses of submissions closed more than 90 days ago."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Say how many, delete nothing.")

    def handle(self, *args, dry_run=False, verbosity=1, **options):
        kept_days = settings.SUBMITTER_EMAIL_KEPT_DAYS
        cutoff = timezone.now() - datetime.timedelta(days=kept_days)
        with transaction.atomic():
            due = Submission.objects.closed().filter(closed__lt=cutoff).exclude(email="")
            count = due.count() if dry_run else due.update(email="")
        if verbosity:
            verb = "would be deleted" if dry_run else "deleted"
            self.stdout.write(
                self.style.SUCCESS(
                    f"{count} email address(es) of submissions closed over "
                    f"{kept_days} days ago {verb}."
                )
            )
