"""The public pages through the test client: what a reader sees, what stays hidden,
and bad input that never fails the page."""

import datetime
import html
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from orgs import public_text
from orgs.facets import current_index
from orgs.models import FocusArea, Organisation, Partnership, Region, Source, Zone
from orgs.search_upkeep import update_search_text

from .conftest import HIDDEN_PERSON, SENSITIVE_TOWN, make_org, make_orgs_in_bulk, rename
from .world_cache import cached_world

HIDDEN = [HIDDEN_PERSON, "Fatoumata Protégée", SENSITIVE_TOWN, "Draft Secret", "Archived Old"]


def text(response):
    return response.content.decode()


def card_names(response):
    return re.findall(r'<li class="card">\s*<h3>\s*<a href="[^"]+">([^<]+)</a>', text(response))


def many_orgs(n, **fields):
    """Published Bulk Org 000 onwards, in Mopti, for youth, added in that order: made in
    bulk, then indexed once (three saves each cost seconds on PostgreSQL)."""
    mopti = Region.objects.get(slug="mopti")
    youth = FocusArea.objects.get(slug="youth")
    orgs = make_orgs_in_bulk(
        [(f"Bulk Org {i:03}", f"bulk-org-{i:03}") for i in range(n)],
        regions=[mopti],
        focus_areas=[youth],
        **{"status": Organisation.Status.PUBLISHED, "hq_region": mopti, **fields},
    )
    update_search_text(orgs)


@pytest.fixture
@cached_world
def thirty_orgs(reference_data):
    """Bulk Org 000 to 029, in Mopti, for youth: two pages of a listing (built once
    per test process, then restored: thirty saves cost seconds on PostgreSQL)."""
    many_orgs(30)


# --- home ---


def test_home_shows_the_numbers_regions_and_a_search_box(client, directory):
    response = client.get("/en/")
    assert response.status_code == 200
    page = text(response)
    published = Organisation.objects.published().count()
    assert f"<strong>{published}</strong> organisations" in page
    assert f"<strong>{Region.objects.count()}</strong> regions" in page
    assert f"<strong>{Source.objects.count()}</strong> sources" in page
    assert re.search(r'<form class="search" role="search" action="/en/orgs/" method="get">', page)
    mopti = sum(
        1
        for o in Organisation.objects.published()
        if o.hq_region_id == Region.objects.get(slug="mopti").pk
        or o.regions.filter(slug="mopti").exists()
    )
    assert f'<a href="/en/orgs/?region=mopti">Mopti</a> <span class="n">{mopti}</span>' in page
    latest = Organisation.objects.published().latest("created")
    assert f'<a href="/en/orgs/{latest.slug}/">{latest}</a>' in page  # recently added


# --- listing ---


def test_listing_shows_25_a_page_and_the_rest_on_the_next(client, thirty_orgs):
    first = client.get("/en/orgs/")
    assert len(card_names(first)) == 25
    assert "30 organisations" in text(first)
    second = client.get("/en/orgs/?page=2")
    assert card_names(second) == [f"Bulk Org {i:03}" for i in range(25, 30)]


def test_filters_in_the_address_select_the_organisations(client, directory):
    response = client.get("/en/orgs/?region=mopti&focus=youth&kind=local_association")
    assert sorted(card_names(response)) == [
        "Association des Jeunes pour la Citoyenneté",
        "Sensitive Peace Committee",
        "Youth Mopti Association",
    ]
    assert 'value="mopti" checked' in text(response)


def test_a_query_and_filters_together(client, directory):
    response = client.get("/en/orgs/?region=mopti&focus=youth&q=prison")
    assert card_names(response) == ["Prison Mopti Association"]
    assert "best match first" in text(client.get("/en/orgs/?q=mopti"))


def test_each_option_shows_its_count_with_the_other_filters(client, directory):
    page = text(client.get("/en/orgs/?focus=youth"))
    # Regions facet under focus=youth: organisations with youth, working or based there.
    for region in Region.objects.all():
        expected = (
            Organisation.objects.published()
            .filter(focus_areas__slug="youth")
            .in_regions([region])
            .count()
        )
        assert f'value="{region.slug}"> {region.label} <span class="n">{expected}</span>' in page
    # Focus facet ignores the focus filter itself.
    women = Organisation.objects.published().filter(focus_areas__slug="womens-rights").count()
    assert re.search(rf'value="womens-rights"> [^<]+<span class="n">{women}</span>', page)


def test_no_filter_renders_more_than_200_options(client, directory):
    page = text(client.get("/en/orgs/"))
    fieldsets = re.findall(r"<fieldset.*?</fieldset>", page, re.S)
    assert len(fieldsets) == 5
    for fieldset in fieldsets:
        assert len(re.findall(r"<input", fieldset)) <= 200
    assert page.count('name="region"') == Region.objects.count()
    assert page.count('name="kind"') == len(Organisation.Kind.choices)


def test_no_result_explains_and_links_to_wider_searches(client, directory):
    response = client.get("/en/orgs/?q=zzzyx&region=mopti&kind=donor")
    assert response.status_code == 200
    page = text(response)
    assert "No published organisation matches “zzzyx” with these filters." in page
    assert 'href="?region=mopti&amp;kind=donor"' in page  # without the query
    assert 'href="?q=zzzyx&amp;kind=donor"' in page  # without the region
    assert 'href="?q=zzzyx&amp;region=mopti"' in page  # without the kind


def test_a_page_past_the_end_shows_the_last_page_with_a_note(client, thirty_orgs):
    response = client.get("/en/orgs/?page=99")
    assert response.status_code == 200
    assert "There is no page “99”; this is page 2 of 2." in text(response)
    assert len(card_names(response)) == 5


