"""What an organisation's card in a listing shows, read for one page of ids at once.

A listing shows 25 cards. Read as records, each card cost a model instance with
every column (descriptions included, withheld though no card shows them), a
`reverse()` for its address and, in the template, a dozen lookups through
properties that ask the language again. A card is instead a small tuple of what it
shows, made in one pass from one `values()` query of the public read model (so the
withholding rule, `orgs.public_text.present_rows`, applies to its row as to any
other) whose rows also hold the ids of their regions and focus areas
(orgs.linked_ids), and labels from the facet index, which holds this data
version's regions and focus areas.
"""

from typing import NamedTuple

from django.urls import reverse
from django.utils.translation import gettext as _

from . import bilingual
from .facets import current_index
from .linked_ids import focus_areas_in_order, linked_ids, regions_in_order
from .models import Organisation

# The columns a card reads; `sensitive` decides whether its town is shown.
COLUMNS = (
    "pk",
    "slug",
    "name",
    "name_original",
    "acronym",
    "kind",
    "founded",
    "hq_town",
    "hq_region_id",
    "sensitive",
)
SLUG_PLACEHOLDER = "slug-placeholder"


class Card(NamedTuple):
    pk: int
    slug: str
    url: str
    name: bilingual.Shown  # in the reader's language, else the other with its `lang`
    other_name: bilingual.Shown | None  # the name in the other language, if it differs
    acronym: str  # "" when the name is the acronym itself
    kind: str
    founded: int | None
    town: str  # "" for a sensitive organisation (orgs.public_text)
    region: str  # the headquarters' region, in the reader's language
    regions: list  # labels of the regions where it works, in name order
    focus: list  # labels of its focus areas, in name order

    # The card's lines as sentences: a template assembling them from a dozen parts
    # cost more than all the rest of the card.
    @property
    def meta(self):
        """Kind · founded 2005 · based in Sévaré, Mopti."""
        parts = [self.kind]
        if self.founded:
            parts.append(_("founded %(year)s") % {"year": self.founded})
        if self.region:
            place = f"{self.town}, {self.region}" if self.town else self.region
            parts.append(_("based in %(place)s") % {"place": place})
        return " · ".join(parts)

    @property
    def works_in(self):
        """Works in: Gao, Kidal (or "" when it names no region of work)."""
        if not self.regions:
            return ""
        return _("Works in: %(regions)s") % {"regions": ", ".join(self.regions)}


def cards(ids):
    """The cards of the published organisations among `ids`, in the order of `ids`.

    An organisation unpublished since its id was read drops out.
    """
    index = current_index()
    rows = (
        Organisation.objects.public()
        .filter(pk__in=ids)
        .values(*COLUMNS, region_ids=linked_ids("regions"), focus_ids=linked_ids("focus_areas"))
    )
    by_id = {row["pk"]: row for row in rows}
    found = [pk for pk in ids if pk in by_id]
    labels = Labels(index)
    before, after = reverse("orgs:org_detail", args=[SLUG_PLACEHOLDER]).split(SLUG_PLACEHOLDER)
    kinds = dict(Organisation.Kind.choices)
    result = []
    for pk in found:
        row = by_id[pk]
        names = bilingual.names(row["name"], row["name_original"])
        acronym = row["acronym"]
        hq_region = index.regions.get(row["hq_region_id"])
        result.append(
            Card(
                pk=pk,
                slug=row["slug"],
                url=before + row["slug"] + after,
                name=names.first,
                other_name=names.other,
                acronym=acronym if acronym.casefold() != names.first.text.casefold() else "",
                kind=str(kinds.get(row["kind"], row["kind"])),
                founded=row["founded"],
                town=row["hq_town"],
                region=hq_region.label if hq_region else "",
                regions=labels.regions(row["region_ids"]),
                focus=labels.focus_areas(row["focus_ids"]),
            )
        )
    return result


class Labels:
    """The labels of a card's regions and focus areas, in the order they are listed.

    Each label is looked up once per page: a label asks the reader's language.
    """

    def __init__(self, index):
        self.index = index
        self.known = {}

    def label(self, record):
        if record not in self.known:
            self.known[record] = record.label
        return self.known[record]

    def regions(self, gathered):
        """Labels of the regions whose ids `gathered` holds (orgs.linked_ids)."""
        return [self.label(region) for region in regions_in_order(gathered, self.index.regions)]

    def focus_areas(self, gathered):
        """Labels of the focus areas whose ids `gathered` holds."""
        areas = focus_areas_in_order(gathered, self.index.focus_areas)
        return [self.label(area) for area in areas]
