import json

import pytest
from django.test import Client
from jsonschema import Draft202012Validator, FormatChecker
from openapi_spec_validator import validate as validate_openapi

from orgs import licence, public_text
from orgs.facets import current_index
from orgs.models import Organisation, Region, Source
from orgs.search_upkeep import update_search_text

from .conftest import PUBLISHED, SELECTED_BY, make_org, make_orgs_in_bulk, rename
from .world_cache import cached_world


@pytest.fixture
def schema(client):
    return client.get("/api/schema/").json()


def assert_matches(schema, name, data):
    """Validate `data` against a component of the served OpenAPI document."""
    validator = Draft202012Validator(
        {"$ref": f"#/components/schemas/{name}", "components": schema["components"]},
        format_checker=FormatChecker(),
    )
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]
    assert errors == []


def test_schema_is_a_valid_openapi_document(client, db):
    validate_openapi(client.get("/api/schema/").json())


def test_every_endpoint_matches_its_schema(client, directory, schema):
    checks = [
        ("/api/orgs/", "OrganisationPage"),
        ("/api/orgs/?page_size=1&page=2", "OrganisationPage"),
        ("/api/orgs/jeunes-citoyens/", "Organisation"),
        ("/api/orgs/femmes-kidal/", "Organisation"),
        ("/api/regions/", "RegionList"),
        ("/api/focus-areas/", "FocusAreaList"),
        ("/api/sources/", "SourceList"),
        ("/api/orgs/?founded_min=x", "Error"),
        ("/api/orgs/nope/", "Error"),
    ]
    for url, name in checks:
        assert_matches(schema, name, client.get(url).json())


def test_schema_rejects_an_undocumented_field(client, directory, schema):
    """additionalProperties is false, so the schema describes the responses exactly."""
    org = client.get("/api/orgs/jeunes-citoyens/").json()
    org["undocumented"] = 1
    with pytest.raises(AssertionError):
        assert_matches(schema, "Organisation", org)


def test_every_path_served_is_in_the_schema(client, db, schema):
    from orgs.api import urlpatterns

    documented = set(schema["paths"])
    served = {"/" + str(p.pattern).replace("<slug:slug>", "{slug}") for p in urlpatterns}
    assert served == documented


def test_list_shows_only_published_organisations(client, directory):
    data = client.get("/api/orgs/?page_size=100").json()
    assert data["count"] == len(PUBLISHED)
    assert [o["slug"] for o in data["results"]] == PUBLISHED