@pytest.mark.parametrize(
    "query",
    [
        "page=abc",
        "page=-1",
        "page=0",
        "page=" + "9" * 5000,
        "q=" + "x" * 10_000,
        "q=%00",
        "q=%27%22%3C%3E%25_%5C",
        "q=%F0%9F%98%80%20caf%C3%A9",
        "region=atlantis",
        "region=%00",
        "region=mopti&region=",
        "zone=east",
        "focus=%3Cscript%3E",
        "kind=spaceship",
        "founded_min=2015&founded_max=2000",
        "founded_min=abc&founded_max=1e99",
        "founded_min=" + "9" * 400,
        "unknown=1",
    ],
)
def test_bad_input_gives_the_page_not_an_error(client, directory, query):
    response = client.get("/en/orgs/?" + query, follow=True)  # empty values: to the clean address
    assert response.status_code == 200
    assert "<h1>Organisations</h1>" in text(response)


def test_an_invalid_filter_is_explained_next_to_its_control_and_others_apply(client, directory):
    response = client.get("/en/orgs/?region=atlantis&focus=womens-rights")
    page = text(response)
    assert re.search(r'<p class="error" id="region-error">[^<]*atlantis', page)
    expected = Organisation.objects.published().filter(focus_areas__slug="womens-rights")
    assert sorted(card_names(response)) == sorted(o.name for o in expected)


def test_an_unknown_value_among_known_ones_keeps_the_known_ones(client, directory):
    page = text(client.get("/en/orgs/?region=mopti&region=atlantis"))
    assert re.search(r'<p class="error" id="region-error">[^<]*“atlantis”', page)
    assert 'value="mopti" checked' in page
    mopti = Organisation.objects.published().in_regions(Region.objects.filter(slug="mopti"))
    assert f"{mopti.count()} organisations" in page


@pytest.mark.parametrize("count", [2, 30])
def test_region_page_queries_do_not_grow_with_organisations(
    client, reference_data, count, django_assert_max_num_queries
):
    many_orgs(count)
    current_index()  # built once per change of the data, in its own fixed queries
    public_text.current()  # so is the table of withheld text
    # The page version (the page cache's key), the region, the facet version (read
    # twice: counts, withheld text), the page's ids, its rows, their regions and
    # focus areas.
    with django_assert_max_num_queries(8):
        response = client.get("/en/regions/mopti/")
    assert len(card_names(response)) == min(count, 25)
    assert f"{count} organisations working or headquartered here" in text(response)


@pytest.mark.parametrize("query", ["", "?q=bulk", "?q=bulk+org+007", "?region=mopti"])
def test_pages_together_give_every_result_once_in_order(client, thirty_orgs, query):
    update_search_text(Organisation.objects.all())
    url = "/en/orgs/" + (query or "?")
    last = client.get(url).context["paginator"].num_pages
    pages = [client.get(f"{url}&page={n}").context["object_list"] for n in range(1, last + 1)]
    shown = [org.slug for page in pages for org in page]
    # Every bulk organisation matches each query equally well but the last: name order.
    everyone = [f"bulk-org-{i:03}" for i in range(30)]
    assert shown == (["bulk-org-007"] if "007" in query else everyone)


def test_region_page_pages_like_the_listing(client, thirty_orgs):
    second = client.get("/en/regions/mopti/?page=2")
    assert card_names(second) == [f"Bulk Org {i:03}" for i in range(25, 30)]
    assert 'rel="prev"' in text(second)
    past_the_end = text(client.get("/en/regions/mopti/?page=9"))
    assert "There is no page “9”; this is page 2 of 2." in past_the_end


def test_founded_until_before_from_is_explained(client, directory):
    page = text(client.get("/en/orgs/?founded_min=2015&founded_max=2000"))
    assert 'id="founded_max-error"' in page


@pytest.mark.parametrize("count", [3, 30])
def test_listing_queries_do_not_grow_with_results(client, reference_data, count):
    many_orgs(count, founded=2000)
    current_index()  # built once per change of the data, in its own fixed queries
    public_text.current()  # so is the table of withheld text
    url = "/en/orgs/?region=mopti&region=gao&focus=youth&kind=local_association&founded_min=1900"
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert len(card_names(response)) == min(count, 25)
    # The page version (the page cache's key), 2 to check the region and focus
    # slugs, the facet version (counts and the total come from the facet index; read
    # again for the withheld text), 2 option lists, the page's ids, its rows, the
    # regions and focus areas of its cards.
    assert len(queries) <= 11, [q["sql"] for q in queries]


def test_listing_query_count_is_the_same_for_3_and_30_results(
    client, reference_data, django_assert_max_num_queries
):
    many_orgs(3)
    update_search_text(Organisation.objects.all())
    with CaptureQueriesContext(connection) as few:
        client.get("/en/orgs/?q=bulk&region=mopti")
    mopti = Region.objects.get(slug="mopti")
    for i in range(3, 30):
        make_org(name=f"Bulk Org {i:03}", slug=f"bulk-org-{i:03}", hq_region=mopti)
    update_search_text(Organisation.objects.all())
    with django_assert_max_num_queries(len(few)):
        response = client.get("/en/orgs/?q=bulk&region=mopti")
    assert len(card_names(response)) == 25


# --- organisation ---


def test_organisation_page_shows_its_facts_partners_and_sources(client, directory):
    page = text(client.get("/en/orgs/youth-mopti/"))
    assert "<h1>Youth Mopti Association</h1>" in page
    assert "Local association" in page and "2005" in page
    assert "Sévaré, <a" in page  # not sensitive: the town shows
    assert "Funded by <a" in page and "Donor Fund Association" in page
    assert "Oumar Public" in page  # a public person
    assert "Youth Mopti Association trains young mediators." in page
    assert "p. 12" in page and "Local peacebuilding in Mali" in page
    assert "From public sources only" in page


def test_partners_show_in_both_directions_with_the_inverse_relation(client, directory):
    page = text(client.get("/en/orgs/donor-fund/"))
    assert "Funds <a" in page and "Youth Mopti Association" in page


