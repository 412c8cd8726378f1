"""The cards of a listing (orgs.cards): what each shows, read for a page of ids at once,
against the test world's own rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from orgs.cards import cards
from orgs.models import Organisation, Region

pytestmark = pytest.mark.django_db


def test_cards_keep_the_order_of_the_ids_and_leave_out_what_is_not_published(directory):
    ids = [directory[slug].pk for slug in ("youth-mopti", "draft-secret", "gao-women")]
    ids.append(directory["archived-old"].pk)
    assert [card.slug for card in cards(ids)] == ["youth-mopti", "gao-women"]
    # An organisation unpublished after its id was read drops out.
    Organisation.objects.filter(slug="gao-women").update(status=Organisation.Status.DRAFT)
    assert [card.slug for card in cards(ids)] == ["youth-mopti"]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_each_card_links_to_its_organisations_page_in_the_readers_language(directory, language):
    published = Organisation.objects.filter(status=Organisation.Status.PUBLISHED)
    with translation.override(language):
        expected = {org.pk: org.get_absolute_url() for org in published}
        shown = {card.pk: card.url for card in cards(list(expected))}
    assert shown == expected
    assert all(url.startswith(f"/{language}/orgs/") for url in shown.values())


def test_a_sensitive_organisations_town_is_left_off_its_card_and_another_keeps_its_own(
    directory,
):
    sensitive, other = directory["sensitive-peace"], directory["youth-mopti"]
    assert sensitive.hq_town and other.hq_town == "Sévaré"
    with translation.override("en"):
        by_slug = {card.slug: card for card in cards([sensitive.pk, other.pk])}
    assert by_slug["sensitive-peace"].town == ""
    assert by_slug["sensitive-peace"].region == "Mopti"
    assert by_slug["youth-mopti"].town == "Sévaré"


@pytest.mark.parametrize(
    ("language", "regions", "focus"),
    [
        ("en", ["Mopti", "Segou"], ["Access to justice", "Youth"]),
        ("fr", ["Mopti", "Ségou"], ["Accès à la justice", "Jeunesse"]),
    ],
)
def test_a_card_names_its_regions_and_focus_areas_in_name_order_in_the_readers_language(
    directory, language, regions, focus
):
    org = directory["prison-mopti"]
    assert sorted(org.regions.values_list("slug", flat=True)) == ["mopti", "segou"]
    with translation.override(language):
        (card,) = cards([org.pk])
        headquarters = org.hq_region.label
    assert card.regions == regions
    assert card.focus == focus
    assert card.region == headquarters and org.hq_region.slug == "bamako"


def test_names_lead_in_the_readers_language_and_an_acronym_that_is_the_name_is_left_off(
    directory,
):
    org = directory["youth-mopti"]
    org.name, org.name_original, org.acronym = "Youth of Mopti", "Jeunesse de Mopti", "JM"
    org.save()
    echo = directory["gao-women"]
    echo.name, echo.acronym = "GAOW", "gaow"
    echo.save()
    with translation.override("fr"):
        first, second = cards([org.pk, echo.pk])
    assert (first.name.text, first.name.lang) == ("Jeunesse de Mopti", "")
    assert (first.other_name.text, first.other_name.lang) == ("Youth of Mopti", "en")
    assert first.acronym == "JM"
    assert second.acronym == ""


def test_a_region_renamed_is_named_anew_on_the_cards(directory):
    """The cards' labels come from the facet index, which a region's change rebuilds."""
    org = directory["timbuktu-peace"]
    with translation.override("en"):
        (before,) = cards([org.pk])
        Region.objects.filter(slug="kidal").update(name_en="Kidal Region")
        Region.objects.get(slug="kidal").save()  # a save logs the change (orgs.facet_changes)
        (after,) = cards([org.pk])
    assert "Kidal" in before.regions
    assert "Kidal Region" in after.regions


@pytest.mark.parametrize(
    ("language", "meta", "works_in", "works_in_two"),
    [
        (
            "en",
            "Local association · founded 2005 · based in Sévaré, Mopti",
            "Works in: Mopti",
            "Works in: Mopti, Segou",
        ),
        (
            "fr",
            "Association locale · fondée en 2005 · siège à Sévaré, Mopti",
            "Intervient à : Mopti",
            "Intervient à : Mopti, Ségou",
        ),
    ],
)
def test_a_cards_lines_say_its_kind_year_and_places_in_the_readers_language(
    directory, language, meta, works_in, works_in_two
):
    with translation.override(language):
        (card,) = cards([directory["youth-mopti"].pk])
        assert (card.meta, card.works_in) == (meta, works_in)
        (two_regions,) = cards([directory["prison-mopti"].pk])
        assert two_regions.works_in == works_in_two
        (donor,) = cards([directory["donor-fund"].pk])  # no region of work
        assert donor.works_in == ""
        (unfounded,) = cards([directory["kayes-health"].pk])  # no founding year
        (nowhere,) = cards([directory["sikasso-edu"].pk])  # no headquarters
        # Kind and headquarters; kind and founding year.
        assert unfounded.meta.split(" · ")[1:] == [
            meta.split(" · ")[2].replace("Sévaré, Mopti", "Kayes")
        ]
        assert nowhere.meta.split(" · ")[1:] == [meta.split(" · ")[1].replace("2005", "2020")]


def test_a_kind_no_longer_among_the_choices_shows_as_stored_not_as_none(directory):
    org = directory["youth-mopti"]
    Organisation.objects.filter(pk=org.pk).update(kind="cooperative")  # not a Kind
    (card,) = cards([org.pk])
    assert card.kind == "cooperative"
    assert card.meta.startswith("cooperative · ")


def test_a_page_of_cards_is_read_in_one_query_whatever_its_links(directory):
    published = Organisation.objects.filter(status=Organisation.Status.PUBLISHED)
    ids = list(published.values_list("pk", flat=True))
    assert len(ids) > 2
    links = sum(org.regions.count() + org.focus_areas.count() for org in published)
    assert links > len(ids)  # organisations with several links each
    cards(ids)  # the facet index and the withheld terms, read once per data version
    with CaptureQueriesContext(connection) as queries:
        shown = cards(ids)
    assert sum(len(card.regions) + len(card.focus) for card in shown) == links
    # Besides the two data-version tokens every read of the index and of the
    # withheld terms checks, one query reads the organisations with their links.
    reads = [q["sql"] for q in queries.captured_queries if "_version WHERE" not in q["sql"]]
    assert len(reads) == 1, reads
    assert len(queries.captured_queries) == 3
