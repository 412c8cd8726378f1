"""Organisations confirm their own record through a one-time, expiring link.

A curator creates the link from the organisation's admin page. Its address carries
a token signed with Django's signing (timestamped, so it expires after
CONFIRMATION_LINK_DAYS); the token names a ConfirmationLink row whose `used` makes it
work once. The page shows the record as stored, hidden fields included, so only the
link's holder may see it: it is never cached or indexed and sends no referrer.
Confirming records "confirmed by the organisation" today, as the admin's action does;
proposed corrections go to the curators' queue.
"""

import datetime
import secrets

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from . import contacts, notifications
from .admin_actions import record_verification
from .language import DEFAULT_FOR_READERS
from .models import ConfirmationLink, Organisation, Submission

SALT = "orgs.confirmation-link"
NOT_VALID = _("This link is not valid. Check that it was copied whole.")


def max_age():
    return datetime.timedelta(days=settings.CONFIRMATION_LINK_DAYS)


def create_link(organisation, user):
    """A new link for this organisation; returns (link, path)."""
    link = ConfirmationLink.objects.create(
        organisation=organisation, created_by=user, nonce=secrets.token_urlsafe(32)
    )
    token = signing.dumps(link.nonce, salt=SALT)
    # In French, the language most organisations read; the page links its English.
    with translation.override(DEFAULT_FOR_READERS):
        return link, reverse("orgs:confirm", args=[token])


class LinkError(Exception):
    def __init__(self, message, status):
        super().__init__(message)
        self.message, self.status = message, status


def read_token(token, *, lock=False):
    """The unused link this token names, or LinkError saying why not."""
    try:
        nonce = signing.loads(token, salt=SALT, max_age=max_age())
    except signing.SignatureExpired:
        raise LinkError(
            _("This link has expired. Ask the directory's curators for a new one."), 410
        ) from None
    except signing.BadSignature:
        raise LinkError(NOT_VALID, 404) from None
    links = ConfirmationLink.objects.select_related("organisation")
    if lock:
        links = links.select_for_update()
    link = links.filter(nonce=nonce).first()
    if link is None:
        raise LinkError(NOT_VALID, 404)
    if link.used:
        raise LinkError(
            _("This link has already been used. Ask the directory's curators for a new one."),
            410,
        )
    return link


class CorrectionsForm(forms.Form):
    message = forms.CharField(
        label=_("What should change?"),
        max_length=Submission._meta.get_field("message").max_length,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    email = forms.EmailField(
        label=_("Your email address"),
        required=False,
        max_length=Submission._meta.get_field("email").max_length,
        help_text=_("Optional, only if you would like a reply."),
    )


def stored_record(org):
    """Everything stored about the organisation, hidden parts included."""
    return {
        "org": org,
        "people": list(org.people.all()),
        "partnerships": list(org.partnerships.select_related("partner")),
        "citations": list(org.citations.with_subjects().order_by("fact", "id")),
        # Each contact with whether the public sees it (orgs.contacts).
        "contacts": [
            (
                Organisation._meta.get_field(field).verbose_name,
                getattr(org, field),
                getattr(org, switch) and not org.sensitive,
            )
            for field, switch in contacts.FIELDS
        ],
    }


def private(response):
    """Only for the link's holder: not stored, not indexed, no referrer."""
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


@never_cache
def confirm(request, token):
    try:
        link = read_token(token)
    except LinkError as error:
        return private(
            render(
                request,
                "orgs/confirmation/invalid.html",
                {"message": error.message},
                status=error.status,
            )
        )
    form = CorrectionsForm()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "confirm":
            done = _apply(token, lambda link: _confirm(link))
            return private(render(request, "orgs/confirmation/done.html", done))
        if action == "correct":
            form = CorrectionsForm(request.POST)
            if form.is_valid():
                done = _apply(token, lambda link: _propose(link, form.cleaned_data))
                return private(render(request, "orgs/confirmation/done.html", done))
    context = {**stored_record(link.organisation), "form": form}
    return private(render(request, "orgs/confirmation/record.html", context))


def _apply(token, action):
    """Run `action` on the link exactly once, even with two clicks at the same time."""
    with transaction.atomic():
        try:
            link = read_token(token, lock=True)
        except LinkError as error:
            return {"message": error.message, "failed": True}
        link.used = timezone.now()
        link.save(update_fields=["used"])
        return action(link)


def _confirm(link):
    record_verification(
        Organisation.objects.filter(pk=link.organisation_id),
        Organisation.Verification.ORGANISATION,
        link.created_by,
    )
    return {"confirmed": True, "org": link.organisation}


def _propose(link, data):
    submission = Submission.objects.create(
        kind=Submission.Kind.ORGANISATION_CORRECTION,
        organisation=link.organisation,
        message=data["message"],
        email=data["email"],
        language=(get_language() or "en")[:2],
    )
    transaction.on_commit(lambda: notifications.submission_received(submission))
    return {"proposed": True, "org": link.organisation}


class ConfirmationLinkButton:
    """Mixed into OrganisationAdmin: “Create a confirmation link” on its page."""

    def get_urls(self):
        view = self.admin_site.admin_view(self.confirmation_link_view)
        return [
            path(
                "<path:object_id>/confirmation-link/",
                view,
                name="orgs_organisation_confirmation_link",
            ),
            *super().get_urls(),
        ]

    def confirmation_link_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if self._malformed((self.model._meta.pk, object_id)):
            return self._get_obj_does_not_exist_redirect(request, self.model._meta, object_id)
        org = self.get_object(request, unquote(object_id))
        if org is None:
            return self._get_obj_does_not_exist_redirect(request, self.model._meta, object_id)
        if not request.user.has_perm("orgs.add_confirmationlink"):
            raise PermissionDenied
        _link, link_path = create_link(org, request.user)
        self.message_user(
            request,
            format_html(
                "{} <code>{}</code>",
                _(
                    "Send this link to the organisation's contact; it works once and "
                    "expires in %(days)d days. It is shown only now:"
                )
                % {"days": settings.CONFIRMATION_LINK_DAYS},
                request.build_absolute_uri(link_path),
            ),
            messages.SUCCESS,
        )
        return redirect(reverse("admin:orgs_organisation_change", args=[org.pk]))
