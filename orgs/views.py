"""Public pages. They read organisations and sources only through the public read
model (`Organisation.objects.public()`, `Source.objects.public()`): only published
organisations, public partnerships, people and citations, and text withheld by
orgs.public_text.

Bad input never fails the page: an invalid filter is reported next to its control
(status 200) while the other filters still apply, and a page number that does not
exist shows the nearest page with a note.
"""

from django.db.models import Count, Q
from django.http import FileResponse, Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView

from . import licence, snapshot, structured_data
from .facets import current_index
from .filters import Order, OrganisationFilter
from .models import Citation, FocusArea, Organisation, Region, Source, Zone
from .paging import OrganisationPaginator
from .region_map import region_map

PUBLISHED = Organisation.Status.PUBLISHED
PAGE_SIZE = 25


def regions_with_counts(counts):
    """Every region with `n`, its published organisations working or headquartered there."""
    regions = sorted(Region.objects.all(), key=lambda r: r.label)
    for region in regions:
        region.n = counts["region"].get(region.slug, 0)
        region.others = other_spellings(region)
    return regions


def other_spellings(region):
    label = region.label
    return [s for s in dict.fromkeys(region.spellings()) if s and s != label]


def paginate(request, queryset, count, per_page=PAGE_SIZE, ids=None):
    """(paginator, page, note): any page number gives a page; past the end, the last."""
    paginator = OrganisationPaginator(queryset, per_page, count, ids=ids)
    asked = request.GET.get("page", "")
    page = paginator.get_page(asked)
    note = ""
    if asked and asked != str(page.number):
        note = _("There is no page “%(asked)s”; this is page %(page)s of %(pages)s.") % {
            "asked": asked[:20],
            "page": page.number,
            "pages": paginator.num_pages,
        }
    return paginator, page, note


def home(request):
    index = current_index()
    regions = regions_with_counts(index.counts({}))
    return render(
        request,
        "orgs/home.html",
        {
            "organisation_count": index.total({}),
            "region_count": len(regions),
            "source_count": Source.objects.count(),
            "regions": sorted(regions, key=lambda r: (-r.n, r.label)),
            "recent": Organisation.objects.public().order_by("-created", "-pk")[:6],
        },
    )


def without_empty_values(query):
    """The query string without its empty parameters (`zone=&founded_min=`)."""
    kept = QueryDict(mutable=True)
    for key, values in query.lists():
        if values := [v for v in values if v != ""]:
            kept.setlist(key, values)
    return kept


