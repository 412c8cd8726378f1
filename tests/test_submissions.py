"""The public forms, through their real pages: each kind of submission lands in the
curators' queue and changes nothing public; bad input is refused with the input kept."""

import html
import re

import pytest
from django.test import Client, override_settings

from orgs.models import Organisation, Region, Submission

from .conftest import HIDDEN_PERSON
from .pages import curator

CORRECTION = "/en/orgs/youth-mopti/suggest-correction/"
HIDE = "/en/orgs/youth-mopti/ask-to-hide/"
SUGGEST = "/en/suggest-organisation/"


def correction(**overrides):
    data = {
        "about": "founded",
        "message": "It was founded in 2004, not 2005.",
        "evidence": "Annual report 2010, page 3: https://example.org/report-2010.pdf",
        "email": "reader@example.org",
    }
    data.update(overrides)
    return data


def suggestion(**overrides):
    data = {
        "name": "Kidal Women Mediators",
        "name_original": "Femmes médiatrices de Kidal",
        "acronym": "FMK",
        "org_kind": "local_association",
        "regions": [str(Region.objects.get(slug="kidal").pk)],
        "focus_areas": [],
        "website": "fmk.example.org",
        "contact": "+223 00 00 00 00",
        "source_title": "Women and peace in northern Mali",
        "source_publisher": "Peace Direct",
        "source_url": "https://example.org/women-peace.pdf",
        "source_locator": "p. 7",
        "source_quote": "The Femmes médiatrices de Kidal mediate between clans.",
        "email": "",
    }
    data.update(overrides)
    return data


def removal(**overrides):
    data = {
        "target": "person",
        "person_name": HIDDEN_PERSON,
        "message": "She was threatened after the report named her.",
        "email": "",
    }
    data.update(overrides)
    return data


def test_every_organisation_page_links_to_its_forms(client, directory):
    page = client.get("/en/orgs/youth-mopti/").content.decode()
    assert f'<a href="{CORRECTION}">Suggest a correction</a>' in page
    assert f'<a href="{HIDE}">Ask for something to be hidden</a>' in page
    # The forms live on their own pages: the organisation's page has none.
    assert 'class="submission"' not in page


@pytest.mark.parametrize("url", ["/en/", "/en/orgs/", "/en/orgs/?q=zzzz"])
def test_home_and_listing_link_to_suggest_an_organisation(client, directory, url):
    assert f'<a href="{SUGGEST}">Suggest an organisation</a>' in client.get(url).content.decode()


def test_a_correction_lands_in_the_queue_and_changes_nothing_public(client, directory):
    before = client.get("/en/orgs/youth-mopti/").content.decode()

    response = client.post(CORRECTION, correction())

    assert response.status_code == 302 and response.url == "/en/thanks/"
    submission = Submission.objects.get()
    assert (submission.kind, submission.status, submission.urgent) == ("correction", "new", False)
    assert submission.organisation == directory["youth-mopti"]
    assert submission.about == "Founded"
    assert submission.message == "It was founded in 2004, not 2005."
    assert submission.email == "reader@example.org" and submission.language == "en"
    directory["youth-mopti"].refresh_from_db()
    assert directory["youth-mopti"].founded == 2005
    after = client.get("/en/orgs/youth-mopti/").content.decode()
    assert after == before and "2004" not in after
    assert "2004" not in client.get("/api/orgs/youth-mopti/").content.decode()


def test_the_correction_form_offers_the_facts_the_page_shows_and_no_hidden_person(
    client, directory
):
    page = client.get(CORRECTION).content.decode()
    assert '<option value="region:mopti">Works in: Mopti</option>' in page
    assert "Person: Oumar Public" in page
    assert HIDDEN_PERSON not in page
    assert '<option value="other">Something else</option>' in page


def test_a_correction_without_evidence_is_refused_and_keeps_what_was_typed(client, directory):
    response = client.post(CORRECTION, correction(evidence=""))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Please correct the fields marked below; nothing has been sent yet." in page
    assert "A source is needed" in page and "This field is required." in page
    assert "It was founded in 2004, not 2005." in page
    assert Submission.objects.count() == 0


