"""The public pages through the test client: what a reader sees, what stays hidden,
and bad input that never fails the page."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from orgs import public_text
from orgs.facets import current_index
from orgs.models import FocusArea, Organisation, Partnership, Region, Source
from orgs.search_upkeep import update_search_text

from .conftest import HIDDEN_PERSON, SENSITIVE_TOWN, make_org

HIDDEN = [HIDDEN_PERSON, "Fatoumata Protégée", SENSITIVE_TOWN, "Draft Secret", "Archived Old"]


def text(response):
    return response.content.decode()


def card_names(response):
    return re.findall(r'<li class="card">\s*<h3>\s*<a href="[^"]+">([^<]+)</a>', text(response))


def many_orgs(n, **fields):
    mopti = Region.objects.get(slug="mopti")
    youth = FocusArea.objects.get(slug="youth")
    for i in range(n):
        org = make_org(name=f"Bulk Org {i:03}", slug=f"bulk-org-{i:03}", hq_region=mopti, **fields)
        org.regions.add(mopti)
        org.focus_areas.add(youth)


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


def test_listing_shows_25_a_page_and_the_rest_on_the_next(client, reference_data):
    many_orgs(30)
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


def test_a_page_past_the_end_shows_the_last_page_with_a_note(client, reference_data):
    many_orgs(30)
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
def test_pages_together_give_every_result_once_in_order(client, reference_data, query):
    many_orgs(30)
    update_search_text(Organisation.objects.all())
    url = "/en/orgs/" + (query or "?")
    last = client.get(url).context["paginator"].num_pages
    pages = [client.get(f"{url}&page={n}").context["object_list"] for n in range(1, last + 1)]
    shown = [org.slug for page in pages for org in page]
    # Every bulk organisation matches each query equally well but the last: name order.
    everyone = [f"bulk-org-{i:03}" for i in range(30)]
    assert shown == (["bulk-org-007"] if "007" in query else everyone)


def test_region_page_pages_like_the_listing(client, reference_data):
    many_orgs(30)
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


def test_region_pages_title_their_page_number(client, reference_data):
    many_orgs(30)
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
    [number] = note_links(page, f'<li><a href="/{language}/regions/mopti/">{mopti.label}</a>')
    assert "Active across Mopti." in note(page, number)
    assert '<time datetime="2019">2019</time>' in note(page, number)
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
