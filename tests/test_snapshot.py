"""The Data page and the snapshot: all published data in one dated file, written by
the API's own serialisation, under a licence stated wherever the data leaves."""

import json
import re

import pytest
from django.core.management import call_command
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from orgs import licence
from orgs.models import Organisation

from .conftest import PUBLISHED, make_org


@pytest.fixture
def snapshot_dir(settings, tmp_path):
    settings.SNAPSHOT_DIR = tmp_path / "snapshots"
    return settings.SNAPSHOT_DIR


def build():
    call_command("build_snapshot", "--base-url", "http://testserver/", verbosity=0)


def snapshot_link(client):
    page = client.get("/en/data/").content.decode()
    match = re.search(r'<a href="(/data/mali-cso-directory-[0-9-]+\.json)" download>', page)
    return page, match.group(1) if match else None


def test_the_data_page_offers_the_dated_snapshot_with_its_size(client, directory, snapshot_dir):
    page, link = snapshot_link(client)
    assert link is None and "No snapshot has been built yet." in page
    build()
    page, link = snapshot_link(client)
    today = timezone.localdate().isoformat()
    assert link == f"/data/mali-cso-directory-{today}.json"
    size = (snapshot_dir / link.rsplit("/", 1)[1]).stat().st_size
    assert re.search(r"\(JSON, [0-9.,]+\xa0(bytes|KB)\)", page)
    assert size > 1000


def test_the_snapshot_is_what_the_api_serves(client, directory, snapshot_dir):
    build()
    _page, link = snapshot_link(client)
    response = client.get(link)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{link[len("/data/") :]}"'
    assert response["Access-Control-Allow-Origin"] == "*"  # open data, as the API
    assert licence.URL in response["Link"]
    data = json.loads(b"".join(response.streaming_content))
    api = client.get("/api/orgs/?page_size=100").json()["results"]
    assert data["organisations"] == sorted(api, key=lambda org: org["slug"])
    assert [o["slug"] for o in data["organisations"]] == sorted(PUBLISHED)
    assert data["regions"] == client.get("/api/regions/").json()["results"]
    assert data["sources"] == client.get("/api/sources/").json()["results"]
    assert data["licence"]["url"] == licence.URL


def test_an_old_or_unknown_snapshot_name_is_not_found(client, directory, snapshot_dir):
    build()
    (snapshot_dir / "mali-cso-directory-2001-01-01.json").write_text("{}")
    build()  # keeps only the newest
    assert not (snapshot_dir / "mali-cso-directory-2001-01-01.json").exists()
    assert client.get("/data/mali-cso-directory-2001-01-01.json").status_code == 404
    assert client.get("/data/..%2Fsettings.py").status_code == 404


def test_a_bad_base_url_is_refused(snapshot_dir, db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not an http"):
        call_command("build_snapshot", "--base-url", "ftp://x", verbosity=0)
    assert not snapshot_dir.exists()


@pytest.mark.parametrize("url", ["/en/", "/en/orgs/", "/en/regions/", "/en/orgs/jeunes-citoyens/"])
def test_every_page_links_the_data_page_from_its_footer(client, directory, url):
    response = client.get(url)
    assert response.status_code == 200
    footer = re.search(r'<footer class="site">.*?</footer>', response.content.decode(), re.S)
    assert '<a href="/en/data/">Open data</a>' in footer.group(0)


def test_the_data_page_names_the_api_exports_licence_and_citation(client, directory):
    page = client.get("/en/data/").content.decode()
    for part in ['href="/api/orgs/"', 'href="/api/schema/"', 'href="/export/orgs.csv?lang=en"']:
        assert part in page
    assert 'href="/export/orgs.hxl.csv?lang=fr"' in page
    assert f'<a href="{licence.URL}" rel="license">CC BY 4.0</a>' in page
    assert "Mali CSO Directory. http://testserver/ (accessed" in page
    assert "http://testserver/en/orgs/jeunes-citoyens/ (accessed" in page
    french = client.get("/fr/data/").content.decode()
    assert "<h1>Données ouvertes</h1>" in french


def test_the_licence_is_stated_by_the_api_and_the_exports(client, directory):
    for url in ["/api/orgs/", "/api/regions/", "/export/orgs.csv", "/export/orgs.hxl.csv"]:
        assert client.get(url)["Link"] == f'<{licence.URL}>; rel="license"', url
    info = client.get("/api/schema/").json()["info"]
    assert info["license"] == {"name": "CC BY 4.0", "identifier": "CC-BY-4.0"}


def test_the_listing_offers_its_results_as_csv_and_hxl(client, directory):
    page = client.get("/en/orgs/?region=mopti&kind=local_association&page=1").content.decode()
    assert 'href="/export/orgs.csv?region=mopti&amp;kind=local_association&amp;lang=en"' in page
    assert (
        'href="/export/orgs.hxl.csv?region=mopti&amp;kind=local_association&amp;lang=en"' in page
    )


def test_the_data_page_dates_and_sizes_the_file_it_links(client, directory, snapshot_dir):
    """The date in the file's name and its size on disk, not today's or a guess."""
    build()
    [built] = snapshot_dir.glob("mali-cso-directory-*.json")
    dated = built.rename(snapshot_dir / "mali-cso-directory-2024-03-05.json")
    page, link = snapshot_link(client)
    assert link == "/data/mali-cso-directory-2024-03-05.json"
    assert "All published data on March 5, 2024</a>" in page
    assert f"(JSON, {filesizeformat(dated.stat().st_size)})" in page


def test_the_data_pages_example_is_the_first_published_record_by_name(client, directory):
    """Of two records of the same name, the older one: the example does not change
    when the other is edited (PostgreSQL would otherwise read the edited one last)."""
    first = make_org(name="Aaa Example", slug="aaa-example-1")
    make_org(name="Aaa Example", slug="aaa-example-2")
    make_org(name="Aaa Draft", slug="aaa-draft", status="draft")
    Organisation.objects.filter(pk=first.pk).update(founded=2001)  # edited after
    page = client.get("/en/data/").content.decode()
    assert "“Aaa Example”. Mali CSO Directory. http://testserver/en/orgs/aaa-example-1/" in page
