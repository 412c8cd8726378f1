"""What a curator does to organisations beyond editing them: publish, unpublish,
archive, and record a check. Verification is separate from editing: only these
record who checked and when, and each saves row by row so history records it."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import evidence
from .models import Organisation


def save_each(queryset, fields, change, user):
    """Apply `change` to each organisation and save it, so history records who did what."""
    count = 0
    with transaction.atomic():
        # Lock by primary key: the changelist's queryset may be DISTINCT or
        # outer-joined, which PostgreSQL cannot lock; a fixed order avoids deadlocks.
        rows = Organisation.objects.filter(pk__in=queryset.values("pk"))
        for org in rows.select_for_update().order_by("pk"):
            change(org)
            org._history_user = user
            org.save(update_fields=[*fields, "updated"])  # and version (Versioned)
            count += 1
    return count


def record_verification(queryset, verification, user):
    """Record a check today by `user`: a curator's (verification None) or the
    organisation's own confirmation. The one place a check is recorded: the admin's
    actions and button, and an organisation's confirmation link (orgs/confirmation.py)."""
    today = timezone.localdate()

    def check(org):
        if verification or org.verification == Organisation.Verification.PUBLIC_SOURCES:
            org.verification = verification or Organisation.Verification.CURATOR
        org.last_checked = today
        org.checked_by = user

    return save_each(queryset, ["verification", "last_checked", "checked_by"], check, user)


class OrganisationActions:
    """Mixed into OrganisationAdmin: its actions, and a page button for a check."""

    actions = ["publish", "unpublish", "archive", "record_check", "record_confirmation"]

    def get_urls(self):
        record_check = self.admin_site.admin_view(self.record_check_view)
        return [
            path("<path:object_id>/record-check/", record_check, name="orgs_organisation_check"),
            *super().get_urls(),
        ]

    def record_check_view(self, request, object_id):
        """The page's “Record a check today” button: the list action, for one organisation."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if self._malformed((self.model._meta.pk, object_id)):
            return self._get_obj_does_not_exist_redirect(request, self.model._meta, object_id)
        org = self.get_object(request, unquote(object_id))
        if org is None:
            return self._get_obj_does_not_exist_redirect(request, self.model._meta, object_id)
        if not self.has_change_permission(request, org):
            raise PermissionDenied
        self.record_check(request, Organisation.objects.filter(pk=org.pk))
        return redirect(reverse("admin:orgs_organisation_change", args=[org.pk]))

    # Actions: each saves every organisation, so history records who did what.

    def _save_each(self, request, queryset, fields, change):
        return save_each(queryset, fields, change, request.user)

    def _set_status(self, request, queryset, status, message):
        queryset = queryset.exclude(status=status)
        count = self._save_each(
            request, queryset, ["status"], lambda org: setattr(org, "status", status)
        )
        self.message_user(request, message(count) % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Publish the selected organisations"), permissions=["change"])
    @transaction.atomic
    def publish(self, request, queryset):
        """Publishes those with a citation for every public fact; names the others and why."""
        drafts = queryset.exclude(status=Organisation.Status.PUBLISHED)
        refused = evidence.problems(drafts.values_list("pk", flat=True), as_published=True)
        for reasons in refused.values():
            for reason in reasons:
                self.message_user(
                    request, _("Not published: %(reason)s") % {"reason": reason}, messages.ERROR
                )
        self._set_status(
            request,
            drafts.exclude(pk__in=[org.pk for org in refused]),
            Organisation.Status.PUBLISHED,
            lambda n: ngettext(
                "%(count)d organisation published.", "%(count)d organisations published.", n
            ),
        )

    @admin.action(
        description=_("Unpublish the selected organisations (back to draft)"),
        permissions=["change"],
    )
    def unpublish(self, request, queryset):
        self._set_status(
            request,
            queryset,
            Organisation.Status.DRAFT,
            lambda n: ngettext(
                "%(count)d organisation back to draft.",
                "%(count)d organisations back to draft.",
                n,
            ),
        )

    @admin.action(description=_("Archive the selected organisations"), permissions=["change"])
    def archive(self, request, queryset):
        self._set_status(
            request,
            queryset,
            Organisation.Status.ARCHIVED,
            lambda n: ngettext(
                "%(count)d organisation archived.", "%(count)d organisations archived.", n
            ),
        )

    def _record(self, request, queryset, verification):
        return record_verification(queryset, verification, request.user)

    @admin.action(description=_("Record a check today"), permissions=["change"])
    def record_check(self, request, queryset):
        count = self._record(request, queryset, None)
        self.message_user(
            request,
            ngettext(
                "Check recorded for %(count)d organisation.",
                "Check recorded for %(count)d organisations.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(
        description=_("Record a confirmation by the organisation today"), permissions=["change"]
    )
    def record_confirmation(self, request, queryset):
        count = self._record(request, queryset, Organisation.Verification.ORGANISATION)
        self.message_user(
            request,
            ngettext(
                "Confirmation recorded for %(count)d organisation.",
                "Confirmation recorded for %(count)d organisations.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