def test_unpublished_partners_are_not_named(client, directory):
    # Both directions: a draft as the partner, and a draft naming a published one.
    Partnership.objects.create(
        organisation=directory["youth-mopti"],
        relation="partner_of",
        partner=directory["draft-secret"],
    )
    for slug, shown in [("youth-mopti", "Donor Fund Association"), ("timbuktu-peace", None)]:
        response = client.get(directory[slug].get_absolute_url())
        assert response.status_code == 200
        page = text(response)
        assert f"<h1>{directory[slug].name}</h1>" in page
        if shown:
            assert shown in page  # the published partner is named
        assert "Draft Secret" not in page and "draft-secret" not in page


@pytest.mark.parametrize("slug", ["draft-secret", "archived-old", "no-such-org"])
def test_unpublished_organisations_are_not_found(client, directory, slug):
    response = client.get(f"/en/orgs/{slug}/")
    assert response.status_code == 404
    assert "Page not found" in text(response)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_an_organisation_given_a_new_slug_is_found_at_its_old_address(client, db, language):
    rename(make_org(name="Kidal Women Together", slug="kidal-women"), "femmes-kidal")

    response = client.get(f"/{language}/orgs/kidal-women/")

    assert response.status_code == 301
    assert response["Location"] == f"/{language}/orgs/femmes-kidal/"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Kidal Women Together</h1>" in text(page)


def test_an_old_address_leads_to_the_organisation_that_held_it_last(client, db):
    first = rename(make_org(name="First Holder", slug="shared"), "first-holder")
    rename(make_org(name="Second Holder", slug="shared"), "second-holder")

    response = client.get("/en/orgs/shared/")

    assert response.status_code == 301
    assert response["Location"] == "/en/orgs/second-holder/"
    assert client.get(first.get_absolute_url()).status_code == 200  # a control


@pytest.mark.parametrize(
    "history",
    [
        "renamed while a draft, then published",
        "renamed, then unpublished",
        "renamed, then deleted",
        "never held",
    ],
)
def test_an_old_address_the_public_never_saw_or_may_not_see_leads_nowhere(client, db, history):
    """The old slug of an organisation that was not published under it (it may name
    someone: a curator renamed it before publishing), or that is not public now."""
    control = rename(make_org(name="Control Org", slug="control-old"), "control-new")
    if history == "renamed while a draft, then published":
        org = rename(make_org(slug="jane-doe-fund", status="draft"), "fund-for-peace")
        rename(org, "fund-for-peace", status="published")
    elif history == "renamed, then unpublished":
        rename(make_org(slug="jane-doe-fund"), "fund-for-peace", status="archived")
    elif history == "renamed, then deleted":
        rename(make_org(slug="jane-doe-fund"), "fund-for-peace").delete()

    response = client.get("/en/orgs/jane-doe-fund/")

    assert response.status_code == 404
    assert "fund-for-peace" not in text(response)
    assert client.get("/en/orgs/control-old/")["Location"] == control.get_absolute_url()


def test_an_address_no_organisation_held_costs_no_search_for_its_holder(
    client, db, django_assert_max_num_queries
):
    """Crawlers try many addresses that never existed: each 404 reads the two data
    versions, the organisation and the history, and no organisation by an id it
    did not find."""
    rename(make_org(slug="held-once"), "held-now")

    with django_assert_max_num_queries(4):
        assert client.get("/en/orgs/never-held/").status_code == 404
    assert client.get("/en/orgs/held-once/").status_code == 301  # a control


def test_a_sensitive_organisation_hides_its_town_people_and_their_citations(client, directory):
    response = client.get("/en/orgs/sensitive-peace/")
    assert response.status_code == 200
    page = text(response)
    assert "<h1>Sensitive Peace Committee</h1>" in page
    assert "Mopti" in page  # the region stays
    assert SENSITIVE_TOWN not in page
    assert "Fatoumata" not in page
    assert "A committee mediating local conflicts." in page  # harmless citations stay


def test_a_hidden_persons_citation_is_not_shown(client, directory):
    response = client.get("/en/orgs/youth-mopti/")
    assert response.status_code == 200
    page = text(response)
    assert HIDDEN_PERSON not in page
    assert "Its coordinator Oumar Public said." in page


@pytest.mark.parametrize("language", ["en", "fr"])
def test_nothing_hidden_appears_on_any_public_page(client, directory, language):
    urls = ["/", "/orgs/", "/orgs/?q=mopti", "/orgs/?q=sensitive", "/regions/", "/sources/"]
    with translation.override(language):
        urls = [f"/{language}{url}" for url in urls]
        urls += [o.get_absolute_url() for o in Organisation.objects.published()]
        urls += [r.get_absolute_url() for r in Region.objects.all()]
        urls += [s.get_absolute_url() for s in Source.objects.all()]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        for secret in HIDDEN:
            assert secret not in text(response), (url, secret)


@pytest.mark.parametrize("secret", [SENSITIVE_TOWN, HIDDEN_PERSON, "Fatoumata"])
def test_searching_for_something_hidden_does_not_reveal_who_it_belongs_to(
    client, directory, secret
):
    response = client.get("/en/orgs/", {"q": secret})
    assert response.status_code == 200
    assert card_names(response) == []
    # Control: both are found by what the public may read about them.
    assert "Sensitive Peace Committee" in card_names(client.get("/en/orgs/", {"q": "committee"}))
    assert "Youth Mopti Association" in card_names(client.get("/en/orgs/", {"q": "youth mopti"}))


# --- regions and sources ---


def test_regions_page_draws_the_counts_and_lists_them(client, directory):
    page = text(client.get("/en/regions/"))
    assert "<table" in page and "Timbuktu" in page and "Tombouktou" in page
    mopti = Organisation.objects.published().in_regions(Region.objects.filter(slug="mopti"))
    assert re.search(
        rf'/en/regions/mopti/">Mopti</a></th>.*?<td class="num">{mopti.count()}</td>', page
    )


