"""Confirmation links: created from the admin, signed, one-time, expiring; the page
shows the stored record to the link's holder only; confirming is recorded as the
admin's action records it, proposed corrections go to the queue."""

import datetime
import re
import time

import pytest
from django.contrib.auth.models import Group, User
from django.core import signing
from django.test import Client
from django.utils import timezone

from orgs.models import ConfirmationLink, Organisation, Submission
from orgs.roles import GROUP_NAME

from .conftest import HIDDEN_PERSON, SENSITIVE_TOWN


@pytest.fixture
def curator(db):
    user = User.objects.create_user("aminata", password="not-a-real-password-1", is_staff=True)
    user.groups.add(Group.objects.get(name=GROUP_NAME))
    return user


def create_link(curator, org):
    """The curator presses “Create a confirmation link”; returns the link's path."""
    client = Client()
    client.force_login(curator)
    page = client.get(f"/admin/orgs/organisation/{org.pk}/change/").content.decode()
    assert "Create a confirmation link" in page
    response = client.post(f"/admin/orgs/organisation/{org.pk}/confirmation-link/", follow=True)
    assert response.status_code == 200
    # The link is in French, the language most organisations read; the tests read
    # its English address (the same link, the other language).
    match = re.search(
        r"<code>http://testserver/fr(/confirm/[^/<]+/)</code>", response.content.decode()
    )
    assert match, "the link is shown to the curator"
    return "/en" + match.group(1)


def test_the_link_shows_the_record_as_stored_to_its_holder_only(client, curator, directory):
    org = directory["sensitive-peace"]
    public = client.get("/en/orgs/sensitive-peace/").content.decode()
    assert SENSITIVE_TOWN not in public and "Fatoumata Protégée" not in public

    response = client.get(create_link(curator, org))

    assert response.status_code == 200
    page = response.content.decode()
    assert SENSITIVE_TOWN in page and "Fatoumata Protégée" in page
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "no-referrer"
    assert '<meta name="robots" content="noindex, nofollow">' in page


def test_the_link_shows_hidden_people_with_their_state(client, curator, directory):
    page = client.get(create_link(curator, directory["youth-mopti"])).content.decode()
    assert f"{HIDDEN_PERSON}, Chair — hidden from the public" in page
    assert "Oumar Public, Coordinator — shown publicly" in page


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_record_marks_each_quote_with_its_documents_language(
    client, curator, directory, language
):
    """As the public page does: the holder may read it with a screen reader."""
    page = client.get(
        create_link(curator, directory["youth-mopti"]).replace("/en/", f"/{language}/")
    ).content.decode()
    quotes = dict(
        (text, attrs) for attrs, text in re.findall(r"<blockquote([^>]*)>([^<]*)</", page)
    )
    marked = {"en": "", "fr": ' lang="fr"'} if language == "en" else {"en": ' lang="en"', "fr": ""}
    assert quotes["Active across Mopti."] == marked["en"]
    assert quotes["L&#x27;association est active dans toute la région de Mopti."] == marked["fr"]
    assert f"<span{marked['fr']}>chapitre 2</span>" in page
    assert f"<span{marked['fr']}>La paix à Mopti</span>" in page


def test_confirming_records_it_as_the_admins_action_does_and_works_once(
    client, curator, directory
):
    org = directory["youth-mopti"]
    url = create_link(curator, org)

    response = client.post(url, {"action": "confirm"})

    assert response.status_code == 200
    assert "now marked as confirmed by the organisation" in response.content.decode()
    org.refresh_from_db()
    assert (org.verification, org.last_checked, org.checked_by) == (
        Organisation.Verification.ORGANISATION,
        timezone.localdate(),
        curator,
    )
    assert org.history.first().history_user == curator
    assert "Confirmed by the organisation" in client.get("/en/orgs/youth-mopti/").content.decode()

    # Then never again: neither to read nor to confirm.
    again = client.get(url)
    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    assert HIDDEN_PERSON not in again.content.decode()
    version = org.version
    assert "already been used" in client.post(url, {"action": "confirm"}).content.decode()
    org.refresh_from_db()
    assert org.version == version


def test_a_link_expires(client, curator, directory, monkeypatch, settings):
    url = create_link(curator, directory["youth-mopti"])
    later = time.time() + datetime.timedelta(days=settings.CONFIRMATION_LINK_DAYS).total_seconds()
    monkeypatch.setattr(signing.time, "time", lambda: later + 60)

    response = client.get(url)
    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()
    assert HIDDEN_PERSON not in response.content.decode()
    client.post(url, {"action": "confirm"})
    assert Organisation.objects.get(slug="youth-mopti").verification == "public_sources"


def test_a_link_still_works_the_day_before_it_expires(client, curator, directory, monkeypatch):
    url = create_link(curator, directory["youth-mopti"])
    almost = time.time() + datetime.timedelta(days=13).total_seconds()
    monkeypatch.setattr(signing.time, "time", lambda: almost)
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("tamper", ["change-a-letter", "another-nonce"])
def test_a_forged_link_opens_nothing(client, curator, directory, tamper):
    url = create_link(curator, directory["youth-mopti"])
    token = url.split("/")[3]
    if tamper == "change-a-letter":
        forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    else:  # a valid-looking token for a nonce that exists, signed with another key
        nonce = ConfirmationLink.objects.get().nonce
        forged = signing.dumps(nonce, key="not-the-secret-key", salt="orgs.confirmation-link")
    response = client.get(f"/en/confirm/{forged}/")
    assert response.status_code == 404
    assert HIDDEN_PERSON not in response.content.decode()


def test_proposed_corrections_go_to_the_queue(client, curator, directory):
    org = directory["youth-mopti"]
    url = create_link(curator, org)

    response = client.post(
        url,
        {"action": "correct", "message": "We moved to Mopti town.", "email": "ajm@example.org"},
    )

    assert response.status_code == 200
    submission = Submission.objects.get()
    assert (submission.kind, submission.organisation, submission.message) == (
        "organisation_correction",
        org,
        "We moved to Mopti town.",
    )
    org.refresh_from_db()
    assert org.verification == "public_sources"
    assert client.get(url).status_code == 410


def test_an_empty_correction_is_refused_and_the_link_stays_usable(client, curator, directory):
    url = create_link(curator, directory["youth-mopti"])
    response = client.post(url, {"action": "correct", "message": ""})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert Submission.objects.count() == 0
    assert client.get(url).status_code == 200


def test_only_a_curator_creates_links_and_only_by_post(client, curator, directory):
    org = directory["youth-mopti"]
    url = f"/admin/orgs/organisation/{org.pk}/confirmation-link/"
    assert client.post(url).status_code == 302  # to the login page
    client.force_login(curator)
    assert client.get(url).status_code == 405
    assert ConfirmationLink.objects.count() == 0
    reader = User.objects.create_user("reader", is_staff=True)
    client.force_login(reader)
    assert client.post(url).status_code == 403
    assert ConfirmationLink.objects.count() == 0
