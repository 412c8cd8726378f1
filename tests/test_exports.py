import csv
import datetime
import io

import hxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from orgs import export_rows, exports, public_text
from orgs.exports import COLUMNS, HXL_COLUMNS
from orgs.facets import current_index
from orgs.models import FocusArea, Organisation, Region, Zone

from .conftest import PUBLISHED, SELECTED_BY, make_org


def download(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response.streaming
    return response, b"".join(response.streaming_content)


def read_csv(body):
    assert body.startswith(b"\xef\xbb\xbf"), "UTF-8 byte order mark, for Excel"
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def test_csv_has_one_row_per_published_organisation(client, directory):
    response, body = download(client, "/export/orgs.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="mali-cso-directory.csv"'
    rows = read_csv(body)
    assert [r["slug"] for r in rows] == PUBLISHED
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
        "description_en",
        "description_fr",
        "website",
        "contact_email",
        "contact_phone",
        "contact_address",
        "social_links",
        "url",
        "updated",
    ]
    assert ajcet["name_original"] == "Association des Jeunes pour la Citoyenneté Engagée"
    assert ajcet["hq_region"] == "Mopti"
    assert ajcet["hq_town"] == "Sévaré"
    assert sorted(ajcet["regions"].split("; ")) == ["Mopti", "Segou"]  # English labels
    assert ajcet["zones"] == "centre"
    labels = FocusArea.objects.filter(slug__in=["peacebuilding", "youth"])
    assert sorted(ajcet["focus_areas"].split("; ")) == sorted(f.label_en for f in labels)
    assert ajcet["url"] == "http://testserver/en/orgs/jeunes-citoyens/"  # the page in its language
    assert ajcet["founded"] == "2006"


def test_csv_applies_the_listing_filters(client, directory):
    _response, body = download(client, "/export/orgs.csv?region=kidal&region=segou")
    assert sorted(r["slug"] for r in read_csv(body)) == [
        "femmes-kidal",
        "jeunes-citoyens",
        "prison-mopti",
        "timbuktu-peace",
    ]
    _response, body = download(client, "/export/orgs.csv?kind=donor&q=peace")
    assert [r["slug"] for r in read_csv(body)] == ["peace-institute"]


@pytest.mark.parametrize(
    "query, expected",
    [
        *(
            (query, SELECTED_BY[query])
            for query in ("", "q=jeunes", "region=kidal&region=segou", "zone=centre")
        ),
        ("kind=donor&founded_max=1990", ["donor-fund", "peace-institute"]),
    ],
)
def test_csv_has_the_organisations_the_filters_describe(client, directory, query, expected):
    response, body = download(client, f"/export/orgs.csv?{query}")
    assert response.status_code == 200
    assert sorted(r["slug"] for r in read_csv(body)) == expected


@pytest.mark.parametrize("url", ["/export/orgs.csv", "/export/orgs.hxl.csv"])
@pytest.mark.parametrize(
    "query", ["region=atlantis", "founded_min=x", "q=a%00b", "q=" + "x" * 10_000]
)
def test_invalid_filters_are_a_400_in_plain_words(client, directory, url, query):
    response = client.get(f"{url}?{query}")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert query.split("=")[0] in response.content.decode()


def test_cells_that_look_like_formulas_are_defused(client, reference_data):
    make_org(name='=HYPERLINK("http://evil")', slug="evil", acronym="+1", name_original="@SUM")
    make_org(name="-2+3", slug="minus", hq_town="\tcmd")
    rows = {r["slug"]: r for r in read_csv(download(client, "/export/orgs.csv")[1])}
    assert rows["evil"]["name"] == '\'=HYPERLINK("http://evil")'
    assert rows["evil"]["acronym"] == "'+1"
    assert rows["evil"]["name_original"] == "'@SUM"
    assert rows["minus"]["name"] == "'-2+3"
    assert rows["minus"]["hq_town"] == "'\tcmd"


# Text with every character a CSV or a spreadsheet treats specially.
CELL_TEXT = st.text(alphabet=st.sampled_from("ab, \"'=+-@\t\r\n;é"), max_size=8)


@given(st.lists(CELL_TEXT, min_size=2, max_size=6))
def test_a_line_is_what_the_csv_module_writes_of_defused_cells(cells):
    """The files' own CSV writer against Python's: the same bytes for any cells, a
    formula-like cell defused with a leading quote first."""
    formula = ("=", "+", "-", "@", "\t", "\r")
    defused = ["'" + cell if cell.startswith(formula) else cell for cell in cells]
    expected = io.StringIO()
    csv.writer(expected).writerow(defused)
    assert exports.csv_line(cells) == expected.getvalue()
    assert next(csv.reader(io.StringIO(exports.csv_line(cells), newline=""))) == defused


def read_hxl(body, tmp_path):
    path = tmp_path / "orgs.hxl.csv"
    path.write_bytes(body)
    return hxl.data(str(path), hxl.InputOptions(allow_local=True)).cache()


def hxl_schema(rules):
    """A libhxl schema from rows of {#valid_... hashtag: value}."""
    tags = list(dict.fromkeys(tag for rule in rules for tag in rule))
    return hxl.schema(hxl.data([tags] + [[rule.get(t, "") for t in tags] for rule in rules]))


def directory_schema(language):
    """What a 3W tool expects of the file, from the directory's own reference data."""
    with translation.override(language):
        regions = list(Region.objects.select_related("parent"))
        region_names = [r.label for r in regions]
        kinds = [str(label) for _value, label in Organisation.Kind.choices]
        zones = [str(label) for _value, label in Zone.choices]
    pcodes = sorted({r.pcode for r in regions if r.pcode})
    return hxl_schema(
        [
            {"#valid_tag": "#org+code", "#valid_required": "true"},
            {"#valid_tag": "#org+name", "#valid_required": "true"},
            {"#valid_tag": "#org+type", "#valid_value+list": "|".join(kinds)},
            {"#valid_tag": "#adm1+code", "#valid_value+list": "|".join(pcodes)},
            {"#valid_tag": "#adm1+code", "#valid_value+regex": "^ML[0-9]{2}$"},
            {"#valid_tag": "#adm1+name", "#valid_value+list": "|".join(region_names)},
            {"#valid_tag": "#loc+zone", "#valid_value+list": "|".join(zones)},
            {"#valid_tag": "#date+founded", "#valid_datatype": "number"},
            {"#valid_tag": "#meta+url", "#valid_datatype": "url", "#valid_required": "true"},
            {"#valid_tag": "#org+code", "#valid_unique+key": "#org+code,#adm1+name"},
        ]
    )


def problems(schema, data):
    found = []
    schema.callback = found.append
    schema.validate(data)
    return [f"{p.rule.tag_pattern} {p.message} {p.value!r}" for p in found]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_hxl_passes_libhxl_schema_validation(client, directory, tmp_path, language):
    _response, body = download(client, f"/export/orgs.hxl.csv?lang={language}")
    data = read_hxl(body, tmp_path)
    # One row per region of work, one for an organisation that names none.
    published = Organisation.objects.published()
    assert len(data.values) == sum(max(1, org.regions.count()) for org in published)
    assert problems(directory_schema(language), data) == []


def test_the_schema_check_catches_codes_where_labels_belong(directory, tmp_path):
    """A positive control: the same validation rejects the file this export used to write."""
    old = (
        "slug,kind,region,region_code,url\n#org+code,#org+type,#adm1+name,#adm1+code,#meta+url\n"
        "jeunes-citoyens,local_association,Mopti,mopti,http://testserver/orgs/jeunes-citoyens/\n"
    )
    data = read_hxl(old.encode(), tmp_path)
    found = problems(directory_schema("en"), data)
    assert any("#org+type" in p and "local_association" in p for p in found), found
    assert any("#adm1+code" in p and "mopti" in p for p in found), found


def test_hxl_is_the_3w_shape_with_p_codes(client, directory, tmp_path):
    response, body = download(client, "/export/orgs.hxl.csv")
    assert 'filename="mali-cso-directory.hxl.csv"' in response["Content-Disposition"]
    assert not body.startswith(b"\xef\xbb\xbf"), "no byte order mark in the HXL file"
    data = read_hxl(body, tmp_path)
    assert data.columns[0].display_tag == "#org+code"
    rows = sorted(
        (row.get("#org+code"), row.get("#adm1+code") or "", row.get("#adm1+name") or "")
        for row in data
    )
    expected = [
        (org.slug, region.pcode, region.name_en or region.name)
        for org in Organisation.objects.published()
        for region in org.regions.all()
    ]
    # With no region of work, the pattern #adm1+code finds the headquarters' columns.
    for org in Organisation.objects.published().filter(regions=None):
        hq = org.hq_region
        expected.append((org.slug, hq.pcode, hq.name_en or hq.name) if hq else (org.slug, "", ""))
    assert rows == sorted(expected)
    assert ("jeunes-citoyens", "ML05", "Mopti") in rows  # a control on the reading above
    # A plain #adm1 query means the region of work, not the headquarters.
    by_org = {row.get("#org+code"): row for row in data}
    assert by_org["peace-institute"].get("#adm1") is None
    assert by_org["jeunes-citoyens"].get("#adm1+hq+code") == "ML05"
    hq_towns = {code: row.get("#loc+name+hq") or "" for code, row in by_org.items()}
    # A sensitive organisation's town is never shown.
    assert hq_towns == {
        org.slug: "" if org.sensitive else org.hq_town for org in Organisation.objects.published()
    }
    assert hq_towns["jeunes-citoyens"] == "Sévaré" and hq_towns["femmes-kidal"] == ""
    assert by_org["peace-institute"].get("#org+type") == "Donor or foundation"
    assert not any(c.display_tag.startswith("#region") for c in data.columns)


def test_hxl_sectors_are_a_list_libhxl_splits(client, directory, tmp_path):
    _response, body = download(client, "/export/orgs.hxl.csv?region=mopti")
    row = next(row for row in read_hxl(body, tmp_path) if row.get("#adm1+code") == "ML05")
    expected = FocusArea.objects.filter(slug__in=["peacebuilding", "youth"])
    assert sorted(row.get("#sector", parsed=True)) == sorted(f.label_en for f in expected)


def test_new_regions_carry_their_parents_p_code(client, directory, tmp_path):
    org = Organisation.objects.get(slug="peace-institute")
    org.regions.set(Region.objects.filter(slug__in=["bandiagara", "taoudenit", "menaka"]))
    _response, body = download(client, "/export/orgs.hxl.csv?region=bandiagara")
    rows = {row.get("#adm1+name"): row.get("#adm1+code") for row in read_hxl(body, tmp_path)}
    labels = {r.slug: r.label for r in Region.objects.all()}
    assert rows == {
        labels["bandiagara"]: "ML05",
        labels["taoudenit"]: "ML06",
        labels["menaka"]: "ML10",
    }


def test_the_language_comes_from_the_address_not_the_cookie(client, directory, tmp_path):
    client.cookies["django_language"] = "fr"
    _response, body = download(client, "/export/orgs.hxl.csv?region=mopti")
    english = next(iter(read_hxl(body, tmp_path)))
    assert english.get("#org+type") == "Local association"
    assert english.get("#loc+zone") == "Centre"
    client.cookies.clear()
    _response, body = download(client, "/export/orgs.hxl.csv?region=mopti&lang=fr")
    french = next(iter(read_hxl(body, tmp_path)))
    assert french.get("#org+type") == "Association locale"
    youth = FocusArea.objects.get(slug="youth")
    assert youth.label_fr in french.get("#sector", parsed=True)


def test_an_unknown_language_is_a_400(client, directory):
    response = client.get("/export/orgs.hxl.csv?lang=de")
    assert response.status_code == 400
    assert "lang" in response.content.decode()


def test_export_streams_in_few_queries_whatever_the_size(
    client, reference_data, django_assert_max_num_queries
):
    mopti = Region.objects.get(slug="mopti")
    # Thirty: a query per row, or per few rows, would pass the bound many times over.
    for i in range(30):
        make_org(name=f"Org {i:03}", slug=f"org-{i:03}", hq_region=mopti).regions.set([mopti])
    public_text.current()  # the table of withheld text: built once per change of the data
    current_index()  # the ids, in order: built once per change of the data
    # The data version, regions, focus areas; per chunk of 500: the rows with the ids
    # of their regions and focus areas (and the data version, for withheld text).
    with django_assert_max_num_queries(5):
        response, body = download(client, "/export/orgs.csv")
    assert len(read_csv(body)) == 30
    # A whole file says how many organisations it holds, so a cut one can be told.
    assert response["X-Total-Count"] == "30"


def test_every_cell_is_the_organisation_as_the_public_reads_it(client, reference_data):
    """Whole rows, both files, against cells written out from this test's data: the
    labels, the order of lists, the withheld terms, blanked contacts and defused
    formulas, all in one chunk, with rows that hold withheld terms among rows that
    hold none."""
    from orgs.models import Person

    mopti, segou = Region.objects.get(slug="mopti"), Region.objects.get(slug="segou")
    youth, health = FocusArea.objects.get(slug="youth"), FocusArea.objects.get(slug="health")
    alpha = make_org(
        name="Alpha",
        slug="alpha",
        name_original="Alpha d'origine",
        acronym="ALP",
        kind=Organisation.Kind.NATIONAL_NGO,
        founded=1999,
        hq_region=mopti,
        hq_town="Sévaré",
        description_en="Founded by Awa Hiddenperson. Meets in Gourma.",
        description_fr="=SUM(A1)",
        website="https://alpha.example.org",
        contact_email="alpha@example.org",
        contact_email_public=True,
        contact_phone="+223 76 12 34 56",
        contact_address="BP 12, Mopti",
        contact_address_public=True,
        social_links="https://facebook.com/alpha\nhttps://x.com/alpha",
        social_links_public=True,
    )
    alpha.regions.set([segou, mopti])
    alpha.focus_areas.set([youth, health])
    Person.objects.create(organisation=alpha, name="Awa Hiddenperson", is_public=False)
    beta = make_org(
        name="Beta",
        slug="beta",
        kind=Organisation.Kind.LOCAL_ASSOCIATION,
        hq_region=segou,
        hq_town="Gourma",
        sensitive=True,
        description_en="Plain text.",
        contact_email="beta@example.org",
        contact_email_public=True,
        contact_phone="20 22 33 44",
        contact_phone_public=True,
    )
    beta.regions.set([segou])
    make_org(
        name="Gamma",
        slug="gamma",
        acronym="-G",
        description_en="Call 76123456 or alpha@example.org, not beta@example.org.",
    )
    make_org(name="Draft", slug="draft", status=Organisation.Status.DRAFT)
    updated = {o.slug: o.updated.isoformat() for o in Organisation.objects.all()}
    common = {
        "alpha": {
            "slug": "alpha",
            "name": "Alpha",
            "name_original": "Alpha d'origine",
            "acronym": "ALP",
            "founded": "1999",
            "hq_region": "Mopti",
            "hq_town": "Sévaré",
            "description_en": "Founded by [name withheld]. Meets in [place withheld].",
            "description_fr": "'=SUM(A1)",
            "website": "https://alpha.example.org",
            "contact_email": "alpha@example.org",
            "contact_phone": "",
            "contact_address": "BP 12, Mopti",
            "url": "http://testserver/en/orgs/alpha/",
            "updated": updated["alpha"],
        },
        "beta": {
            "slug": "beta",
            "name": "Beta",
            "name_original": "",
            "acronym": "",
            "founded": "",
            "hq_region": "Segou",
            "hq_town": "",
            "description_en": "Plain text.",
            "description_fr": "",
            "website": "",
            "contact_email": "",
            "contact_phone": "",
            "contact_address": "",
            "url": "http://testserver/en/orgs/beta/",
            "updated": updated["beta"],
        },
        "gamma": {
            "slug": "gamma",
            "name": "Gamma",
            "name_original": "",
            "acronym": "'-G",
            "founded": "",
            "hq_region": "",
            "hq_town": "",
            "description_en": "Call [contact withheld] or alpha@example.org, "
            "not [contact withheld].",
            "description_fr": "",
            "website": "",
            "contact_email": "",
            "contact_phone": "",
            "contact_address": "",
            "url": "http://testserver/en/orgs/gamma/",
            "updated": updated["gamma"],
        },
    }
    csv_only = {
        "alpha": {
            "kind": "national_ngo",
            "regions": "Mopti; Segou",
            "zones": "centre",
            "focus_areas": "Health; Youth",
            "social_links": "https://facebook.com/alpha; https://x.com/alpha",
        },
        "beta": {
            "kind": "local_association",
            "regions": "Segou",
            "zones": "centre",
            "focus_areas": "",
            "social_links": "",
        },
        "gamma": {
            "kind": "local_association",
            "regions": "",
            "zones": "",
            "focus_areas": "",
            "social_links": "",
        },
    }
    assert (health.label_en, youth.label_en) == ("Health", "Youth")  # as written above
    _response, body = download(client, "/export/orgs.csv")
    expected = [{**common[slug], **csv_only[slug]} for slug in ["alpha", "beta", "gamma"]]
    assert read_csv(body) == [{column: row[column] for column in COLUMNS} for row in expected]

    hxl_only = {
        "alpha": {
            "kind": "National NGO",
            "sectors": "Health, Youth",
            "hq_pcode": "ML05",
            "social_links": "https://facebook.com/alpha, https://x.com/alpha",
        },
        "beta": {
            "kind": "Local association",
            "sectors": "",
            "hq_pcode": "ML04",
            "social_links": "",
        },
        "gamma": {"kind": "Local association", "sectors": "", "hq_pcode": "", "social_links": ""},
    }
    where = {
        "mopti": {"region": "Mopti", "region_pcode": "ML05", "zone": "Centre"},
        "segou": {"region": "Segou", "region_pcode": "ML04", "zone": "Centre"},
        None: {"region": "", "region_pcode": "", "zone": ""},
    }
    _response, body = download(client, "/export/orgs.hxl.csv")
    names, tags, *rows = list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))
    assert (names, tags) == ([n for n, _t in HXL_COLUMNS], [t for _n, t in HXL_COLUMNS])
    expected = [
        {**common[slug], **hxl_only[slug], **where[region]}
        for slug, region in [
            ("alpha", "mopti"),
            ("alpha", "segou"),
            ("beta", "segou"),
            ("gamma", None),
        ]
    ]
    assert [dict(zip(names, row, strict=True)) for row in rows] == [
        {name: row[name] for name in names} for row in expected
    ]


