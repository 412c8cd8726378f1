import csv
import io

import hxl
import pytest
from django.http import QueryDict

from orgs.filters import OrganisationFilter
from orgs.models import FocusArea, Organisation, Region

from .conftest import SECRETS, make_org


def download(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response.streaming
    return response, b"".join(response.streaming_content)


def read_csv(body):
    assert body.startswith(b"\xef\xbb\xbf"), "UTF-8 byte order mark, for Excel"
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def test_csv_has_one_row_per_published_organisation(client, directory_data):
    response, body = download(client, "/export/orgs.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="mali-cso-directory.csv"'
    rows = read_csv(body)
    assert [r["slug"] for r in rows] == ["ajcet", "femmes-kidal", "usip"]
    ajcet = rows[0]
    assert list(ajcet) == [
        "slug",
        "name",
        "name_original",
        "acronym",
        "kind",
        "founded",
        "hq_region",
        "hq_town",
        "regions",
        "zones",
        "focus_areas",
        "website",
        "url",
        "updated",
    ]
    assert ajcet["name_original"] == "Association des Jeunes pour la Citoyenneté Engagée"
    assert ajcet["hq_region"] == "Mopti"
    assert ajcet["hq_town"] == "Sévaré"
    assert sorted(ajcet["regions"].split("; ")) == ["Mopti", "Ségou"]
    assert ajcet["zones"] == "centre"
    labels = FocusArea.objects.filter(slug__in=["peacebuilding", "youth"])
    assert sorted(ajcet["focus_areas"].split("; ")) == sorted(f.label_en for f in labels)
    assert ajcet["url"] == "http://testserver/orgs/ajcet/"
    assert ajcet["founded"] == "2005"


def test_csv_applies_the_listing_filters(client, directory_data):
    _response, body = download(client, "/export/orgs.csv?region=kidal&region=segou")
    assert sorted(r["slug"] for r in read_csv(body)) == ["ajcet", "femmes-kidal"]
    _response, body = download(client, "/export/orgs.csv?kind=donor&q=peace")
    assert [r["slug"] for r in read_csv(body)] == ["usip"]


@pytest.mark.parametrize("query", ["q=jeunes", "region=kidal&region=segou", "zone=centre"])
def test_csv_has_the_same_organisations_as_the_listing(client, directory_data, query):
    listing = OrganisationFilter(QueryDict(query), queryset=Organisation.objects.published())
    assert listing.is_valid()
    _response, body = download(client, f"/export/orgs.csv?{query}")
    assert sorted(r["slug"] for r in read_csv(body)) == sorted(o.slug for o in listing.qs)


@pytest.mark.parametrize("url", ["/export/orgs.csv", "/export/orgs.hxl.csv"])
@pytest.mark.parametrize(
    "query", ["region=atlantis", "founded_min=x", "q=a%00b", "q=" + "x" * 10_000]
)
def test_invalid_filters_are_a_400_in_plain_words(client, directory_data, url, query):
    response = client.get(f"{url}?{query}")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert query.split("=")[0] in response.content.decode()


@pytest.mark.parametrize("url", ["/export/orgs.csv", "/export/orgs.hxl.csv"])
def test_exports_never_show_hidden_data(client, directory_data, url):
    _response, body = download(client, url)
    text = body.decode("utf-8")
    for secret in SECRETS:
        assert secret not in text


def test_cells_that_look_like_formulas_are_defused(client, reference_data):
    make_org(name='=HYPERLINK("http://evil")', slug="evil", acronym="+1", name_original="@SUM")
    make_org(name="-2+3", slug="minus", hq_town="\tcmd")
    rows = {r["slug"]: r for r in read_csv(download(client, "/export/orgs.csv")[1])}
    assert rows["evil"]["name"] == '\'=HYPERLINK("http://evil")'
    assert rows["evil"]["acronym"] == "'+1"
    assert rows["evil"]["name_original"] == "'@SUM"
    assert rows["minus"]["name"] == "'-2+3"
    assert rows["minus"]["hq_town"] == "'\tcmd"


def test_hxl_reads_back_with_libhxl_one_row_per_region_of_work(client, directory_data, tmp_path):
    response, body = download(client, "/export/orgs.hxl.csv")
    assert 'filename="mali-cso-directory.hxl.csv"' in response["Content-Disposition"]
    assert body.startswith(b"\xef\xbb\xbf")
    path = tmp_path / "orgs.hxl.csv"
    path.write_bytes(body[3:])
    data = hxl.data(str(path), hxl.InputOptions(allow_local=True)).cache()
    tags = [column.display_tag for column in data.columns]
    for tag in ["#org+code", "#org+name", "#org+acronym", "#org+type", "#adm1+name", "#sector"]:
        assert any(hxl.TagPattern.parse(tag).match(c) for c in data.columns), (tag, tags)
    rows = [
        (row.get("#org+code"), row.get("#adm1+code") or "", row.get("#adm1+name-hq") or "")
        for row in data
    ]
    assert sorted(rows) == [
        ("ajcet", "mopti", "Mopti"),
        ("ajcet", "segou", "Ségou"),
        ("femmes-kidal", "kidal", "Kidal"),
        ("usip", "", ""),
    ]
    hq_towns = {row.get("#org+code"): row.get("#loc+name+hq") or "" for row in data}
    assert hq_towns == {"ajcet": "Sévaré", "femmes-kidal": "", "usip": ""}


def test_export_streams_in_few_queries_whatever_the_size(
    client, reference_data, django_assert_max_num_queries
):
    mopti = Region.objects.get(slug="mopti")
    for i in range(120):
        make_org(name=f"Org {i:03}", slug=f"org-{i:03}", hq_region=mopti).regions.set([mopti])
    with django_assert_max_num_queries(4):
        _response, body = download(client, "/export/orgs.csv")
    assert len(read_csv(body)) == 120