class OrganisationList(ListView):
    paginate_by = PAGE_SIZE
    template_name = "orgs/organisation_list.html"
    # Parameters whose values are shown as chips; `order` and `page` are not filters.
    CHIPS = ["q", "region", "zone", "focus", "kind", "founded_min", "founded_max"]

    def get(self, request, *args, **kwargs):
        """A form leaves empty fields in the address: send the reader to the clean one."""
        cleaned = without_empty_values(request.GET)
        if cleaned != request.GET:
            query = cleaned.urlencode()
            return redirect(request.path + ("?" + query if query else ""))
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        self.filterset = OrganisationFilter(
            self.request.GET, queryset=Organisation.objects.public()
        )
        return self.filterset.qs  # the paginator reads the cards' data for its page

    def paginate_queryset(self, queryset, page_size):
        paginator, page, self.page_note = paginate(
            self.request, queryset, self.filterset.count(), page_size, self.filterset.page_ids
        )
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        facets = self.facets()
        context.update(
            filter=self.filterset,
            facets=facets,
            active_filters=self.active_filters(facets),
            page_note=self.page_note,
            query=self.request.GET.get("q", "")[:200],
            orders=self.orders(),
            export_query=self.export_query(),
        )
        # A title that says what is on the page: the search, the filters, the page.
        filters = ", ".join(value for _label, value, _url in context["active_filters"])
        page = context["page_obj"]
        parts = [filters] if filters else []
        if page.number > 1:
            parts.append(
                _("page %(page)s of %(pages)s")
                % {"page": page.number, "pages": page.paginator.num_pages}
            )
        parts.append(_("Organisations"))
        context.update(page_title=" · ".join(parts), title_filters=filters)
        return context

    def export_query(self):
        """The current filters and the page's language, for the CSV and HXL links:
        `?region=mopti&lang=fr` (the exports are unprefixed; `lang` fixes their labels)."""
        query = self.request.GET.copy()
        for name in ("page", "facets", "lang"):
            query.pop(name, None)
        query["lang"] = get_language()
        return "?" + query.urlencode()

    def orders(self):
        """The order options: (value, label, chosen); the empty value is the default,
        best match for a search, else name order, which is then not offered twice."""
        chosen = self.request.GET.get("order", "")
        searching = bool(self.request.GET.get("q"))
        if not searching and chosen == Order.NAME:
            chosen = ""
        options = [("", _("Best match") if searching else Order.NAME.label)]
        options += [(v, label) for v, label in Order.choices if searching or v != Order.NAME]
        return [(value, label, value == chosen) for value, label in options]

    def facets(self):
        """The options of each filter with their counts, in the reader's language.

        `facets=0` in the address leaves the counts out (None): the same page for
        less work, which is also how the benchmark prices the counts.
        """
        wanted = self.request.GET.get("facets") != "0"
        counts = self.filterset.facet_counts() if wanted else None

        def count(facet, value):
            return counts[facet].get(value, 0) if wanted else None

        data = self.filterset.form.data
        index = current_index()  # it holds this data version's regions and focus areas
        regions = list(index.regions.values())
        return {
            "region": [
                (
                    r.slug,
                    r.label,
                    count("region", r.slug),
                    r.slug in data.getlist("region"),
                )
                for r in sorted(regions, key=lambda r: r.label)
            ],
            "zone": [
                (value, label, count("zone", value), data.get("zone") == value)
                for value, label in Zone.choices
            ],
            "focus": [
                (f.slug, f.label, count("focus", f.slug), f.slug in data.getlist("focus"))
                for f in sorted(index.focus_areas.values(), key=lambda f: f.label)
            ],
            "kind": [
                (value, label, count("kind", value), value in data.getlist("kind"))
                for value, label in Organisation.Kind.choices
            ],
        }

    def active_filters(self, facets):
        """Each filter value in the address, labelled in the reader's language, with the
        address of this page without it."""
        data = self.request.GET
        names = {name: f.label for name, f in self.filterset.filters.items()}
        labels = {
            name: {value: label for value, label, _n, _checked in options}
            for name, options in facets.items()
        }
        active = []
        for name in self.CHIPS:
            for value in data.getlist(name):
                rest = QueryDict(mutable=True)
                for key, values in data.lists():
                    if key == "page":
                        continue
                    kept = [v for v in values if not (key == name and v == value)]
                    if kept:
                        rest.setlist(key, kept)
                shown = str(labels.get(name, {}).get(value, value))
                shown = shown if len(shown) <= 60 else shown[:60] + "…"
                active.append((names[name], shown, "?" + rest.urlencode()))
        return active


def organisation_summary(org):
    """A one-sentence summary for search engines, from facts only (never free text)."""
    parts = [org.get_kind_display()]
    if org.founded:
        parts.append(_("founded %(year)s") % {"year": org.founded})
    if org.hq_region:
        parts.append(_("based in %(region)s") % {"region": org.hq_region.label})
    summary = _("%(name)s: %(facts)s.") % {
        "name": org.names.first,
        "facts": ", ".join(str(p) for p in parts),
    }
    regions = [r.label for r in org.regions.all()]
    if regions:
        summary += " " + _("Works in %(regions)s.") % {"regions": ", ".join(regions)}
    focus = [f.label for f in org.focus_areas.all()]
    if focus:
        summary += " " + _("Focus: %(areas)s.") % {"areas": ", ".join(focus)}
    return summary


class OrganisationDetail(DetailView):
    template_name = "orgs/organisation_detail.html"

    def get_queryset(self):
        return Organisation.objects.public().with_public_details()

    def get(self, request, *args, **kwargs):
        """An organisation a curator gave a new slug is still found at the old address,
        where the public saw it: a link shared or indexed before keeps working (301).
        Only an address the organisation had while published leads to it, and only
        while it is public: an unpublished slug gives nothing away."""
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            moved = Organisation.objects.public().renamed_from(kwargs["slug"])
            if moved is None:
                raise
            return redirect(moved, permanent=True)

    def get_context_data(self, **kwargs):
        description = organisation_summary(self.object)
        data = structured_data.organisation_data(self.object, self.request, description)
        return super().get_context_data(
            evidence=evidence(self.object),
            description=description,
            structured_data=structured_data.as_script(data),
            **kwargs,
        )


# The order facts appear on the organisation page, so notes number down the page.
FACT_ORDER = ["existence", "founded", "headquarters", "region", "focus", "partnership", "person"]