def test_a_kind_or_zone_without_a_label_is_written_as_its_code(client, reference_data, tmp_path):
    """A kind or zone the code no longer lists (rows written before it was removed)
    still exports, as its stored code, rather than cutting the file short."""
    mopti = Region.objects.get(slug="mopti")
    make_org(name="Old Kind", slug="old-kind").regions.set([mopti])
    make_org(name="Known Kind", slug="known-kind")
    Organisation.objects.filter(slug="old-kind").update(kind="retired_kind")
    Region.objects.filter(slug="mopti").update(zone="sahel")
    _response, body = download(client, "/export/orgs.hxl.csv")
    rows = {row.get("#org+code"): row for row in read_hxl(body, tmp_path)}
    assert rows["old-kind"].get("#org+type") == "retired_kind"
    assert rows["old-kind"].get("#loc+zone") == "sahel"
    assert rows["known-kind"].get("#org+type") == "Local association"  # a label, as usual


@pytest.mark.parametrize(
    "stored, written",
    [
        # The fraction is left out when it is zero, as datetime.isoformat() does.
        (datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC), "2026-01-02T03:04:05+00:00"),
        (
            datetime.datetime(2026, 1, 2, 3, 4, 5, 7, tzinfo=datetime.UTC),
            "2026-01-02T03:04:05.000007+00:00",
        ),
        # A time given in another zone is written in UTC.
        (
            datetime.datetime(
                2026,
                12,
                31,
                23,
                30,
                0,
                120000,
                tzinfo=datetime.timezone(datetime.timedelta(hours=-2)),
            ),
            "2027-01-01T01:30:00.120000+00:00",
        ),
    ],
)
def test_the_time_of_the_last_change_is_iso_8601_in_utc(
    client, reference_data, tmp_path, stored, written
):
    """Both files write when an organisation last changed as `isoformat()` writes it
    in UTC; the database writes that text, so a whole second and a small fraction
    are the cases where it could differ."""
    make_org(name="Timed", slug="timed").regions.set([Region.objects.get(slug="mopti")])
    Organisation.objects.filter(slug="timed").update(updated=stored)
    assert Organisation.objects.get(slug="timed").updated.isoformat() == written
    if connection.vendor == "postgresql":  # UTC whatever the session's zone (undone at the end)
        with connection.cursor() as cursor:
            cursor.execute("SET TIME ZONE 'America/Bogota'")
    _response, body = download(client, "/export/orgs.csv")
    assert [row["updated"] for row in read_csv(body)] == [written]
    _response, body = download(client, "/export/orgs.hxl.csv")
    assert [row.get("#date+updated") for row in read_hxl(body, tmp_path)] == [written]


