"""Public pages. They read organisations and sources only through the public read
model (`Organisation.objects.public()`, `Source.objects.public()`): only published
organisations, public partnerships, people and citations, and text withheld by
orgs.public_text.

Bad input never fails the page: an invalid filter is reported next to its control
(status 200) while the other filters still apply, and a page number that does not
exist shows the nearest page with a note.
"""

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import QueryDict
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView

from .facets import current_index
from .filters import OrganisationFilter
from .models import Citation, FocusArea, Organisation, Region, Source, Zone

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


class OrganisationPaginator(Paginator):
    """Pages of published organisations as cards: the page's ids first, then its rows.

    Told its count (by the facet index), so it runs no COUNT query. The ordered
    query yields ids only, which SQLite reads from the (status, name) index; the
    cards' rows, with their region and focus areas, are then read for those 25 ids
    alone. Reading whole rows with their joins while skipping to page 1,000 cost
    50 ms at 100,000 organisations.
    """

    def __init__(self, object_list, per_page, count, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.count = count  # replaces the cached property

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        ids = list(self.object_list.values_list("pk", flat=True)[bottom : bottom + self.per_page])
        # public() again: an organisation unpublished a moment ago drops out.
        rows = Organisation.objects.public().filter(pk__in=ids).with_card_data()
        by_id = {org.pk: org for org in rows}
        return self._get_page([by_id[pk] for pk in ids if pk in by_id], number, self)


def paginate(request, queryset, count, per_page=PAGE_SIZE):
    """(paginator, page, note): any page number gives a page; past the end, the last."""
    paginator = OrganisationPaginator(queryset, per_page, count)
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
            "recent": Organisation.objects.public().order_by("-updated")[:6],
        },
    )


class OrganisationList(ListView):
    paginate_by = PAGE_SIZE
    template_name = "orgs/organisation_list.html"

    def get_queryset(self):
        self.filterset = OrganisationFilter(
            self.request.GET, queryset=Organisation.objects.public()
        )
        return self.filterset.qs  # the paginator reads the cards' data for its page

    def paginate_queryset(self, queryset, page_size):
        paginator, page, self.page_note = paginate(
            self.request, queryset, self.filterset.count(), page_size
        )
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            filter=self.filterset,
            facets=self.facets(),
            active_filters=self.active_filters(),
            page_note=self.page_note,
            query=self.request.GET.get("q", "")[:200],
        )
        return context

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
        regions = list(Region.objects.all())
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
                for f in sorted(FocusArea.objects.all(), key=lambda f: f.label)
            ],
            "kind": [
                (value, label, count("kind", value), value in data.getlist("kind"))
                for value, label in Organisation.Kind.choices
            ],
        }

    def active_filters(self):
        """Each value in the address, with the address of this page without it."""
        data = self.request.GET
        labels = {name: f.label for name, f in self.filterset.filters.items()}
        active = []
        for name in self.filterset.filters:
            for value in data.getlist(name):
                if not value:
                    continue
                rest = QueryDict(mutable=True)
                for key, values in data.lists():
                    if key == "page":
                        continue
                    kept = [v for v in values if not (key == name and v == value)]
                    if kept:
                        rest.setlist(key, kept)
                shown = value if len(value) <= 60 else value[:60] + "…"
                active.append((labels[name], shown, "?" + rest.urlencode()))
        return active


class OrganisationDetail(DetailView):
    template_name = "orgs/organisation_detail.html"

    def get_queryset(self):
        return Organisation.objects.public().with_public_details()

    def get_context_data(self, **kwargs):
        return super().get_context_data(evidence=evidence(self.object), **kwargs)


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
    counts = current_index().counts({})
    regions = regions_with_counts(counts)
    return render(
        request,
        "orgs/region_list.html",
        {
            "regions": regions,
            "tile_map": tile_map(regions),
            "zones": [(label, counts["zone"].get(value, 0)) for value, label in Zone.choices],
        },
    )


def tile_map(regions, tile=64, gap=4):
    """Positions and shades of the regions on the server-drawn SVG tile map."""
    top = max((r.n for r in regions), default=0) or 1
    tiles = []
    for r in regions:
        # Five shades, darker with more organisations; zero stays the lightest.
        shade = 0 if r.n == 0 else 1 + min(3, (r.n * 4 - 1) // top)
        tiles.append(
            {
                "region": r,
                # A tile fits about 11 characters: "Bamako District" shows as "Bamako".
                "name": r.label if len(r.label) <= 11 else r.name,
                "x": r.tile_col * (tile + gap),
                "y": r.tile_row * (tile + gap),
                "cx": r.tile_col * (tile + gap) + tile // 2,
                "shade": shade,
            }
        )
    width = max((r.tile_col for r in regions), default=0) * (tile + gap) + tile
    height = max((r.tile_row for r in regions), default=0) * (tile + gap) + tile
    return {"tiles": tiles, "width": width, "height": height, "size": tile}


def region_detail(request, slug):
    region = get_object_or_404(Region, slug=slug)
    region.others = other_spellings(region)
    organisations = (
        Organisation.objects.public()
        # As a subquery, like the listing's region filter: SQLite then walks the
        # name index for a page instead of sorting all of Bamako's organisations.
        .in_regions(Region.objects.filter(pk=region.pk))
        .order_by("name", "pk")
    )
    index = current_index()
    count = index.total(index.restrictions({"region": [region]}))
    paginator, page, note = paginate(request, organisations, count)
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