@pytest.mark.parametrize("slug", ["draft-collective", "archived-forum", "no-such-org"])
def test_unpublished_or_unknown_organisation_is_a_json_404(client, directory, slug):
    response = client.get(f"/api/orgs/{slug}/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]


def test_an_organisation_given_a_new_slug_is_found_at_its_old_api_address(client, db, schema):
    first = rename(make_org(name="First Holder", slug="shared"), "first-holder")
    rename(make_org(name="Kidal Women Together", slug="shared"), "femmes-kidal")

    response = client.get("/api/orgs/shared/")

    assert response.status_code == 301
    assert response["Location"] == "/api/orgs/femmes-kidal/"  # the last holder's
    assert response["Access-Control-Allow-Origin"] == "*"
    documented = schema["paths"]["/orgs/{slug}/"]["get"]["responses"]
    assert "Location" in documented[str(response.status_code)]["headers"]  # as documented
    moved = client.get(response["Location"])
    assert moved.status_code == 200 and moved.json()["name"] == "Kidal Women Together"
    assert client.get(f"/api/orgs/{first.slug}/").status_code == 200  # a control


@pytest.mark.parametrize(
    "history", ["renamed while a draft, then published", "renamed, then unpublished"]
)
def test_an_old_api_address_the_public_never_saw_or_may_not_see_is_a_json_404(client, db, history):
    control = rename(make_org(slug="control-old"), "control-new")
    if history == "renamed while a draft, then published":
        org = rename(make_org(slug="jane-doe-fund", status="draft"), "fund-for-peace")
        rename(org, "fund-for-peace", status="published")
    else:
        rename(make_org(slug="jane-doe-fund"), "fund-for-peace", status="archived")

    body = json_error(client.get("/api/orgs/jane-doe-fund/"), 404)

    assert "fund-for-peace" not in json.dumps(body)
    assert client.get("/api/orgs/control-old/")["Location"] == f"/api/orgs/{control.slug}/"


@pytest.mark.parametrize("query, expected", SELECTED_BY.items())
def test_filters_give_the_organisations_they_describe(client, directory, query, expected):
    response = client.get(f"/api/orgs/?{query}&page_size=100")
    assert response.status_code == 200
    results = response.json()["results"]
    assert sorted(o["slug"] for o in results) == expected
    assert response.json()["count"] == len(expected)


def test_pages_link_to_each_other_and_keep_the_filters(client, directory):
    # Donors and networks: donor-fund, femmes-kidal, peace-institute, timbuktu-peace.
    first = client.get("/api/orgs/?page_size=3&kind=donor&kind=network")
    data = first.json()
    assert data["count"] == 4
    assert data["previous"] is None
    assert len(data["results"]) == 3
    assert "kind=donor" in data["next"] and "page=2" in data["next"]
    second = client.get(data["next"]).json()
    assert [o["slug"] for o in second["results"]] == ["peace-institute"]
    assert second["next"] is None
    assert "page=1" in second["previous"]


def test_default_page_holds_25(client, reference_data):
    for i in range(30):
        make_org(name=f"Org {i:02}", slug=f"org-{i:02}")
    data = client.get("/api/orgs/").json()
    assert data["count"] == 30
    assert len(data["results"]) == 25
    assert len(client.get("/api/orgs/?page=2").json()["results"]) == 5


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("region=atlantis", "region"),
        ("focus=astrology", "focus"),
        ("kind=cult", "kind"),
        ("zone=west", "zone"),
        ("founded_min=x", "founded_min"),
        ("founded_max=2e", "founded_max"),
        ("founded_min=99999999999999", "founded_min"),
        ("founded_max=-5", "founded_max"),
        ("page=abc", "page"),
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page_size=101", "page_size"),
        ("page_size=0", "page_size"),
        ("page_size=%C2%B2", "page_size"),
        ("q=" + "a" * 10_000, "q"),
        ("q=jeu%00nes", "q"),
        ("region=%00", "region"),
        ("focus=you%00th", "focus"),
        ("kind=%00", "kind"),
        ("zone=north%00", "zone"),
        ("page=1%00", "page"),
    ],
)
def test_bad_parameters_are_a_json_400_naming_the_field(client, directory, query, field):
    response = client.get(f"/api/orgs/?{query}")
    assert response.status_code == 400
    data = response.json()
    assert data["error"]
    assert field in data["fields"]


@pytest.mark.parametrize(
    "query",
    [
        "q=%25_%27",
        "q=%22%3B--",
        "q=%F0%9F%98%80",
        "q=%FF%FE",
        "region=&focus=&zone=&kind=&founded_min=&page=&page_size=",
        "unknown=1",
    ],
)
def test_odd_but_valid_parameters_are_answered(client, directory, query):
    assert client.get(f"/api/orgs/?{query}").status_code == 200


def test_page_past_the_end_is_a_json_404(client, directory):
    response = client.get("/api/orgs/?page=99")
    assert response.status_code == 404
    assert response.json()["error"]


def test_api_is_read_only(client, directory):
    assert client.post("/api/orgs/").status_code == 405


def test_reference_lists(client, directory):
    regions = client.get("/api/regions/").json()
    assert regions["count"] == Region.objects.count()
    mopti = next(r for r in regions["results"] if r["slug"] == "mopti")
    assert mopti["zone"] == "centre"
    assert (mopti["pcode"], mopti["parent"]) == ("ML05", None)
    san = next(r for r in regions["results"] if r["slug"] == "san")
    assert (san["pcode"], san["parent"]) == ("ML04", "segou")
    focus = client.get("/api/focus-areas/").json()["results"]
    assert {"slug": "youth", "label_en": "Youth", "label_fr": "Jeunesse"} in focus
    sources = client.get("/api/sources/").json()["results"]
    # Every source, in title order, with its language.
    assert [s["slug"] for s in sources] == [
        "rapport-2021",  # La paix à Mopti
        "peace-direct-2018",  # Local capacities for peace in Mali
        "report-2019",  # Local peacebuilding in Mali
        "draft-only",  # Only about a draft
        "interviews",  # Talking with …
        "test-source",  # Test source
    ]
    assert {s["slug"]: s["language"] for s in sources} == dict(
        Source.objects.values_list("slug", "language")
    )