def test_a_sector_label_with_a_comma_stays_one_sector(client, directory, tmp_path):
    """libhxl splits #sector+list on commas: a comma inside a label becomes a space."""
    FocusArea.objects.filter(slug="youth").update(label_en="Youth, children")
    _response, body = download(client, "/export/orgs.hxl.csv?region=mopti")
    row = next(
        row
        for row in read_hxl(body, tmp_path)
        if (row.get("#org+code"), row.get("#adm1+code")) == ("jeunes-citoyens", "ML05")
    )
    peace = FocusArea.objects.get(slug="peacebuilding").label_en
    assert row.get("#sector") == f"{peace}, Youth  children"
    assert row.get("#sector", parsed=True) == [peace, "Youth  children"]


def test_an_empty_year_range_exports_a_file_with_no_rows(client, directory):
    """Founded from 2000 until 1990 is a valid question with no answer (as on the listing)."""
    response, body = download(client, "/export/orgs.csv?founded_min=2000&founded_max=1990")
    assert read_csv(body) == []
    assert body.decode("utf-8-sig").startswith("slug,name,")
    assert response["X-Total-Count"] == "0"
    _response, body = download(client, "/export/orgs.csv?founded_min=2000&founded_max=2010")
    slugs = {r["slug"] for r in read_csv(body)}  # the positive control
    assert "jeunes-citoyens" in slugs and "peace-institute" not in slugs  # 2006, 1984


