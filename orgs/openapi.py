"""The OpenAPI 3.1 document of the JSON API, written by hand.

Every object says `additionalProperties: false`: the tests validate real responses
of every endpoint against these schemas, so a field added to a response without
being documented here fails the suite.
"""

from . import licence
from .api import MAX_PAGE, MAX_PAGE_SIZE, MAX_QUERY_LENGTH, PAGE_SIZE
from .models import Citation, FocusArea, Organisation, Partnership, Region, Zone, value_bounds


def obj(properties, required=None):
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        "additionalProperties": False,
    }


def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


STRING = {"type": "string"}
# Text a curator or a seed file wrote, as the public reads it (orgs.public_text).
PUBLIC_TEXT = {
    "type": "string",
    "description": "Names of people who are not public, and the headquarters town of a "
    "sensitive organisation, are replaced by [name withheld] or [place withheld] "
    "([nom masqué], [lieu masqué] in French).",
}
SLUG = {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"}
NULLABLE_YEAR = {"type": ["integer", "null"]}


def listing(item):
    return obj(
        {
            "count": {"type": "integer", "minimum": 0},
            "results": {"type": "array", "items": ref(item)},
        }
    )


SCHEMAS = {
    "Error": obj(
        {
            "error": STRING,
            "fields": {
                "type": "object",
                "description": "Messages for each parameter that is not valid.",
                "additionalProperties": {"type": "array", "items": STRING},
            },
        }
    ),
    "Headquarters": obj(
        {
            "region": {"type": ["string", "null"], "description": "Region slug."},
            "town": {
                "type": "string",
                "description": "Empty when unknown, or when the organisation is sensitive.",
            },
        }
    ),
    "Partner": obj(
        {
            "slug": SLUG,
            "name": STRING,
            "relation": {"enum": Partnership.Relation.values},
            "direction": {
                "enum": ["outgoing", "incoming"],
                "description": "outgoing: this organisation is `relation` the partner "
                "(funded_by: the partner funds it); incoming: the partner is `relation` "
                "this organisation.",
            },
            "programme": PUBLIC_TEXT,
            "start_year": NULLABLE_YEAR,
            "end_year": NULLABLE_YEAR,
        }
    ),
    "Citation": obj(
        {
            "fact": {"enum": Citation.Fact.values},
            "subject": {
                "type": ["string", "null"],
                "description": "What the fact is about: a region slug (region), a focus "
                "area slug (focus), the partner's slug (partnership), the person's name "
                "(person); null for other facts.",
            },
            "source": obj({"slug": SLUG, "title": STRING}),
            "locator": PUBLIC_TEXT,
            "quote": PUBLIC_TEXT,
        }
    ),
    "Person": obj({"name": STRING, "role": STRING}),
    "Contact": obj(
        {
            "email": {"type": "string", "description": "Empty unless shown publicly."},
            "phone": {"type": "string", "description": "Empty unless shown publicly."},
            "address": {
                "type": "string",
                "description": "Empty unless shown publicly. " + PUBLIC_TEXT["description"],
            },
            "social_links": {
                "type": "array",
                "items": {"type": "string", "format": "uri"},
                "description": "Empty unless shown publicly.",
            },
        }
    ),
    "Organisation": obj(
        {
            "slug": SLUG,
            "name": STRING,
            "name_original": STRING,
            "acronym": STRING,
            "kind": {"enum": Organisation.Kind.values},
            "founded": NULLABLE_YEAR,
            "description_en": PUBLIC_TEXT,
            "description_fr": PUBLIC_TEXT,
            "website": STRING,
            "contact": ref("Contact"),
            "url": {
                "type": "string",
                "format": "uri",
                "description": (
                    "The public page, without a language prefix: it redirects to /fr/ or "
                    "/en/ by the reader's Accept-Language."
                ),
            },
            "headquarters": ref("Headquarters"),
            "regions": {"type": "array", "items": SLUG, "description": "Regions of work."},
            "zones": {"type": "array", "items": {"enum": Zone.values}},
            "focus_areas": {"type": "array", "items": SLUG},
            "partners": {"type": "array", "items": ref("Partner")},
            "citations": {"type": "array", "items": ref("Citation")},
            "people": {"type": "array", "items": ref("Person")},
            "verification": {"enum": Organisation.Verification.values},
            "last_checked": {"type": ["string", "null"], "format": "date"},
            "updated": {"type": "string", "format": "date-time"},
        }
    ),
    "OrganisationPage": obj(
        {
            "count": {"type": "integer", "minimum": 0},
            "next": {"type": ["string", "null"], "format": "uri"},
            "previous": {"type": ["string", "null"], "format": "uri"},
            "results": {"type": "array", "items": ref("Organisation")},
        }
    ),
    "Region": obj(
        {
            "slug": SLUG,
            "name": {"type": "string", "description": "Official (French) name."},
            "name_en": {"type": "string", "description": "English name, where it differs."},
            "label_en": {"type": "string", "description": "The name English pages show."},
            "label_fr": {"type": "string", "description": "The name French pages show."},
            "aliases": {"type": "array", "items": STRING},
            "zone": {"enum": Zone.values},
            "pcode": {
                "type": "string",
                "description": "Admin-1 P-code in OCHA's COD-AB for Mali; for a region "
                "the dataset has no code for yet, the code of the region it came from.",
            },
            "parent": {
                "type": ["string", "null"],
                "description": "Slug of the region it was created from, if any.",
            },
        }
    ),
    "RegionList": listing("Region"),
    "FocusArea": obj({"slug": SLUG, "label_en": STRING, "label_fr": STRING}),
    "FocusAreaList": listing("FocusArea"),
    "Source": obj(
        {
            "slug": SLUG,
            "publisher": STRING,
            "title": STRING,
            "date": {"type": "string", "description": "2018, 2018-05, 2018-05-08 or empty."},
            "url": STRING,
            "language": {
                "type": "string",
                "enum": ["fr", "en"],
                "description": "The document's language: its title and its quotes are in it.",
            },
            "description_en": PUBLIC_TEXT,
            "description_fr": PUBLIC_TEXT,
        }
    ),
    "SourceList": listing("Source"),
}


def json_content(schema_name, description):
    return {
        "description": description,
        "content": {"application/json": {"schema": ref(schema_name)}},
    }


def query(name, description, schema, explode=None):
    """A query parameter. An empty value (`?zone=`) is accepted and means "any"."""
    parameter = {"name": name, "in": "query", "required": False, "description": description}
    parameter["schema"] = schema
    parameter["allowEmptyValue"] = True
    if explode is not None:
        parameter["style"] = "form"
        parameter["explode"] = explode
    return parameter


def list_parameters():
    """The list's parameters, exactly as the API reads them (see orgs.api and
    orgs.filters): known slugs only, years within the model's range."""
    first_year, last_year = value_bounds(Organisation._meta.get_field("founded"))
    year = {"type": "integer", "minimum": first_year, "maximum": last_year}
    return [
        query(
            "q",
            "Words to search for in names, acronyms, descriptions, regions and focus areas.",
            {"type": "string", "maxLength": MAX_QUERY_LENGTH, "pattern": "^[^\\x00]*$"},
        ),
        query(
            "region",
            "Region slug; repeat for several (working in, or headquartered in, any of them).",
            {
                "type": "array",
                "items": {"enum": sorted(Region.objects.values_list("slug", flat=True))},
            },
            explode=True,
        ),
        query(
            "zone", "Zone: working in, or headquartered in, a region of it.", {"enum": Zone.values}
        ),
        query(
            "focus",
            "Focus area slug; repeat for several.",
            {
                "type": "array",
                "items": {"enum": sorted(FocusArea.objects.values_list("slug", flat=True))},
            },
            explode=True,
        ),
        query(
            "kind",
            "Kind of organisation; repeat for several.",
            {"type": "array", "items": {"enum": Organisation.Kind.values}},
            explode=True,
        ),
        query("founded_min", "Founded in or after this year.", year),
        query(
            "founded_max",
            "Founded in or before this year (before `founded_min`: no organisation).",
            year,
        ),
        query(
            "order",
            "name (ignoring case and accents; the default, except that a search gives the "
            "best match first), added (newest in the directory first) or founded (oldest "
            "first, unknown years last).",
            {"enum": ["name", "added", "founded"]},
        ),
        query(
            "page",
            "Page number, from 1.",
            {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
        ),
        query(
            "page_size",
            "Organisations per page.",
            {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": PAGE_SIZE},
        ),
    ]


BAD_REQUEST = json_content(
    "Error",
    "A parameter is not valid, unknown, or given more than once when it takes one value; "
    "`fields` says which and why.",
)
NOT_FOUND = json_content("Error", "Not found.")
MOVED = {
    "description": (
        "The organisation was given a new slug; `Location` is its address now. Only a "
        "slug it held while published leads anywhere."
    ),
    "headers": {
        "Location": {"description": "The organisation's address.", "schema": {"type": "string"}}
    },
}
UNAVAILABLE = {
    **json_content("Error", "The database cannot be reached; try again later."),
    "headers": {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "string"}}},
}


def responses(documented):
    """An operation's responses: its own, and the 503 every one of them may give."""
    return {**documented, "503": UNAVAILABLE}


def openapi_document(server_url):
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Mali CSO Directory API",
            "version": "1.0.0",
            "description": (
                "Read-only open data: Mali's published civil-society organisations, "
                "where they work, on what, with whom, and the public sources behind "
                "every fact. No authentication. Licensed under CC BY 4.0: reuse it "
                "freely, crediting the Mali CSO Directory."
            ),
            "license": {"name": licence.NAME, "identifier": licence.SPDX},
        },
        "servers": [{"url": server_url}],
        "paths": {
            "/orgs/": {
                "get": {
                    "operationId": "listOrganisations",
                    "summary": "Published organisations, filtered like the public listing",
                    "parameters": list_parameters(),
                    "responses": responses(
                        {
                            "200": json_content("OrganisationPage", "A page of organisations."),
                            "400": BAD_REQUEST,
                            "404": json_content("Error", "The page is past the last one."),
                        }
                    ),
                }
            },
            "/orgs/{slug}/": {
                "get": {
                    "operationId": "getOrganisation",
                    "summary": "One published organisation",
                    "parameters": [
                        {"name": "slug", "in": "path", "required": True, "schema": SLUG}
                    ],
                    "responses": responses(
                        {
                            "200": json_content("Organisation", "The organisation."),
                            "301": MOVED,
                            "404": NOT_FOUND,
                        }
                    ),
                }
            },
            "/regions/": {
                "get": {
                    "operationId": "listRegions",
                    "summary": "Mali's regions",
                    "responses": responses({"200": json_content("RegionList", "All regions.")}),
                }
            },
            "/focus-areas/": {
                "get": {
                    "operationId": "listFocusAreas",
                    "summary": "Focus areas",
                    "responses": responses(
                        {"200": json_content("FocusAreaList", "All focus areas.")}
                    ),
                }
            },
            "/sources/": {
                "get": {
                    "operationId": "listSources",
                    "summary": "Public documents the facts are taken from",
                    "responses": responses({"200": json_content("SourceList", "All sources.")}),
                }
            },
            "/schema/": {
                "get": {
                    "operationId": "getSchema",
                    "summary": "This document",
                    "responses": responses(
                        {
                            "200": {
                                "description": "OpenAPI 3.1 document.",
                                "content": {"application/json": {"schema": {"type": "object"}}},
                            }
                        }
                    ),
                }
            },
        },
        "components": {"schemas": SCHEMAS},
    }