def test_the_map_draws_mali_s_regions_as_links_with_their_counts(client, directory):
    from orgs.region_map import outlines

    response = client.get("/en/regions/")
    page = text(response)
    svg = re.search(r"<svg .*?</svg>", page, re.S).group(0)
    drawn = outlines()["regions"]
    assert len(drawn) == 9
    assert svg.count("<path ") == len(drawn)
    mopti = Organisation.objects.published().in_regions(Region.objects.filter(slug="mopti"))
    n = mopti.count()
    assert f'<a href="/en/regions/mopti/" aria-label="Mopti: {n} organisations">' in svg
    assert re.search(rf'>Mopti<tspan [^>]*class="n">{n}</tspan>', svg)
    for slug in drawn:
        assert f'href="/en/regions/{slug}/"' in svg
    assert "<script" not in page and "http" not in svg.replace("http://www.w3.org", "")
    assert "Natural Earth" in page  # the source is credited


def test_the_map_s_coordinates_stay_numbers_in_french(client, directory):
    """French writes 94.6 as "94,6": a coordinate written so is dropped by the browser."""
    with translation.override("fr"):
        url = reverse("orgs:region_list")
    page = text(client.get(url, HTTP_ACCEPT_LANGUAGE="fr"))
    assert '<html lang="fr">' in page
    svg = re.search(r"<svg .*?</svg>", page, re.S).group(0)
    coordinates = re.findall(r' (?:x1|y1|x2|y2|x|y)="([^"]*)"', svg)
    assert any("." in c for c in coordinates), coordinates  # fractions are drawn
    assert [c for c in coordinates if not re.fullmatch(r"-?\d+(\.\d+)?", c)] == []


def test_regions_without_an_outline_are_listed_under_the_region_that_holds_them(client, directory):
    page = text(client.get("/en/regions/"))
    unmapped = re.search(
        r'<ul class="unmapped">.*?</ul>\n</li>\n</ul>|<ul class="unmapped">.*', page, re.S
    ).group(0)
    assert "2016 and 2023" in page
    mopti_group = re.search(
        r'<a href="/en/regions/mopti/">Mopti</a>\s*<ul>(.*?)</ul>', unmapped, re.S
    )
    assert mopti_group, unmapped[:500]
    assert "/en/regions/bandiagara/" in mopti_group.group(1)
    assert "/en/regions/douentza/" in mopti_group.group(1)
    gao_group = re.search(r'<a href="/en/regions/gao/">Gao</a>\s*<ul>(.*?)</ul>', unmapped, re.S)
    assert "/en/regions/menaka/" in gao_group.group(1)
    drawn = re.search(r"<svg .*?</svg>", page, re.S).group(0)
    assert "/en/regions/bandiagara/" not in drawn  # listed, not drawn


def test_the_region_by_focus_table_counts_from_the_index(client, directory):
    page = text(client.get("/en/regions/"))
    table = re.search(r'<table class="grid">.*?</table>', page, re.S).group(0)
    youth_mopti = (
        Organisation.objects.published()
        .in_regions(Region.objects.filter(slug="mopti"))
        .filter(focus_areas__slug="youth")
        .count()
    )
    assert youth_mopti > 0
    assert f'<a href="/en/orgs/?region=mopti&amp;focus=youth">{youth_mopti}</a>' in table
    assert table.count("<tr>") == Region.objects.count() + 1


def test_region_page_lists_its_published_organisations(client, directory):
    response = client.get("/en/regions/mopti/")
    assert response.status_code == 200
    page = text(response)
    assert "Youth Mopti Association" in page and "Prison Mopti Association" in page
    assert "Draft Secret" not in page
    assert client.get("/en/regions/atlantis/").status_code == 404


def test_sources_list_and_page_show_only_published_organisations(client, directory):
    listing = text(client.get("/en/sources/"))
    assert "Local peacebuilding in Mali" in listing and "supports 2 organisations" in listing
    assert "supports 0 organisations" in listing  # the source only a draft cites
    page = text(client.get("/en/sources/report-2019/"))
    assert "Youth Mopti Association" in page and "Sensitive Peace Committee" in page
    response = client.get("/en/sources/draft-only/")
    assert response.status_code == 200
    assert "Only about a draft" in text(response)
    assert "Draft Secret" not in text(response)


def test_facets_0_shows_the_same_results_and_options_without_counts(
    client, reference_data, django_assert_max_num_queries
):
    for n in range(3):
        make_org(name=f"Org {n}", slug=f"org-{n}").regions.add(Region.objects.get(slug="mopti"))
    with_counts = client.get("/en/orgs/")
    # 7, the data version for withheld text and the page version (the page cache's key)
    with django_assert_max_num_queries(9):
        without = client.get("/en/orgs/?facets=0")
    assert without.status_code == 200
    assert [o.slug for o in without.context["object_list"]] == [
        o.slug for o in with_counts.context["object_list"]
    ]
    assert 'class="n"' in with_counts.content.decode()
    assert 'class="n"' not in without.content.decode()
    assert 'value="mopti"' in without.content.decode()


def test_a_page_number_of_thousands_of_digits_shows_a_page(client, db):
    make_org()
    response = client.get(f"/en/orgs/?page={'9' * 5000}")
    assert response.status_code == 200
    assert "Test Association" in response.content.decode()


# --- the listing on a phone ---


def test_the_filter_panel_comes_before_the_results(client, directory):
    page = text(client.get("/en/orgs/?region=mopti"))
    panel = page.index('<details class="filters" id="filters">')
    assert 0 < panel < page.index('<li class="card">')
    assert "<summary>Filters and order" in page


def test_a_filter_error_opens_the_panel(client, directory):
    page = text(client.get("/en/orgs/?founded_min=abc"))
    assert '<details class="filters" id="filters" open>' in page


@pytest.mark.parametrize(
    "query, clean",
    [
        ("?q=&region=mopti&zone=&founded_min=&founded_max=", "?region=mopti"),
        ("?zone=&founded_min=", ""),
        ("?region=mopti&region=&kind=donor", "?region=mopti&kind=donor"),
    ],
)
def test_empty_parameters_are_dropped_from_the_address(client, directory, query, clean):
    response = client.get("/en/orgs/" + query)
    assert response.status_code == 302
    assert response["Location"] == "/en/orgs/" + clean
    assert client.get("/en/orgs/" + clean).status_code == 200  # the clean address is served