@pytest.mark.parametrize(
    "order, expected",
    [
        ("founded", ["peace-institute", "jeunes-citoyens", "femmes-kidal"]),  # 1984, 2006, 2013
        ("added", ["femmes-kidal", "peace-institute", "jeunes-citoyens"]),  # made last to first
    ],
)
def test_the_export_keeps_the_listings_other_orders(client, directory, order, expected):
    _response, body = download(client, f"/export/orgs.csv?order={order}")
    slugs = [r["slug"] for r in read_csv(body)]
    assert [slug for slug in slugs if slug in expected] == expected


@pytest.mark.parametrize("order", ["founded", "added"])
def test_a_file_in_another_order_counts_published_organisations_only(client, directory, order):
    """The orders the facet index does not hold read their ids in SQL: from the public
    organisations, so the count never tells how many drafts or archived ones there are."""
    assert Organisation.objects.exclude(status=Organisation.Status.PUBLISHED).exists()
    response, body = download(client, f"/export/orgs.csv?order={order}")
    assert sorted(r["slug"] for r in read_csv(body)) == sorted(PUBLISHED)
    assert response["X-Total-Count"] == str(len(PUBLISHED))


def test_the_zones_cell_names_each_zone_of_the_regions_once(client, reference_data):
    """An organisation working across zones: each zone once, in order, like the regions."""
    regions = Region.objects.filter(slug__in=["mopti", "segou", "kidal", "bamako"])
    make_org(name="Across Zones", slug="across-zones").regions.set(regions)
    (row,) = read_csv(download(client, "/export/orgs.csv")[1])
    assert row["regions"] == "Bamako District; Kidal; Mopti; Segou"
    assert row["zones"] == "centre; north; south"


