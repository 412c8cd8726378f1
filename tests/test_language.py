"""The language is in the address (orgs/language.py), and what follows from it: every
page is the same bytes for every reader, so it sets no cookie, may be kept by a shared
cache (orgs/caching.py) and is compressed (orgs/compression.py). The walk over every
public page, for its links, cookies and cache policy, is in tests/test_privacy_crawl.py,
which fetches every page anyway."""

import gzip
import html
import re

import brotli
import pytest
import zstandard

from orgs.caching import PUBLIC_MAX_AGE

from .test_privacy_crawl import links

PUBLIC_CACHE = f"public, max-age=0, s-maxage={PUBLIC_MAX_AGE}"


@pytest.mark.parametrize(
    "accept, expected",
    [
        ("fr-FR,fr;q=0.9,en;q=0.8", "/fr/"),
        ("en-GB,en;q=0.9,fr;q=0.5", "/en/"),
        ("fr;q=0.4, en;q=0.8", "/en/"),  # by preference, not by order
        ("de-DE, en;q=0.5", "/en/"),  # the first of ours it names
        ("de-DE,de;q=0.9", "/fr/"),  # names neither: French, the readers' first language
        ("", "/fr/"),
    ],
)
def test_the_root_redirects_by_accept_language(client, directory, accept, expected):
    client.cookies["django_language"] = "en"  # an old cookie is not read
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 302
    assert response["Location"] == expected
    assert response["Vary"] == "Accept-Language"
    assert response["Cache-Control"] == PUBLIC_CACHE
    assert response.cookies == {}


@pytest.mark.parametrize(
    "old, accept, new",
    [
        (
            "/orgs/?region=mopti&focus=youth&page=2",
            "en",
            "/en/orgs/?region=mopti&focus=youth&page=2",
        ),
        ("/orgs/?q=paix", "fr", "/fr/orgs/?q=paix"),
        ("/orgs/youth-mopti/", "fr", "/fr/orgs/youth-mopti/"),
        ("/orgs/youth-mopti", "en", "/en/orgs/youth-mopti/"),
        ("/regions/mopti/?page=1", "en", "/en/regions/mopti/?page=1"),
        ("/sources/report-2019/", "fr", "/fr/sources/report-2019/"),
        ("/data/", "fr", "/fr/data/"),
        ("/suggest-organisation/", "en", "/en/suggest-organisation/"),
    ],
)
def test_old_addresses_redirect_to_the_prefixed_ones_with_their_query(
    client, directory, old, accept, new
):
    response = client.get(old, HTTP_ACCEPT_LANGUAGE=accept)
    assert (response.status_code, response["Location"]) == (302, new)
    assert client.get(new).status_code == 200


def test_an_unknown_address_is_not_redirected(client, directory):
    response = client.get("/nowhere/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 404
    assert client.get("/fr/orgs/draft-secret/").status_code == 404


@pytest.mark.parametrize(
    "url",
    ["/api/orgs/", "/export/orgs.csv", "/healthz", "/robots.txt", "/favicon.ico"],
)
def test_machine_addresses_stay_unprefixed(client, directory, url):
    assert client.get(url, HTTP_ACCEPT_LANGUAGE="fr").status_code == 200
    assert client.get("/fr" + url).status_code == 404


def test_the_admin_stays_unprefixed(client, directory):
    response = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert client.get("/fr/admin/").status_code == 404


def test_a_filtered_page_links_itself_and_its_other_language(client, directory):
    page = client.get("/fr/orgs/?region=mopti&page=1").content.decode()
    assert links(page) == {
        "canonical": "http://testserver/fr/orgs/?region=mopti&page=1",
        "fr": "http://testserver/fr/orgs/?region=mopti&page=1",
        "en": "http://testserver/en/orgs/?region=mopti&page=1",
        "x-default": "http://testserver/orgs/?region=mopti&page=1",
    }


def test_the_language_switch_keeps_filters_and_page(client, directory):
    page = client.get("/fr/orgs/?region=mopti&focus=youth&page=1").content.decode()
    switch = re.search(r'<p class="lang">\s*<a href="([^"]+)" hreflang="en" lang="en">', page)
    assert html.unescape(switch[1]) == "/en/orgs/?region=mopti&focus=youth&page=1"
    english = client.get(html.unescape(switch[1]))
    assert english.status_code == 200
    assert '<html lang="en">' in english.content.decode()


def test_the_listing_export_links_carry_the_filters_and_the_language(client, directory):
    page = html.unescape(client.get("/fr/orgs/?region=mopti&kind=national_ngo").content.decode())
    assert 'href="/export/orgs.csv?region=mopti&kind=national_ngo&lang=fr"' in page
    assert 'href="/export/orgs.hxl.csv?region=mopti&kind=national_ngo&lang=fr"' in page
    english = html.unescape(client.get("/en/orgs/").content.decode())
    assert 'href="/export/orgs.csv?lang=en"' in english


DECODERS = {
    "br": brotli.decompress,
    "gzip": gzip.decompress,
    "zstd": lambda data: zstandard.ZstdDecompressor().decompressobj().decompress(data),
}


@pytest.mark.parametrize("url", ["/fr/orgs/", "/en/orgs/", "/fr/orgs/youth-mopti/"])
@pytest.mark.parametrize("encoding", DECODERS)
def test_compressed_pages_decode_to_the_same_html(client, directory, url, encoding):
    plain = client.get(url)
    assert "Content-Encoding" not in plain
    response = client.get(url, HTTP_ACCEPT_ENCODING=encoding)
    assert response["Content-Encoding"] == encoding
    assert len(response.content) < len(plain.content) / 2
    assert DECODERS[encoding](response.content) == plain.content
    assert response["Vary"] == "Accept-Encoding"
    assert response["Cache-Control"] == PUBLIC_CACHE


def test_brotli_is_preferred_to_gzip(client, directory):
    response = client.get("/fr/orgs/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert response["Content-Encoding"] == "br"


@pytest.mark.parametrize(
    "url",
    [
        "/fr/orgs/youth-mopti/suggest-correction/",
        "/en/orgs/youth-mopti/ask-to-hide/",
        "/fr/suggest-organisation/",
    ],
)
def test_a_forms_answer_to_a_post_is_not_compressed_and_its_page_is(client, directory, url):
    """Against BREACH: the answer echoes what was typed, and could hold a secret."""
    page = client.get(url, HTTP_ACCEPT_ENCODING="gzip, br")
    assert page.status_code == 200
    assert page["Content-Encoding"] == "br"  # the form's page holds no secret
    typed = "typed.by.the.reader@example.org"  # every form has the field
    answer = client.post(url, {"email": typed}, HTTP_ACCEPT_ENCODING="gzip, br")
    assert answer.status_code == 200  # refused (fields missing), shown again
    assert typed in answer.content.decode()
    assert "Content-Encoding" not in answer


def test_the_admin_is_not_compressed(admin_client, directory):
    response = admin_client.get("/admin/orgs/organisation/", HTTP_ACCEPT_ENCODING="gzip, br")
    assert response.status_code == 200
    assert len(response.content) > 1000
    assert "Content-Encoding" not in response
    assert "no-store" in response["Cache-Control"]
