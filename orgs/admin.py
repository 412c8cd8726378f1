"""The curators' admin: organisations with everything that hangs off them, each
fact next to its citations; verification recorded by actions, never by editing;
every form refuses to overwrite a save it did not see (orgs/locking.py)."""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count
from django.db.models.fields import BLANK_CHOICE_DASH
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import DeletedObject
from simple_history.template_utils import HistoricalRecordContextHelper

from . import public_text
from .admin_actions import OrganisationActions
from .admin_evidence import EvidenceGuard
from .admin_filters import CitationFilter, VerificationFilter, ZoneFilter
from .confirmation import ConfirmationLinkButton
from .locking import (
    VERSION_FIELD,
    VersionedAdmin,
    VersionedInline,
    VersionedInlineFormSet,
    VersionedModelForm,
)
from .models import Citation, FocusArea, Organisation, Partnership, Person, Region, Source

admin.site.site_header = _("Mali CSO Directory: curators")
admin.site.site_title = _("Mali CSO Directory")
admin.site.index_title = _("Curate the directory")


def change_link(obj):
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, obj)


def public_version(table=None, **texts):
    """What the public will read of these texts, where it withholds something, else "".

    Curators see the verbatim text they wrote; this shows them, beneath it, the
    version the public reads (orgs.public_text), so nothing is withheld unseen.
    """
    table = table if table is not None else public_text.current()
    changed = [
        (label, table.withhold(text))
        for label, text in texts.items()
        if text and table.kinds_in(text)
    ]
    if not changed:
        return ""
    return format_html(
        '<div class="public-version"><strong>{}</strong> {}</div>',
        _("The public sees:"),
        format_html_join("; ", "{}: “{}”", ((LABELS[label], text) for label, text in changed)),
    )


LABELS = {
    "quote": _("quote"),
    "locator": _("locator"),
    "title": _("title"),
    "publisher": _("publisher"),
    "description": _("description"),
    "description_en": _("description in English"),
    "description_fr": _("description in French"),
}


def citation_list(citations, table=None):
    """Citations as a curator checks them: what, where in which source, the quote,
    and what the public sees of it when something is withheld."""
    if not citations:
        return format_html("<em>{}</em>", _("No citation."))
    return format_html(
        "<ul>{}</ul>",
        format_html_join(
            "",
            "<li>{}{}: {}, {}: “{}”{}</li>",
            (
                (
                    c.get_fact_display(),
                    f" ({c.subject})" if c.subject else "",
                    c.source,
                    c.locator,
                    c.quote,
                    public_version(table, locator=c.locator, quote=c.quote),
                )
                for c in citations
            ),
        ),
    )


class LabelledHistory(HistoricalRecordContextHelper):
    """History in the curators' words: choices by their label ("Checked by a curator",
    not "curator"), and an empty value as a dash, not "Deleted user (pk=None)"."""

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if isinstance(value, DeletedObject) and value.pk is None:
            return "—"
        if value is None or value == "":
            return "—"
        if field.choices and not field.many_to_many:
            return dict(field.flatchoices).get(value, value)
        return super().prepare_delta_change_value(change, value)


class LabelledAutocompleteSelect(AutocompleteSelect):
    """The admin's autocomplete as valid HTML: its first option is an empty choice
    with a label, even when a choice is required (HTML asks for both)."""

    def optgroups(self, name, value, attrs=None):
        groups = super().optgroups(name, value, attrs)
        options = groups[0][1]
        if not options or options[0]["value"] != "":
            options.insert(0, self.create_option(name, "", "", False, 0))
        options[0]["attrs"]["label"] = BLANK_CHOICE_DASH[0][1]
        return groups