def test_every_problem_with_the_address_is_named_at_once(client, directory):
    response = client.get("/export/orgs.csv?region=atlantis&lang=de")
    assert response.status_code == 400
    first, *problems = response.content.decode().splitlines()
    assert first == "These filters are not valid:"
    assert [line.split(":")[0] for line in problems] == ["region", "lang"]
    assert "atlantis" in problems[0]
    assert problems[1] == "lang: Choose one of: en, fr."


@pytest.mark.parametrize("url", ["/export/orgs.csv", "/export/orgs.hxl.csv"])
def test_a_page_on_another_site_may_read_the_export_and_its_count(client, directory, url):
    response, body = download(client, url)
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Access-Control-Expose-Headers"] == "X-Total-Count"
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    data_rows = rows[2:] if url.endswith(".hxl.csv") else rows[1:]  # after the headers
    assert response["X-Total-Count"] == str(len({row[0] for row in data_rows}))


def test_rows_are_read_and_written_a_part_at_a_time(client, reference_data, monkeypatch):
    """Rows are read CHUNK_SIZE at a time as the body is written, the first chunk before
    the answer starts, and sent BLOCK_ROWS lines to a piece: memory does not grow with
    the directory. Both sizes are 2 here, so that five organisations show it."""
    monkeypatch.setattr(export_rows, "CHUNK_SIZE", 2)
    monkeypatch.setattr(exports, "BLOCK_ROWS", 2)
    for i in range(5):
        make_org(name=f"Org {i}", slug=f"org-{i}")

    # A chunk's ids: one array parameter on PostgreSQL, a list of them on SQLite.
    chunk_filter = '"orgs_organisation"."id" ' + (
        "= ANY(" if connection.vendor == "postgresql" else "IN ("
    )

    def chunks_read(queries):
        return sum(chunk_filter in q["sql"] for q in queries)

    with CaptureQueriesContext(connection) as before_the_body:
        response = client.get("/export/orgs.csv")
    assert response.status_code == 200
    with CaptureQueriesContext(connection) as during_the_body:
        pieces = [piece.decode("utf-8-sig") for piece in response.streaming_content]
    assert (chunks_read(before_the_body), chunks_read(during_the_body)) == (1, 2)
    lines = [len(piece.splitlines()) for piece in pieces]
    assert lines == [1, 2, 2, 1]  # the header, then the rows two by two
    rows = csv.DictReader(io.StringIO("".join(pieces), newline=""))
    assert [row["slug"] for row in rows] == [f"org-{i}" for i in range(5)]


