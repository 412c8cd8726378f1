"""The listing's filters, shared by the public pages, the API and the exports."""

import django_filters
from django.utils.translation import gettext_lazy as _

from .models import FocusArea, Organisation, Region, Zone


class OrganisationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    region = django_filters.ModelMultipleChoiceFilter(
        label=_("Region"),
        field_name="regions",
        to_field_name="slug",
        queryset=Region.objects.all(),
        method="filter_region",
    )
    zone = django_filters.ChoiceFilter(label=_("Zone"), choices=Zone.choices, method="filter_zone")
    focus = django_filters.ModelMultipleChoiceFilter(
        label=_("Focus area"),
        field_name="focus_areas",
        to_field_name="slug",
        queryset=FocusArea.objects.all(),
    )
    kind = django_filters.MultipleChoiceFilter(label=_("Kind"), choices=Organisation.Kind.choices)
    founded_min = django_filters.NumberFilter(
        label=_("Founded from"), field_name="founded", lookup_expr="gte"
    )
    founded_max = django_filters.NumberFilter(
        label=_("Founded until"), field_name="founded", lookup_expr="lte"
    )

    class Meta:
        model = Organisation
        fields = ["q", "region", "zone", "focus", "kind", "founded_min", "founded_max"]

    def filter_q(self, queryset, name, value):
        """Every word must match; best matches first (orgs.search). No words: no filter."""
        return queryset.search(value)

    def filter_region(self, queryset, name, value):
        return queryset.in_regions(value) if value else queryset

    def filter_zone(self, queryset, name, value):
        return queryset.in_regions(Region.objects.filter(zone=value))
