"""CSV and HXL downloads of the published organisations, with the listing's filters.

Both stream: rows are written as the database yields them, in chunks, so a large
directory never builds in memory. The first chunk is read before the answer starts,
so a database that cannot be reached is a 503, never a 200 with a header row and
then a cut connection. Both open cleanly in Excel (UTF-8 with a byte
order mark) and are safe there: a cell that starts like a formula is prefixed with
a quote, so it is shown, never run.

The HXL file (https://hxlstandard.org) has one row per organisation and region of
work, the "3W" (who does what where) shape humanitarian tools read, written so that
those tools read it as meant:

- `#adm1+code` is the region's P-code in OCHA's common operational dataset for Mali
  (COD-AB, on the Humanitarian Data Exchange); the regions of the 2016 and 2023
  reforms it has no code for carry the code of the region they came from.
- The region of work comes before the headquarters, so a plain `#adm1` query (which
  takes the first matching column) means where the organisation works.
- `#sector+list` is comma-separated, the separator libhxl splits lists on.
- Kinds, zones and sectors are labels, not internal codes, in the language the
  address asks for (`?lang=fr`; English by default), never the reader's cookie.
- Zones are `#loc+zone`: HXL's `#region` means a region of several countries.
- No byte order mark: HXL readers take it for part of the first header.
- Both descriptions, each tagged with its language (`#description+i_en`, `+i_fr`,
  HXL's attributes for the language of a text).
"""

import itertools
import operator

from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse
from django.urls import path, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from .api import organisation_filter
from .contacts import social_link_list
from .export_rows import organisations
from .licence import with_licence
from .linked_ids import focus_areas_in_order, regions_in_order
from .models import FocusArea, Organisation, Region, Zone

BLOCK_ROWS = 200  # about 100 KB of CSV
LANGS = ", ".join(code for code, _name in settings.LANGUAGES)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_FIRST = frozenset(FORMULA_STARTS)

COLUMNS = [
    "slug",
    "name",
    "name_original",
    "acronym",
    "kind",
    "founded",
    "hq_region",
    "hq_town",
    "regions",
    "zones",
    "focus_areas",
    "description_en",
    "description_fr",
    "website",
    "contact_email",
    "contact_phone",
    "contact_address",
    "social_links",
    "url",
    "updated",
]

# Column -> HXL hashtag, one row per region of work; the region of work comes first.
HXL_COLUMNS = [
    ("slug", "#org+code"),
    ("name", "#org+name"),
    ("name_original", "#org+name+alt"),
    ("acronym", "#org+acronym"),
    ("kind", "#org+type"),
    ("region", "#adm1+name"),
    ("region_pcode", "#adm1+code"),
    ("zone", "#loc+zone+name"),
    ("sectors", "#sector+list"),
    ("founded", "#date+year+founded"),
    ("hq_region", "#adm1+name+hq"),
    ("hq_pcode", "#adm1+code+hq"),
    ("hq_town", "#loc+name+hq"),
    ("description_en", "#description+i_en"),
    ("description_fr", "#description+i_fr"),
    ("website", "#contact+url"),
    ("contact_email", "#contact+email"),
    ("contact_phone", "#contact+phone"),
    ("contact_address", "#contact+address"),
    ("social_links", "#contact+url+social+list"),
    ("url", "#meta+url"),
    ("updated", "#date+updated"),
]
HXL_LIST_SEPARATOR = ", "  # what libhxl splits a +list value on


def csv_cell(text):
    """One cell as Excel shows it and RFC 4180 writes it.

    A cell that starts like a formula is prefixed with a quote, so Excel shows it and
    never runs it. A cell holding a double quote, comma or line break is quoted, its
    quotes doubled: what Python's csv module writes with minimal quoting, at half its
    cost (the string tests run in C over each cell at once, where the module looks at
    every character).
    """
    if text[:1] in FORMULA_FIRST:
        text = "'" + text
    if '"' in text or "," in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_cells(cells):
    """`cells` (each a string) written as CSV, joined by commas. An empty cell is
    written as it is, without a call: most rows leave the contacts empty."""
    return ",".join([csv_cell(cell) if cell else "" for cell in cells])


def csv_line(cells):
    """A CSV line of `cells`, with the CRLF ending RFC 4180 gives."""
    return csv_cells(cells) + "\r\n"


