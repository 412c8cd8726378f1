"""No lost edits: optimistic locking for every record a curator edits.

Every model a curator edits is `Versioned`: its `version` goes up by one on every
save, whoever saves (the admin, load_seeds, an admin action, a restore from
history). Every admin form and every row of every inline is a `VersionedModelForm`,
by way of `VersionedAdmin` and `VersionedInline`.

The form carries the version it was loaded at in a hidden field. On validation it
runs `UPDATE ... SET version = version WHERE id = ? AND version = <loaded>`: no row
means someone saved in between, and the form is refused with a field-by-field
account of what differs; one row means the row is now locked (PostgreSQL: a row
lock; SQLite: the database write lock) until the admin's transaction ends, so
nobody can slip in before our own save, which then writes version + 1.
The refused form keeps everything the curator typed and now carries the stored
version: saving again, having read the differences, applies their values.
The account on a refused page is exact: it names every field that differs, in the
page's own fields and in each of its rows, and says the values agree only when
saving again would overwrite nothing anyone else saved.
A record deleted while a curator edits it loses nothing either: the posted page is
shown again as a new record, refused once with who deleted it, and saving it adds
the record again (`VersionedAdmin`); a row of an inline deleted meanwhile is
refused until let go (`VersionedInlineFormSet`).
"""

import functools

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from simple_history.manager import SIMPLE_HISTORY_REVERSE_ATTR_NAME

VERSION_FIELD = "loaded_version"