def test_sources_of_one_title_are_listed_by_slug(client, db):
    """Two editions of a report may share a title: their slugs keep the order fixed."""
    Source.objects.create(language="en", slug="report-b", publisher="P", title="Annual report")
    Source.objects.create(language="en", slug="report-a", publisher="P", title="Annual report")
    sources = client.get("/api/sources/").json()["results"]
    assert [s["slug"] for s in sources] == ["report-a", "report-b"]


@pytest.fixture
@cached_world
def full_orgs(directory):
    """110 more published organisations, each with every relation a page reads: made in
    bulk, then indexed once (saved one by one, they cost 14 s on PostgreSQL)."""
    from orgs.models import Citation, Partnership, Person, Source

    count = 110
    regions = list(Region.objects.filter(slug__in=["mopti", "gao", "kayes"]))
    focus_areas = list(directory["jeunes-citoyens"].focus_areas.all())
    source = Source.objects.get(slug="peace-direct-2018")
    ajcet = directory["jeunes-citoyens"]
    orgs = make_orgs_in_bulk(
        [(f"Bulk {i:03}", f"bulk-{i:03}") for i in range(count)],
        regions=regions,
        focus_areas=focus_areas,
        status=Organisation.Status.PUBLISHED,
        hq_region=regions[0],
    )
    Partnership.objects.bulk_create(
        partnership
        for org in orgs
        for partnership in (
            Partnership(organisation=org, relation="member_of", partner=ajcet),
            Partnership(organisation=ajcet, relation="partner_of", partner=org),
        )
    )
    people = Person.objects.bulk_create(
        Person(organisation=org, name=f"P {i}", is_public=True) for i, org in enumerate(orgs)
    )
    Citation.objects.bulk_create(
        Citation(
            organisation=person.organisation,
            source=source,
            fact="person",
            person=person,
            locator="l",
            quote="q",
        )
        for person in people
    )
    update_search_text(orgs)


@pytest.mark.parametrize("size", [25, 100])
def test_a_page_costs_a_fixed_number_of_queries(
    client, full_orgs, django_assert_max_num_queries, size
):
    """The data version (for the facet index and withheld text), page, 6 prefetches;
    plus one per region or focus filter to check the slugs. The count and the
    page's ids come from the facet index, built once per change of the data."""
    public_text.current()  # built once per change of the data
    current_index()
    with django_assert_max_num_queries(11):
        data = client.get(f"/api/orgs/?page_size={size}&region=mopti&focus=youth").json()
    assert len(data["results"]) == size
    with django_assert_max_num_queries(9):
        client.get(f"/api/orgs/?page_size={size}")


# --- Every error is JSON, with the right status ------------------------------------


def json_error(response, status):
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert set(body) == {"error", "fields"} and body["error"]
    return body


def test_an_unknown_address_under_api_is_a_json_404(db):
    client = Client(enforce_csrf_checks=True)
    for method in ("get", "post", "put", "delete", "patch"):
        body = json_error(getattr(client, method)("/api/no-such-thing/"), 404)
        assert body["error"] == "There is nothing at this address of the API."
        json_error(getattr(client, method)("/api/orgs/a/b/c/"), 404)


def test_every_method_but_get_head_options_is_a_json_405_with_allow(directory):
    client = Client(enforce_csrf_checks=True)  # as a real client: no CSRF page instead
    for path in ("/api/orgs/", "/api/orgs/jeunes-citoyens/", "/api/regions/", "/api/schema/"):
        assert client.get(path).status_code == 200  # positive control
        for method in ("post", "put", "delete", "patch", "trace"):
            response = getattr(client, method)(path)
            json_error(response, 405)
            assert response["Allow"] == "GET, HEAD, OPTIONS"


