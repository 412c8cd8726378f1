"""The published organisations in memory, in name order: counts, filters and pages.

The listing shows, next to every option of every filter, how many organisations
ticking it would give, how many results there are, and a page of them. Counted
in SQL, each facet is a grouped query over a quarter of a million link rows at
100,000 organisations; read in SQL, a filtered or searched page walks the name
index checking each row, or ranks and sorts every match, before taking 25.

So this module keeps, per process, the published organisations numbered by their
*name rank*: their position in name order (``sort_name``, then id, the listing's
order). Every filter option is one compressed bitmap of ranks (pyroaring): each
region (working there or headquartered there, as the region filter means it),
zone, focus area, kind and founding year. Because a bitmap iterates in rank
order, the organisations a set of filters gives, in name order, are the
intersection of their bitmaps, and a page is a slice of it: a few microseconds,
on page 1 or page 1,000, whatever the database. A count is the size of an
intersection.

A text query's matches come from the database's search index (orgs.search), once
per query and data version, and become a bitmap of ranks too. Its ranking tiers
(orgs.search: exact acronym, then every word in a name, then the rest; name
order within a tier) are bitmaps as well: the acronyms and the words of the names
are indexed here, so a searched page is a slice across three tiers.

The index is built from five plain queries when the database's token changes
(orgs.facet_version), so nothing served lags behind the data. Only published
organisations are in it: this serves the public pages and API.
"""

import bisect
import threading
from collections import OrderedDict, defaultdict

from pyroaring import FrozenBitMap

from . import facet_version
from .search import is_prefix, matching_id_list, query_words

FACETS = ("region", "zone", "focus", "kind")
RECENT_QUERIES = 64
EMPTY = FrozenBitMap()


def _bitmaps(pairs):
    """{key: frozen bitmap of the ranks paired with it}."""
    ranks = defaultdict(list)
    for key, rank in pairs:
        ranks[key].append(rank)
    return {key: FrozenBitMap(values) for key, values in ranks.items()}


class Match:
    """A text query's published matches, as ranks, split into its ranking tiers."""

    def __init__(self, all_matches, acronym, names):
        self.all = all_matches
        self.acronym = acronym & all_matches  # tier 3
        self.names = (names & all_matches) - self.acronym  # tier 2

    def tiers(self, selected):
        """The tiers of `selected` (a subset of the matches), best first."""
        first = self.acronym & selected
        second = self.names & selected
        return [first, second, selected - first - second]


