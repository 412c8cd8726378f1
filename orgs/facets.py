"""How many published organisations each filter option gives: counted in memory.

The listing shows, next to every option of every filter, how many organisations
ticking it would give, and how many results there are. Counted in SQL, each facet
is a grouped query over the organisations' region or focus-area links: at 100,000
organisations that is a quarter of a million rows per facet, about 0.2 s each, and
the same again for every page of the same results.

So this module keeps, per process, one compressed bitmap of organisation ids
(pyroaring) per option: each region (working there or headquartered there, as the
region filter means it), each zone, focus area, kind and founding year, plus the
set of published organisations. A count is the size of an intersection, a few
microseconds. The index is rebuilt (five plain queries, about a second at 100,000
organisations) whenever the database's facet version token changes
(orgs.facet_version), so counts never lag behind the data. A text query's
matches come from the search index (orgs.search), once per query and version.

Only published organisations are counted: this serves the public pages and API.
"""

import threading
from collections import OrderedDict, defaultdict

from pyroaring import BitMap, FrozenBitMap

from . import facet_version
from .search import matching_ids, query_words

FACETS = ("region", "zone", "focus", "kind")
RECENT_QUERIES = 64
EMPTY = FrozenBitMap()


def _bitmaps(pairs, keep):
    """{key: frozen bitmap of the ids paired with it, among `keep`}."""
    ids = defaultdict(list)
    for key, pk in pairs:
        ids[key].append(pk)
    return {key: FrozenBitMap(BitMap(pks) & keep) for key, pks in ids.items()}


class FacetIndex:
    """The published organisations of one data version, as a bitmap per filter option."""

    def __init__(self, token, published, options):
        self.token = token
        self.published = published
        self.options = options  # {facet or "founded": {value: FrozenBitMap}}
        self._queries = OrderedDict()
        self._queries_lock = threading.Lock()

    @classmethod
    def build(cls, token):
        from .models import FocusArea, Organisation, Region

        rows = list(
            Organisation.objects.published()
            .order_by()
            .values_list("pk", "kind", "founded", "hq_region_id")
        )
        published = FrozenBitMap(pk for pk, *_ in rows)
        regions, zones = {}, {}
        for pk, slug, zone in Region.objects.values_list("pk", "slug", "zone"):
            regions[pk], zones[slug] = slug, zone
        focus_areas = dict(FocusArea.objects.values_list("pk", "slug"))
        works = Organisation.regions.through.objects.values_list("region_id", "organisation_id")
        headquarters = ((hq, pk) for pk, _kind, _year, hq in rows if hq is not None)
        by_region = {
            regions[region_id]: bitmap
            for region_id, bitmap in _bitmaps([*works, *headquarters], published).items()
        }
        by_zone = {
            zone: FrozenBitMap.union(
                EMPTY, *(b for slug, b in by_region.items() if zones[slug] == zone)
            )
            for zone in set(zones.values())
        }
        links = Organisation.focus_areas.through.objects.values_list(
            "focusarea_id", "organisation_id"
        )
        by_focus = {
            focus_areas[focus_id]: bitmap
            for focus_id, bitmap in _bitmaps(links, published).items()
        }
        by_kind = _bitmaps(((kind, pk) for pk, kind, _year, _hq in rows), published)
        by_year = _bitmaps(
            ((year, pk) for pk, _kind, year, _hq in rows if year is not None), published
        )
        options = {
            "region": by_region,
            "zone": by_zone,
            "focus": by_focus,
            "kind": by_kind,
            "founded": by_year,
        }
        return cls(token, published, options)

    def query_ids(self, query):
        """Published organisations matching `query`, or None for a query without words."""
        key = tuple(query_words(query))
        with self._queries_lock:
            if key in self._queries:
                self._queries.move_to_end(key)
                return self._queries[key]
        from .models import Organisation

        ids = matching_ids(Organisation.objects.all(), query)
        found = None if ids is None else FrozenBitMap(BitMap(ids) & self.published)
        with self._queries_lock:
            self._queries[key] = found
            while len(self._queries) > RECENT_QUERIES:
                self._queries.popitem(last=False)
        return found

    def restrictions(self, cleaned):
        """{filter: the published organisations it lets through}, for each filter applied.

        `cleaned` is the filter form's cleaned_data; the meaning of every filter is
        the one orgs.filters.OrganisationFilter gives it in SQL.
        """
        applied = {}
        if cleaned.get("q") and (ids := self.query_ids(cleaned["q"])) is not None:
            applied["q"] = ids
        for facet, values in (
            ("region", [r.slug for r in cleaned.get("region") or []]),
            ("zone", [cleaned["zone"]] if cleaned.get("zone") else []),
            ("focus", [f.slug for f in cleaned.get("focus") or []]),
            ("kind", cleaned.get("kind") or []),
        ):
            if values:
                applied[facet] = self._union(facet, values)
        low, high = cleaned.get("founded_min"), cleaned.get("founded_max")
        if low is not None or high is not None:
            years = [
                y
                for y in self.options["founded"]
                if (low is None or y >= low) and (high is None or y <= high)
            ]
            applied["founded"] = self._union("founded", years)
        return applied

    def _union(self, facet, values):
        bitmaps = [self.options[facet].get(v, EMPTY) for v in values]
        return FrozenBitMap.union(EMPTY, *bitmaps)

    def matching(self, applied, without=None):
        """The published organisations every applied filter, except `without`, lets through."""
        result = self.published
        for name, bitmap in sorted(applied.items(), key=lambda item: len(item[1])):
            if name != without:
                result = result & bitmap
        return result

    def total(self, applied):
        return len(self.matching(applied))

    def counts(self, applied):
        """{facet: {option: organisations}}, each facet over all the OTHER filters."""
        counts = {}
        for facet in FACETS:
            base = self.matching(applied, without=facet)
            counts[facet] = {
                value: n
                for value, bitmap in self.options[facet].items()
                if (n := base.intersection_cardinality(bitmap))
            }
        return counts


_index = None
_build_lock = threading.Lock()


def current_index():
    """The index for the data as it is now: rebuilt first if any counted fact changed."""
    global _index
    token = facet_version.current()
    index = _index
    if index is None or token is None or index.token != token:
        with _build_lock:
            index = _index
            if index is None or token is None or index.token != token:
                index = _index = FacetIndex.build(token)
    return index
