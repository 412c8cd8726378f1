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

import csv
import itertools

from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse
from django.urls import path, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from .api import organisation_filter
from .licence import with_licence
from .models import FocusArea, Organisation, Region, Zone

CHUNK_SIZE = 500
LANGS = ", ".join(code for code, _name in settings.LANGUAGES)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

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


# The organisation's columns the files never read.
UNREAD_FIELDS = ["search_text", "search_names", "search_acronym", "sort_name", "seeded_values"]


def safe(value):
    """A cell Excel shows as text, never runs as a formula."""
    if value is None:
        return ""
    value = str(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


class Echo:
    """A file-like object whose write returns the line, for csv.writer to stream."""

    def write(self, value):
        return value


def export_ids(filterset, queryset):
    """The ids to export, in the listing's order: the facet index's slice for the
    listing's own orders, else one query of ids."""
    ids = None
    if filterset is not None:
        ids = filterset.page_ids(0, filterset.count())
    if ids is None:
        ids = list(queryset.values_list("pk", flat=True))
    return ids


def organisations(ids):
    """The organisations of `ids`, chunk by chunk, as the public reads them.

    Each chunk of CHUNK_SIZE is read through the public read model in three
    queries: the rows, and their region and focus-area links as plain pairs,
    matched to regions and focus areas read once. No query per row, no related
    model per link, and memory that does not grow with the directory beyond its ids.
    """
    regions = {r.pk: r for r in Region.objects.select_related("parent")}
    focus_areas = {f.pk: f for f in FocusArea.objects.all()}
    region_links = Organisation.regions.through.objects
    focus_links = Organisation.focus_areas.through.objects
    # Without the columns no file shows and nothing reads: the searched text and
    # the seeds' JSON are most of a row.
    public = (
        Organisation.objects.public()
        .select_related(None)  # the headquarters come from `regions`
        .defer(*UNREAD_FIELDS)
    )
    for start in range(0, len(ids), CHUNK_SIZE):
        chunk = ids[start : start + CHUNK_SIZE]
        rows = {org.pk: org for org in public.filter(pk__in=chunk)}
        linked = {pk: ([], []) for pk in rows}
        for org_id, region_id in region_links.filter(organisation_id__in=chunk).values_list(
            "organisation_id", "region_id"
        ):
            if org_id in linked:
                linked[org_id][0].append(regions[region_id])
        for org_id, focus_id in focus_links.filter(organisation_id__in=chunk).values_list(
            "organisation_id", "focusarea_id"
        ):
            if org_id in linked:
                linked[org_id][1].append(focus_areas[focus_id])
        for pk in chunk:
            if pk in rows:
                org = rows[pk]
                org.hq_region = regions.get(org.hq_region_id)
                org.export_regions = sorted(linked[pk][0], key=lambda r: r.name)
                org.export_focus = sorted(linked[pk][1], key=lambda f: f.label_en)
                yield org


class Row:
    """What every row shares, computed once per export rather than once per row."""

    def __init__(self, request):
        marker = "slug-of-the-organisation"
        self.url = request.build_absolute_uri(reverse("orgs:org_detail", args=[marker]))
        self.url_before, self.url_after = self.url.split(marker)
        self.kinds = {value: str(label) for value, label in Organisation.Kind.choices}

    def values(self, org):
        regions = org.export_regions
        return {
            "slug": org.slug,
            "name": org.name,
            "name_original": org.name_original,
            "acronym": org.acronym,
            "kind": org.kind,
            "founded": org.founded,
            "hq_region": org.hq_region.label if org.hq_region else "",
            "hq_town": org.hq_town,
            "regions": "; ".join(r.label for r in regions),
            "zones": "; ".join(sorted({r.zone for r in regions})),
            "focus_areas": "; ".join(f.label for f in org.export_focus),
            "description_en": org.description_en,
            "description_fr": org.description_fr,
            "website": org.website,
            # Contacts not marked public were blanked when read (orgs.contacts).
            "contact_email": org.contact_email,
            "contact_phone": org.contact_phone,
            "contact_address": org.contact_address,
            "social_links": "; ".join(org.social_link_list),
            "url": f"{self.url_before}{org.slug}{self.url_after}",
            "updated": org.updated.isoformat(),
        }


def csv_lines(request, orgs):
    writer = csv.writer(Echo())
    yield "\ufeff" + writer.writerow(COLUMNS)
    row = Row(request)
    for org in orgs:
        values = row.values(org)
        yield writer.writerow([safe(values[c]) for c in COLUMNS])


def hxl_lines(request, orgs):
    writer = csv.writer(Echo())
    yield writer.writerow([name for name, _tag in HXL_COLUMNS])
    yield writer.writerow([tag for _name, tag in HXL_COLUMNS])
    row = Row(request)
    zones = {value: str(label) for value, label in Zone.choices}
    for org in orgs:
        values = row.values(org)
        hq = org.hq_region
        values.update(
            kind=row.kinds.get(org.kind, org.kind),
            sectors=HXL_LIST_SEPARATOR.join(f.label.replace(",", " ") for f in org.export_focus),
            social_links=HXL_LIST_SEPARATOR.join(org.social_link_list),
            hq_region=hq.label if hq else "",
            hq_pcode=hq.cod_pcode if hq else "",
        )
        # An organisation with no known region still gets a row, with the region empty.
        for region in org.export_regions or [None]:
            values["region"] = region.label if region else ""
            values["region_pcode"] = region.cod_pcode if region else ""
            values["zone"] = zones.get(region.zone, region.zone) if region else ""
            yield writer.writerow([safe(values[name]) for name, _tag in HXL_COLUMNS])


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
