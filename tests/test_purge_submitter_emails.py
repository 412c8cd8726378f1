"""Submitters' email addresses are deleted 90 days after their submission is closed."""

import datetime

from django.core.management import call_command
from django.utils import timezone

from orgs.models import Submission


def submission(email, status, closed_days_ago):
    closed = None
    if closed_days_ago is not None:
        closed = timezone.now() - datetime.timedelta(days=closed_days_ago)
    return Submission.objects.create(
        kind="correction", status=status, email=email, closed=closed, message="m"
    )


def test_addresses_go_90_days_after_closing_and_not_before(db, capsys):
    old = submission("old@example.org", "accepted", 91)
    declined = submission("declined@example.org", "declined", 120)
    recent = submission("recent@example.org", "declined", 89)
    still_open = submission("open@example.org", "in_review", None)

    call_command("purge_submitter_emails")

    emails = dict(Submission.objects.values_list("pk", "email"))
    assert emails == {
        old.pk: "",
        declined.pk: "",
        recent.pk: "recent@example.org",
        still_open.pk: "open@example.org",
    }
    assert "2 email address(es)" in capsys.readouterr().out


def test_dry_run_deletes_nothing(db, capsys):
    submission("old@example.org", "accepted", 91)
    call_command("purge_submitter_emails", "--dry-run")
    assert Submission.objects.get().email == "old@example.org"
    assert "1 email address(es) of submissions closed over 90 days ago would be deleted" in (
        capsys.readouterr().out
    )


def test_history_never_held_the_address(db):
    s = submission("someone@example.org", "new", None)
    s.status = "declined"
    s.save()
    assert s.history.count() == 2
    assert "email" not in {f.name for f in Submission.history.model._meta.get_fields()}