class Versioned(models.Model):
    """A record whose every save moves its version on, so stale forms can tell."""

    version = models.PositiveIntegerField(
        default=1, editable=False, help_text="Optimistic lock: bumped by every save."
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        # An existing row (also one restored from history, which Django sees as
        # "adding" but updates): the next version, written whatever else is.
        if self.pk is not None and not kwargs.get("force_insert"):
            self.version += 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        super().save(*args, **kwargs)


def display(model_field, value):
    """A value as a curator reads it: labels for choices, names for related rows."""
    if model_field.many_to_many:
        names = sorted(str(item) for item in value)
        return ", ".join(names) if names else "—"
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if model_field.choices and not model_field.is_relation:
        return str(dict(model_field.flatchoices).get(value, value))
    return str(localize(value))


def who_and_when(record):
    """ " (who, when)" of a history record, for an account; nothing without one."""
    if record is None:
        return ""
    return format_html(
        " ({}, {})", record.history_user or _("an automatic import"), localize(record.history_date)
    )


def stored_value(instance, model_field):
    value = getattr(instance, model_field.name)
    return list(value.all()) if model_field.many_to_many else value


class VersionedModelForm(forms.ModelForm):
    """A ModelForm that refuses to overwrite a row saved since it was loaded."""

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # A change form is saved whole, so it must hold the lock even when unchanged; a
    # row of an inline is saved only when changed, and only then needs it.
    lock_when_unchanged = True

    conflict = None  # the stored row, when this form was refused as stale
    # A row of an inline whose row was deleted since the page was loaded (set by
    # VersionedInlineFormSet): refused, so the curator's typing is not dropped.
    deleted_since_loaded = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        self.related_conflicts = []
        if instance.pk:
            # Bound too: a row of an inline posted with an older version than the
            # stored one has changed, and must claim its version (and fail).
            self.initial[VERSION_FIELD] = instance.version
            if getattr(instance, SIMPLE_HISTORY_REVERSE_ATTR_NAME, None) is not None:
                self._prepare_revert(getattr(instance, SIMPLE_HISTORY_REVERSE_ATTR_NAME))

    def _prepare_revert(self, record):
        """Reverting to a historical record: its many-to-many values, today's version."""
        model = type(self.instance)
        self.initial[VERSION_FIELD] = (
            model._default_manager.filter(pk=self.instance.pk)
            .values_list("version", flat=True)
            .first()
        )
        for name in self.fields:
            try:
                model_field = model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if model_field.many_to_many and hasattr(record, name):
                target = model_field.m2m_reverse_field_name()
                self.initial[name] = [
                    getattr(row, f"{target}_id") for row in getattr(record, name).all()
                ]

    def clean(self):
        cleaned_data = super().clean()
        if self.deleted_since_loaded:
            raise forms.ValidationError(
                _(
                    "This %(thing)s was deleted while you were editing it: tick “Delete” "
                    "to let it go, or add it again as a new row."
                ),
                params={"thing": self._meta.model._meta.verbose_name},
                code="deleted",
            )
        if self.instance.pk and (self.lock_when_unchanged or self.has_changed()):
            self._claim_version()
        return cleaned_data

    def _claim_version(self):
        model = type(self.instance)
        loaded = self.cleaned_data.get(VERSION_FIELD)
        rows = model._default_manager.filter(pk=self.instance.pk)
        if loaded is not None and rows.filter(version=loaded).update(version=loaded):
            return
        stored = rows.first()
        if stored is None:
            raise forms.ValidationError(
                _("This %(thing)s was deleted while you were editing it."),
                params={"thing": model._meta.verbose_name},
                code="deleted",
            )
        # Carry the stored version in the re-displayed form: a second save, once the
        # curator has read the differences, is a deliberate choice to apply theirs.
        self.data = self.data.copy()
        self.data[self.add_prefix(VERSION_FIELD)] = stored.version
        self.conflict = stored
        # Written when the page is shown, once the rows below have been checked too.
        raise forms.ValidationError(ConflictAccount(self), code="conflict")

    def conflict_differences(self, stored):
        """(label, value stored now, value in this form) for every field that differs."""
        rows = []
        for name in self.fields:
            if name == VERSION_FIELD or name not in self.cleaned_data:
                continue
            try:
                model_field = stored._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if model_field.primary_key:
                continue  # an inline row's id field: it holds the row itself, never another
            now = display(model_field, stored_value(stored, model_field))
            yours = display(model_field, self.cleaned_data[name])
            if now != yours:
                rows.append((capfirst(model_field.verbose_name), now, yours))
        return rows

    def conflict_message(self, stored):
        history = getattr(stored, "history", None)
        last = history.select_related("history_user").first() if history is not None else None
        who = who_and_when(last)
        differences = self.conflict_differences(stored)
        for row in self.related_conflicts:
            name = format_html("{} “{}”", capfirst(row.conflict._meta.verbose_name), row.conflict)
            differences += [
                (format_html("{}, {}", name, label), now, yours)
                for label, now, yours in row.conflict_differences(row.conflict)
            ]
        if differences:
            details = format_html(
                "<ul>{}</ul>",
                format_html_join(
                    "",
                    "<li><strong>{}</strong>: {} “{}”; {} “{}”</li>",
                    (
                        (label, _("stored now"), now, _("yours"), yours)
                        for label, now, yours in differences
                    ),
                ),
            )
        else:
            details = format_html("<p>{}</p>", _("Your values and the stored ones agree."))
        return format_html(
            "<p>{}{}. {}</p>{}<p>{}</p>",
            _("Someone else saved this %(thing)s while you were editing it")
            % {"thing": stored._meta.verbose_name},
            who,
            _("Nothing of yours was saved; everything you typed is still below."),
            details,
            _(
                "Save again to apply your values over theirs, or reload the page to "
                "start from what is stored now."
            ),
        )

    def save(self, commit=True):
        # The version claimed; saving moves it on (Versioned.save).
        if self.instance.pk and self.cleaned_data.get(VERSION_FIELD) is not None:
            self.instance.version = self.cleaned_data[VERSION_FIELD]
        return super().save(commit=commit)


class DeletedWhileEditing:
    """Mixed into the form shown again, as a new record, in place of a record deleted
    while a curator edited it (`VersionedAdmin`): refused once, with the account, so
    that adding it again is a choice the curator makes."""

    deletion_account = ""

    def clean(self):
        cleaned_data = super().clean()
        self.add_error(None, forms.ValidationError(self.deletion_account, code="deleted"))
        return cleaned_data


class ConflictAccount:
    """A refused form's account, written when shown: by then the admin has told the
    form which rows of its inlines were refused too (`related_conflicts`)."""

    def __init__(self, form):
        self.form = form

    def __str__(self):
        return self.form.conflict_message(self.form.conflict)


class VersionedInlineForm(VersionedModelForm):
    lock_when_unchanged = False


def _flat(fields):
    return [
        name for item in fields for name in (item if isinstance(item, list | tuple) else [item])
    ]


def _with_version_field(fields):
    return list(fields) if VERSION_FIELD in _flat(fields) else [*fields, VERSION_FIELD]


def _fieldsets_with_version(fieldsets):
    if any(VERSION_FIELD in _flat(options["fields"]) for _name, options in fieldsets):
        return fieldsets
    (name, options), *rest = fieldsets
    return [(name, {**options, "fields": _with_version_field(options["fields"])}), *rest]


class VersionedInlineFormSet(BaseInlineFormSet):
    """Rows of an inline, each refused when stale, whatever happened to it since the
    page was loaded.

    - Changed: refused like any stale form; a row ticked for deletion too (a formset
      ignores the errors of rows it deletes), so deleting it is a choice made knowing
      their change.
    - Moved to another organisation: Django would drop the posted row without a word,
      as it is no longer among the page's rows. It is compared with the stored row
      instead, so its version is claimed and the account names the move.
    - Deleted: refused until the curator ticks "Delete" (Django would drop it too).
    """

    def get_queryset(self):
        """Bound, the rows as posted, one per form: the admin pairs them with the
        forms to show the page again, and a row that left the page must be shown with
        its refusal and its "Delete" box (drawn only for a row with an original), not
        vanish."""
        if self.is_bound:
            return [form.instance for form in self.initial_forms]
        return super().get_queryset()

    def _existing_object(self, pk):
        if not hasattr(self, "_object_dict"):
            self._object_dict = {row.pk: row for row in super().get_queryset()}
        return self._object_dict.get(pk) or self.model._default_manager.filter(pk=pk).first()

    def add_fields(self, form, index):
        super().add_fields(form, index)
        # A row the page was loaded with, now a new instance: its row is gone.
        loaded_row = index is not None and index < self.initial_form_count()
        if loaded_row and form.instance._state.adding:
            form.deleted_since_loaded = True
            # Its id names no row now: posted back as it came, so that the refusal
            # stands until the curator lets the row go, and is the only error shown.
            form.fields[self._pk_field.name] = forms.CharField(
                widget=forms.HiddenInput, required=False
            )

    def _should_delete_form(self, form):
        return super()._should_delete_form(form) and getattr(form, "conflict", None) is None


class VersionedInline:
    """An editable inline whose every row carries the version it was loaded at."""

    form = VersionedInlineForm
    formset = VersionedInlineFormSet

    def get_fields(self, request, obj=None):
        return _with_version_field(super().get_fields(request, obj))

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if not issubclass(formset.form, VersionedModelForm):
            raise TypeError(f"{type(self).__name__}.form must be a VersionedModelForm")
        if not issubclass(formset, VersionedInlineFormSet):
            raise TypeError(f"{type(self).__name__}.formset must be a VersionedInlineFormSet")
        # A row is saved only when changed, and only then needs the lock.
        formset.form.lock_when_unchanged = False
        return formset


class VersionedAdmin(admin.ModelAdmin):
    """An admin whose form, and every row of whose inlines, refuses stale saves."""

    form = VersionedModelForm

    def __init_subclass__(cls, **kwargs):
        # An admin that writes its own get_fieldsets (without calling this one) still
        # shows the version field: a page that does not post it could never be saved.
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("get_fieldsets")
        if own is not None:

            @functools.wraps(own)
            def get_fieldsets(self, request, obj=None):
                return _fieldsets_with_version(own(self, request, obj))

            cls.get_fieldsets = get_fieldsets

    def get_fields(self, request, obj=None):
        return _with_version_field(super().get_fields(request, obj))

    def get_fieldsets(self, request, obj=None):
        return _fieldsets_with_version(super().get_fieldsets(request, obj))

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if not issubclass(form, VersionedModelForm):
            raise TypeError(f"{type(self).__name__}.form must be a VersionedModelForm")
        account = getattr(request, "deleted_while_editing", None)
        if account is not None:
            form = type(form.__name__, (DeletedWhileEditing, form), {"deletion_account": account})
        return form

    def _changeform_view(self, request, object_id, form_url, extra_context):
        account = self._deletion_account(request, object_id)
        if account is not None:
            # Django would send the curator away and drop the page. It is shown again
            # as a new record instead, with everything typed in it (Django's "save as
            # new": the rows lose their ids and their link to the deleted record; the
            # page says it holds no stored rows), refused once, and posting to the
            # page that adds it.
            request.POST = post = request.POST.copy()
            post["_saveasnew"] = "1"
            for key in post:
                if key.endswith("-INITIAL_FORMS"):
                    post[key] = "0"
            request.deleted_while_editing = account
            opts = self.model._meta
            form_url = reverse(
                f"admin:{opts.app_label}_{opts.model_name}_add", current_app=self.admin_site.name
            )
        return super()._changeform_view(request, object_id, form_url, extra_context)

    def _deletion_account(self, request, object_id):
        """The account of a record deleted while this post's page was being edited, or
        None when the post is anything else (the record is stored, the address never
        named one, or the curator may not add it again)."""
        if request.method != "POST" or object_id is None:
            return None
        if not self.has_add_permission(request):
            return None
        pk_field = self.model._meta.pk
        try:
            pk = pk_field.to_python(unquote(object_id))
        except ValidationError:
            return None
        if self.model._default_manager.filter(pk=pk).exists():
            return None
        history = getattr(self.model, "history", None)
        deletion = (
            history.filter(**{pk_field.attname: pk, "history_type": "-"})
            .select_related("history_user")
            .first()
            if history is not None
            else None
        )
        thing = {"thing": self.model._meta.verbose_name}
        return format_html(
            "<p>{}{}. {}</p><p>{}</p>",
            _("This %(thing)s was deleted while you were editing it") % thing,
            who_and_when(deletion),
            _("Nothing of yours was saved; everything you typed is still below."),
            _("Save to add it again as a new %(thing)s, or leave this page to let it go.") % thing,
        )

    def render_change_form(self, request, context, *args, **kwargs):
        # The page's account of a conflict includes its refused rows.
        form = context["adminform"].form
        form.related_conflicts = [
            row
            for inline in context.get("inline_admin_formsets", [])
            for row in inline.formset.forms
            if getattr(row, "conflict", None) is not None
        ]
        return super().render_change_form(request, context, *args, **kwargs)
