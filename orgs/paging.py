"""Pages of published organisations, their ids read first, from the facet index where
it holds the order asked for."""

from django.core.paginator import Paginator

from .models import Organisation


class OrganisationPaginator(Paginator):
    """Pages of published organisations as cards: the page's ids first, then its rows.

    Told its count (by the facet index), so it runs no COUNT query. The page's ids
    come from `ids(start, stop)`, the facet index's slice in name or rank order
    (orgs.facets), or else from the ordered query, ids only; the cards' rows, with
    their regions and focus areas, are then read for those 25 ids alone.
    """

    def __init__(self, object_list, per_page, count, ids=None, rows=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.count = count  # replaces the cached property
        self.ids = ids
        self.rows = rows  # None: cards (`with_card_links`)

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        ids = self.ids(bottom, top) if self.ids else None
        if ids is None:
            ids = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        # public() again: an organisation unpublished a moment ago drops out.
        rows = self.rows if self.rows is not None else Organisation.objects.public()
        by_id = {org.pk: org for org in rows.filter(pk__in=ids)}
        orgs = [by_id[pk] for pk in ids if pk in by_id]
        if self.rows is None:
            with_card_links(orgs)
        return self._get_page(orgs, number, self)


def with_card_links(orgs):
    """Give each organisation what its card shows beyond its row, as plain lists:
    `card_regions`, `card_focus` (in name order) and `kind_label`.

    Two queries of (organisation, region) and (organisation, focus area) pairs,
    matched to the regions and focus areas the facet index holds for this data
    version: a prefetch made a queryset per organisation and relation, and the
    template two more, 50 rows of machinery for 25 cards.
    """
    from .facets import current_index

    index = current_index()
    ids = [org.pk for org in orgs]
    regions, focus = {pk: [] for pk in ids}, {pk: [] for pk in ids}
    links = Organisation.regions.through.objects.filter(organisation_id__in=ids)
    for org_id, region_id in links.values_list("organisation_id", "region_id"):
        regions[org_id].append(index.regions[region_id])
    links = Organisation.focus_areas.through.objects.filter(organisation_id__in=ids)
    for org_id, focus_id in links.values_list("organisation_id", "focusarea_id"):
        focus[org_id].append(index.focus_areas[focus_id])
    kinds = dict(Organisation.Kind.choices)
    for org in orgs:
        org.card_regions = sorted(regions[org.pk], key=lambda r: r.name)
        org.card_focus = sorted(focus[org.pk], key=lambda f: f.label_en)
        org.kind_label = kinds.get(org.kind, org.kind)
    return orgs
