"""Bringing the facet index up to date by what changed, rather than rebuilding it.

A curator's save changes one organisation; rebuilding the index (orgs.facets) for
it cost 2.5 s of CPU at 100,000 organisations, on the first request after every
save, in every worker. The database logs which organisations changed
(orgs.facet_changes); here a new index is made from the current one by taking
each of them out and putting back what it is now:

- out: its rank leaves the order, and every option bitmap closes the gap (the ranks
  above it move down by one); its id leaves the postings of its old name words and
  its acronym;
- back in, if it is published: its current row and links are read, its new rank is
  found by its name (sort_name, then id), every option bitmap opens a gap there,
  and the rank is added to the bitmaps of its options, its id to its name words'
  postings and its acronym's.

Shifting is a few microseconds per bitmap: there are a hundred or so option bitmaps,
whatever the number of organisations. The postings (thousands) are bitmaps of ids,
which no shift moves. The new index starts with no cached searches. The current
index is never changed: requests still using it, in other threads, read it whole.
More than UPDATE_LIMIT changes at once, a change of regions or focus areas, or an
index that is too far behind the log, mean a rebuild.
"""

import bisect

from pyroaring import FrozenBitMap

from . import facet_changes
from .facets import EMPTY, OPTION_FACETS, FacetIndex, read_entries, zones

UPDATE_LIMIT = 500


def updated(index, position):
    """The index of the data at `position` (orgs.facet_changes.position), made from
    `index`, or None when it must be rebuilt."""
    if index is None or index.seq is None or position[0] is None:
        return None
    changed = facet_changes.changed_since(index.seq, position[1])
    if changed is facet_changes.EVERYTHING or len(changed) > UPDATE_LIMIT:
        return None
    region_slugs = index.region_slugs
    entries = read_entries(region_slugs, index.focus_slugs, changed)
    return _Update(index).apply(changed, entries, region_slugs, position)


class _Update:
    """A copy of an index's order, names and bitmaps, changed in place."""

    def __init__(self, index):
        self.index = index
        self.order = list(index.order)  # read by requests still using `index`
        # Read by updates alone: taken over, and `index` is never updated again.
        self.sort_names, self.names = index.sort_names, index.names
        index.seq = index.sort_names = index.names = None
        self.options = {facet: dict(bitmaps) for facet, bitmaps in index.options.items()}
        self.acronyms = dict(index.acronyms)
        self.name_words = list(index.name_words)
        self.name_postings = list(index.name_postings)

    def apply(self, changed, entries, region_slugs, position):
        old_ranks = {pk: self._rank(pk) for pk in changed if pk in self.names}
        moved = []
        for entry in entries:
            if entry.pk in old_ranks and self.names[entry.pk][0] == entry.sort_name:
                # Same name, same rank (most saves): only its options and words change.
                self._replace(entry, old_ranks.pop(entry.pk), region_slugs)
            else:
                moved.append(entry)
        for rank in sorted(old_ranks.values(), reverse=True):
            pk = self.order.pop(rank)
            del self.sort_names[rank]
            self._forget_words(pk, *self.names.pop(pk)[1:])
            below, up_to = FrozenBitMap(range(rank)), FrozenBitMap(range(rank + 1))
            self._reshape(lambda b, below=below, up_to=up_to: b & below | (b - up_to).shift(-1))
        for entry in sorted(moved, key=lambda e: e.key):
            rank = self._place(entry)
            below = FrozenBitMap(range(rank))
            self._reshape(lambda b, below=below: b & below | (b - below).shift(1))
            for facet, value in entry.options(region_slugs):
                bitmaps = self.options[facet]
                bitmaps[value] = bitmaps.get(value, EMPTY) | FrozenBitMap([rank])
            self.names[entry.pk] = (entry.sort_name, entry.acronym, entry.names)
            self._learn_words(entry)
        for bitmaps in self.options.values():
            for value in [v for v, b in bitmaps.items() if not b]:
                del bitmaps[value]
        zone_of = {r.slug: r.zone for r in self.index.regions.values()}
        self.options["zone"] = zones(self.options["region"], zone_of)
        return FacetIndex(
            position,
            self.order,
            self.sort_names,
            self.names,
            self.options,
            self.acronyms,
            self.name_words,
            self.name_postings,
            self.index.regions,
            self.index.focus_areas,
        )

    def _replace(self, entry, rank, region_slugs):
        """Give the organisation at `rank` the options and words of `entry`."""
        one = FrozenBitMap([rank])
        now = set(entry.options(region_slugs))
        for facet in OPTION_FACETS:
            bitmaps = self.options[facet]
            for value, bitmap in bitmaps.items():
                if rank in bitmap and (facet, value) not in now:
                    bitmaps[value] = bitmap - one
        for facet, value in now:
            bitmaps = self.options[facet]
            bitmaps[value] = bitmaps.get(value, EMPTY) | one
        self._forget_words(entry.pk, *self.names[entry.pk][1:])
        self.names[entry.pk] = (entry.sort_name, entry.acronym, entry.names)
        self._learn_words(entry)

    def _rank(self, pk):
        """An organisation's rank in the current index, found by its name."""
        key = (self.names[pk][0], pk)
        return bisect.bisect_left(
            range(len(self.order)), key, key=lambda r: (self.sort_names[r], self.order[r])
        )

    def _place(self, entry):
        """Put `entry` in the order at its name's place; its rank."""
        key = entry.key
        rank = bisect.bisect_left(
            range(len(self.order)), key, key=lambda r: (self.sort_names[r], self.order[r])
        )
        self.order.insert(rank, entry.pk)
        self.sort_names.insert(rank, entry.sort_name)
        return rank

    def _reshape(self, move):
        """Move every option bitmap's ranks by `move` (zones are made again at the end)."""
        for facet, bitmaps in self.options.items():
            if facet != "zone":
                for value, bitmap in bitmaps.items():
                    bitmaps[value] = move(bitmap)

    def _forget_words(self, pk, acronym, names):
        if acronym:
            self.acronyms[acronym] = self.acronyms[acronym] - FrozenBitMap([pk])
            if not self.acronyms[acronym]:
                del self.acronyms[acronym]
        for word in set(names.split()):
            at = bisect.bisect_left(self.name_words, word)
            remaining = self.name_postings[at] - FrozenBitMap([pk])
            if remaining:
                self.name_postings[at] = remaining
            else:
                del self.name_words[at]
                del self.name_postings[at]

    def _learn_words(self, entry):
        if entry.acronym:
            with_it = self.acronyms.get(entry.acronym, EMPTY) | FrozenBitMap([entry.pk])
            self.acronyms[entry.acronym] = with_it
        for word in entry.name_words():
            at = bisect.bisect_left(self.name_words, word)
            if at < len(self.name_words) and self.name_words[at] == word:
                self.name_postings[at] = self.name_postings[at] | FrozenBitMap([entry.pk])
            else:
                self.name_words.insert(at, word)
                self.name_postings.insert(at, FrozenBitMap([entry.pk]))
