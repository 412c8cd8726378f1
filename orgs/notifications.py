"""Email about submissions, through Django's email framework (settings EMAIL_*).

Curators hear of an urgent submission (a request to hide) at once and of the others
in a digest (`manage.py notify_curators`, run from cron). The messages say what kind
of submission arrived and link to it in the admin; they never carry what the reader
typed, which stays in the database. A submitter who left an address hears, in the
language they wrote in, when a curator has handled theirs.
"""

import logging
import smtplib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail, send_mass_mail
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .roles import GROUP_NAME

logger = logging.getLogger(__name__)


def deliver(send, *args):
    """Send, or log why not: a mail server that is down must not fail the reader's
    request once their submission is saved. Returns how many were sent."""
    try:
        return send(*args)
    except (OSError, smtplib.SMTPException):
        logger.exception("Email not sent")
        return 0


def curator_addresses():
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    curators = users.filter(Q(groups__name=GROUP_NAME) | Q(is_superuser=True))
    return sorted(set(curators.values_list("email", flat=True)))


def admin_url(submission):
    path = reverse("admin:orgs_submission_change", args=[submission.pk])
    return settings.SITE_URL + path


def tell_curators(submissions, *, urgent):
    """One message to every curator about these submissions; marks them notified."""
    submissions = list(submissions)
    recipients = curator_addresses()
    if not submissions or not recipients:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "items": [(s, admin_url(s)) for s in submissions],
            "queue": settings.SITE_URL + reverse("admin:orgs_submission_changelist"),
        }
        if urgent:
            subject = _("Urgent: a request to hide something in the directory")
        else:
            subject = _("New submissions to check in the directory")
        body = render_to_string("orgs/email/curators.txt", {**context, "urgent": urgent})
    sent = deliver(
        send_mass_mail,
        [(subject, body, settings.DEFAULT_FROM_EMAIL, [address]) for address in recipients],
    )
    if not sent:  # left for the next digest
        return 0
    type(submissions[0]).objects.filter(pk__in=[s.pk for s in submissions]).update(
        curators_notified=timezone.now()
    )
    return sent


def submission_received(submission):
    """Called once a submission is saved: urgent ones go to curators at once."""
    if submission.urgent:
        tell_curators([submission], urgent=True)


def send_digest():
    """Everything new that curators have not heard of yet, in one message each."""
    from .models import Submission

    pending = Submission.objects.filter(curators_notified__isnull=True).select_related(
        "organisation"
    )
    return tell_curators(pending.order_by("created"), urgent=False)


def tell_submitter(submission):
    """The outcome, in the submitter's language, if they left an address."""
    if not submission.email:
        return 0
    with translation.override(submission.language or settings.LANGUAGE_CODE):
        subject = _("Your suggestion to the Mali CSO Directory")
        body = render_to_string(
            "orgs/email/submitter.txt",
            {
                "submission": submission,
                "accepted": submission.status == submission.Status.ACCEPTED,
                # The home page in their language: /fr/ or /en/.
                "site": settings.SITE_URL + reverse("orgs:home"),
            },
        )
    return deliver(send_mail, subject, body, settings.DEFAULT_FROM_EMAIL, [submission.email])