def test_chips_show_labels_in_the_readers_language(client, directory):
    query = "?region=mopti&focus=womens-rights&kind=donor&zone=centre"
    page = text(client.get(query.join(["/en/orgs/", ""])))
    chips = re.search(r'<ul class="active".*?</ul>', page, re.S).group(0)
    women = FocusArea.objects.get(slug="womens-rights")
    for label in ["Region: Mopti", f"Focus area: {women.label_en}", "Kind: Donor or foundation"]:
        assert label.replace("'", "&#x27;") in chips, label
    assert "Zone: Centre" in chips
    assert "womens-rights" not in re.sub(r'href="[^"]*"', "", chips)
    french = text(client.get("/fr/orgs/" + query))
    chips = re.search(r'<ul class="active".*?</ul>', french, re.S).group(0)
    assert women.label_fr in chips
    assert "Bailleur ou fondation" in chips


def test_order_by_name_ignores_case_and_accents(client, reference_data):
    for name, slug in [
        ("Research Centre", "research"),
        ("REJEFPO", "rejefpo"),
        ("Équipe Sahel", "equipe"),
        ("association Kayes", "assoc"),
    ]:
        make_org(name=name, slug=slug)
    assert card_names(client.get("/en/orgs/")) == [
        "association Kayes",
        "Équipe Sahel",
        "REJEFPO",
        "Research Centre",
    ]


def test_readers_choose_the_order(client, reference_data):
    old = make_org(name="Zeta Old", slug="zeta", founded=1960)
    new = make_org(name="Alpha New", slug="alpha", founded=2015)
    make_org(name="Mid Unknown", slug="mid")
    Organisation.objects.filter(pk=old.pk).update(created="2020-01-01T00:00Z")
    Organisation.objects.filter(pk=new.pk).update(created="2025-01-01T00:00Z")
    assert card_names(client.get("/en/orgs/?order=founded")) == [
        "Zeta Old",
        "Alpha New",
        "Mid Unknown",
    ]
    added = card_names(client.get("/en/orgs/?order=added"))
    assert added[0] == "Mid Unknown" and added[1:] == ["Alpha New", "Zeta Old"]
    assert card_names(client.get("/en/orgs/")) == ["Alpha New", "Mid Unknown", "Zeta Old"]
    page = text(client.get("/en/orgs/?order=founded"))
    assert '<option value="founded" selected>' in page


def test_a_search_keeps_best_match_first_unless_another_order_is_chosen(client, reference_data):
    make_org(name="Aaa Peace Network", slug="aaa", acronym="APN", founded=2000)
    make_org(name="Peace", slug="peace", acronym="PEACE", founded=1990)
    update_search_text(Organisation.objects.all())
    assert card_names(client.get("/en/orgs/?q=peace")) == ["Peace", "Aaa Peace Network"]
    assert card_names(client.get("/en/orgs/?q=peace&order=name")) == ["Aaa Peace Network", "Peace"]
    page = text(client.get("/en/orgs/?q=peace"))
    assert '<option value="" selected>Best match</option>' in page


def test_an_unknown_order_is_explained_and_the_results_still_show(client, directory):
    response = client.get("/en/orgs/?order=loudest")
    assert response.status_code == 200
    assert card_names(response)
    assert 'class="error"' in text(response)


def test_a_name_that_is_its_own_acronym_shows_once(client, reference_data):
    make_org(name="REJEFPO", slug="rejefpo", acronym="REJEFPO")
    make_org(name="Other Network", slug="other", acronym="ON")
    page = text(client.get("/en/orgs/"))
    assert page.count("REJEFPO") == 1
    assert "<abbr>ON</abbr>" in page
    detail = text(client.get("/en/orgs/rejefpo/"))
    assert "<abbr>" not in detail and "REJEFPO" in detail


# --- titles, descriptions, robots.txt, favicon ---


def title(response):
    return html.unescape(re.search(r"<title>(.*?)</title>", text(response), re.S).group(1))


def description(response):
    match = re.search(r'<meta name="description" content="([^"]*)">', text(response))
    return html.unescape(match.group(1))


def test_listing_titles_say_the_filters_and_the_page(client, reference_data):
    many_orgs(30, kind=Organisation.Kind.NATIONAL_NGO)
    assert title(client.get("/en/orgs/")).startswith("Organisations · ")
    titled = title(client.get("/en/orgs/?region=mopti&kind=national_ngo&page=2"))
    assert titled.startswith("Mopti, National NGO · page 2 of 2 · Organisations · ")
    french = title(client.get("/fr/orgs/?region=mopti&kind=national_ngo"))
    assert french.startswith("Mopti, ONG nationale · Organisations")
    assert "30 civil-society organisations in Mali: Mopti" in description(
        client.get("/en/orgs/?region=mopti")
    )


def test_region_pages_title_their_page_number(client, thirty_orgs):
    assert title(client.get("/en/regions/mopti/?page=2")).startswith("Mopti · page 2 of 2 · ")
    assert title(client.get("/en/regions/mopti/")).startswith("Mopti · Mali CSO Directory")


@pytest.mark.parametrize(
    "url", ["/en/", "/en/orgs/", "/fr/regions/", "/en/regions/mopti/", "/en/sources/"]
)
def test_every_page_has_a_meta_description(client, directory, url):
    response = client.get(url)
    assert response.status_code == 200
    assert len(description(response)) > 40


def test_an_organisation_page_describes_it_from_facts_only(client, directory):
    org = Organisation.objects.get(slug="youth-mopti")
    summary = description(client.get("/en/orgs/youth-mopti/"))
    assert summary.startswith(f"{org.name}: Local association, founded 2005, based in Mopti.")
    assert SENSITIVE_TOWN not in summary


def test_robots_txt_lets_crawlers_read_the_public_pages(client, db):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    rules = response.content.decode().splitlines()
    assert rules[0] == "User-agent: *"
    assert "Disallow: /admin/" in rules
    assert "Disallow: /" not in rules and "Disallow: /orgs/" not in rules


def test_the_favicon_is_served_and_inline(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b"<svg")
    page = text(client.get("/en/"))
    assert '<link rel="icon" type="image/svg+xml" href="data:image/svg+xml,' in page