class FacetIndex:
    """The published organisations of one data version, by name rank."""

    def __init__(
        self, token, order, options, acronyms, name_words, name_postings, regions=None, focus=None
    ):
        self.token = token
        self.regions = regions or {}  # id -> Region of this data version (for the cards)
        self.focus_areas = focus or {}  # id -> FocusArea
        self.order = order  # rank -> organisation id
        self.rank = {pk: rank for rank, pk in enumerate(order)}
        self.published = FrozenBitMap(range(len(order)))
        self.options = options  # {facet or "founded": {value: FrozenBitMap of ranks}}
        self.acronyms = acronyms  # {search_acronym: FrozenBitMap}
        self.name_words = name_words  # sorted words of search_names
        self.name_postings = name_postings  # FrozenBitMap of ranks, one per word
        self._queries = OrderedDict()
        self._queries_lock = threading.Lock()

    @classmethod
    def build(cls, token):
        from .models import FocusArea, Organisation, Region

        rows = list(
            Organisation.objects.published()
            .order_by("sort_name", "pk")
            .values_list("pk", "kind", "founded", "hq_region_id", "search_acronym", "search_names")
        )
        order = [pk for pk, *_ in rows]
        rank = {pk: r for r, pk in enumerate(order)}
        region_rows = {r.pk: r for r in Region.objects.all()}
        focus_rows = {f.pk: f for f in FocusArea.objects.all()}
        regions = {pk: r.slug for pk, r in region_rows.items()}
        zones = {r.slug: r.zone for r in region_rows.values()}
        focus_areas = {pk: f.slug for pk, f in focus_rows.items()}
        works = (
            (regions[region_id], rank[pk])
            for region_id, pk in Organisation.regions.through.objects.values_list(
                "region_id", "organisation_id"
            )
            if pk in rank
        )
        headquarters = ((regions[row[3]], r) for r, row in enumerate(rows) if row[3] is not None)
        by_region = _bitmaps([*works, *headquarters])
        by_zone = {
            zone: FrozenBitMap.union(
                EMPTY, *(b for slug, b in by_region.items() if zones[slug] == zone)
            )
            for zone in set(zones.values())
        }
        links = Organisation.focus_areas.through.objects.values_list(
            "focusarea_id", "organisation_id"
        )
        by_focus = _bitmaps(
            (focus_areas[focus_id], rank[pk]) for focus_id, pk in links if pk in rank
        )
        options = {
            "region": by_region,
            "zone": by_zone,
            "focus": by_focus,
            "kind": _bitmaps((row[1], r) for r, row in enumerate(rows)),
            "founded": _bitmaps((row[2], r) for r, row in enumerate(rows) if row[2] is not None),
        }
        acronyms = _bitmaps((row[4], r) for r, row in enumerate(rows) if row[4])
        postings = _bitmaps(
            (word, r) for r, row in enumerate(rows) for word in set(row[5].split())
        )
        name_words = sorted(postings)
        return cls(
            token,
            order,
            options,
            acronyms,
            name_words,
            [postings[word] for word in name_words],
            region_rows,
            focus_rows,
        )

    # --- Text queries ---------------------------------------------------------

    def _in_names(self, word):
        """Ranks whose names have `word` as a word (or as a word's start: orgs.search)."""
        start = bisect.bisect_left(self.name_words, word)
        if not is_prefix(word):
            found = start < len(self.name_words) and self.name_words[start] == word
            return self.name_postings[start] if found else EMPTY
        end = bisect.bisect_left(self.name_words, word + "\uffff", lo=start)
        return FrozenBitMap.union(EMPTY, *self.name_postings[start:end])

    def query(self, query):
        """The published matches of `query` with their tiers, or None for a query without words."""
        words = query_words(query)
        key = tuple(words)
        with self._queries_lock:
            if key in self._queries:
                self._queries.move_to_end(key)
                return self._queries[key]
        ids = matching_id_list(query)
        if ids is None:
            found = None
        else:
            rank = self.rank.get
            matches = FrozenBitMap([r for r in map(rank, ids) if r is not None])
            names = self.published
            for word in words:
                names = names & self._in_names(word)
            found = Match(matches, self.acronyms.get("".join(words), EMPTY), names)
        with self._queries_lock:
            self._queries[key] = found
            while len(self._queries) > RECENT_QUERIES:
                self._queries.popitem(last=False)
        return found

    def query_ids(self, query):
        """Published organisations matching `query` (ids), or None for a query without words."""
        found = self.query(query)
        return None if found is None else [self.order[r] for r in found.all]

    # --- Filters ----------------------------------------------------------------

    def restrictions(self, cleaned):
        """{filter: the published organisations (ranks) it lets through}, per filter applied.

        `cleaned` is the filter form's cleaned_data; the meaning of every filter is
        the one orgs.filters.OrganisationFilter gives it in SQL.
        """
        applied = {}
        if cleaned.get("q") and (found := self.query(cleaned["q"])) is not None:
            applied["q"] = found.all
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

    # --- Pages --------------------------------------------------------------------

    def page_ids(self, applied, start, stop, ranked_by=None):
        """Ids of the organisations from `start` to `stop` (0-based) of those `applied` lets
        through: in name order, or best match first for `ranked_by` (a text query)."""
        selected = self.matching(applied)
        found = self.query(ranked_by) if ranked_by else None
        parts = found.tiers(selected) if found is not None else [selected]
        ranks = []
        for part in parts:
            size = len(part)
            if start < size and stop > 0:
                ranks.extend(part[max(start, 0) : min(stop, size)])
            start, stop = start - size, stop - size
        return [self.order[r] for r in ranks]


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