def test_a_fact_not_on_the_page_is_refused(client, directory):
    response = client.post(CORRECTION, correction(about="person:999999"))
    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert Submission.objects.count() == 0


def test_texts_are_held_to_the_models_limits(client, directory):
    limit = Submission._meta.get_field("message").max_length
    response = client.post(CORRECTION, correction(message="x" * (limit + 1)))
    assert response.status_code == 200
    assert f"Ensure this value has at most {limit} characters" in response.content.decode()
    assert Submission.objects.count() == 0


def test_a_suggested_name_is_held_to_the_organisations_limit(client, directory):
    limit = Organisation._meta.get_field("name").max_length
    response = client.post(SUGGEST, suggestion(name="N" * (limit + 1)))
    assert response.status_code == 200
    assert f"Ensure this value has at most {limit} characters" in response.content.decode()
    assert client.post(SUGGEST, suggestion(name="N" * limit)).status_code == 302


def test_a_suggested_organisation_lands_in_the_queue_and_publishes_nothing(client, directory):
    listing_before = client.get("/api/orgs/").json()["count"]

    response = client.post(SUGGEST, suggestion())

    assert response.status_code == 302 and response.url == "/en/thanks/"
    submission = Submission.objects.get()
    assert submission.kind == "new_organisation" and submission.organisation is None
    assert submission.name == "Kidal Women Mediators"
    assert submission.website == "https://fmk.example.org"
    assert [r.slug for r in submission.regions.all()] == ["kidal"]
    assert not Organisation.objects.filter(name="Kidal Women Mediators").exists()
    assert client.get("/api/orgs/").json()["count"] == listing_before
    assert "Kidal Women Mediators" not in client.get("/en/orgs/?q=kidal").content.decode()


def test_a_suggested_organisation_needs_a_source(client, directory):
    response = client.post(SUGGEST, suggestion(source_title="", source_quote=""))
    assert response.status_code == 200
    assert "At least one public source is needed" in response.content.decode()
    assert Submission.objects.count() == 0


def test_a_request_to_hide_is_urgent_and_its_reason_is_never_public(client, directory):
    response = client.post(HIDE, removal())

    assert response.status_code == 302
    submission = Submission.objects.get()
    assert (submission.kind, submission.urgent) == ("removal", True)
    assert submission.person_name == HIDDEN_PERSON
    for url in ["/en/orgs/youth-mopti/", "/api/orgs/youth-mopti/", "/en/thanks/", "/en/orgs/"]:
        page = client.get(url).content.decode()
        assert "threatened after the report" not in page, url


def test_the_queue_names_each_submission_by_what_it_is_about(client, directory):
    """Curators pick from the queue by these names: the organisation, else the name
    suggested, else a dash (the organisation was deleted since)."""
    client.post(CORRECTION, correction())
    client.post(SUGGEST, suggestion())
    client.post("/en/orgs/gao-women/suggest-correction/", correction())
    Organisation.objects.get(slug="gao-women").delete()
    curator_client = Client()
    curator_client.force_login(curator(directory))

    page = curator_client.get("/admin/orgs/submission/").content.decode()

    names = re.findall(r'class="field-__str__"><a href="[^"]*">([^<]*)</a>', page)
    assert sorted(html.unescape(name) for name in names) == [
        f"Correction: {Organisation.objects.get(slug='youth-mopti').name}",
        "Correction: —",
        f"New organisation: {suggestion()['name']}",
    ]


def test_a_request_about_a_person_must_say_which(client, directory):
    response = client.post(HIDE, removal(person_name=""))
    assert response.status_code == 200
    assert "Say which person, so we hide the right one." in response.content.decode()
    assert client.post(HIDE, removal(target="organisation", person_name="")).status_code == 302


def test_the_honeypot_thanks_a_bot_and_keeps_nothing(client, directory):
    response = client.post(CORRECTION, correction(homepage="http://spam.example"))
    assert response.status_code == 302 and response.url == "/en/thanks/"
    assert Submission.objects.count() == 0


