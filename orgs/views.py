"""Public pages. Only published organisations are ever shown."""

from django.shortcuts import redirect
from django.views.generic import DetailView, ListView

from .models import Organisation, Region, Source


def home(request):
    return redirect("orgs:org_list")


class OrganisationList(ListView):
    paginate_by = 25
    template_name = "orgs/organisation_list.html"

    def get_queryset(self):
        return Organisation.objects.published().with_card_data()


class OrganisationDetail(DetailView):
    template_name = "orgs/organisation_detail.html"

    def get_queryset(self):
        return Organisation.objects.published().select_related("hq_region")


class RegionList(ListView):
    model = Region
    template_name = "orgs/region_list.html"


class RegionDetail(DetailView):
    model = Region
    template_name = "orgs/region_detail.html"


class SourceList(ListView):
    model = Source
    template_name = "orgs/source_list.html"


class SourceDetail(DetailView):
    model = Source
    template_name = "orgs/source_detail.html"
