"""`/sitemap.xml` (orgs/sitemaps.py): every public page in both languages, nothing else."""

import xml.etree.ElementTree as ET

from orgs.models import Organisation, Region, Source
from orgs.sitemaps import SITEMAPS

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
BASE = "http://testserver"


def fetch_xml(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    assert response["Cache-Control"] == "public, max-age=0, s-maxage=300"
    return ET.fromstring(response.content)


def read_sitemap(client):
    """{address: {hreflang: alternate address}} of every entry of every file the
    index lists."""
    index = fetch_xml(client, "/sitemap.xml")
    files = [loc.text for loc in index.findall("s:sitemap/s:loc", NS)]
    assert files == [f"{BASE}/sitemap-{name}.xml" for name in SITEMAPS]
    entries = {}
    for file in files:
        for url in fetch_xml(client, file.removeprefix(BASE)).findall("s:url", NS):
            entries[url.findtext("s:loc", namespaces=NS)] = {
                link.get("hreflang"): link.get("href")
                for link in url.findall("x:link", NS)
                if link.get("rel") == "alternate"
            }
    return entries


def test_the_sitemap_lists_every_public_page_in_both_languages(client, directory):
    entries = read_sitemap(client)
    published = list(Organisation.objects.published())
    assert len(published) > 5
    paths = [f"/orgs/{org.slug}/" for org in published]
    paths += [f"/regions/{region.slug}/" for region in Region.objects.all()]
    paths += [f"/sources/{source.slug}/" for source in Source.objects.all()]
    paths += ["/", "/orgs/", "/regions/", "/sources/", "/data/"]
    for path in paths:
        for language in ("fr", "en"):
            assert entries[f"{BASE}/{language}{path}"] == {
                "fr": f"{BASE}/fr{path}",
                "en": f"{BASE}/en{path}",
                "x-default": f"{BASE}{path}",
            }, path
    assert len(entries) == 2 * len(paths)


def test_the_sitemap_lists_no_draft_or_archived_organisation(client, directory):
    entries = read_sitemap(client)
    assert f"{BASE}/en/orgs/youth-mopti/" in entries  # positive control
    unpublished = Organisation.objects.exclude(status=Organisation.Status.PUBLISHED)
    assert {"draft-secret", "archived-old"} <= {org.slug for org in unpublished}
    text = " ".join([*entries, *(href for links in entries.values() for href in links.values())])
    for org in unpublished:
        assert f"/orgs/{org.slug}/" not in text


def test_an_organisation_unpublished_leaves_the_sitemap(client, directory):
    assert f"{BASE}/fr/orgs/gao-women/" in read_sitemap(client)
    Organisation.objects.filter(slug="gao-women").update(status=Organisation.Status.ARCHIVED)
    assert f"{BASE}/fr/orgs/gao-women/" not in read_sitemap(client)


def test_robots_txt_names_the_sitemap(client, directory):
    robots = client.get("/robots.txt").content.decode()
    assert f"Sitemap: {BASE}/sitemap.xml" in robots.splitlines()