def test_each_set_of_links_has_its_cells_made_once_and_few_sets_are_held(monkeypatch):
    """A row whose regions or focus areas were seen before gets the cells made for
    them then; when MEMO_SIZE sets are held, a new set empties the memory first."""
    made = []

    def cells_of(links):
        made.append(links)
        return f"cells of {links}"

    memory = exports.Remembered(cells_of)
    assert [memory["3,7"], memory["3,7"], memory[None]] == [
        "cells of 3,7",
        "cells of 3,7",
        "cells of None",
    ]
    assert made == ["3,7", None]
    assert memory == {"3,7": "cells of 3,7", None: "cells of None"}
    monkeypatch.setattr(exports.Remembered, "MEMO_SIZE", 2)
    assert memory["9"] == "cells of 9"
    assert memory == {"9": "cells of 9"}, "full: emptied before the new set was added"
    assert memory["3,7"] == "cells of 3,7"
    assert made == ["3,7", None, "9", "3,7"]


@pytest.mark.parametrize("url", ["/export/orgs.csv", "/export/orgs.hxl.csv"])
def test_a_file_is_the_same_when_one_set_of_links_is_held_at_a_time(
    client, directory, monkeypatch, url
):
    """Emptying the memory of cells never changes a cell."""
    _response, whole = download(client, url)
    monkeypatch.setattr(exports.Remembered, "MEMO_SIZE", 1)
    _response, bounded = download(client, url)
    assert bounded == whole
