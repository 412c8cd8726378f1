"""The organisation changelist's filters that are not a plain field."""

import datetime

from django.contrib import admin
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import CHECK_VALID_FOR, Citation, Organisation, Zone


def lapsed_q():
    """Organisations whose check has lapsed: the query form of `org.check_lapsed`."""
    cutoff: datetime.date = timezone.localdate() - CHECK_VALID_FOR
    return ~Q(verification=Organisation.Verification.PUBLIC_SOURCES) & (
        Q(last_checked__isnull=True) | Q(last_checked__lt=cutoff)
    )


class ZoneFilter(admin.SimpleListFilter):
    title = _("zone of work")
    parameter_name = "zone"

    def lookups(self, request, model_admin):
        return Zone.choices

    def queryset(self, request, queryset):
        if self.value() not in Zone.values:
            return queryset
        through = Organisation.regions.through
        return queryset.filter(
            Exists(through.objects.filter(organisation=OuterRef("pk"), region__zone=self.value()))
        )


class VerificationFilter(admin.SimpleListFilter):
    title = _("verification")
    parameter_name = "verification"
    LAPSED = "lapsed"

    def lookups(self, request, model_admin):
        return [*Organisation.Verification.choices, (self.LAPSED, _("Check lapsed"))]

    def queryset(self, request, queryset):
        if self.value() == self.LAPSED:
            return queryset.filter(lapsed_q())
        if self.value() in Organisation.Verification.values:
            return queryset.filter(verification=self.value())
        return queryset


class CitationFilter(admin.SimpleListFilter):
    title = _("citations")
    parameter_name = "cited"

    def lookups(self, request, model_admin):
        return [("no", _("Has no citation")), ("yes", _("Has citations"))]

    def queryset(self, request, queryset):
        cited = Exists(Citation.objects.filter(organisation=OuterRef("pk")))
        if self.value() == "no":
            return queryset.filter(~cited)
        if self.value() == "yes":
            return queryset.filter(cited)
        return queryset