def evidence(org):
    """Each public fact of `org` with the numbers of the notes (citations) behind it.

    The notes are the organisation's public citations, numbered in the order their
    facts appear on the page; every fact links to its notes and every note says
    which fact it supports, so a reader sees which quote backs what, and how old it is.
    """
    notes = sorted(org.public_citations, key=lambda c: (FACT_ORDER.index(c.fact), c.id))
    by_fact = {}
    for number, citation in enumerate(notes, start=1):
        citation.number = number
        subject = getattr(citation, f"{Citation.SUBJECT_FIELDS.get(citation.fact, '')}_id", None)
        by_fact.setdefault((citation.fact, subject), []).append(number)

    def cited(fact, subject=None):
        return by_fact.get((fact, subject), [])

    return {
        "notes": notes,
        "existence": cited("existence"),
        "founded": cited("founded"),
        "headquarters": cited("headquarters"),
        "regions": [(r, cited("region", r.pk)) for r in org.regions.all()],
        "focus_areas": [(f, cited("focus", f.pk)) for f in org.focus_areas.all()],
        "partners": [
            (p, p.partner, p.get_relation_display(), cited("partnership", p.pk))
            for p in org.public_partnerships
        ]
        + [
            (p, p.organisation, p.inverse_label, cited("partnership", p.pk))
            for p in org.public_partnerships_received
        ],
    }


def region_list(request):
    index = current_index()
    counts = index.counts({})
    regions = regions_with_counts(counts)
    focus_areas = sorted(FocusArea.objects.all(), key=lambda f: f.label)
    return render(
        request,
        "orgs/region_list.html",
        {
            "regions": regions,
            "map": region_map(regions),
            "zones": [(label, counts["zone"].get(value, 0)) for value, label in Zone.choices],
            "focus_areas": focus_areas,
            "grid": region_focus_grid(index, regions, focus_areas),
        },
    )


def region_focus_grid(index, regions, focus_areas):
    """For each region, the published organisations of each focus area, from the index."""
    list_url = reverse("orgs:org_list")
    return [
        {
            "region": region,
            "cells": [
                {
                    "n": index.total(index.restrictions({"region": [region], "focus": [area]})),
                    "url": f"{list_url}?region={region.slug}&focus={area.slug}",
                }
                for area in focus_areas
            ],
        }
        for region in regions
    ]


def region_detail(request, slug):
    region = get_object_or_404(Region, slug=slug)
    region.others = other_spellings(region)
    index = current_index()
    applied = index.restrictions({"region": [region]})
    paginator, page, note = paginate(
        request,
        Organisation.objects.none(),  # the facet index gives every page's ids
        index.total(applied),
        ids=lambda start, stop: index.page_ids(applied, start, stop),
    )
    return render(
        request,
        "orgs/region_detail.html",
        {
            "region": region,
            "paginator": paginator,
            "page_obj": page,
            "is_paginated": page.has_other_pages(),
            "page_note": note,
        },
    )


class SourceList(ListView):
    template_name = "orgs/source_list.html"

    def get_queryset(self):
        # Meta.ordering does not apply to a GROUP BY query: order explicitly.
        return (
            Source.objects.public()
            .annotate(
                n=Count(
                    "citations__organisation",
                    filter=Q(citations__organisation__status=PUBLISHED),
                    distinct=True,
                )
            )
            .order_by("title")
        )


class SourceDetail(DetailView):
    queryset = Source.objects.public()
    template_name = "orgs/source_detail.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            organisations=Organisation.objects.public()
            .filter(citations__source=self.object)
            .distinct()
            .order_by("name"),
            **kwargs,
        )


def data_page(request):
    """Where the open data is: API, exports, the snapshot, the licence, how to cite."""
    latest = snapshot.latest()
    return render(
        request,
        "orgs/data.html",
        {
            "snapshot": (
                {"name": latest[0].name, "date": latest[1], "size": latest[2]} if latest else None
            ),
            "licence": licence,
            "site_url": request.build_absolute_uri("/"),
            "example": Organisation.objects.published().order_by("sort_name", "pk").first(),
        },
    )


def snapshot_file(request, name):
    """The newest snapshot; an older or unknown name is gone (404)."""
    latest = snapshot.latest()
    if latest is None or latest[0].name != name:
        raise Http404(_("There is no snapshot of that name; the Data page links the newest."))
    response = FileResponse(open(latest[0], "rb"), as_attachment=True, filename=name)
    response["Content-Type"] = "application/json; charset=utf-8"
    response["Access-Control-Allow-Origin"] = "*"
    return licence.with_licence(response)