def test_options_says_what_is_allowed(directory):
    response = Client().options("/api/orgs/")
    assert response.status_code == 204
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert response["Access-Control-Allow-Origin"] == "*"  # a browser's preflight reads it


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page=0", "page"),
        (f"page={'9' * 4301}", "page"),
        (f"page_size={'9' * 5000}", "page_size"),
        (f"page={'0' * 5000}", "page"),
        ("page=1000001", "page"),
        ("zone=north&zone=south", "zone"),
        ("founded_min=1990.0", "founded_min"),
        ("founded_min=1799", "founded_min"),
    ],
)
def test_absurd_and_repeated_parameters_are_a_json_400(client, directory, query, field):
    body = json_error(client.get(f"/api/orgs/?{query}"), 400)
    assert field in body["fields"]


def test_a_repeated_parameter_and_a_null_character_are_refused_with_their_reasons(
    client, directory
):
    body = json_error(client.get("/api/orgs/?zone=north&zone=south"), 400)
    assert body["fields"]["zone"] == ["Give this parameter once."]
    body = json_error(client.get("/api/orgs/?q=a%00b"), 400)
    assert body["fields"]["q"] == ["Null characters are not allowed."]


def test_each_partner_is_the_other_organisation_with_its_direction(client, directory):
    youth = client.get("/api/orgs/youth-mopti/").json()["partners"]
    donor = client.get("/api/orgs/donor-fund/").json()["partners"]
    assert [(p["slug"], p["direction"]) for p in youth] == [("donor-fund", "outgoing")]
    assert [(p["slug"], p["direction"]) for p in donor] == [("youth-mopti", "incoming")]


def test_partners_are_listed_by_relation_then_name_then_as_recorded(client, directory):
    """Each direction by relation, then the other organisation's name; two links to
    one partner (two programmes) in the order they were recorded, even after the
    first is changed (PostgreSQL then reads it after the second)."""
    from orgs.models import Partnership

    hub = make_org(name="Hub Network", slug="hub-network")
    zeta = make_org(name="Zeta Union", slug="zeta-union")
    alpha = make_org(name="Alpha Forum", slug="alpha-forum")
    # Recorded in an order that none of the rules gives.
    outgoing = [
        Partnership.objects.create(organisation=hub, relation=r, partner=p, programme=programme)
        for r, p, programme in [
            ("member_of", zeta, "Water"),
            ("member_of", alpha, ""),
            ("funded_by", zeta, ""),
            ("member_of", zeta, "Schools"),
        ]
    ]
    incoming = [
        Partnership.objects.create(organisation=o, relation=r, partner=hub, programme=programme)
        for r, o, programme in [
            ("partner_of", zeta, "Water"),
            ("partner_of", alpha, ""),
            ("leads", zeta, ""),
            ("partner_of", zeta, "Schools"),
        ]
    ]
    for first in (outgoing[0], incoming[0]):
        first.start_year = 2019
        first.save()

    partners = client.get("/api/orgs/hub-network/").json()["partners"]

    def listed(links, other, direction):
        ordered = sorted(links, key=lambda p: (p.relation, getattr(p, other).name, p.pk))
        return [(getattr(p, other).slug, p.relation, direction, p.programme) for p in ordered]

    assert [(p["slug"], p["relation"], p["direction"], p["programme"]) for p in partners] == [
        *listed(outgoing, "partner", "outgoing"),
        *listed(incoming, "organisation", "incoming"),
    ]


def test_a_sensitive_organisations_headquarters_citation_is_never_shown(client, directory):
    """Its quote may place the organisation in words no withholding knows (a street,
    a landmark): the citation is left out, not only its known words withheld."""
    from orgs.models import Citation

    Citation.objects.filter(organisation__slug="sensitive-peace", fact="headquarters").update(
        quote="The office is behind the Grand Mosque."
    )

    def facts(slug):
        return [c["fact"] for c in client.get(f"/api/orgs/{slug}/").json()["citations"]]

    assert "headquarters" in facts("jeunes-citoyens")  # an organisation not sensitive
    assert "existence" in facts("sensitive-peace")
    assert "headquarters" not in facts("sensitive-peace")
    assert "Grand Mosque" not in client.get("/en/orgs/sensitive-peace/").content.decode()


