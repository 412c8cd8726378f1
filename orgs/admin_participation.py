"""The admin side of participation: the curators' queue of submissions, and the
confirmation links sent (created by a button on the organisation's page,
orgs.confirmation.ConfirmationLinkButton).

Submissions come only from the public forms (no “add” here) and are never deleted
(their history is the record of what was asked and decided); a curator changes their
status and notes, always through orgs.moderation.set_status.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import moderation
from .admin import HistoryAdmin, change_link
from .models import ConfirmationLink, Submission

SUBMITTED = {
    Submission.Kind.CORRECTION: ["about", "message", "evidence"],
    Submission.Kind.ORGANISATION_CORRECTION: ["message"],
    Submission.Kind.REMOVAL: ["target", "person_name", "message"],
    Submission.Kind.NEW_ORGANISATION: [
        "name",
        "name_original",
        "acronym",
        "org_kind",
        "region_names",
        "focus_names",
        "website",
        "contact",
        "source_title",
        "source_publisher",
        "source_url",
        "source_locator",
        "source_quote",
    ],
}
ALL_SUBMITTED = sorted({field for fields in SUBMITTED.values() for field in fields})


@admin.register(Submission)
class SubmissionAdmin(HistoryAdmin):
    list_display = [
        "__str__",
        "kind",
        "status",
        "urgency",
        "organisation_link",
        "created",
        "closed",
        "handled_by",
    ]
    list_display_links = ["__str__"]
    list_filter = ["status", "kind", "urgent", "created"]
    list_select_related = ["organisation", "handled_by"]
    search_fields = ["organisation__name", "name", "acronym", "about"]
    date_hierarchy = "created"
    actions = [
        "mark_in_review",
        "accept",
        "decline",
        "unpublish_organisation",
        "mark_organisation_sensitive",
    ]
    readonly_fields = [
        "kind",
        "urgency",
        "organisation_link",
        "language",
        "email",
        *ALL_SUBMITTED,
        "created",
        "updated",
        "closed",
        "handled_by",
        "draft_link",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("regions", "focus_areas")

    def get_fieldsets(self, request, obj=None):
        submitted = SUBMITTED.get(obj.kind, []) if obj else []
        curated = ["status", "curator_note", "handled_by", "closed"]
        if obj and obj.kind == Submission.Kind.NEW_ORGANISATION:
            curated.append("draft_link")
        return [
            (None, {"fields": ["kind", "urgency", "organisation_link", "created", "updated"]}),
            (
                _("What was sent"),
                {
                    "fields": [*submitted, "email", "language"],
                    "description": _(
                        "Never shown on the public site. Check every fact against a public "
                        "source before changing the organisation."
                    ),
                },
            ),
            (_("Handling"), {"fields": curated}),
        ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # Status goes through moderation.set_status (who, when, draft, email); the
        # curator's note is saved here.
        new_status = obj.status
        if "status" in form.changed_data:
            obj.status = form.initial["status"]
        obj._history_user = request.user
        super().save_model(request, obj, form, change)
        if "status" in form.changed_data:
            moderation.set_status([obj], new_status, request.user)
            obj.refresh_from_db()

    # Columns and read-only fields.

    @admin.display(description=_("urgency"), ordering="urgent")
    def urgency(self, submission):
        if submission.urgent:
            return format_html("<strong>{}</strong>", _("urgent"))
        return _("normal")

    @admin.display(description=_("organisation"), ordering="organisation__name")
    def organisation_link(self, submission):
        return change_link(submission.organisation) if submission.organisation else "—"

    @admin.display(description=_("draft created"))
    def draft_link(self, submission):
        return change_link(submission.draft) if submission.draft else "—"

    @admin.display(description=_("regions of work"))
    def region_names(self, submission):
        return ", ".join(r.name for r in submission.regions.all()) or "—"

    @admin.display(description=_("focus areas"))
    def focus_names(self, submission):
        return ", ".join(f.label for f in submission.focus_areas.all()) or "—"

    # Actions.

    def _set_status(self, request, queryset, status):
        count = moderation.set_status(list(queryset), status, request.user)
        self.message_user(
            request,
            ngettext(
                "%(count)d submission is now “%(status)s”.",
                "%(count)d submissions are now “%(status)s”.",
                count,
            )
            % {"count": count, "status": Submission.Status(status).label},
            messages.SUCCESS,
        )

    @admin.action(description=_("Mark as in review"), permissions=["change"])
    def mark_in_review(self, request, queryset):
        self._set_status(request, queryset, Submission.Status.IN_REVIEW)

    @admin.action(
        description=_("Accept (a suggested organisation becomes a draft)"),
        permissions=["change"],
    )
    def accept(self, request, queryset):
        self._set_status(request, queryset, Submission.Status.ACCEPTED)

    @admin.action(description=_("Decline"), permissions=["change"])
    def decline(self, request, queryset):
        self._set_status(request, queryset, Submission.Status.DECLINED)

    def _hide(self, request, queryset, how, message):
        if not request.user.has_perm("orgs.change_organisation"):
            raise PermissionDenied
        count = moderation.hide_organisation(list(queryset), request.user, how=how)
        self.message_user(request, message(count) % {"count": count}, messages.SUCCESS)

    @admin.action(
        description=_("Hide now: unpublish the organisation concerned"), permissions=["change"]
    )
    def unpublish_organisation(self, request, queryset):
        self._hide(
            request,
            queryset,
            "unpublish",
            lambda n: ngettext(
                "%(count)d organisation unpublished (back to draft).",
                "%(count)d organisations unpublished (back to draft).",
                n,
            ),
        )

    @admin.action(
        description=_("Hide now: mark the organisation concerned sensitive"),
        permissions=["change"],
    )
    def mark_organisation_sensitive(self, request, queryset):
        self._hide(
            request,
            queryset,
            "sensitive",
            lambda n: ngettext(
                "%(count)d organisation marked sensitive.",
                "%(count)d organisations marked sensitive.",
                n,
            ),
        )


@admin.register(ConfirmationLink)
class ConfirmationLinkAdmin(admin.ModelAdmin):
    """Which links were sent, by whom, and whether they were used: the links
    themselves are shown once, to the curator who creates them."""

    list_display = ["organisation", "created", "created_by", "used"]
    list_select_related = ["organisation", "created_by"]
    list_filter = ["used"]
    readonly_fields = ["organisation", "created", "created_by", "used"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
