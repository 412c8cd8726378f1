"""The read-only JSON API: the directory's published data, for anyone to reuse.

Plain Django views returning `JsonResponse`, and an OpenAPI 3.1 document written by
hand in `orgs/openapi.py`. We chose this over Django REST framework with
drf-spectacular, or django-ninja, because the API is five read-only GET endpoints
over one queryset: a framework would add a dependency, serializers, a router and
generated schema to learn, for nothing we need. Plain views reuse the public
listing's `OrganisationFilter` and Django's `Paginator` as they are, so the API can
never drift from the listing; each response is built by one small function that
reads top to bottom; and the page costs a fixed number of queries, which the tests
pin. The schema is hand-written with `additionalProperties: false` everywhere, and
the tests validate it (openapi-spec-validator) and validate real responses of every
endpoint against it (jsonschema), so "the document describes the API exactly" is
checked, not hoped.

Everything is read through the public read model (`Organisation.objects.public()`,
`Source.objects.public()` in orgs.models), so what is never served is decided
there, not here: unpublished organisations, people who are not public, the
headquarters town of a sensitive organisation and the citations behind it,
citations about people who are not public, partnerships with an unpublished
organisation, and in every text, the names and towns orgs.public_text withholds.
"""

import functools

from django.core.paginator import EmptyPage
from django.http import HttpResponse, HttpResponsePermanentRedirect, JsonResponse, QueryDict
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt

from .filters import OrganisationFilter
from .language import without_language
from .licence import with_licence
from .models import Citation, FocusArea, Organisation, Region, Source
from .paging import OrganisationPaginator

PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
# Far past the last page of any directory; a larger number is refused, not parsed
# (Python will not even read an integer of more than 4,300 digits).
MAX_PAGE = 1_000_000
ALLOWED_METHODS = ("GET", "HEAD", "OPTIONS")
# The list's parameters that take one value (region, focus and kind take several).
SINGLE_VALUED = ("q", "zone", "founded_min", "founded_max", "page", "page_size")
# A search longer than this is not a search; refusing it keeps the query small.
MAX_QUERY_LENGTH = 200


def api_organisations():
    """The public read model, with everything the API shows, in a fixed number of queries."""
    return Organisation.objects.public().with_public_details()


def error(status, message, fields=None):
    return json_response({"error": str(message), "fields": fields or {}}, status=status)


