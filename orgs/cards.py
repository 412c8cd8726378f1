"""What an organisation's card in a listing shows, read for one page of ids at once.

A listing shows 25 cards. Read as records, each card cost a model instance with
every column (descriptions included, withheld though no card shows them), a
`reverse()` for its address and, in the template, a dozen lookups through
properties that ask the language again. A card is instead a small tuple of what it
shows, made in one pass: one `values()` query of the public read model (so the
withholding rule, `orgs.public_text.present_rows`, applies to its row as to any
other), two queries of region and focus-area links, and labels from the facet
index, which holds this data version's regions and focus areas.
"""

from typing import NamedTuple

from django.urls import reverse
from django.utils.translation import gettext as _

from . import bilingual
from .facets import current_index
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
            parts.append(f"{_('based in')} {place}")
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
    rows = Organisation.objects.public().filter(pk__in=ids).values(*COLUMNS)
    by_id = {row["pk"]: row for row in rows}
    found = [pk for pk in ids if pk in by_id]
    regions, focus = links(found, index)
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
                regions=regions[pk],
                focus=focus[pk],
            )
        )
    return result


def links(ids, index):
    """({id: region labels}, {id: focus-area labels}) of `ids`, each in name order.

    Each label is looked up once per call: a label asks the reader's language.
    """
    regions, focus = {pk: [] for pk in ids}, {pk: [] for pk in ids}
    pairs = Organisation.regions.through.objects.filter(organisation_id__in=ids)
    for org_id, region_id in pairs.values_list("organisation_id", "region_id"):
        regions[org_id].append(index.regions[region_id])
    pairs = Organisation.focus_areas.through.objects.filter(organisation_id__in=ids)
    for org_id, focus_id in pairs.values_list("organisation_id", "focusarea_id"):
        focus[org_id].append(index.focus_areas[focus_id])
    labels = {}

    def label(record):
        if record not in labels:
            labels[record] = record.label
        return labels[record]

    return (
        {
            pk: [label(r) for r in sorted(found, key=lambda r: r.name)]
            for pk, found in regions.items()
        },
        {
            pk: [label(f) for f in sorted(found, key=lambda f: f.label_en)]
            for pk, found in focus.items()
        },
    )