# --- Each fact beside its evidence ---------------------------------------------------


def note_links(page, fact_html):
    """The note numbers linked right after `fact_html` on the page."""
    start = page.index(fact_html) + len(fact_html)
    refs = re.match(r'<sup class="note-refs">(.*?)</sup>', page[start:])
    return re.findall(r'href="#note-(\d+)"', refs.group(1)) if refs else []


def note(page, number):
    found = re.search(rf'<li id="note-{number}">(.*?)</li>', page, re.S)
    assert found, number
    return found.group(1)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_each_fact_links_to_its_numbered_notes_with_their_dates(client, directory, language):
    # A fact without a citation (one the world does not have: it cites every fact).
    health = FocusArea.objects.get(slug="health")
    directory["youth-mopti"].focus_areas.add(health)
    page = client.get(f"/{language}/orgs/youth-mopti/").content.decode()
    mopti = Region.objects.get(slug="mopti")
    # Two citations of one fact, each its own note: an undated French report's, then the
    # 2019 English report's.
    numbers = note_links(page, f'<li><a href="/{language}/regions/mopti/">{mopti.label}</a>')
    assert len(numbers) == 2
    from_2019 = next(n for n in numbers if "Active across Mopti." in note(page, n))
    assert '<time datetime="2019">2019</time>' in note(page, from_2019)
    [in_french] = set(numbers) - {from_2019}
    assert "active dans toute la région de Mopti" in note(page, in_french)
    [partner] = note_links(page, "Donor Fund Association</a>")
    assert "Funded by the Donor Fund." in note(page, partner)
    named_in = re.search(r'<p class="existence">[^<]*', page).group()
    [existence] = note_links(page, named_in)
    assert existence == "1" and "trains young mediators" in note(page, existence)
    # A fact without a citation links to nothing; one with a citation, to its note.
    assert note_links(page, f"{health.label}</a>") == []
    youth = FocusArea.objects.get(slug="youth")
    assert len(note_links(page, f"{youth.label}</a>")) == 1


def test_notes_number_down_the_page_and_every_link_has_its_note(client, directory):
    page = client.get("/en/orgs/youth-mopti/").content.decode()
    linked = re.findall(r'href="#note-(\d+)"', page)
    notes = re.findall(r'<li id="note-(\d+)">', page)
    assert notes == [str(n) for n in range(1, len(notes) + 1)] and len(notes) >= 4
    assert set(linked) <= set(notes) and len(set(linked)) >= 3


def ticked(page):
    """The (name, value) of every ticked box and radio button of the filter panel."""
    inputs = re.findall(
        r'<input type="(?:checkbox|radio)" name="(\w+)" value="([^"]*)" checked>', page
    )
    return set(inputs)


def test_each_chosen_option_is_ticked_and_no_other(client, directory):
    response = client.get("/en/orgs/")
    assert response.status_code == 200
    assert ticked(text(response)) == {("zone", "")}  # "Any" zone, nothing else
    query = "region=mopti&region=gao&zone=centre&focus=youth&kind=network&kind=donor"
    page = text(client.get(f"/en/orgs/?{query}"))
    chosen = {
        ("region", "mopti"),
        ("region", "gao"),
        ("zone", "centre"),
        ("focus", "youth"),
        ("kind", "network"),
        ("kind", "donor"),
    }
    assert ticked(page) == chosen


def chips(response):
    found = re.search(r'<ul class="active".*?</ul>', text(response), re.S)
    return re.findall(r'title="Remove this filter">([^<]*) <span', found.group(0))


def test_chips_show_the_words_and_years_asked_for_and_shorten_a_long_search(client, directory):
    response = client.get("/en/orgs/?q=mediators&founded_min=2000")
    assert response.status_code == 200
    assert chips(response) == ["Search: mediators", "Founded from: 2000"]
    words = "peace " * 20  # 120 characters
    response = client.get("/en/orgs/?" + f"q={words.strip()}".replace(" ", "+"))
    assert response.status_code == 200
    assert chips(response) == ["Search: " + words[:60] + "…"]


def test_every_cited_fact_links_to_the_note_about_it(client, directory):
    """The founding year, each focus area and a partnership cited on the partner's side
    (a citation of a partnership may be filed on either side) link to their notes."""
    from orgs.models import Citation

    ajcet, usip = directory["jeunes-citoyens"], directory["peace-institute"]
    funded = Partnership.objects.get(organisation=ajcet, partner=usip)
    Citation.objects.create(
        organisation=usip,
        source=Source.objects.get(slug="peace-direct-2018"),
        fact="partnership",
        partnership=funded,
        locator="p. 40",
        quote="USIP funds the dialogue clubs.",
    )
    response = client.get("/en/orgs/jeunes-citoyens/")
    assert response.status_code == 200
    page = text(response)
    [founded] = note_links(page, "<dd>2006")
    assert "<strong>Founding year</strong>" in note(page, founded)
    for slug in ["youth", "peacebuilding"]:
        label = FocusArea.objects.get(slug=slug).label_en
        [number] = note_links(page, f'?focus={slug}">{label}</a>')
        assert f"<strong>Focus area</strong>: {label}</p>" in note(page, number)
    response = client.get("/en/orgs/peace-institute/")
    assert response.status_code == 200
    page = text(response)
    [partner] = note_links(page, "(AJCET)</a> (Dialogue), 2016–2018")
    assert "USIP funds the dialogue clubs." in note(page, partner)


# --- What the listing keeps of the reader's request --------------------------------


@pytest.mark.parametrize("order", ["added", "founded"])
def test_orders_read_by_sql_give_every_place_to_a_published_organisation(
    client, reference_data, order
):
    """Newest first and founding year come from SQL, not the facet index: a draft or an
    archived organisation, the newest and the oldest, must not take a published one's
    place on the page."""
    many_orgs(25, founded=2000)
    make_org(name="Draft Newest", slug="draft-newest", founded=1900, status="draft")
    make_org(name="Archived Newest", slug="archived-newest", founded=1901, status="archived")
    names = card_names(client.get(f"/en/orgs/?order={order}"))
    published = [f"Bulk Org {i:03}" for i in range(25)]
    expected = published[::-1] if order == "added" else published
    assert names == expected


