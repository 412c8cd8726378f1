"""Titles, descriptions and Open Graph tags (templates/base.html with the `capture`
tag of orgs/templatetags/page_meta.py): what a search result or a shared link shows."""

import html
import re

import pytest
from django.utils import translation
from django.utils.text import capfirst

from orgs.models import Citation


def head(response):
    assert response.status_code == 200
    return response.content.decode().split("</head>")[0]


def og(page):
    """{property: [content, …]} of the page's Open Graph tags."""
    found = {}
    for prop, content in re.findall(r'<meta property="(og:[^"]+)" content="([^"]*)">', page):
        found.setdefault(prop, []).append(html.unescape(content))
    return found


def title(page):
    return html.unescape(re.search(r"<title>(.*?)</title>", page, re.S)[1])


def description(page):
    return html.unescape(re.search(r'<meta name="description" content="([^"]*)">', page)[1])


def test_a_filtered_listing_is_titled_and_shared_with_its_filters_and_page(client, directory):
    page = head(client.get("/fr/orgs/?region=mopti&focus=youth&page=1"))
    assert title(page) == "Mopti, Jeunesse · Organisations · Répertoire des OSC du Mali"
    assert og(page) == {
        "og:title": ["Mopti, Jeunesse · Organisations"],
        "og:description": [description(page)],
        "og:url": ["http://testserver/fr/orgs/?region=mopti&focus=youth&page=1"],
        "og:type": ["website"],
        "og:site_name": ["Répertoire des OSC du Mali"],
        "og:locale": ["fr_FR"],
        "og:locale:alternate": ["en_GB"],
    }
    # youth-mopti, prison-mopti, sensitive-peace and jeunes-citoyens (tests/conftest.py)
    assert description(page).startswith("4 organisations de la société civile au Mali")


def test_an_organisation_page_is_shared_under_its_name_and_facts(client, directory):
    page = head(client.get("/en/orgs/prison-mopti/"))
    tags = og(page)
    assert tags["og:title"] == ["Prison Mopti Association"]
    assert tags["og:url"] == ["http://testserver/en/orgs/prison-mopti/"]
    assert tags["og:locale"] == ["en_GB"] and tags["og:locale:alternate"] == ["fr_FR"]
    assert tags["og:description"] == [description(page)]
    assert "founded 1998" in description(page)
    assert title(page) == "Prison Mopti Association · Mali CSO Directory"


def test_the_home_page_has_the_sites_description(client, directory):
    page = head(client.get("/en/"))
    assert og(page)["og:site_name"] == ["Mali CSO Directory"]
    assert og(page)["og:description"] == [description(page)]
    assert len(description(page)) > 60


def test_pages_that_are_not_shared_have_no_open_graph(client, directory):
    """The confirmation page is private; an error page has no address to share."""
    missing = client.get("/en/orgs/no-such-organisation/")
    assert missing.status_code == 404
    assert "og:title" not in missing.content.decode()
    assert 'rel="canonical"' not in missing.content.decode()
    assert "og:title" in client.get("/en/orgs/").content.decode()  # positive control


@pytest.mark.parametrize(("language", "colon"), [("en", ": "), ("fr", " : ")])
def test_a_colon_is_spaced_as_the_pages_language_writes_it(client, directory, language, colon):
    """French sets a space before a colon, English none: a colon written into the code
    once gave French pages the English one."""
    listing = head(client.get(f"/{language}/orgs/?region=mopti"))
    assert re.search(rf"\S{colon}Mopti\. ", description(listing))
    page = client.get(f"/{language}/orgs/youth-mopti/")
    summary = description(head(page))
    assert re.match(rf"[^:]*\S{colon}\S", summary), summary
    with translation.override(language):
        label = capfirst(Citation.Fact.REGION.label)
    assert f"<strong>{label}</strong>{colon}Mopti</p>" in html.unescape(page.content.decode())
