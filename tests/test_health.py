"""/healthz: what a load balancer sees."""

import pytest
from django.test import Client


@pytest.mark.django_db
def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_sets_no_cookie_and_reads_no_session(client):
    response = client.get("/healthz")
    assert response.cookies == {}
    assert "Vary" not in response or "Cookie" not in response["Vary"]


@pytest.mark.django_db
def test_healthz_answers_a_probe_by_ip_address_not_in_allowed_hosts(settings):
    settings.ALLOWED_HOSTS = ["cso.example.org"]
    client = Client()
    assert client.get("/en/orgs/", HTTP_HOST="10.0.0.7").status_code == 400
    response = client.get("/healthz", HTTP_HOST="10.0.0.7")
    assert response.status_code == 200
    assert response.content == b"ok"


@pytest.mark.django_db
def test_healthz_is_not_redirected_to_https(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["cso.example.org"]
    client = Client(HTTP_HOST="cso.example.org")
    assert client.get("/en/orgs/").status_code == 301
    assert client.get("/healthz").status_code == 200
    assert client.head("/healthz").status_code == 200


@pytest.mark.django_db
def test_healthz_url_is_also_routed_for_reverse():
    from django.urls import reverse

    assert reverse("healthz") == "/healthz"
