"""The publish gate in the admin (the rule itself is orgs.evidence).

Whatever a curator saves or deletes is checked after its writes, inside the admin's
transaction, against the database as it would then be: a change form with its
inlines, a history revert, a delete, a bulk delete. When orgs.evidence objects, the
writes are rolled back and the curator gets the reasons: on a form, the same form
again with everything typed still in it; on a delete, a message and nothing deleted.
"""

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from . import evidence


class RefusingForm:
    """Mixed into a form shown again after orgs.evidence refused what it saved."""

    evidence_refusal = ()

    def clean(self):
        cleaned_data = super().clean()
        for message in self.evidence_refusal:
            self.add_error(None, message)
        return cleaned_data


class EvidenceGuard:
    """Mixed into a ModelAdmin whose writes can add a public fact or remove a citation."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        refusal = getattr(request, "evidence_refusal", None)
        if refusal:
            form = type(form.__name__, (RefusingForm, form), {"evidence_refusal": refusal})
        return form

    def _refusable(self, request, view):
        """Run a form view; if its writes are refused, undo them and show the form again."""
        if request.method != "POST":
            return view()
        request.evidence_touched = set()
        try:
            with transaction.atomic():
                return view()
        except evidence.EvidenceRefused as refused:
            request.evidence_refusal = refused.messages()
            return view()

    def _changeform_view(self, request, object_id, form_url, extra_context):
        parent = super()._changeform_view
        return self._refusable(
            request, lambda: parent(request, object_id, form_url, extra_context)
        )

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        parent = super().history_form_view
        return self._refusable(
            request, lambda: parent(request, object_id, version_id, extra_context)
        )

    def save_model(self, request, obj, form, change):
        if change:  # what it touched before this change counts too (a citation moved away)
            stored = type(obj)._default_manager.filter(pk=obj.pk).first()
            request.evidence_touched |= evidence.organisations_touched(stored)
        super().save_model(request, obj, form, change)

    # The admin logs a change once everything the form saves is saved, inlines and
    # many-to-many fields included, on the change form and on a history revert alike,
    # and before it says anything to the curator: the moment to check.

    def log_addition(self, request, obj, message):
        self._require(request, obj)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        self._require(request, obj)
        return super().log_change(request, obj, message)

    def _require(self, request, obj):
        touched = getattr(request, "evidence_touched", set())
        evidence.require(touched | evidence.organisations_touched(obj))

    # Deleting.

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except evidence.EvidenceRefused as refused:
            self._refuse(request, refused, _("Nothing was deleted: %(reason)s"))
            opts = self.model._meta
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[object_id])
            return HttpResponseRedirect(url)

    def delete_model(self, request, obj):
        touched = evidence.organisations_touched(obj)
        super().delete_model(request, obj)
        evidence.require(touched)

    def delete_queryset(self, request, queryset):
        touched = evidence.organisations_touched(*queryset)
        super().delete_queryset(request, queryset)
        evidence.require(touched)

    def response_action(self, request, queryset):
        # An action (the bulk delete) and its log entries stand or fall together.
        try:
            with transaction.atomic():
                return super().response_action(request, queryset)
        except evidence.EvidenceRefused as refused:
            self._refuse(request, refused, _("Nothing was changed: %(reason)s"))
            return HttpResponseRedirect(request.get_full_path())

    def _refuse(self, request, refused, template):
        for message in refused.messages():
            self.message_user(request, template % {"reason": message}, messages.ERROR)
