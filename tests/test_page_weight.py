"""Light pages for slow, costly connections: the listing within 14 KB gzipped, the
first view within 30 KB, static files hashed and cached for good, nothing from
third parties."""

import gzip
import re

import pytest
from django.urls import reverse
from django.utils import translation

from orgs.models import FocusArea, Region

from .conftest import make_org

HTML_BUDGET = 14 * 1024
FIRST_VIEW_BUDGET = 30 * 1024


def full_listing(client, language):
    """The listing as a reader first sees it: 25 organisations with every card field."""
    regions = list(Region.objects.all())
    areas = list(FocusArea.objects.all())
    for i in range(40):
        org = make_org(
            name=f"Association des jeunes pour la paix et le développement {i:02}",
            name_original=f"Association des jeunes pour la paix et le développement {i:02}",
            acronym=f"AJPD{i:02}",
            slug=f"ajpd-{i:02}",
            founded=1990 + i % 30,
            hq_region=regions[i % len(regions)],
            hq_town="Sévaré",
        )
        org.regions.set(regions[i % 7 : i % 7 + 3])
        org.focus_areas.set(areas[i % 5 : i % 5 + 3])
    with translation.override(language):
        url = reverse("orgs:org_list")
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<html lang="{language}">' in page
    assert page.count('<li class="card">') == 25
    return response


def fetch(client, url):
    response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200, url
    return response, b"".join(response.streaming_content)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_listing_and_its_stylesheet_fit_the_budgets(client, reference_data, language):
    response = full_listing(client, language)
    html = response.content
    html_gzipped = len(gzip.compress(html, compresslevel=6))
    print(f"listing ({language}): {len(html)} bytes, {html_gzipped} gzipped")
    assert html_gzipped <= HTML_BUDGET, html_gzipped

    page = html.decode()
    assert not re.search(r"<script|<img|<iframe|@import", page)
    assets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
    icon = re.findall(r"<link[^>]+>", page)[0]
    assert icon.startswith('<link rel="icon" type="image/svg+xml" href="data:')  # no fetch
    assert len(assets) == 1 and assets[0].startswith("/static/css/site.")

    total = html_gzipped
    for url in assets:
        asset, body = fetch(client, url)
        assert asset["Content-Encoding"] == "gzip"
        assert b"url(" not in gzip.decompress(body)  # no fonts or images pulled in
        total += len(body)
    print(f"first view ({language}): {total} bytes gzipped")
    assert total <= FIRST_VIEW_BUDGET, total


def test_static_files_have_hashed_names_and_far_future_cache_headers(client, reference_data):
    page = client.get("/en/").content.decode()
    (css,) = re.findall(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', page)
    response, _ = fetch(client, css)
    cache = response["Cache-Control"]
    assert "immutable" in cache
    assert int(re.search(r"max-age=(\d+)", cache).group(1)) >= 365 * 24 * 3600


def test_no_page_requests_anything_from_another_site(client, directory):
    for url in ["/en/", "/en/orgs/", "/en/orgs/youth-mopti/", "/en/regions/", "/en/sources/"]:
        page = client.get(url).content.decode()
        for tag in re.findall(r"<(?:link|script|img|iframe|source)\b[^>]*>", page):
            if 'href="data:' in tag:
                continue  # inline, fetched from nowhere (the favicon)
            if re.search(r'rel="(canonical|alternate)"', tag):
                continue  # names this page's addresses; a browser fetches nothing
            assert "//" not in tag, (url, tag)
