"""Content in both languages (orgs/bilingual.py): each page leads with its own language's
name and description, and text in the other language carries its `lang`."""

import csv
import io
import re

import pytest
from django.urls import reverse
from django.utils import translation

from orgs.models import Organisation, Region, Source

from .conftest import cite, make_org

pytestmark = pytest.mark.django_db

NAME_EN = "Association of Women Radio Hosts"
NAME_FR = "Association des animatrices de radio"
ABOUT_EN = "Runs radio programmes on reconciliation."
ABOUT_FR = "Anime des émissions de radio sur la réconciliation."


def url(language, name, *args):
    """The address of a page in `language`, as its links are written."""
    with translation.override(language):
        return reverse(name, args=args)


def get(client, language, name, *args, **params):
    response = client.get(url(language, name, *args), params, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def radio(**overrides):
    fields = {
        "slug": "radio",
        "name": NAME_EN,
        "name_original": NAME_FR,
        "description_en": ABOUT_EN,
        "description_fr": ABOUT_FR,
    }
    org = make_org(**{**fields, **overrides})
    cite(org)
    return org


def body(response):
    return b"".join(response.streaming_content).decode("utf-8")


def first_csv_row(response):
    return next(csv.DictReader(io.StringIO(body(response).removeprefix("\ufeff"))))


def heading(page):
    """The page's h1 as written, attributes included."""
    return re.search(r"<h1.*?</h1>", page, re.S).group(0)


def about(page):
    match = re.search(r'<div class="about"( lang="(\w+)")?>(.*?)</div>', page, re.S)
    return (match.group(2) or "", match.group(3)) if match else None


def test_french_page_leads_with_the_french_name_and_description(client, reference_data):
    radio()
    page = get(client, "fr", "orgs:org_detail", "radio")
    assert NAME_FR in heading(page) and NAME_EN not in heading(page)
    assert f'<p class="lead" lang="en">{NAME_EN}</p>' in page
    assert about(page) == ("", f"<p>{ABOUT_FR}</p>")
    assert ABOUT_EN not in page
    assert f"<title>{NAME_FR}" in page


def test_english_page_leads_with_the_english_name_and_description(client, reference_data):
    radio()
    page = get(client, "en", "orgs:org_detail", "radio")
    assert NAME_EN in heading(page) and NAME_FR not in heading(page)
    assert f'<p class="lead" lang="fr">{NAME_FR}</p>' in page
    assert about(page) == ("", f"<p>{ABOUT_EN}</p>")
    assert ABOUT_FR not in page
    assert f"<title>{NAME_EN}" in page


@pytest.mark.parametrize(
    "language, kept, other",
    [("fr", "description_en", "en"), ("en", "description_fr", "fr")],
)
def test_a_description_in_one_language_only_is_shown_with_its_lang(
    client, reference_data, language, kept, other
):
    texts = {"description_en": ABOUT_EN, "description_fr": ABOUT_FR}
    radio(**{key: (text if key == kept else "") for key, text in texts.items()})
    page = get(client, language, "orgs:org_detail", "radio")
    assert about(page) == (other, f"<p>{texts[kept]}</p>")


def test_cards_and_partner_lists_lead_with_the_page_language(client, reference_data):
    org = radio()
    partner = make_org(slug="fund", name="Peace Fund", name_original="Fonds pour la paix")
    cite(partner)
    link = org.partnerships.create(relation="funded_by", partner=partner)
    cite(org, "partnership", partnership=link)

    french_cards = get(client, "fr", "orgs:org_list")
    assert f'<a href="{url("fr", "orgs:org_detail", "radio")}">{NAME_FR}</a>' in french_cards
    assert f'<p lang="en">{NAME_EN}</p>' in french_cards
    english_cards = get(client, "en", "orgs:org_list")
    assert f'<a href="{url("en", "orgs:org_detail", "radio")}">{NAME_EN}</a>' in english_cards
    assert f'<p lang="fr">{NAME_FR}</p>' in english_cards

    french = get(client, "fr", "orgs:org_detail", "radio")
    assert f'{url("fr", "orgs:org_detail", "fund")}">Fonds pour la paix</a>' in french
    english = get(client, "en", "orgs:org_detail", "radio")
    assert f'{url("en", "orgs:org_detail", "fund")}">Peace Fund</a>' in english


def test_a_name_with_no_french_form_carries_lang_en_on_french_pages(client, reference_data):
    radio(name_original="")
    french = get(client, "fr", "orgs:org_detail", "radio")
    assert heading(french) == f'<h1 lang="en">{NAME_EN}</h1>'
    english = get(client, "en", "orgs:org_detail", "radio")
    assert heading(english) == f"<h1>{NAME_EN}</h1>"
    assert '<p class="lead"' not in english  # no second name to show


def test_source_descriptions_in_the_page_language(client, reference_data):
    org = radio()
    Source.objects.filter(slug="test-source").update(
        description_en="A report on radio.", description_fr="Un rapport sur la radio."
    )
    assert org.citations.count() == 1
    french = get(client, "fr", "orgs:source_detail", "test-source")
    assert '<div class="about"><p>Un rapport sur la radio.</p></div>' in french
    english = get(client, "en", "orgs:source_detail", "test-source")
    assert '<div class="about"><p>A report on radio.</p></div>' in english
    Source.objects.filter(slug="test-source").update(description_en="")
    english = get(client, "en", "orgs:source_detail", "test-source")
    assert '<div class="about" lang="fr"><p>Un rapport sur la radio.</p></div>' in english


def test_both_descriptions_are_searched(client, reference_data):
    radio()
    from orgs.search_upkeep import update_search_text

    update_search_text(Organisation.objects.all())
    for language, word in [
        ("en", "réconciliation"),
        ("en", "reconciliation"),
        ("fr", "émissions"),
    ]:
        page = get(client, language, "orgs:org_list", q=word)
        assert url(language, "orgs:org_detail", "radio") in page, word


# --- Regions: one spelling per language, everywhere ---------------------------------


def region_org():
    regions = Region.objects.filter(slug__in=["tombouctou", "segou"])
    org = radio(hq_region=Region.objects.get(slug="segou"))
    org.regions.set(regions)
    for region in regions:
        cite(org, "region", region=region)
    cite(org, "headquarters")
    return org


@pytest.mark.parametrize(
    "language, spellings, never",
    [
        ("fr", ["Tombouctou", "Ségou"], ["Timbuktu", "Segou"]),
        ("en", ["Timbuktu", "Segou"], ["Tombouctou", "Ségou"]),
    ],
)
def test_region_names_are_spelled_one_way_per_language(
    client, reference_data, language, spellings, never
):
    """The organisation page, the listing's cards, facets and chips, the region page."""
    region_org()
    region_page = get(client, language, "orgs:region_detail", "segou")
    assert f"<h1>{spellings[1]}</h1>" in region_page  # its other spellings are listed below
    pages = [
        get(client, language, "orgs:org_detail", "radio"),
        get(client, language, "orgs:org_list", region="tombouctou"),
    ]
    for page in pages:
        for spelling in spellings:
            assert spelling in page
        for spelling in never:
            assert spelling not in page, spelling


def test_exports_and_api_label_regions_per_language(client, reference_data):
    region_org()
    for language, hq, regions in [
        ("en", "Segou", {"Timbuktu", "Segou"}),
        ("fr", "Ségou", {"Tombouctou", "Ségou"}),
    ]:
        response = client.get(reverse("exports:orgs_csv"), {"lang": language})
        row = first_csv_row(response)
        assert row["hq_region"] == hq
        assert set(row["regions"].split("; ")) == regions
    listed = {r["slug"]: r for r in client.get(reverse("api:region_list")).json()["results"]}
    assert (listed["tombouctou"]["label_en"], listed["tombouctou"]["label_fr"]) == (
        "Timbuktu",
        "Tombouctou",
    )
    assert (listed["segou"]["label_en"], listed["segou"]["label_fr"]) == ("Segou", "Ségou")
    assert (listed["mopti"]["label_en"], listed["mopti"]["label_fr"]) == ("Mopti", "Mopti")


# --- Data leaving the site carries both descriptions ---------------------------------


def test_api_and_exports_carry_both_descriptions(client, reference_data):
    radio()
    data = client.get(reverse("api:org_detail", args=["radio"])).json()
    assert (data["description_en"], data["description_fr"]) == (ABOUT_EN, ABOUT_FR)
    listed = client.get(reverse("api:org_list")).json()["results"][0]
    assert (listed["description_en"], listed["description_fr"]) == (ABOUT_EN, ABOUT_FR)
    response = client.get(reverse("exports:orgs_csv"))
    row = first_csv_row(response)
    assert (row["description_en"], row["description_fr"]) == (ABOUT_EN, ABOUT_FR)


def test_hxl_tags_each_description_with_its_language(client, reference_data, tmp_path):
    import hxl

    radio()
    path = tmp_path / "orgs.hxl.csv"
    path.write_text(body(client.get(reverse("exports:orgs_hxl"))), encoding="utf-8")
    rows = list(hxl.data(str(path), hxl.InputOptions(allow_local=True)).cache())
    assert rows[0].get("#description+i_en") == ABOUT_EN
    assert rows[0].get("#description+i_fr") == ABOUT_FR
    assert rows[0].get("#description") == ABOUT_EN  # a plain query finds a description
