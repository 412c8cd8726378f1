"""No lost edits: optimistic locking for forms over models with a `version` field.

The form carries the version it was loaded at in a hidden field. On validation it
runs `UPDATE ... SET version = version WHERE id = ? AND version = <loaded>`: no row
means someone saved in between, and the form is refused with a field-by-field
account of what differs; one row means the row is now locked (PostgreSQL: a row
lock; SQLite: the database write lock) until the admin's transaction ends, so
nobody can slip in before our own save, which then writes version + 1.
The refused form keeps everything the curator typed and now carries the stored
version: saving again, having read the differences, applies their values.
"""

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from simple_history.manager import SIMPLE_HISTORY_REVERSE_ATTR_NAME

VERSION_FIELD = "loaded_version"


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


def stored_value(instance, model_field):
    value = getattr(instance, model_field.name)
    return list(value.all()) if model_field.many_to_many else value


class VersionedModelForm(forms.ModelForm):
    """A ModelForm that refuses to overwrite a row saved since it was loaded."""

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # A change form is saved whole, so it must hold the lock even when unchanged; a
    # row of an inline is saved only when changed, and only then needs it.
    lock_when_unchanged = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        if instance.pk and not self.is_bound:
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
        raise forms.ValidationError(self.conflict_message(stored), code="conflict")

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
            now = display(model_field, stored_value(stored, model_field))
            yours = display(model_field, self.cleaned_data[name])
            if now != yours:
                rows.append((capfirst(model_field.verbose_name), now, yours))
        return rows

    def conflict_message(self, stored):
        last = stored.history.select_related("history_user").first()
        who = (
            format_html(
                " ({}, {})",
                last.history_user or _("an automatic import"),
                localize(last.history_date),
            )
            if last
            else ""
        )
        differences = self.conflict_differences(stored)
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
        if self.instance.pk and self.cleaned_data.get(VERSION_FIELD) is not None:
            self.instance.version = self.cleaned_data[VERSION_FIELD] + 1
        return super().save(commit=commit)


class VersionedInlineForm(VersionedModelForm):
    lock_when_unchanged = False