def test_citations_are_listed_by_fact_then_as_recorded(client, directory):
    """Two citations of one fact in the order they were recorded, even after the first
    is changed (PostgreSQL then reads it after the second)."""
    from .conftest import cite

    org = make_org(name="Cited Union", slug="cited-union")
    mopti, gao = Region.objects.get(slug="mopti"), Region.objects.get(slug="gao")
    # Recorded in an order that neither the facts' nor the subjects' order gives.
    cited = [
        cite(org, "region", "Works in Mopti.", region=mopti),
        cite(org, "existence", "Exists."),
        cite(org, "region", "Works in Gao.", region=gao),
    ]
    cited[0].quote = "Works across Mopti."
    cited[0].save()

    listed = client.get("/api/orgs/cited-union/").json()["citations"]

    by_fact = sorted(cited, key=lambda c: (c.fact, c.pk))
    assert [(c["fact"], c["quote"]) for c in listed] == [(c.fact, c.quote) for c in by_fact]


def test_a_page_number_with_leading_zeros_is_that_page(client, directory):
    assert client.get(f"/api/orgs/?page={'0' * 5000}1").json()["count"] > 0


def test_a_year_range_with_its_ends_swapped_is_valid_and_empty(client, directory):
    response = client.get("/api/orgs/?founded_min=2010&founded_max=1990")
    assert response.status_code == 200
    assert response.json()["count"] == 0
    assert client.get("/api/orgs/?founded_min=1990&founded_max=2010").json()["count"] > 0


def test_next_links_leave_empty_values_out(client, directory):
    body = client.get("/api/orgs/?page_size=1&region=&q=&zone=").json()
    assert body["next"] is not None
    assert "region=" not in body["next"] and "q=" not in body["next"]
    assert "page=2" in body["next"] and "page_size=1" in body["next"]


def test_the_schema_states_the_bounds_and_values_the_api_accepts(client, directory):
    from orgs.models import FocusArea, Region, value_bounds

    document = client.get("/api/schema/").json()
    parameters = {p["name"]: p for p in document["paths"]["/orgs/"]["get"]["parameters"]}
    first, last = value_bounds(Organisation._meta.get_field("founded"))
    assert (first, last) == (1800, 2100)
    for name in ("founded_min", "founded_max"):
        schema = parameters[name]["schema"]
        assert (schema["minimum"], schema["maximum"]) == (first, last)
    assert parameters["region"]["schema"]["items"]["enum"] == sorted(
        Region.objects.values_list("slug", flat=True)
    )
    assert parameters["focus"]["schema"]["items"]["enum"] == sorted(
        FocusArea.objects.values_list("slug", flat=True)
    )
    assert all(p["allowEmptyValue"] for p in parameters.values())
    assert parameters["page"]["schema"]["maximum"] == 1_000_000


def test_each_number_error_says_what_to_enter(client, directory):
    body = json_error(client.get("/api/orgs/?page_size=101&page=x"), 400)
    assert body["fields"] == {
        "page_size": ["Enter a number no greater than 100."],
        "page": ["Enter a whole number of 1 or more."],
    }


def test_a_search_of_200_characters_is_a_search_and_201_is_refused(client, directory):
    response = client.get("/api/orgs/", {"q": "AJCET".ljust(200)})
    assert response.status_code == 200
    assert [org["slug"] for org in response.json()["results"]] == ["jeunes-citoyens"]
    body = json_error(client.get("/api/orgs/", {"q": "AJCET".ljust(201)}), 400)
    assert body["fields"] == {"q": ["Search at most 200 characters."]}


@pytest.mark.parametrize("year", ["1990.0", " 1990", "١٩٩٠", "+1990"])
def test_a_year_not_in_plain_digits_is_refused_with_the_whole_number_message(
    client, directory, year
):
    """YearField's own refusal, with the message an IntegerField gives (not "None")."""
    from django import forms

    body = json_error(client.get("/api/orgs/", {"founded_min": year}), 400)
    assert body["fields"] == {
        "founded_min": [str(forms.IntegerField.default_error_messages["invalid"])]
    }
    assert client.get("/api/orgs/", {"founded_min": "1990"}).status_code == 200


