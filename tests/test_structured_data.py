"""JSON-LD on organisation pages (orgs/structured_data.py): schema.org facts read
through the public read model, nothing withheld."""

import html
import json
import re

from orgs.models import Citation, Partnership, Region, Source

from .conftest import HIDDEN_PERSON, SENSITIVE_TOWN, make_org


def json_ld(response):
    assert response.status_code == 200
    scripts = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S
    )
    assert len(scripts) == 1
    return json.loads(scripts[0])


def test_an_organisation_page_describes_it_for_search_engines(client, directory):
    org = directory["youth-mopti"]
    org.name_original = "Association des jeunes de Mopti"
    org.acronym = "AJM"
    org.website = "https://ajm.example.org/"
    org.save()
    org.regions.add(Region.objects.get(slug="segou"))
    network = directory["timbuktu-peace"]
    Partnership.objects.create(organisation=org, relation="member_of", partner=network)
    # Not a membership, and a membership of an unpublished network: neither is named.
    Partnership.objects.create(
        organisation=org, relation="member_of", partner=directory["draft-secret"]
    )

    data = json_ld(client.get("/fr/orgs/youth-mopti/"))

    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "NGO"
    assert data["name"] == "Association des jeunes de Mopti"  # the page's language first
    assert data["alternateName"] == [org.name, "AJM"]
    assert data["url"] == "http://testserver/fr/orgs/youth-mopti/"
    assert data["foundingDate"] == "2005"
    assert data["sameAs"] == ["https://ajm.example.org/"]
    assert sorted(data["areaServed"], key=lambda area: area["name"]) == [
        {
            "@type": "AdministrativeArea",
            "name": "Mopti",
            "url": "http://testserver/fr/regions/mopti/",
        },
        {
            "@type": "AdministrativeArea",
            "name": "Ségou",
            "url": "http://testserver/fr/regions/segou/",
        },
    ]
    assert data["memberOf"] == [
        {
            "@type": "Organization",
            "name": network.name_original or network.name,
            "url": "http://testserver/fr/orgs/timbuktu-peace/",
        }
    ]


def test_names_lead_in_the_page_language(client, directory):
    org = directory["youth-mopti"]
    org.name_original = "Association des jeunes de Mopti"
    org.save()
    network = directory["timbuktu-peace"]
    network.name_original = "Réseau pour la paix de Tombouctou"
    network.save()
    Partnership.objects.create(organisation=org, relation="member_of", partner=network)

    french = json_ld(client.get("/fr/orgs/youth-mopti/"))
    english = json_ld(client.get("/en/orgs/youth-mopti/"))

    assert (french["name"], french["alternateName"]) == (org.name_original, [org.name])
    assert (english["name"], english["alternateName"]) == (org.name, [org.name_original])
    assert french["memberOf"][0]["name"] == "Réseau pour la paix de Tombouctou"
    assert english["memberOf"][0]["name"] == network.name
    assert english["memberOf"][0]["url"] == "http://testserver/en/orgs/timbuktu-peace/"


def test_only_public_contacts_are_given(client, directory):
    org = directory["youth-mopti"]
    org.website = "https://ajm.example.org/"
    org.contact_email = "contact@ajm.example.org"
    org.contact_email_public = True
    org.contact_phone = "+223 20 22 33 44"
    org.contact_phone_public = False
    org.contact_address = "BP 123, Mopti"
    org.contact_address_public = True
    org.social_links = "https://facebook.example/ajm\nhttps://x.example/ajm"
    org.social_links_public = True
    org.save()

    data = json_ld(client.get("/en/orgs/youth-mopti/"))

    assert data["email"] == "contact@ajm.example.org"
    assert data["address"] == "BP 123, Mopti"
    assert data["sameAs"] == [
        "https://ajm.example.org/",
        "https://facebook.example/ajm",
        "https://x.example/ajm",
    ]
    assert "telephone" not in data  # not marked public
    assert "20 22 33 44" not in json.dumps(data)
    # A sensitive organisation gives none, whatever its switches.
    org.sensitive = True
    org.save()
    data = json_ld(client.get("/en/orgs/youth-mopti/"))
    assert data["name"] == org.name  # positive control
    assert not {"email", "address", "telephone"} & set(data)
    assert data["sameAs"] == ["https://ajm.example.org/"]


def test_region_names_follow_the_page_language(client, directory):
    data = json_ld(client.get("/en/orgs/timbuktu-peace/"))
    assert data["@type"] == "NGO"  # a network
    assert {area["name"] for area in data["areaServed"]} == {"Gao", "Kidal"}
    english = json_ld(client.get("/en/orgs/gao-women/"))
    assert "areaServed" not in english and "memberOf" not in english  # none known


def test_a_donor_is_an_organization_not_an_ngo(client, directory):
    data = json_ld(client.get("/en/orgs/donor-fund/"))
    assert data["@type"] == "Organization"
    assert "sameAs" not in data


def test_json_ld_names_no_hidden_person_and_no_sensitive_town(client, directory):
    data = json_ld(client.get("/en/orgs/sensitive-peace/"))
    text = json.dumps(data, ensure_ascii=False)
    assert data["name"] == "Sensitive Peace Committee"  # positive control
    assert {area["name"] for area in data["areaServed"]} == {"Mopti"}
    assert SENSITIVE_TOWN not in text and "Fatoumata" not in text
    youth = json.dumps(json_ld(client.get("/en/orgs/youth-mopti/")), ensure_ascii=False)
    assert "Youth Mopti Association" in youth
    assert HIDDEN_PERSON not in youth and "Oumar Public" not in youth  # no people at all


def test_the_script_cannot_be_closed_by_the_data(client, reference_data):
    org = make_org(slug="tricky", name="Tricky </script><b>Association</b> & co")
    source = Source.objects.create(language="en", slug="s", publisher="p", title="t")
    Citation.objects.create(
        organisation=org, source=source, fact="existence", locator="p. 1", quote="It exists."
    )
    response = client.get("/en/orgs/tricky/")
    page = response.content.decode()
    assert "</script><b>" not in page
    assert json_ld(response)["name"] == org.name
    assert html.escape(org.name) in page  # the heading, escaped