def test_a_region_page_lists_only_that_regions_organisations(client, directory):
    gao = Region.objects.get(slug="gao")
    expected = Organisation.objects.published().in_regions([gao])
    assert 0 < expected.count() < Organisation.objects.published().count()
    response = client.get("/en/regions/gao/")
    assert sorted(card_names(response)) == sorted(o.name for o in expected)
    assert f"{expected.count()} organisations working or headquartered here" in text(response)


def chip_links(response):
    """(chip text, address without it) for each active filter."""
    found = re.search(r'<ul class="active".*?</ul>', text(response), re.S)
    links = re.findall(r'<a href="([^"]*)" title="Remove this filter">([^<]*) <span', found[0])
    return {html.unescape(label): html.unescape(url) for url, label in links}


def test_removing_a_filter_keeps_every_other_and_leaves_the_page_number(client, directory):
    query = "page=2&region=mopti&region=gao&founded_min=2000&founded_max=2000"
    assert chip_links(client.get("/en/orgs/?" + query)) == {
        "Region: Mopti": "?region=gao&founded_min=2000&founded_max=2000",
        "Region: Gao": "?region=mopti&founded_min=2000&founded_max=2000",
        "Founded from: 2000": "?region=mopti&region=gao&founded_max=2000",
        "Founded until: 2000": "?region=mopti&region=gao&founded_min=2000",
    }


def test_a_chip_shows_60_characters_and_cuts_a_longer_value(client, directory):
    sixty = "a" * 60
    assert chip_links(client.get(f"/en/orgs/?q={sixty}")) == {f"Search: {sixty}": "?"}
    assert chip_links(client.get(f"/en/orgs/?q={sixty}b")) == {f"Search: {sixty}…": "?"}


def test_the_search_box_and_the_filter_form_keep_the_readers_words(client, directory):
    page = text(client.get("/en/orgs/?q=mediators&region=mopti"))
    assert 'name="q" maxlength="200" value="mediators"' in page
    assert '<input type="hidden" name="q" value="mediators">' in page  # applying filters
    page = text(client.get("/en/orgs/?region=mopti"))
    assert 'name="q" maxlength="200" value=""' in page
    assert '<input type="hidden" name="q"' not in page
    words = "peace " * 40  # 240 characters: the box holds the first 200
    page = text(client.get("/en/orgs/", {"q": words}))
    assert f'name="q" maxlength="200" value="{words[:200]}"' in page


@pytest.mark.parametrize("url", ["/en/orgs/", "/en/orgs/?page=1", "/en/orgs/?page=2"])
def test_a_page_that_exists_has_no_note(client, thirty_orgs, url):
    response = client.get(url)
    assert len(card_names(response)) in (25, 5)
    assert 'class="note"' not in text(response)
    region_page = client.get(url.replace("/orgs/", "/regions/mopti/"))
    assert len(card_names(region_page)) in (25, 5)
    assert 'class="note"' not in text(region_page)


def test_the_note_quotes_20_characters_of_the_page_asked_for_in_the_readers_language(
    client, thirty_orgs
):
    asked = "abcdefghijklmnopqrstuvwxyz"
    page = text(client.get(f"/fr/orgs/?page={asked}"))
    assert "La page « abcdefghijklmnopqrst » n’existe pas ; voici la page 1 sur 2." in page


def options(page, name):
    """(value, label, count or None) of each option of one filter, as listed."""
    fieldset = re.search(
        rf'<fieldset[^>]*>\s*<legend>[^<]*</legend>.*?name="{name}".*?</fieldset>', page, re.S
    )
    found = re.findall(
        rf'name="{name}" value="([^"]+)"[^>]*> ([^<]+?)(?: <span class="n">(\d+)</span>)?</label>',
        fieldset[0],
    )
    return [(value, html.unescape(label), int(n) if n else None) for value, label, n in found]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_filter_options_are_in_the_readers_alphabetical_order(client, directory, language):
    page = text(client.get(f"/{language}/orgs/"))
    regions = {r.slug: r.name if language == "fr" else r.label_en for r in Region.objects.all()}
    focus = {f.slug: getattr(f, f"label_{language}") for f in FocusArea.objects.all()}
    for name, labels in [("region", regions), ("focus", focus)]:
        listed = [value for value, _label, _n in options(page, name)]
        assert listed == sorted(labels, key=labels.get), name


def test_every_zone_and_kind_shows_its_count_zero_included(client, directory):
    page = text(client.get("/en/orgs/"))
    published = Organisation.objects.published()
    zones = {
        value: published.in_regions(Region.objects.filter(zone=value)).count()
        for value, _label in Zone.choices
    }
    kinds = {
        value: published.filter(kind=value).count() for value, _label in Organisation.Kind.choices
    }
    assert 0 in kinds.values() and len(set(zones.values())) > 1
    assert {value: n for value, _label, n in options(page, "zone")} == zones
    assert {value: n for value, _label, n in options(page, "kind")} == kinds
    regions = text(client.get("/en/regions/"))
    shown = " · ".join(f"{label}: {zones[value]}" for value, label in Zone.choices)
    assert f"<p>{shown}</p>" in regions


def test_each_order_is_offered_once_and_best_match_only_for_a_search(client, directory):
    def offered(url):
        page = text(client.get(url))
        select = re.search(r'<select id="id_order" name="order">.*?</select>', page, re.S)[0]
        return re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select)

    newest, founding = "Newest in the directory", "Founding year, oldest first"
    assert offered("/en/orgs/") == [
        ("", " selected", "Name"),
        ("added", "", newest),
        ("founded", "", founding),
    ]
    assert offered("/en/orgs/?order=name") == offered("/en/orgs/")
    assert ("name", " selected", "Name") in offered("/en/orgs/?q=peace&order=name")
    assert offered("/en/orgs/?q=peace&order=added") == [
        ("", "", "Best match"),
        ("name", "", "Name"),
        ("added", " selected", newest),
        ("founded", "", founding),
    ]