def test_the_honeypot_is_hidden_from_people(client, directory):
    page = client.get(CORRECTION).content.decode()
    assert '<div class="hp" aria-hidden="true">' in page
    assert 'name="homepage"' in page and 'tabindex="-1"' in page


FROM_ANOTHER_SITE = [
    {"HTTP_SEC_FETCH_SITE": "cross-site"},
    {"HTTP_SEC_FETCH_SITE": "same-site"},  # a sibling subdomain is another site too
    {"HTTP_SEC_FETCH_SITE": "cross-site", "HTTP_ORIGIN": "http://testserver"},
    {"HTTP_ORIGIN": "https://attacker.example"},
    {"HTTP_ORIGIN": "null"},  # a sandboxed frame or a data: page
]
FROM_THIS_SITE = [
    {"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_ORIGIN": "http://testserver"},
    {"HTTP_SEC_FETCH_SITE": "none"},  # typed or bookmarked
    {"HTTP_ORIGIN": "http://testserver"},  # a browser without Sec-Fetch-Site
    {},  # not a browser: curl, a script
]


def post_each_form(client, headers):
    """Post a valid message to each of the three forms; the statuses, in order."""
    return [
        client.post(CORRECTION, correction(), **headers).status_code,
        client.post(HIDE, removal(), **headers).status_code,
        client.post(SUGGEST, suggestion(), **headers).status_code,
    ]


@pytest.mark.parametrize("headers", FROM_ANOTHER_SITE)
def test_a_form_posted_from_another_site_is_refused_and_nothing_kept(directory, headers):
    client = Client(enforce_csrf_checks=True)
    assert post_each_form(client, headers) == [403, 403, 403]
    assert "CSRF" in client.post(CORRECTION, correction(), **headers).content.decode()
    assert Submission.objects.count() == 0


@pytest.mark.parametrize("headers", FROM_THIS_SITE)
def test_a_form_posted_from_this_site_is_kept_without_any_cookie(directory, headers):
    client = Client(enforce_csrf_checks=True)
    assert post_each_form(client, headers) == [302, 302, 302]
    assert Submission.objects.count() == 3
    assert client.cookies == {}


@override_settings(CSRF_TRUSTED_ORIGINS=["https://directory.example.org"])
def test_a_trusted_origin_may_post(directory):
    client = Client(enforce_csrf_checks=True)
    headers = {"HTTP_ORIGIN": "https://directory.example.org"}
    assert client.post(CORRECTION, correction(), **headers).status_code == 302
    assert Submission.objects.count() == 1


def test_form_pages_are_neither_cached_nor_indexed(client, directory):
    response = client.get(CORRECTION)
    assert "no-store" in response["Cache-Control"]
    assert '<meta name="robots" content="noindex">' in response.content.decode()


def test_forms_have_labels_for_every_field(client, directory):
    for url in [CORRECTION, HIDE, SUGGEST]:
        page = client.get(url).content.decode()
        for field in ["email", "message"] if url != SUGGEST else ["email", "name", "source_quote"]:
            assert f'<label for="id_{field}">' in page, (url, field)


def test_unpublished_organisations_have_no_forms(client, directory):
    assert client.get("/en/orgs/draft-secret/suggest-correction/").status_code == 404
    assert client.get("/en/orgs/draft-secret/ask-to-hide/").status_code == 404


def test_forms_in_french_record_the_language(client, directory):
    french = CORRECTION.replace("/en/", "/fr/")
    page = client.get(french).content.decode()
    assert "Proposer une correction" in page
    client.post(french, correction())
    assert Submission.objects.get().language == "fr"


PUBLIC_PAGES = [
    "/fr/",
    "/fr/orgs/",
    "/fr/orgs/?region=mopti",
    "/fr/orgs/youth-mopti/",
    "/fr/regions/",
    "/fr/regions/mopti/",
    "/fr/sources/",
    "/fr/sources/report-2019/",
    "/api/orgs/",
    "/fr/thanks/",
    CORRECTION,
    HIDE,
    SUGGEST,
]


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_public_pages_set_no_cookie(directory, url):
    client = Client(enforce_csrf_checks=True)
    response = client.get(url)
    assert response.status_code == 200
    assert response.cookies == {}, url