class Blocks:
    """CSV lines gathered into blocks of BLOCK_ROWS: each piece a streamed answer
    yields costs the server a write to the socket and a chunk header, and a piece of
    one line cost more than writing the line."""

    def __init__(self):
        self.lines = []

    def add(self, line):
        """Add a line; the block's text once it is full, else None."""
        self.lines.append(line)
        return self.flush() if len(self.lines) >= BLOCK_ROWS else None

    def flush(self):
        """The text of the lines added since the last block."""
        text = "".join(self.lines)
        self.lines.clear()
        return text


def export_ids(filterset, queryset):
    """The ids to export, in the listing's order: the facet index's slice for the
    listing's own orders, else one query of ids."""
    ids = None
    if filterset is not None:
        ids = filterset.page_ids(0, filterset.count())
    if ids is None:
        ids = list(queryset.values_list("pk", flat=True))
    return ids


class Remembered(dict):
    """`compute(links)` of each set of links (a row's `region_ids` or `focus_ids`
    text), computed once: a row whose set was seen before costs a dict lookup, no
    call. At most MEMO_SIZE sets are held, so memory stays flat."""

    MEMO_SIZE = 10_000

    def __init__(self, compute):
        super().__init__()
        self.compute = compute

    def __missing__(self, links):
        if len(self) >= self.MEMO_SIZE:
            self.clear()
        value = self[links] = self.compute(links)
        return value


class Labels:
    """What rows share, computed once per file in its language rather than once per
    row: the page address, kinds, zones, and the cells of each region and focus area
    (those of each set of them are Remembered: few sets recur across many
    organisations)."""

    def __init__(self, request):
        marker = "slug-of-the-organisation"
        url = request.build_absolute_uri(reverse("orgs:org_detail", args=[marker]))
        self.url_before, self.url_after = url.split(marker)
        self.kinds = {value: str(label) for value, label in Organisation.Kind.choices}
        self.zones = {value: str(label) for value, label in Zone.choices}
        self.regions = {r.pk: r for r in Region.objects.select_related("parent")}
        self.region_label = {pk: r.label for pk, r in self.regions.items()}
        self.region_label[None] = ""
        self.region_pcode = {pk: r.cod_pcode for pk, r in self.regions.items()}
        self.region_pcode[None] = ""
        self.focus_areas = {f.pk: f for f in FocusArea.objects.all()}
        self.focus_label = {pk: f.label for pk, f in self.focus_areas.items()}

    def in_region_order(self, regions):
        """The region ids of a row's `region_ids` text, in the order they are listed."""
        return [region.pk for region in regions_in_order(regions, self.regions)]

    def in_focus_order(self, focus_areas):
        """The focus-area ids of a row's `focus_ids` text, in the order they are listed."""
        return [area.pk for area in focus_areas_in_order(focus_areas, self.focus_areas)]

    def add_common(self, row):
        """Add to `row` the cells both files have, by column name."""
        founded = row["founded"]
        row["founded"] = "" if founded is None else str(founded)
        row["hq_region"] = self.region_label[row["hq_region_id"]]
        row["url"] = f"{self.url_before}{row['slug']}{self.url_after}"


def csv_lines(request, orgs):
    blocks = Blocks()
    yield "\ufeff" + csv_line(COLUMNS)
    labels = Labels(request)
    cells_of = operator.itemgetter(*COLUMNS)

    def cells_of_regions(regions):
        worked_in = labels.in_region_order(regions)
        return (
            "; ".join([labels.region_label[pk] for pk in worked_in]),
            "; ".join(sorted({labels.regions[pk].zone for pk in worked_in})),
        )

    def cell_of_focus_areas(focus_areas):
        return "; ".join([labels.focus_label[pk] for pk in labels.in_focus_order(focus_areas)])

    # Not decorators: mutmut leaves a decorated function unmutated.
    region_cells = Remembered(cells_of_regions)
    focus_cells = Remembered(cell_of_focus_areas)

    for row in orgs:
        labels.add_common(row)
        row["regions"], row["zones"] = region_cells[row["region_ids"]]
        row["focus_areas"] = focus_cells[row["focus_ids"]]
        row["social_links"] = "; ".join(social_link_list(row["social_links"]))
        # Contacts not marked public were blanked when read (orgs.contacts).
        if block := blocks.add(csv_line(cells_of(row))):
            yield block
    if block := blocks.flush():
        yield block


