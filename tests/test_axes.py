"""Failed admin logins are limited (django-axes), through the real admin login view."""

import pytest
from django.contrib.auth import get_user_model

PASSWORD = "the-right-long-passphrase"


@pytest.fixture
def curator(db):
    return get_user_model().objects.create_superuser("curator", "c@example.org", PASSWORD)


def log_in(client, password):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": "curator", "password": password, "next": "/admin/"},
    )


def test_the_right_password_logs_in(client, curator):
    response = log_in(client, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_wrong_password_shows_the_login_form_again(client, curator):
    response = log_in(client, "wrong")
    assert response.status_code == 200
    assert b"Please enter the correct username and password" in response.content


def test_after_five_failures_the_right_password_is_refused(client, curator):
    statuses = [log_in(client, "wrong").status_code for _attempt in range(5)]
    assert statuses == [200, 200, 200, 200, 429]  # the fifth failure locks
    response = log_in(client, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302  # still sent to the login page


def test_four_failures_do_not_lock_the_curator_out(client, curator):
    for _attempt in range(4):
        log_in(client, "wrong")
    assert log_in(client, PASSWORD).status_code == 302