class ValidAutocomplete:
    """Autocomplete fields drawn by LabelledAutocompleteSelect (admins and inlines)."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = LabelledAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class HistoryAdmin(ValidAutocomplete, VersionedAdmin, SimpleHistoryAdmin):
    """simple-history's views look ids up unchecked: a malformed one must not be a 500."""

    def get_historical_record_context_helper(self, request, historical_record):
        return LabelledHistory(self.model, historical_record)

    # A web address typed without a scheme means https (Django 6's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def _malformed(self, *values):
        try:
            for field, value in values:
                field.to_python(unquote(value))
        except ValidationError:
            return True
        return False

    def history_view(self, request, object_id, extra_context=None):
        if self._malformed((self.model._meta.pk, object_id)):
            return self._get_obj_does_not_exist_redirect(request, self.model._meta, object_id)
        return super().history_view(request, object_id, extra_context)

    @transaction.atomic
    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # Reverting saves through the same locked form: hold the lock until commit.
        history_pk = self.model.history.model._meta.pk
        if self._malformed((self.model._meta.pk, object_id), (history_pk, version_id)):
            return self._get_obj_does_not_exist_redirect(request, self.model._meta, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(Region)
class RegionAdmin(VersionedAdmin):
    list_display = ["name", "name_en", "zone"]
    list_filter = ["zone"]
    search_fields = ["name", "name_en", "slug"]


@admin.register(FocusArea)
class FocusAreaAdmin(VersionedAdmin):
    list_display = ["label_en", "label_fr"]
    search_fields = ["label_en", "label_fr", "slug"]


class CitationForm(VersionedModelForm):
    """Says which subject a fact needs, instead of a database constraint's name."""

    def clean(self):
        cleaned_data = super().clean()
        fact = cleaned_data.get("fact")
        needed = Citation.SUBJECT_FIELDS.get(fact)
        for field in set(Citation.SUBJECT_FIELDS.values()):
            value = cleaned_data.get(field)
            if field == needed and not value:
                self.add_error(field, _("A citation of this fact must name it here."))
            elif field != needed and value:
                self.add_error(
                    field, _("Only for a citation of a %(fact)s.") % {"fact": self._fact(field)}
                )
        return cleaned_data

    @staticmethod
    def _fact(field):
        fact = next(f for f, name in Citation.SUBJECT_FIELDS.items() if name == field)
        return Citation.Fact(fact).label


class LabelledInlineFormSet(VersionedInlineFormSet):
    """A tabular inline shows its labels once, as column headings: each input of each
    row gets its own accessible name too ("Name, person 2"), for screen readers."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        row = _("new") if index is None else index + 1
        noun = self.model._meta.verbose_name
        for field in form.fields.values():
            if not field.widget.is_hidden:
                field.widget.attrs["aria-label"] = f"{field.label}, {noun} {row}"


class InlineCitationForm(CitationForm):
    """A citation edited on its organisation's page, where the curator may tick a region
    and cite it in one save: whether its fact is one the organisation has is checked
    after the page's writes (orgs.admin_evidence), not against what is stored before."""

    def _post_clean(self):
        self.instance.checked_after_writes = True
        super()._post_clean()


class TabularInline(admin.TabularInline):
    """Django's tabular inline without empty column headings (for screen readers)."""

    template = "admin/orgs/edit_inline/tabular.html"


class PartnershipInline(ValidAutocomplete, VersionedInline, TabularInline):
    model = Partnership
    fk_name = "organisation"
    formset = LabelledInlineFormSet
    fields = ["relation", "partner", "programme", "start_year", "end_year", VERSION_FIELD]
    autocomplete_fields = ["partner"]
    extra = 0
    verbose_name = _("partnership it names")
    verbose_name_plural = _("partnerships it names")


class ReadOnlyInline(TabularInline):
    """Shown for context on this page; edited where it belongs."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PartnershipReceivedInline(ReadOnlyInline):
    """Partnerships other organisations name with this one: shown, edited there."""

    model = Partnership
    fk_name = "partner"
    fields = ["named_by", "relation_seen_from_here", "programme", "start_year", "end_year"]
    readonly_fields = fields
    verbose_name = _("partnership naming it")
    verbose_name_plural = _("partnerships naming it (edit them on the other organisation)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organisation")

    @admin.display(description=_("organisation"))
    def named_by(self, partnership):
        return change_link(partnership.organisation)

    @admin.display(description=_("relation"))
    def relation_seen_from_here(self, partnership):
        return partnership.inverse_label


class PersonInline(VersionedInline, TabularInline):
    model = Person
    formset = LabelledInlineFormSet
    fields = ["name", "role", "is_public", VERSION_FIELD]
    extra = 0
    template = "admin/orgs/organisation/people_inline.html"


class PublicVersionMixin:
    @admin.display(description=_("public version"))
    def public_version(self, citation):
        return public_version(locator=citation.locator, quote=citation.quote) or "—"


class CitationInline(PublicVersionMixin, ValidAutocomplete, VersionedInline, admin.StackedInline):
    model = Citation
    form = InlineCitationForm
    fields = [
        ("fact", "region", "focus_area", "partnership", "person"),
        "source",
        ("locator", "quote"),
        VERSION_FIELD,
        "public_version",
    ]
    readonly_fields = ["public_version"]
    autocomplete_fields = ["source", "region", "focus_area"]
    extra = 0
    classes = ["citations"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .with_subjects()
            .order_by("fact", "region__name", "focus_area__label_en", "id")
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # A citation's partnership or person is one of this organisation's.
        if db_field.name in {"partnership", "person"}:
            object_id = (request.resolver_match.kwargs or {}).get("object_id") or ""
            queryset = db_field.related_model.objects.filter(
                organisation_id=int(object_id) if object_id.isdigit() else None
            )
            if db_field.name == "partnership":
                queryset = queryset.select_related("organisation", "partner")
            kwargs["queryset"] = queryset
            field = super().formfield_for_foreignkey(db_field, request, **kwargs)
            # Read the options once for the formset, not once per citation shown.
            field.choices = [("", field.empty_label), *((o.pk, str(o)) for o in queryset)]
            return field
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class OrganisationForm(VersionedModelForm):
    website = forms.URLField(
        label=Organisation._meta.get_field("website").verbose_name,
        max_length=300,
        required=False,
        assume_scheme="https",
    )

    class Meta:
        model = Organisation
        fields = "__all__"
        widgets = {
            # Twenty regions and a dozen focus areas: a box each, one tap, no script.
            "regions": forms.CheckboxSelectMultiple,
            "focus_areas": forms.CheckboxSelectMultiple,
        }


CITED = [
    "public_description",
    "identity_citations",
    "headquarters_citations",
    "region_citations",
    "focus_citations",
]


@admin.register(Organisation)
class OrganisationAdmin(EvidenceGuard, ConfirmationLinkButton, OrganisationActions, HistoryAdmin):
    form = OrganisationForm
    list_display = [
        "__str__",
        "kind",
        "status",
        "region_names",
        "verification_state",
        "last_checked",
    ]
    list_filter = [
        "status",
        "kind",
        ("regions", admin.RelatedOnlyFieldListFilter),
        ZoneFilter,
        ("focus_areas", admin.RelatedOnlyFieldListFilter),
        VerificationFilter,
        CitationFilter,
        "sensitive",
    ]
    # No foreign key is shown; the regions column is prefetched in get_queryset.
    list_select_related = False
    list_per_page = 50
    search_fields = ["name", "name_original", "acronym"]
    search_help_text = _("Name, original-language name or acronym; accents do not matter.")
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["hq_region"]
    readonly_fields = [
        "verification_state",
        "last_checked",
        "checked_by",
        *CITED,
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "name_original",
                    "acronym",
                    "slug",
                    "kind",
                    "founded",
                    "description_fr",
                    "description_en",
                    "public_description",
                    "website",
                    "identity_citations",
                    VERSION_FIELD,
                ]
            },
        ),
        (
            _("Publication"),
            {
                "fields": ["status", "sensitive"],
                "description": _(
                    "Only published organisations appear on the public site. A sensitive "
                    "organisation never shows its headquarters town or its people."
                ),
            },
        ),
        (
            _("Contact"),
            {
                "fields": [
                    ("contact_email", "contact_email_public"),
                    ("contact_phone", "contact_phone_public"),
                    ("contact_address", "contact_address_public"),
                    ("social_links", "social_links_public"),
                ],
                "description": _(
                    "Each contact is hidden from the public unless its “show publicly” box "
                    "is ticked: tick it only with the organisation’s consent and when it "
                    "cannot put anyone at risk. A sensitive organisation never shows any. A "
                    "contact needs no citation: it usually comes from the organisation itself."
                ),
            },
        ),
        (_("Headquarters"), {"fields": ["hq_region", "hq_town", "headquarters_citations"]}),
        (_("Regions of work"), {"fields": ["regions", "region_citations"]}),
        (_("Focus areas"), {"fields": ["focus_areas", "focus_citations"]}),
        (
            _("Verification"),
            {
                "fields": ["verification_state", "last_checked", "checked_by"],
                "description": _(
                    "Editing is not a check. To record one, use “Record a check today” at "
                    "the top of this page, or the actions of the list; a check lapses "
                    "after 24 months."
                ),
            },
        ),
    ]
    inlines = [PartnershipInline, PartnershipReceivedInline, PersonInline, CitationInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("regions")

    def get_fieldsets(self, request, obj=None):
        if obj is not None:
            return self.fieldsets
        # A new organisation has no citations yet to show beside its sections.
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f not in CITED]})
            for name, options in self.fieldsets
        ]

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        if obj is None:
            return [i for i in inlines if not isinstance(i, PartnershipReceivedInline)]
        return inlines

    def save_related(self, request, form, formsets, change):
        # Django sets many-to-many fields by removing then adding, which history would
        # record as two changes, the first wrongly showing no regions at all. Record
        # one change instead, once the new regions and focus areas are in place.
        org = form.instance
        org.skip_history_when_saving = True
        try:
            super().save_related(request, form, formsets, change)
        finally:
            del org.skip_history_when_saving
        if {"regions", "focus_areas"} & set(form.changed_data):
            org._history_user = request.user
            org.save(update_fields=["updated"])

    def get_search_results(self, request, queryset, search_term):
        """The public site's accent-insensitive search (orgs.search), not icontains."""
        if not search_term.strip():
            return queryset, False
        return queryset.search(search_term), False

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            obj.cited = list(
                obj.citations.select_related(
                    "source", "region", "focus_area", "person", "partnership__partner"
                ).order_by("fact", "id")
            )
            obj.withheld = public_text.current()  # once for every citation on the page
        return obj

    # Changelist columns.

    @admin.display(description=_("regions of work"))
    def region_names(self, org):
        return ", ".join(region.label for region in org.regions.all()) or "—"

    @admin.display(description=_("verification"), ordering="verification")
    def verification_state(self, org):
        state = org.get_verification_display()
        if org.check_lapsed:
            return format_html("{} <strong>({})</strong>", state, _("check lapsed"))
        return state

    @admin.display(description=_("descriptions, as the public sees them"))
    def public_description(self, org):
        return (
            public_version(
                getattr(org, "withheld", None),
                description_fr=org.description_fr,
                description_en=org.description_en,
            )
            or "—"
        )

    # The citations next to what they support.

    def _cited(self, org, facts):
        cited = [c for c in getattr(org, "cited", []) if c.fact in facts]
        return citation_list(cited, getattr(org, "withheld", None))

    @admin.display(description=_("citations"))
    def identity_citations(self, org):
        return self._cited(org, {Citation.Fact.EXISTENCE, Citation.Fact.FOUNDED})

    @admin.display(description=_("citations"))
    def headquarters_citations(self, org):
        return self._cited(org, {Citation.Fact.HEADQUARTERS})

    @admin.display(description=_("citations"))
    def region_citations(self, org):
        return self._cited(org, {Citation.Fact.REGION})

    @admin.display(description=_("citations"))
    def focus_citations(self, org):
        return self._cited(org, {Citation.Fact.FOCUS})


class PartnershipForm(VersionedModelForm):
    class Meta:
        model = Partnership
        fields = "__all__"


class PartnershipCitationForm(InlineCitationForm):
    """A citation of the partnership it is listed under."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.fact = Citation.Fact.PARTNERSHIP

    def clean(self):
        self.cleaned_data["fact"] = Citation.Fact.PARTNERSHIP  # for CitationForm's checks
        return super().clean()


class PartnershipCitationInline(ValidAutocomplete, VersionedInline, admin.StackedInline):
    """A published organisation's new partnership needs a citation in the same save."""

    model = Citation
    fk_name = "partnership"
    form = PartnershipCitationForm
    fields = ["organisation", "source", ("locator", "quote")]
    autocomplete_fields = ["organisation", "source"]
    extra = 0
    verbose_name_plural = _("citations of this partnership (filed on either organisation)")


@admin.register(Partnership)
class PartnershipAdmin(EvidenceGuard, HistoryAdmin):
    form = PartnershipForm
    list_display = ["organisation", "relation", "partner", "programme", "start_year", "end_year"]
    list_select_related = ["organisation", "partner"]
    list_filter = ["relation"]
    search_fields = ["organisation__name", "partner__name", "programme"]
    autocomplete_fields = ["organisation", "partner"]
    inlines = [PartnershipCitationInline]


class PersonForm(VersionedModelForm):
    class Meta:
        model = Person
        fields = "__all__"


@admin.register(Person)
class PersonAdmin(EvidenceGuard, HistoryAdmin):
    form = PersonForm
    list_display = ["name", "role", "organisation", "is_public"]
    list_select_related = ["organisation"]
    list_filter = ["is_public"]
    search_fields = ["name", "role", "organisation__name"]
    autocomplete_fields = ["organisation"]


@admin.register(Citation)
class CitationAdmin(PublicVersionMixin, EvidenceGuard, HistoryAdmin):
    form = CitationForm
    readonly_fields = ["public_version"]
    list_display = ["organisation", "fact", "subject", "source", "locator"]
    list_select_related = [
        "organisation",
        "source",
        "region",
        "focus_area",
        "person",
        "partnership__organisation",
        "partnership__partner",
    ]
    list_filter = ["fact"]
    search_fields = ["organisation__name", "quote", "locator", "source__title"]
    autocomplete_fields = [
        "organisation",
        "source",
        "region",
        "focus_area",
        "partnership",
        "person",
    ]


class SourceCitationInline(ReadOnlyInline):
    """What the source supports, read-only: citations are edited on their organisation."""

    model = Citation
    fields = ["organisation_link", "fact", "subject", "locator", "quote"]
    readonly_fields = fields
    verbose_name_plural = _("citations of this source")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .with_subjects()
            .select_related("organisation")
            .order_by("organisation__name", "fact", "id")
        )

    @admin.display(description=_("organisation"))
    def organisation_link(self, citation):
        return change_link(citation.organisation)


@admin.register(Source)
class SourceAdmin(HistoryAdmin):
    list_display = ["title", "publisher", "date", "language", "citation_count"]
    list_filter = ["language"]
    search_fields = ["title", "publisher", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["public_text"]
    inlines = [SourceCitationInline]

    @admin.display(description=_("as the public sees it"))
    def public_text(self, source):
        return (
            public_version(
                None,
                title=source.title,
                publisher=source.publisher,
                description_fr=source.description_fr,
                description_en=source.description_en,
            )
            or "—"
        )

    def get_queryset(self, request):
        # Meta.ordering does not survive GROUP BY: order explicitly for stable pages.
        return (
            super()
            .get_queryset(request)
            .annotate(citation_count=Count("citations"))
            .order_by("title")
        )

    @admin.display(description=_("citations"), ordering="citation_count")
    def citation_count(self, source):
        return source.citation_count


# The curators' queue and confirmation links; they build on HistoryAdmin above.
from . import admin_participation  # noqa: E402, F401
