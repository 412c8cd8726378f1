"""The listing's filters, shared by the public pages, the API and the exports.

Besides filtering, `OrganisationFilter.facet_counts()` says how many organisations
each option of each filter would give with the other filters applied, and
`count()` how many results there are, from the in-memory facet index (orgs.facets),
without a query per option or per result.
"""

import functools
import re

import django_filters
from django import forms
from django.db import models
from django.db.models import F
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from .facets import current_index
from .models import FocusArea, Organisation, Region, Zone, value_bounds

# Founding years outside the model's range cannot be in the database.
FIRST_YEAR, LAST_YEAR = value_bounds(Organisation._meta.get_field("founded"))
QUERY_MAX_LENGTH = 200
EMPTY_YEAR_RANGE = "empty_year_range"
YEAR_DIGITS = re.compile(r"[0-9]{1,9}")


class YearField(forms.IntegerField):
    """A year in plain digits: not "1990.0", not " 1990", not other scripts' digits."""

    def to_python(self, value):
        if value not in self.empty_values and not YEAR_DIGITS.fullmatch(str(value)):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class YearFilter(django_filters.NumberFilter):
    field_class = YearField


# One mistyped or outdated value in a shared address (?region=mopti&region=atlantis)
# should not drop the whole filter: the multiple-choice fields keep the values they
# know and remember the others, which the form then reports next to the control.


class KnownSlugsField(django_filters.fields.ModelMultipleChoiceField):
    def clean(self, value):
        """No value gives an empty list, not the field's `none()` queryset: a filter
        asks whether its value is empty, and asking a queryset compiles its SQL."""
        if not value and not self.required:
            return []
        return super().clean(value)

    def _check_values(self, value):
        value = [str(v) for v in value if v and "\x00" not in str(v)]
        known = self.queryset.filter(**{f"{self.to_field_name}__in": value})
        found = {getattr(obj, self.to_field_name) for obj in known}  # evaluates once
        self.unknown = [v for v in value if v not in found]
        return known


class KnownChoicesField(django_filters.fields.MultipleChoiceField):
    def clean(self, value):
        value = [str(v) for v in value or [] if v]
        self.unknown = [v for v in value if not self.valid_value(v)]
        return super().clean([v for v in value if self.valid_value(v)])


class KnownSlugsFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = KnownSlugsField


class KnownChoicesFilter(django_filters.MultipleChoiceFilter):
    field_class = KnownChoicesField


class OrganisationFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        for name in ("region", "focus", "kind"):
            unknown = getattr(self.fields.get(name), "unknown", None)
            if unknown and name in cleaned:
                kept = cleaned[name]
                self.add_error(
                    name,
                    _("Not known, so left out: %(values)s.")
                    % {"values": ", ".join(f"“{v[:40]}”" for v in unknown[:5])},
                )
                cleaned[name] = kept  # add_error drops it; the known values still apply
        low, high = cleaned.get("founded_min"), cleaned.get("founded_max")
        if low is not None and high is not None and low > high:
            # Drop only the upper bound: the rest of the filters still apply.
            self.add_error(
                "founded_max",
                forms.ValidationError(
                    _("“Founded until” (%(high)s) is before “founded from” (%(low)s).")
                    % {"high": high, "low": low},
                    code=EMPTY_YEAR_RANGE,
                ),
            )
        return cleaned


class Order(models.TextChoices):
    """How the readers may order the results; a search is best match first unless asked."""

    NAME = "name", _("Name")
    ADDED = "added", _("Newest in the directory")
    FOUNDED = "founded", _("Founding year, oldest first")


ORDERINGS = {
    Order.NAME: ["sort_name", "pk"],
    Order.ADDED: ["-created", "-pk"],
    Order.FOUNDED: [F("founded").asc(nulls_last=True), "sort_name", "pk"],
}


class OrganisationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"), method="filter_q", max_length=QUERY_MAX_LENGTH
    )
    region = KnownSlugsFilter(
        label=_("Region"),
        field_name="regions",
        to_field_name="slug",
        queryset=Region.objects.all(),
        method="filter_region",
    )
    zone = django_filters.ChoiceFilter(label=_("Zone"), choices=Zone.choices, method="filter_zone")
    focus = KnownSlugsFilter(
        label=_("Focus area"),
        # The predicate compares the slug (to_field_name), so filter on the slug too.
        field_name="focus_areas__slug",
        to_field_name="slug",
        queryset=FocusArea.objects.all(),
    )
    kind = KnownChoicesFilter(label=_("Kind"), choices=Organisation.Kind.choices)
    founded_min = YearFilter(
        label=_("Founded from"),
        field_name="founded",
        lookup_expr="gte",
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
    )
    founded_max = YearFilter(
        label=_("Founded until"),
        field_name="founded",
        lookup_expr="lte",
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
    )
    order = django_filters.ChoiceFilter(
        label=_("Order"), choices=Order.choices, method="filter_order"
    )

    class Meta:
        model = Organisation
        fields = ["q", "region", "zone", "focus", "kind", "founded_min", "founded_max", "order"]
        form = OrganisationFilterForm

    def get_form_class(self):
        """The form class, made once: django-filter made a class, and a field for each
        filter, for every request; each form still copies the fields it is given."""
        return _form_class(type(self))

    def filter_q(self, queryset, name, value):
        """Every word must match; best matches first (orgs.search). No words: no filter."""
        return queryset.search(value) if value else queryset

    def filter_region(self, queryset, name, value):
        return queryset.in_regions(value) if value else queryset

    def filter_order(self, queryset, name, value):
        return queryset  # applied last, in filter_queryset

    def filter_zone(self, queryset, name, value):
        return queryset.in_regions(Region.objects.filter(zone=value)) if value else queryset

    @property
    def only_an_empty_year_range(self):
        """Whether the one problem is a year range with its ends swapped (valid, empty)."""
        errors = self.form.errors.as_data()
        return set(errors) == {"founded_max"} and all(
            error.code == EMPTY_YEAR_RANGE for error in errors["founded_max"]
        )

    @property
    def searched(self):
        """Whether results are in relevance order: a valid query, and no order asked for."""
        self.is_valid()  # fills cleaned_data with the valid filters
        cleaned = self.form.cleaned_data
        return bool(cleaned.get("q")) and not cleaned.get("order")

    def filter_queryset(self, queryset):
        """Apply every valid filter, then the order asked for: by default by name,
        or best match first when searching."""
        for name, value in self.form.cleaned_data.items():
            queryset = self.filters[name].filter(queryset, value)
        order = self.form.cleaned_data.get("order")
        if order or not self.form.cleaned_data.get("q"):
            queryset = queryset.order_by(*ORDERINGS[order or Order.NAME])
        return queryset

    def facet_counts(self):
        """For each filter with options, {option value: organisations it would give}.

        Each facet counts over the organisations matching all the OTHER filters, so
        ticking an option gives (for a single-choice facet) or adds (for a multiple
        one) the number shown. Regions and zones count an organisation working in OR
        headquartered in them, exactly as the region filter does. Counted in memory
        by the facet index (orgs.facets), over published organisations.
        """
        return self._index.counts(self._applied)

    def count(self):
        """How many published organisations the valid filters give (no COUNT query)."""
        return self._index.total(self._applied)

    def page_ids(self, start, stop):
        """Ids of results `start` to `stop` (0-based), in the order asked, read from the
        facet index in name order or best match first; None for the orders it does not
        hold (newest, founding year), which SQL reads."""
        self.is_valid()  # fills cleaned_data with the valid filters
        cleaned = self.form.cleaned_data
        order = cleaned.get("order") or ""
        if order not in ("", Order.NAME):
            return None
        ranked_by = cleaned.get("q") if not order else None
        return self._index.page_ids(self._applied, start, stop, ranked_by=ranked_by)

    @cached_property
    def _index(self):
        return current_index()

    @cached_property
    def _applied(self):
        self.is_valid()  # fills cleaned_data with the valid filters
        return self._index.restrictions(self.form.cleaned_data)


@functools.cache
def _form_class(filterset_class):
    fields = {name: f.field for name, f in filterset_class.base_filters.items()}
    return type(f"{filterset_class.__name__}Form", (filterset_class._meta.form,), fields)