def test_empty_values_mean_any_as_a_form_with_nothing_chosen_sends_them(client, directory):
    empty = "region=&zone=&focus=&kind=&q=&founded_min=&founded_max=&order="
    body = client.get(f"/api/orgs/?page_size=100&{empty}").json()
    assert body["count"] == len(PUBLISHED)
    assert [o["slug"] for o in body["results"]] == PUBLISHED


def test_newest_first_pages_hold_published_organisations_only(client, directory):
    """The newest-first order is read by SQL, not the facet index: page after page of
    one, it is every published organisation once, newest first, and nothing else."""
    published = Organisation.objects.filter(slug__in=PUBLISHED).order_by("-created", "-pk")
    expected = list(published.values_list("slug", flat=True))
    assert Organisation.objects.exclude(slug__in=PUBLISHED).exists()  # drafts, archived
    shown = []
    for number in range(1, len(expected) + 1):
        body = client.get(f"/api/orgs/?order=added&page_size=1&page={number}").json()
        assert body["count"] == len(expected)
        shown += [o["slug"] for o in body["results"]]
    assert shown == expected


def test_each_citation_names_the_fact_it_supports(client, directory):
    """A citation of a region, focus area, partner or person names it, as the same
    record lists it; a citation of the organisation's own facts names nothing."""
    seen = set()
    for slug in PUBLISHED:
        record = client.get(f"/api/orgs/{slug}/").json()
        named = {
            "region": set(record["regions"]) | {record["headquarters"]["region"]},
            "focus": set(record["focus_areas"]),
            "partnership": {p["slug"] for p in record["partners"]} - {slug},
            "person": {p["name"] for p in record["people"]},
        }
        for citation in record["citations"]:
            fact, subject = citation["fact"], citation["subject"]
            if fact in named:
                assert subject in named[fact], (slug, citation)
            else:
                assert subject is None, (slug, citation)
            seen.add(fact)
    assert {"region", "focus", "partnership", "person", "existence"} <= seen


# --- Every answer is open data, in UTF-8 -------------------------------------------


@pytest.mark.parametrize(
    "path, status",
    [
        ("/api/orgs/", 200),
        ("/api/orgs/jeunes-citoyens/", 200),
        ("/api/orgs/?page=0", 400),  # refused by the view
        ("/api/no-such-thing/", 404),  # Django's 404, made JSON by ApiErrorMiddleware
    ],
)
def test_every_answer_may_be_read_by_any_site_under_the_licence(client, directory, path, status):
    response = client.get(path)
    assert response.status_code == status
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Link"] == f'<{licence.URL}>; rel="license"'


def test_text_is_written_in_utf_8_not_as_escapes(client, directory):
    body = client.get("/api/orgs/jeunes-citoyens/").content
    assert "Citoyenneté".encode() in body  # two bytes, where "\u00e9" would be six
    assert b"\\u00e9" not in body


def test_the_last_check_is_given_as_its_date(client, directory):
    assert client.get("/api/orgs/jeunes-citoyens/").json()["last_checked"] == "2025-03-01"
    assert client.get("/api/orgs/youth-mopti/").json()["last_checked"] is None


def test_a_request_refused_before_any_view_is_a_json_400(directory):
    """Django answers a request for another host 400 before any view: under /api/
    that answer is JSON too."""
    assert Client().get("/api/orgs/").status_code == 200  # positive control
    json_error(Client().get("/api/orgs/", HTTP_HOST="elsewhere.example"), 400)


def test_errors_outside_the_api_stay_the_sites_own_pages(client, directory):
    page = client.get("/en/orgs/no-such-org/")
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")
    json_error(client.get("/api/orgs/no-such-org/"), 404)  # the API's, for contrast


def test_each_organisation_links_to_its_page_whatever_the_language(client, directory):
    """The unprefixed address, which sends each reader to the page in their language."""
    page = "http://testserver/orgs/jeunes-citoyens/"
    assert client.get("/api/orgs/jeunes-citoyens/").json()["url"] == page
    listed = client.get("/api/orgs/?q=AJCET").json()["results"]
    assert [org["url"] for org in listed] == [page]
    assert client.get(page).status_code == 302  # to the reader's language