def api_view(view):
    """A read-only API view: GET and HEAD, OPTIONS says so, any other method is a
    JSON 405 with `Allow`. No CSRF check: nothing here writes, and a refused write
    must say 405, not show the HTML CSRF page."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
        elif request.method not in ALLOWED_METHODS:
            response = error(
                405,
                _("This address only answers %(methods)s.")
                % {"methods": ", ".join(ALLOWED_METHODS)},
            )
        else:
            return view(request, *args, **kwargs)
        response["Allow"] = ", ".join(ALLOWED_METHODS)
        response["Access-Control-Allow-Origin"] = "*"
        return response

    return csrf_exempt(wrapper)


# What an error is called when something other than an API view answered it
# (an unknown address, the database away, a server error).
ERROR_MESSAGES = {
    400: gettext_lazy("The request is not valid."),
    403: gettext_lazy("Forbidden."),
    404: gettext_lazy("There is nothing at this address of the API."),
    405: gettext_lazy("This address only answers GET, HEAD and OPTIONS."),
    500: gettext_lazy("Server error: the failure is logged; please try again later."),
    503: gettext_lazy("The directory cannot reach its database just now; please try again later."),
}


class ApiErrorMiddleware:
    """Under /api/ every error is JSON, with its status, whoever produced it.

    The views answer their own errors in JSON; this catches the rest: Django's 404
    for an unknown address, the 503 page of a database outage, a 500, a 400 for a
    malformed request. Headers that matter to a client (`Allow`, `Retry-After`)
    are kept.
    """

    KEPT_HEADERS = ("Allow", "Retry-After", "Cache-Control")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            not request.path_info.startswith("/api/")
            or response.status_code < 400
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        status = response.status_code
        converted = error(status, ERROR_MESSAGES.get(status) or response.reason_phrase)
        for header in self.KEPT_HEADERS:
            if header in response:
                converted[header] = response[header]
        return converted


def json_response(data, status=200):
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    # Open data: any web page may read it, under the directory's licence.
    response["Access-Control-Allow-Origin"] = "*"
    return with_licence(response)


def serialize_partner(partnership, direction):
    other = partnership.partner if direction == "outgoing" else partnership.organisation
    return {
        "slug": other.slug,
        "name": other.name,
        "relation": partnership.relation,
        "direction": direction,
        "programme": partnership.programme,
        "start_year": partnership.start_year,
        "end_year": partnership.end_year,
    }


def serialize_citation(citation, org):
    subject = None
    if citation.fact == Citation.Fact.REGION:
        subject = citation.region.slug
    elif citation.fact == Citation.Fact.FOCUS:
        subject = citation.focus_area.slug
    elif citation.fact == Citation.Fact.PARTNERSHIP:
        p = citation.partnership
        subject = p.partner.slug if p.organisation_id == org.pk else p.organisation.slug
    elif citation.fact == Citation.Fact.PERSON:
        subject = citation.person.name
    return {
        "fact": citation.fact,
        "subject": subject,
        "source": {"slug": citation.source.slug, "title": citation.source.title},
        "locator": citation.locator,
        "quote": citation.quote,
    }


def serialize_organisation(org, request):
    regions = list(org.regions.all())
    return {
        "slug": org.slug,
        "name": org.name,
        "name_original": org.name_original,
        "acronym": org.acronym,
        "kind": org.kind,
        "founded": org.founded,
        "description_en": org.description_en,
        "description_fr": org.description_fr,
        "website": org.website,
        "contact": {
            # Empty unless a curator marked it public (orgs.contacts, applied on reading).
            "email": org.contact_email,
            "phone": org.contact_phone,
            "address": org.contact_address,
            "social_links": org.social_link_list,
        },
        # The page without a language prefix: it redirects to the reader's language.
        "url": request.build_absolute_uri(without_language(org.get_absolute_url())),
        "headquarters": {
            "region": org.hq_region.slug if org.hq_region else None,
            "town": org.hq_town,
        },
        "regions": [r.slug for r in regions],
        "zones": sorted({r.zone for r in regions}),
        "focus_areas": [f.slug for f in org.focus_areas.all()],
        "partners": [serialize_partner(p, "outgoing") for p in org.public_partnerships]
        + [serialize_partner(p, "incoming") for p in org.public_partnerships_received],
        "citations": [serialize_citation(c, org) for c in org.public_citations],
        "people": [{"name": p.name, "role": p.role} for p in org.public_people],
        "verification": org.verification,
        "last_checked": org.last_checked.isoformat() if org.last_checked else None,
        "updated": org.updated.isoformat(),
    }


def page_number(request, name, default, maximum):
    """A positive integer parameter, and a list of error messages (empty when valid)."""
    raw = request.GET.get(name)
    if raw is None or raw == "":
        return default, []
    digits = raw.lstrip("0")
    if not raw.isascii() or not raw.isdigit() or not digits:
        return None, [_("Enter a whole number of 1 or more.")]
    # Compared by length first: a number of thousands of digits is never parsed.
    if len(digits) > len(str(maximum)) or int(digits) > maximum:
        return None, [_("Enter a number no greater than %(maximum)d.") % {"maximum": maximum}]
    return int(digits), []


def repeated_parameters(request, single):
    """{name: [message]} for parameters that take one value but were given several."""
    return {
        name: [_("Give this parameter once.")]
        for name, values in request.GET.lists()
        if name in single and len(values) > 1
    }


def organisation_filter(request, queryset):
    """The listing's filters for this request: (filterset, None), (None, field errors),
    or (None, None) for valid filters that can give nothing."""
    # No database accepts a NUL byte in a query (PostgreSQL raises); refuse it here.
    with_nul = sorted({name for name, value in request.GET.lists() if "\x00" in "".join(value)})
    if with_nul:
        return None, {name: [_("Null characters are not allowed.")] for name in with_nul}
    query = request.GET.get("q", "")
    if len(query) > MAX_QUERY_LENGTH:
        message = _("Search at most %(limit)d characters.") % {"limit": MAX_QUERY_LENGTH}
        return None, {"q": [message]}
    # An empty value (`?region=`, what a form with nothing chosen may send) means "any".
    data = QueryDict(mutable=True)
    for name, values in request.GET.lists():
        data.setlist(name, [value for value in values if value != ""])
    filterset = OrganisationFilter(data, queryset=queryset)
    if not filterset.is_valid():
        if filterset.only_an_empty_year_range:
            return None, None  # founded from 2000 until 1990: nothing
        return None, {
            name: [str(m) for m in messages] for name, messages in filterset.errors.items()
        }
    return filterset, None


@api_view
def organisation_list(request):
    repeated = repeated_parameters(request, SINGLE_VALUED)
    filterset, errors = organisation_filter(request, api_organisations())
    errors = (errors or {}) | repeated
    size, errors["page_size"] = page_number(request, "page_size", PAGE_SIZE, MAX_PAGE_SIZE)
    number, errors["page"] = page_number(request, "page", 1, MAX_PAGE)
    errors = {name: messages for name, messages in errors.items() if messages}
    if errors:
        return error(400, _("Some parameters are not valid."), errors)
    # The page's ids from the facet index (orgs.facets), in the listing's order.
    if filterset is None:  # valid filters that give nothing
        paginator = OrganisationPaginator(
            api_organisations().none(), size, 0, rows=api_organisations()
        )
    else:
        paginator = OrganisationPaginator(
            filterset.qs, size, filterset.count(), filterset.page_ids, api_organisations()
        )
    try:
        page = paginator.page(number)
    except EmptyPage:
        return error(404, _("There is no page %(number)d.") % {"number": number})

    def link(n):
        # Empty values mean "any": not worth repeating in the links.
        params = QueryDict(mutable=True)
        for name, values in request.GET.lists():
            params.setlist(name, [value for value in values if value != ""])
        params["page"] = n
        return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")

    return json_response(
        {
            "count": paginator.count,
            "next": link(page.next_page_number()) if page.has_next() else None,
            "previous": link(page.previous_page_number()) if page.has_previous() else None,
            "results": [serialize_organisation(org, request) for org in page.object_list],
        }
    )


@api_view
def organisation_detail(request, slug):
    org = api_organisations().filter(slug=slug).first()
    if org is None:
        moved = Organisation.objects.public().renamed_from(slug)
        if moved is None:
            return error(404, _("No published organisation has this slug."))
        # A client that stored the address before a curator renamed the organisation
        # follows it; a browser's script may too, the redirect allowing any origin.
        response = HttpResponsePermanentRedirect(reverse("api:org_detail", args=[moved.slug]))
        response["Access-Control-Allow-Origin"] = "*"
        return response
    return json_response(serialize_organisation(org, request))


def regions_data():
    return [
        {
            "slug": r.slug,
            "name": r.name,
            "name_en": r.name_en,
            "label_en": r.label_en,
            "label_fr": r.label_fr,
            "aliases": r.aliases,
            "zone": r.zone,
            "pcode": r.cod_pcode,
            "parent": r.parent_id,
        }
        for r in Region.objects.order_by("name")
    ]


def focus_areas_data():
    return [
        {"slug": f.slug, "label_en": f.label_en, "label_fr": f.label_fr}
        for f in FocusArea.objects.order_by("label_en")
    ]


def sources_data():
    return [
        {
            "slug": s.slug,
            "publisher": s.publisher,
            "title": s.title,
            "date": s.date,
            "url": s.url,
            "language": s.language,
            "description_en": s.description_en,
            "description_fr": s.description_fr,
        }
        for s in Source.objects.public().order_by("title", "slug")
    ]


def listing(results):
    return json_response({"count": len(results), "results": results})


@api_view
def region_list(request):
    return listing(regions_data())


@api_view
def focus_area_list(request):
    return listing(focus_areas_data())


@api_view
def source_list(request):
    return listing(sources_data())


@api_view
def schema(request):
    from .openapi import openapi_document

    return json_response(openapi_document(request.build_absolute_uri("/api/")))


app_name = "api"
urlpatterns = [
    path("orgs/", organisation_list, name="org_list"),
    path("orgs/<slug:slug>/", organisation_detail, name="org_detail"),
    path("regions/", region_list, name="region_list"),
    path("focus-areas/", focus_area_list, name="focus_area_list"),
    path("sources/", source_list, name="source_list"),
    path("schema/", schema, name="schema"),
]
