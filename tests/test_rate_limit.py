"""The hourly limit per address on the public forms: a flood from one address is
refused with the time to try again, another address still gets through, and the
count is kept where every server process sees it."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from orgs.models import Submission

from .test_submissions import CORRECTION, HIDE, SUGGEST, correction, removal, suggestion


@pytest.fixture(autouse=True)
def three_an_hour(settings):
    settings.SUBMISSIONS_PER_HOUR = 3


def next_hours():
    """The window's end, as the page writes it, computed either side of a request."""
    now = timezone.localtime()
    start = now.replace(minute=0, second=0, microsecond=0)
    return {(start + datetime.timedelta(hours=h)).strftime("%H:%M") for h in (1, 2)}


def test_a_flood_from_one_address_is_refused_and_another_address_gets_through(client, directory):
    for n in range(3):
        response = client.post(CORRECTION, correction(message=f"Fix {n}"), REMOTE_ADDR="10.0.0.1")
        assert response.status_code == 302, n

    response = client.post(CORRECTION, correction(message="Fix 4"), REMOTE_ADDR="10.0.0.1")

    assert response.status_code == 429
    page = response.content.decode()
    assert "This address has already sent 3 messages in the last hour" in page
    assert any(f"Please try again after {t} (Mali time)" in page for t in next_hours()), page
    assert 0 < int(response["Retry-After"]) <= 3600
    assert "Fix 4" in page  # what was typed is kept
    assert Submission.objects.count() == 3

    other = client.post(CORRECTION, correction(message="Fix 5"), REMOTE_ADDR="10.0.0.2")
    assert other.status_code == 302
    assert Submission.objects.count() == 4


def test_the_limit_covers_every_form(client, directory):
    client.post(CORRECTION, correction(), REMOTE_ADDR="10.0.0.1")
    client.post(SUGGEST, suggestion(), REMOTE_ADDR="10.0.0.1")
    client.post(HIDE, removal(), REMOTE_ADDR="10.0.0.1")
    assert client.post(SUGGEST, suggestion(), REMOTE_ADDR="10.0.0.1").status_code == 429
    assert client.post(HIDE, removal(), REMOTE_ADDR="10.0.0.1").status_code == 429
    assert Submission.objects.count() == 3


def test_refused_forms_do_not_count(client, directory):
    for _ in range(5):
        assert (
            client.post(CORRECTION, correction(evidence=""), REMOTE_ADDR="10.0.0.1").status_code
            == 200
        )
    assert client.post(CORRECTION, correction(), REMOTE_ADDR="10.0.0.1").status_code == 302


def test_a_bot_filling_the_honeypot_uses_up_its_quota(client, directory):
    for _ in range(3):
        client.post(CORRECTION, correction(homepage="x"), REMOTE_ADDR="10.0.0.1")
    assert client.post(CORRECTION, correction(), REMOTE_ADDR="10.0.0.1").status_code == 429
    assert Submission.objects.count() == 0


def test_the_limit_message_is_in_french(client, directory):
    french = CORRECTION.replace("/en/", "/fr/")
    for _ in range(3):
        client.post(french, correction(), REMOTE_ADDR="10.0.0.1")
    page = client.post(french, correction(), REMOTE_ADDR="10.0.0.1").content.decode()
    assert "Cette adresse a déjà envoyé 3 messages au cours de la dernière heure" in page


def test_the_count_is_in_the_database_every_worker_reads(client, directory):
    client.post(CORRECTION, correction(), REMOTE_ADDR="10.0.0.1")
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM submission_limits")
        keys = [row[0] for row in cursor.fetchall()]
    assert len(keys) == 1 and keys[0].startswith(":1:submissions:")
    assert "10.0.0.1" not in keys[0]  # the address is kept only as a keyed hash


def test_behind_a_proxy_the_configured_header_tells_readers_apart(client, directory, settings):
    settings.CLIENT_ADDRESS_HEADER = "X-Real-IP"
    proxy = {"REMOTE_ADDR": "192.168.0.1"}
    for _ in range(3):
        client.post(CORRECTION, correction(), HTTP_X_REAL_IP="10.0.0.1", **proxy)
    assert (
        client.post(CORRECTION, correction(), HTTP_X_REAL_IP="10.0.0.1", **proxy).status_code
        == 429
    )
    assert (
        client.post(CORRECTION, correction(), HTTP_X_REAL_IP="10.0.0.2", **proxy).status_code
        == 302
    )
