"""Pages of published organisations, their ids read first, from the facet index where
it holds the order asked for."""

from django.core.paginator import Paginator

from .cards import cards


class OrganisationPaginator(Paginator):
    """Pages of published organisations: the page's ids first, then its cards or rows.

    Told its count (by the facet index), so it runs no COUNT query. The page's ids
    come from `ids(start, stop)`, the facet index's slice in name or rank order
    (orgs.facets), or else from the ordered query, ids only; the page's cards
    (orgs.cards), or the records of `rows` (the API's), are then read for those ids
    alone.
    """

    def __init__(self, object_list, per_page, count, ids=None, rows=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.count = count  # replaces the cached property
        self.ids = ids
        self.rows = rows  # None: cards (orgs.cards)

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        ids = self.ids(bottom, top) if self.ids else None
        if ids is None:
            ids = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        if self.rows is None:
            return self._get_page(cards(ids), number, self)
        # public() again: an organisation unpublished a moment ago drops out.
        by_id = {org.pk: org for org in self.rows.filter(pk__in=ids)}
        return self._get_page([by_id[pk] for pk in ids if pk in by_id], number, self)
