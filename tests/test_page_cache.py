"""The page cache (orgs.page_cache): a repeat of a public page costs one query, a reader
who holds it gets 304, each language and encoding has its own copy, and a curator is
never served from it nor stored in it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from orgs import page_cache
from orgs.models import Organisation
from orgs.page_cache import PageStore, store

from .conftest import make_org


def url(name, language="en", **kwargs):
    with translation.override(language):
        return reverse(name, kwargs=kwargs or None)


def queries_of(client, address, **headers):
    return queries_of_method(client.get, address, **headers)


def kept(client, address, **headers):
    """Whether the page is served from the cache: its one query is the page version."""
    response, count = queries_of(client, address, **headers)
    assert response.status_code == 200
    return count == 1


def queries_of_method(method, address, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = method(address, headers=headers)
    return response, len(queries)


@pytest.fixture
def org(reference_data):
    return make_org(name="Cached Association", slug="cached", website="https://one.example.org")


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("orgs:home", {}),
        ("orgs:org_list", {}),
        ("orgs:org_detail", {"slug": "cached"}),
        ("orgs:region_list", {}),
    ],
)
def test_a_repeated_page_is_served_from_the_cache_in_one_query(
    client, org, language, name, kwargs
):
    address = url(name, language, **kwargs)
    first, rendering = queries_of(client, address)
    assert first.status_code == 200
    assert rendering > 1  # control: the first is rendered
    again, repeat = queries_of(client, address)
    assert repeat == 1  # the page version, nothing else
    assert again.status_code == 200
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
    for header in ("Content-Type", "Content-Language", "Cache-Control", "Content-Security-Policy"):
        assert again[header] == first[header]
    assert again["Content-Language"] == language


def test_another_query_string_is_another_page(client, org):
    listing = url("orgs:org_list")
    client.get(listing)
    response, count = queries_of(client, listing + "?q=cached")
    assert response.status_code == 200 and count > 1


def test_a_reader_who_holds_the_page_gets_304_without_a_body(client, org):
    page = url("orgs:org_detail", slug="cached")
    first = client.get(page)
    assert first.status_code == 200 and first["ETag"].startswith('"')
    held, count = queries_of(client, page, if_none_match=first["ETag"])
    assert held.status_code == 304
    assert held.content == b""
    assert count == 1
    assert held["ETag"] == first["ETag"]
    assert held["Cache-Control"] == first["Cache-Control"]
    other = client.get(page, headers={"if-none-match": '"something-else"'})
    assert other.status_code == 200 and other.content == first.content
    # A changed page gets a new ETag: the old one is answered with the new page.
    Organisation.objects.filter(slug="cached").update(website="https://two.example.org")
    changed = client.get(page, headers={"if-none-match": first["ETag"]})
    assert changed.status_code == 200
    assert b"https://two.example.org" in changed.content
    assert changed["ETag"] != first["ETag"]


def test_the_first_answer_already_carries_its_etag_and_answers_304(client, org):
    page = url("orgs:org_detail", "fr", slug="cached")
    first = client.get(page)
    store.clear()  # rendered again, and the same bytes
    held = client.get(page, headers={"if-none-match": first["ETag"]})
    assert held.status_code == 304


def test_languages_have_their_own_entries_and_etags(client, org):
    english = client.get(url("orgs:org_list", "en"))
    french = client.get(url("orgs:org_list", "fr"))
    assert english.status_code == french.status_code == 200
    assert english["Content-Language"] == "en" and french["Content-Language"] == "fr"
    assert english["ETag"] != french["ETag"]
    again = client.get(url("orgs:org_list", "fr"))
    assert again.content == french.content and again["Content-Language"] == "fr"


def test_each_encoding_has_its_own_entry_with_its_bytes_and_vary(client, org):
    listing = url("orgs:org_list")
    answers = {}
    for accepted in ("identity", "gzip", "br", "gzip, deflate, br, zstd"):
        client.get(listing, headers={"accept-encoding": accepted})
        answers[accepted], count = queries_of(client, listing, accept_encoding=accepted)
        assert count == 1, accepted  # served from the cache
        assert "Accept-Encoding" in answers[accepted]["Vary"]
    assert "Content-Encoding" not in answers["identity"]
    assert answers["gzip"]["Content-Encoding"] == "gzip"
    assert answers["br"]["Content-Encoding"] == "br"
    assert answers["gzip, deflate, br, zstd"]["Content-Encoding"] == "zstd"
    etags = {answer["ETag"] for answer in answers.values()}
    assert len(etags) == 4
    assert b"Cached Association" in answers["identity"].content
    # Two spellings of the same choice share one entry.
    response, count = queries_of(client, listing, accept_encoding="br;q=1.0, identity")
    assert count == 1 and response["ETag"] == answers["br"]["ETag"]


def test_a_curator_is_never_served_from_the_cache_nor_stored(client, org, django_user_model):
    listing = url("orgs:org_list")
    client.get(listing)  # kept for anonymous readers
    kept = len(store.entries)
    assert kept == 1
    user = django_user_model.objects.create_user("curator", password="x-not-used-9")
    client.force_login(user)
    for address in (listing, url("orgs:org_detail", slug="cached")):
        response, count = queries_of(client, address)
        assert response.status_code == 200
        assert count > 1  # rendered for the curator
        assert "ETag" not in response
    assert len(store.entries) == kept


def test_a_reader_with_a_message_waiting_gets_the_page_rendered(client, org):
    listing = url("orgs:org_list")
    client.get(listing)
    client.cookies["messages"] = "anything"
    response, count = queries_of(client, listing)
    assert response.status_code == 200 and count > 1


@pytest.mark.parametrize(
    "forced",
    [{"cache_control": "no-cache"}, {"pragma": "no-cache"}],  # a browser's, HTTP/1.0's
)
def test_a_forced_reload_renders_afresh_and_keeps_it(client, org, forced):
    listing = url("orgs:org_list")
    first = client.get(listing)
    fresh, count = queries_of(client, listing, **forced)
    assert fresh.status_code == 200 and count > 1
    assert fresh["ETag"] == first["ETag"]
    _again, count = queries_of(client, listing)
    assert count == 1


def test_a_form_and_the_data_page_are_never_kept(client, org):
    form = url("orgs:suggest_organisation")
    first = client.get(form)
    assert first.status_code == 200
    assert "ETag" not in first
    assert "no-store" in first["Cache-Control"]  # never_cache: a page with a form
    assert client.get(url("orgs:data")).status_code == 200  # says today's date
    assert len(store.entries) == 0
    client.get(url("orgs:org_list"))
    assert len(store.entries) == 1  # control: a public page is kept


def test_a_missing_page_and_an_unprefixed_address_are_not_kept(client, org):
    assert client.get(url("orgs:org_detail", slug="no-such")).status_code == 404
    assert client.get("/orgs/").status_code == 302
    assert len(store.entries) == 0


def test_each_host_has_its_own_copy_and_an_unknown_host_gets_400(client, org, settings):
    settings.ALLOWED_HOSTS = ["one.example", "two.example"]
    listing = url("orgs:org_list")
    one = client.get(listing, HTTP_HOST="one.example")
    two = client.get(listing, HTTP_HOST="two.example")
    assert b"//one.example/" in one.content and b"//two.example/" in two.content
    assert client.get(listing, HTTP_HOST="two.example").content == two.content
    assert client.get(listing, HTTP_HOST="evil.example").status_code == 400


def test_a_head_request_is_answered_from_the_kept_page(client, org):
    page = url("orgs:org_detail", slug="cached")
    first = client.get(page)
    head, count = queries_of_method(client.head, page)
    assert count == 1
    assert head.status_code == 200 and head.content == b""
    assert head["ETag"] == first["ETag"]
    assert head["Content-Type"] == first["Content-Type"]


def test_a_post_to_a_kept_page_is_answered_by_the_view_not_the_cache(client, org):
    listing = url("orgs:org_list")
    assert client.get(listing).status_code == 200
    response = client.post(listing)
    assert response.status_code == 405
    assert "ETag" not in response


def test_a_page_that_sets_a_cookie_is_never_kept(client, org):
    """A reader whose CSRF cookie is malformed is sent a new one with the page: that
    response is theirs alone, and is neither kept nor given an ETag."""
    listing = url("orgs:org_list")
    client.cookies["csrftoken"] = "malformed"
    response = client.get(listing)
    assert response.status_code == 200
    assert "csrftoken" in response.cookies  # control: the page set a cookie
    assert "ETag" not in response
    assert len(store.entries) == 0
    del client.cookies["csrftoken"]
    _again, count = queries_of(client, listing)
    assert count > 1  # rendered: nothing was kept


@pytest.mark.parametrize(
    "loss",
    [
        pytest.param(
            "DROP TABLE {table}",
            id="its table dropped",
            marks=pytest.mark.skipif(
                connection.vendor != "sqlite",
                reason="on PostgreSQL the failed read ends the test's transaction: a 503",
            ),
        ),
        pytest.param("DELETE FROM {table}", id="its row deleted"),
    ],
)
def test_while_the_page_version_cannot_be_read_pages_are_rendered_and_never_kept(
    client, org, loss
):
    """A page kept then could never be known stale: nothing is kept, nothing served."""
    from orgs import page_version

    with connection.cursor() as cursor:
        cursor.execute(loss.format(table=page_version.TABLE))
    listing = url("orgs:org_list")
    for _ in range(2):
        response, count = queries_of(client, listing)
        assert response.status_code == 200 and b"Cached Association" in response.content
        assert count > 2  # the read of the version, then the page rendered
        assert "ETag" not in response
    assert len(store.entries) == 0


@pytest.mark.parametrize("emptied", [False, True], ids=["new", "emptied by a setting's change"])
def test_the_least_recently_used_pages_go_first_when_the_store_is_full(
    client, org, monkeypatch, settings, emptied
):
    """A store of eight pages' bytes: the ninth pushes out the page read longest ago,
    a page read again moves to the back, and a page stored again is counted once.
    The same once a change of settings has emptied the store: a page rendered under
    other settings is another page."""
    page = url("orgs:org_detail", slug="cached")
    addresses = {n: f"{page}?n={n}" for n in range(1, 10)}
    sizes = {len(client.get(address).content) for address in addresses.values()}
    assert len(sizes) == 1  # control: the nine pages weigh the same
    if emptied:
        monkeypatch.setattr(store, "max_bytes", 8 * sizes.pop())
        assert client.get(addresses[1]).status_code == 200
        settings.X_FRAME_OPTIONS = "SAMEORIGIN"
        assert client.get(addresses[1])["X-Frame-Options"] == "SAMEORIGIN"  # rendered again
        assert kept(client, addresses[1])  # control: and kept
        settings.X_FRAME_OPTIONS = "DENY"
    else:
        monkeypatch.setattr(page_cache, "store", PageStore(max_bytes=8 * sizes.pop()))

    assert [kept(client, addresses[n]) for n in range(1, 9)] == [False] * 8  # full to the byte
    steps = [
        (1, {}, True),  # read again: now the most recent
        (9, {}, False),  # pushes out 2, read longest ago
        (9, {}, True),
        (2, {}, False),  # pushes out 3
        (4, {"cache_control": "no-cache"}, False),  # stored again: nothing pushed out
        (5, {}, True),
        (4, {}, True),
        (3, {}, False),  # pushes out 6
        (6, {}, False),
    ]
    for n, headers, served_from_cache in steps:
        assert kept(client, addresses[n], **headers) == served_from_cache, (n, headers)