def test_an_organisation_is_described_in_one_sentence_of_facts(client, directory):
    """Kind, founding year, headquarters, then where it works and on what."""
    expected = (
        "Prison Mopti Association: National NGO, founded 1998, based in Bamako District."
        " Works in Mopti, Segou. Focus: Access to justice, Youth."
    )
    assert description(client.get("/en/orgs/prison-mopti/")) == expected
    french = (
        "Prison Mopti Association : ONG nationale, fondée en 1998, basée à Bamako."
        " Travaille à Mopti, Ségou. Domaines : Accès à la justice, Jeunesse."
    )
    assert description(client.get("/fr/orgs/prison-mopti/")) == french


def links_in(page, start, end):
    """The hrefs between `start` and the next `end` of the page."""
    begin = page.index(start)
    return re.findall(r'<a href="([^"]+)"', page[begin : page.index(end, begin)])


def test_home_lists_regions_by_count_then_name_with_every_count(client, directory):
    published = Organisation.objects.published()
    counts = {r: published.in_regions([r]).count() for r in Region.objects.all()}
    assert 0 in counts.values() and len(set(counts.values())) > 2
    expected = sorted(counts, key=lambda r: (-counts[r], r.label_en))
    page = text(client.get("/en/"))
    listed = re.findall(
        r'<a href="/en/orgs/\?region=([\w-]+)">[^<]*</a> <span class="n">(\d+)</span>', page
    )
    assert listed == [(r.slug, str(counts[r])) for r in expected]


def test_home_shows_the_six_newest_organisations_newest_first(client, directory):
    """By the date each was added, not by id; the newest id first among equals."""
    published = list(Organisation.objects.published().order_by("name"))
    start = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    for days, org in enumerate(published):  # added in name order, not in id order
        Organisation.objects.filter(pk=org.pk).update(created=start + datetime.timedelta(days))
    recent = links_in(text(client.get("/en/")), '<ul class="recent">', "</ul>")
    assert recent == [o.get_absolute_url() for o in published[::-1][:6]]
    Organisation.objects.update(created=start)  # all added at once
    by_id = sorted(published, key=lambda o: -o.pk)
    # Written again last: PostgreSQL would now read it first among equals.
    Organisation.objects.filter(pk=by_id[-1].pk).update(created=start)
    recent = links_in(text(client.get("/en/")), '<ul class="recent">', "</ul>")
    assert recent == [o.get_absolute_url() for o in by_id[:6]]


def test_regions_page_lists_regions_by_name_in_the_readers_language_with_counts(client, directory):
    published = Organisation.objects.published()
    regions = sorted(Region.objects.all(), key=lambda r: r.label_en)
    page = text(client.get("/en/regions/"))
    rows = re.findall(
        r'<tr><th scope="row"><a href="/en/regions/([\w-]+)/">.*?<td class="num">(\d+)</td></tr>',
        page,
    )
    assert rows == [(r.slug, str(published.in_regions([r]).count())) for r in regions]


@pytest.mark.parametrize(
    "slug, others",
    [("tombouctou", "Tombouctou, Tombouktou, Tumbuktu"), ("kayes", "—")],
)
def test_a_region_page_names_its_other_spellings_not_its_own(client, directory, slug, others):
    page = text(client.get(f"/en/regions/{slug}/"))
    assert f"<dt>Other spellings</dt><dd>{others}</dd>" in page


def test_a_source_counts_and_lists_each_organisation_once(client, directory):
    youth = directory["youth-mopti"]
    source = Source.objects.get(slug="report-2019")
    cited = list(Organisation.objects.published().filter(citations__source=source).distinct())
    assert youth in cited and youth.citations.filter(source=source).count() > 1
    listing = text(client.get("/en/sources/"))
    meta = f"Peace Direct, 2019 · supports {len(cited)} organisations"
    assert f'Local peacebuilding in Mali</a> <span class="meta">{meta}' in listing
    page = text(client.get("/en/sources/report-2019/"))
    assert page.count(f'href="{youth.get_absolute_url()}#sources"') == 1


def test_the_headquarters_link_to_their_note(client, directory):
    page = text(client.get("/en/orgs/youth-mopti/"))
    [number] = note_links(page, 'Sévaré, <a href="/en/regions/mopti/">Mopti</a>')
    assert "<strong>Headquarters</strong>" in note(page, number)


def test_search_engines_read_the_same_one_sentence_description(client, directory):
    page = text(client.get("/en/orgs/prison-mopti/"))
    script = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert json.loads(script[1])["description"] == html.unescape(
        re.search(r'<meta name="description" content="([^"]*)">', page)[1]
    )


def test_the_export_links_carry_the_filters_then_the_pages_language_only(client, directory):
    page = text(
        client.get("/en/orgs/?lang=fr&page=2&facets=0&region=mopti&kind=local_association")
    )
    assert 'href="/export/orgs.csv?region=mopti&amp;kind=local_association&amp;lang=en"' in page


def test_a_zone_without_organisations_counts_0(client, reference_data):
    make_org().regions.add(Region.objects.get(slug="kidal"))  # the north only
    page = text(client.get("/en/regions/"))
    assert "<p>North: 1 · Centre: 0 · South: 0</p>" in page


def test_the_region_by_focus_table_names_its_rows_and_columns(client, directory):
    page = text(client.get("/en/regions/"))
    table = re.search(r'<table class="grid">.*?</table>', page, re.S)[0]
    header = re.findall(r'<th scope="col" class="num">([^<]+)</th>', table)
    areas = sorted(f.label_en for f in FocusArea.objects.all())
    assert [html.unescape(h) for h in header] == areas
    rows = re.findall(r'<tr><th scope="row"><a href="/en/regions/([\w-]+)/">([^<]+)</a>', table)
    regions = sorted(Region.objects.all(), key=lambda r: r.label_en)
    assert rows == [(r.slug, r.label_en) for r in regions]
