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

When the database's token changes (orgs.facet_version), the index is brought up
to date before it serves, so nothing served lags behind the data: updated for the
organisations the database logged as changed (orgs.facet_changes,
orgs.facet_upkeep), or built from a few plain queries. A starting process loads
the stored index (orgs.facet_snapshot). Only published organisations are in it:
this serves the public pages and API.
"""

import bisect
import functools
import threading
from collections import OrderedDict, defaultdict

from django.db import connection
from pyroaring import FrozenBitMap

from . import facet_changes
from .search import is_prefix, matching_id_list, query_words

FACETS = ("region", "zone", "focus", "kind")
RECENT_QUERIES = 64
EMPTY = FrozenBitMap()
# What the index reads of each published organisation.
ROW_FIELDS = (
    "pk",
    "sort_name",
    "kind",
    "founded",
    "hq_region_id",
    "search_acronym",
    "search_names",
)
OPTION_FACETS = ("region", "focus", "kind", "founded")  # zones are made from regions


def _bitmaps(pairs):
    """{key: frozen bitmap of the values paired with it}."""
    ranks = defaultdict(list)
    for key, rank in pairs:
        ranks[key].append(rank)
    return {key: FrozenBitMap(values) for key, values in ranks.items()}


class Entry:
    """One published organisation as the index reads it: its row and its links."""

    __slots__ = ("pk", "sort_name", "kind", "founded", "hq_region", "acronym", "names", "links")

    def __init__(self, row, links):
        self.pk, self.sort_name, self.kind, self.founded, self.hq_region = row[:5]
        self.acronym, self.names = row[5:]
        self.links = links  # [(facet, slug)]: its regions of work and focus areas

    @property
    def key(self):
        """Its place in name order (the listing's: sort_name, then id)."""
        return (self.sort_name, self.pk)

    def options(self, region_slugs):
        """(facet, value) of every option it counts under, zones apart (see `zones`)."""
        yield ("kind", self.kind)
        if self.founded is not None:
            yield ("founded", self.founded)
        if self.hq_region in region_slugs:
            yield ("region", region_slugs[self.hq_region])
        yield from self.links

    def name_words(self):
        return set(self.names.split())


def read_entries(region_slugs, focus_slugs, ids=None):
    """The published organisations (of `ids`, or all) as Entries, in no order."""
    from .models import Organisation

    rows = Organisation.objects.published().order_by()
    region_links = Organisation.regions.through.objects.order_by()
    focus_links = Organisation.focus_areas.through.objects.order_by()
    if ids is not None:
        rows = rows.filter(pk__in=ids)
        region_links = region_links.filter(organisation_id__in=ids)
        focus_links = focus_links.filter(organisation_id__in=ids)
    links = defaultdict(list)
    # A region or focus area newer than the caller's are skipped: its writes are
    # logged, and bring a rebuild (orgs.facet_changes).
    for pk, region_id in region_links.values_list("organisation_id", "region_id"):
        if region_id in region_slugs:
            links[pk].append(("region", region_slugs[region_id]))
    for pk, focus_id in focus_links.values_list("organisation_id", "focusarea_id"):
        if focus_id in focus_slugs:
            links[pk].append(("focus", focus_slugs[focus_id]))
    return [Entry(row, links.get(row[0], [])) for row in rows.values_list(*ROW_FIELDS)]


def zones(by_region, zone_of):
    """{zone: the ranks in any of its regions}, for every zone a region is in."""
    return {
        zone: FrozenBitMap.union(
            EMPTY, *(b for slug, b in by_region.items() if zone_of[slug] == zone)
        )
        for zone in set(zone_of.values())
    }


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
    """The published organisations of one data version, by name rank.

    Options are bitmaps of ranks; the acronyms and name words, which an update
    would otherwise shift by the thousand, are bitmaps of ids (orgs.facet_upkeep).
    """

    def __init__(
        self,
        position,
        order,
        sort_names,
        names,
        options,
        acronyms,
        name_words,
        name_postings,
        regions=None,
        focus=None,
    ):
        # The data version (token, last change applied: orgs.facet_changes; None
        # when built inside a transaction, whose changes may yet be rolled back).
        self.token, self.seq = position
        self.regions = regions or {}  # id -> Region of this data version (for the cards)
        self.focus_areas = focus or {}  # id -> FocusArea
        self.order = order  # rank -> organisation id
        self.sort_names = sort_names  # rank -> sort_name
        self.names = names  # id -> (sort_name, search_acronym, search_names)
        self.published = FrozenBitMap(range(len(order)))
        self.options = options  # {facet or "founded": {value: FrozenBitMap of ranks}}
        self.acronyms = acronyms  # {search_acronym: FrozenBitMap of ids}
        self.name_words = name_words  # sorted words of search_names
        self.name_postings = name_postings  # FrozenBitMap of ids, one per word
        self._queries = OrderedDict()
        self._queries_lock = threading.Lock()

    @functools.cached_property
    def rank(self):
        """{organisation id: rank}, made when a search first needs it."""
        return dict(zip(self.order, range(len(self.order)), strict=True))

    @property
    def region_slugs(self):
        return {pk: r.slug for pk, r in self.regions.items()}

    @property
    def focus_slugs(self):
        return {pk: f.slug for pk, f in self.focus_areas.items()}

    @classmethod
    def build(cls, position):
        from .models import FocusArea, Region

        region_rows = {r.pk: r for r in Region.objects.all()}
        focus_rows = {f.pk: f for f in FocusArea.objects.all()}
        region_slugs = {pk: r.slug for pk, r in region_rows.items()}
        # Sorted here rather than in SQL, so that an update (orgs.facet_upkeep) places
        # an organisation by the same comparison whatever the database's collation.
        entries = sorted(
            read_entries(region_slugs, {pk: f.slug for pk, f in focus_rows.items()}),
            key=lambda e: e.key,
        )
        pairs = defaultdict(list)
        for rank, entry in enumerate(entries):
            for facet, value in entry.options(region_slugs):
                pairs[facet].append((value, rank))
        options = {facet: _bitmaps(pairs[facet]) for facet in OPTION_FACETS}
        options["zone"] = zones(options["region"], {r.slug: r.zone for r in region_rows.values()})
        postings = _bitmaps((word, e.pk) for e in entries for word in e.name_words())
        name_words = sorted(postings)
        return cls(
            position,
            [e.pk for e in entries],
            [e.sort_name for e in entries],
            {e.pk: (e.sort_name, e.acronym, e.names) for e in entries},
            options,
            _bitmaps((e.acronym, e.pk) for e in entries if e.acronym),
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
            matched = FrozenBitMap(ids)
            names = matched
            for word in words:
                names = names & self._in_names(word)
            acronym = self.acronyms.get("".join(words), EMPTY) & matched
            found = Match(self._ranks(ids), self._ranks(acronym), self._ranks(names))
        with self._queries_lock:
            self._queries[key] = found
            while len(self._queries) > RECENT_QUERIES:
                self._queries.popitem(last=False)
        return found

    def _ranks(self, ids):
        """The ranks of those of `ids` that are in the index."""
        rank = self.rank.get
        return FrozenBitMap([r for r in map(rank, ids) if r is not None])

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
    """The index for the data as it is now: brought up to date first if any counted
    fact changed, by updating the organisations that changed (orgs.facet_upkeep) or,
    for a change of regions or focus areas or of many organisations, by a rebuild.
    A process without one loads the stored index (orgs.facet_snapshot)."""
    global _index
    position = facet_changes.position()
    index = _index
    if index is None or position[0] is None or index.token != position[0]:
        with _build_lock:
            index = _index
            if index is None or position[0] is None or index.token != position[0]:
                index = _index = _brought_up_to_date(index, position)
    return index


def _brought_up_to_date(index, position):
    from . import facet_snapshot, facet_upkeep

    if connection.in_atomic_block:
        # Changes seen inside a transaction may be rolled back: build from scratch,
        # and update nothing from it later.
        return FacetIndex.build((position[0], None))
    if index is None:
        index = facet_snapshot.stored()
    if index is not None and index.token == position[0]:
        return index
    index = facet_upkeep.updated(index, position)
    if index is None:
        index = FacetIndex.build(position)
        facet_snapshot.store(index)
    return index