# An HXL row is the organisation's cells around one region of work's: the cells
# before and after the region are written once per organisation, however many
# regions it works in.
HXL_NAMES = [name for name, _tag in HXL_COLUMNS]
HXL_REGION_CELLS = ["region", "region_pcode", "zone"]
HXL_BEFORE = HXL_NAMES[: HXL_NAMES.index("region")]
HXL_AFTER = HXL_NAMES[len(HXL_BEFORE) + len(HXL_REGION_CELLS) :]
assert HXL_BEFORE + HXL_REGION_CELLS + HXL_AFTER == HXL_NAMES


def hxl_lines(request, orgs):
    blocks = Blocks()
    yield csv_line(HXL_NAMES) + csv_line([tag for _name, tag in HXL_COLUMNS])
    labels = Labels(request)
    before_of = operator.itemgetter(*HXL_BEFORE)
    after_of = operator.itemgetter(*HXL_AFTER)

    def sectors_of(focus_areas):
        labels_of = [labels.focus_label[pk] for pk in labels.in_focus_order(focus_areas)]
        return HXL_LIST_SEPARATOR.join([label.replace(",", " ") for label in labels_of])

    def region_rows_of(regions):
        """The region cells of each row, written as CSV."""
        # An organisation with no known region still gets a row, with the region empty.
        cells = [
            (
                labels.region_label[pk],
                labels.region_pcode[pk],
                labels.zones.get(labels.regions[pk].zone, labels.regions[pk].zone),
            )
            for pk in labels.in_region_order(regions)
        ] or [("", "", "")]
        return [",".join(map(csv_cell, region)) for region in cells]

    sectors = Remembered(sectors_of)
    regions_of_work = Remembered(region_rows_of)

    for row in orgs:
        labels.add_common(row)
        row["kind"] = labels.kinds.get(row["kind"], row["kind"])
        row["sectors"] = sectors[row["focus_ids"]]
        row["social_links"] = HXL_LIST_SEPARATOR.join(social_link_list(row["social_links"]))
        row["hq_pcode"] = labels.region_pcode[row["hq_region_id"]]
        before = csv_cells(before_of(row))
        after = csv_cells(after_of(row))
        for region in regions_of_work[row["region_ids"]]:
            if block := blocks.add(f"{before},{region},{after}\r\n"):
                yield block
    if block := blocks.flush():
        yield block


def in_language(language, lines):
    """Lines written in `language`: a streamed body is written after the view returns."""
    with translation.override(language):
        yield from lines


def download(request, lines, filename):
    language = request.GET.get("lang") or settings.LANGUAGE_CODE
    filterset, errors = organisation_filter(request, Organisation.objects.public())
    queryset = Organisation.objects.none() if filterset is None else filterset.qs
    if language not in dict(settings.LANGUAGES):
        errors = {**(errors or {}), "lang": [_("Choose one of: %(codes)s.") % {"codes": LANGS}]}
    if errors:
        message = (
            _("These filters are not valid:")
            + "\n"
            + "\n".join(f"{name}: {' '.join(messages)}" for name, messages in errors.items())
        )
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    ids = export_ids(filterset, queryset)
    orgs = organisations(ids)
    # Read the first chunk now: a database that is away raises here, before any
    # byte is sent, and the answer is the 503 page (orgs.middleware).
    first = list(itertools.islice(orgs, 1))
    response = StreamingHttpResponse(
        (
            line.encode("utf-8")
            for line in in_language(language, lines(request, itertools.chain(first, orgs)))
        ),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # How many organisations a whole file holds: a body cut short (the database
    # lost mid-stream, which also leaves the chunked body unterminated) can be told
    # from a complete one.
    response["X-Total-Count"] = str(len(ids))
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = "X-Total-Count"
    return with_licence(response)


@require_safe
def organisations_csv(request):
    return download(request, csv_lines, "mali-cso-directory.csv")


@require_safe
def organisations_hxl(request):
    return download(request, hxl_lines, "mali-cso-directory.hxl.csv")


app_name = "exports"
urlpatterns = [
    path("orgs.csv", organisations_csv, name="orgs_csv"),
    path("orgs.hxl.csv", organisations_hxl, name="orgs_hxl"),
]
