"""Organisations' contacts (orgs/contacts.py): hidden unless a curator marks each one
public, shown as mailto: and tel: links when public, checked when typed."""

import csv
import io
import json

import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from orgs import snapshot
from orgs.contacts import fields_for, tel_href, validate_phone, validate_social_links
from orgs.models import Organisation
from orgs.roles import GROUP_NAME

from .conftest import change_form_data, cite, make_org

pytestmark = pytest.mark.django_db

EMAIL = "contact@radio-paix.example"
PHONE = "+223 76 12 34 56"
TEL = "+22376123456"
ADDRESS = "BP 1234, Sévaré"
SOCIAL = "https://www.facebook.com/radio.paix.ml"


def radio(public=(), **overrides):
    """An organisation with every contact filled in; `public` names the ones shown."""
    fields = {
        "slug": "radio",
        "name": "Radio for Peace",
        "contact_email": EMAIL,
        "contact_phone": PHONE,
        "contact_address": ADDRESS,
        "social_links": SOCIAL,
        **{f"{name}_public": True for name in public},
        **overrides,
    }
    org = make_org(**fields)
    cite(org)
    return org


def org_url(language="en"):
    with translation.override(language):
        return reverse("orgs:org_detail", args=["radio"])


def page(client, language="en"):
    response = client.get(org_url(language), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def streamed(response):
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode("utf-8")


ALL = ("contact_email", "contact_phone", "contact_address", "social_links")
VALUES = {
    "contact_email": EMAIL,
    "contact_phone": PHONE,
    "contact_address": ADDRESS,
    "social_links": SOCIAL,
}


def surfaces(client, tmp_path, settings):
    """Every public byte that could carry an organisation's contacts, as text."""
    settings.SNAPSHOT_DIR = tmp_path
    snapshot.build("http://testserver/")
    texts = {
        "page en": page(client, "en"),
        "page fr": page(client, "fr"),
        "api detail": client.get(reverse("api:org_detail", args=["radio"])).content.decode(),
        "api list": client.get(reverse("api:org_list")).content.decode(),
        "csv": streamed(client.get(reverse("exports:orgs_csv"))),
        "hxl": streamed(client.get(reverse("exports:orgs_hxl"))),
        "snapshot": snapshot.latest()[0].read_text("utf-8"),
    }
    return texts


def test_contacts_are_hidden_everywhere_by_default(client, reference_data, tmp_path, settings):
    radio()
    for where, text in surfaces(client, tmp_path, settings).items():
        assert "Radio for Peace" in text, where  # positive control: the record is there
        for name in ALL:
            assert VALUES[name] not in text, (where, name)
        assert "76 12 34 56" not in text and TEL not in text and "22376123456" not in text


def test_a_public_contact_is_shown_everywhere_and_only_that_one(
    client, reference_data, tmp_path, settings
):
    radio(public=["contact_phone", "social_links"])
    texts = surfaces(client, tmp_path, settings)
    for where, text in texts.items():
        assert PHONE in text or TEL in text, where
        assert SOCIAL in text, where
        assert EMAIL not in text and ADDRESS not in text, where
    assert f'<a href="tel:{TEL}">{PHONE}</a>' in texts["page en"]
    assert f'<a href="{SOCIAL}" rel="nofollow noopener">' in texts["page fr"]


def test_public_email_is_a_mailto_link_and_the_address_is_shown(client, reference_data):
    radio(public=["contact_email", "contact_address"])
    text = page(client)
    assert f'<a href="mailto:{EMAIL}">{EMAIL}</a>' in text
    assert ADDRESS in text
    assert "tel:" not in text  # the phone stays hidden


def test_a_sensitive_organisation_shows_no_contact_whatever_its_switches(
    client, reference_data, tmp_path, settings
):
    radio(public=ALL, sensitive=True)
    for where, text in surfaces(client, tmp_path, settings).items():
        for name in ALL:
            assert VALUES[name] not in text, (where, name)


def test_api_and_exports_give_contacts_in_their_own_fields(client, reference_data):
    radio(public=ALL)
    contact = client.get(reverse("api:org_detail", args=["radio"])).json()["contact"]
    assert contact == {
        "email": EMAIL,
        "phone": PHONE,
        "address": ADDRESS,
        "social_links": [SOCIAL],
    }
    row = next(csv.DictReader(io.StringIO(streamed(client.get(reverse("exports:orgs_csv"))))))
    # A leading + is defused for spreadsheets, as every cell that starts like a formula.
    assert [row[name] for name in ALL] == [EMAIL, "'" + PHONE, ADDRESS, SOCIAL]
    hxl_lines = streamed(client.get(reverse("exports:orgs_hxl"))).splitlines()
    tags = next(csv.reader([hxl_lines[1]]))
    for tag in ["#contact+email", "#contact+phone", "#contact+address"]:
        assert tag in tags


def test_backups_keep_hidden_contacts_and_their_switches(reference_data, tmp_path):
    radio(public=["contact_phone"])
    path = tmp_path / "backup.json"
    call_command("export_directory", str(path), verbosity=0)
    [org] = json.loads(path.read_text("utf-8"))["organisations"]
    assert (org["contact_email"], org["contact_email_public"]) == (EMAIL, False)
    assert (org["contact_phone"], org["contact_phone_public"]) == (PHONE, True)


# --- Checked when typed -----------------------------------------------------------


@pytest.fixture
def curator_client(client, db):
    user = User.objects.create_user("aminata", password="not-a-real-password-1", is_staff=True)
    user.groups.add(Group.objects.get(name=GROUP_NAME))
    client.force_login(user)
    return client


def test_bad_contacts_are_refused_with_clear_errors_and_kept(curator_client, reference_data):
    org = radio(contact_email="", contact_phone="", contact_address="", social_links="")
    change = reverse("admin:orgs_organisation_change", args=[org.pk])
    data = change_form_data(curator_client.get(change))
    data.update(
        contact_email="not an address",
        contact_phone="call 555",
        social_links="https://facebook.com/radio\njavascript:alert(1)",
        contact_address="BP 1, Mopti",
    )

    response = curator_client.post(change, data)

    assert response.status_code == 200  # the form again, not a redirect
    errors = response.context["adminform"].form.errors
    assert "Enter a valid email address." in errors["contact_email"]
    assert errors["contact_phone"][0].startswith("Enter a phone number of 6 to 15 digits")
    assert "javascript:alert(1)" in errors["social_links"][0]
    assert "https://facebook.com/radio," not in errors["social_links"][0]
    assert 'value="call 555"' in response.content.decode()  # what was typed is kept
    org.refresh_from_db()
    assert (org.contact_email, org.contact_phone, org.contact_address) == ("", "", "")


def test_good_contacts_are_saved_hidden_until_marked_public(curator_client, reference_data):
    org = radio(contact_email="", contact_phone="", contact_address="", social_links="")
    change = reverse("admin:orgs_organisation_change", args=[org.pk])
    data = change_form_data(curator_client.get(change))
    data.update(contact_email=EMAIL, contact_phone="(+223) 76.12.34.56", social_links=SOCIAL)

    response = curator_client.post(change, data)

    assert response.status_code == 302
    org = Organisation.objects.get(pk=org.pk)
    assert (org.contact_email, org.contact_phone, org.social_links) == (
        EMAIL,
        "(+223) 76.12.34.56",
        SOCIAL,
    )
    assert not (org.contact_email_public or org.contact_phone_public or org.social_links_public)
    assert org.contact_tel == TEL


# --- The checks, one value at a time ------------------------------------------------------

PHONE_REFUSED = (
    "Enter a phone number of 6 to 15 digits, with + and the country code if abroad, such "
    "as +223 20 22 33 44. Only spaces, dots, hyphens and brackets may separate the digits."
)


def refusal(validate, value):
    """The message and code `validate` refuses `value` with, in English."""
    with pytest.raises(ValidationError) as refused, translation.override("en"):
        validate(value)
    (error,) = refused.value.error_list
    with translation.override("en"):
        return str(error.message % (error.params or {})), error.code


@pytest.mark.parametrize(
    "phone",
    [
        "20 22 33",  # 6 digits: the shortest
        "+123 456 789 012 345",  # 15: E.164's longest
        "(+223) 76.12.34.56",
        "+223 20-22-33-44",
    ],
)
def test_a_phone_number_of_6_to_15_digits_and_separators_is_accepted(phone):
    validate_phone(phone)


@pytest.mark.parametrize(
    "phone",
    [
        "12 345",  # 5 digits
        "+123 456 789 012 3456",  # 16
        "call 76 12 34 56",  # digits enough, and words
        "76 12 34 56 ext",
    ],
)
def test_any_other_phone_number_is_refused_and_told_what_is_wanted(phone):
    assert refusal(validate_phone, phone) == (PHONE_REFUSED, "phone")


@pytest.mark.parametrize(
    "phone, href",
    [
        (PHONE, TEL),
        ("(+223) 76.12.34.56", TEL),
        ("20 22 33 44", "20223344"),  # a local number: no +
    ],
)
def test_a_phone_link_holds_the_digits_and_a_leading_plus_only_if_written(phone, href):
    assert tel_href(phone) == href


def test_social_links_are_refused_naming_each_bad_line():
    text = "ftp://radio.example\nhttps://www.facebook.com/radio\n\njavascript:alert(1)"
    assert refusal(validate_social_links, text) == (
        "Give one web address per line, each starting with https://: "
        "ftp://radio.example, javascript:alert(1)",
        "social_links",
    )
    validate_social_links(f"{SOCIAL}\n\n  https://x.com/radio  \n")  # blank lines, spaces


def phone_of(length):
    """A valid phone number of `length` characters (11 digits, then spaces)."""
    return "+223" + " " * (length - 12) + "20223344"


@pytest.mark.parametrize(
    "text, fields",
    [
        ("  fmk@example.org ", {"contact_email": "fmk@example.org"}),
        ("a" * 242 + "@example.org", {"contact_email": "a" * 242 + "@example.org"}),  # 254
        ("a" * 243 + "@example.org", {}),  # 255: longer than the field, left in the submission
        (phone_of(40), {"contact_phone": phone_of(40)}),  # the field's length
        (phone_of(41), {}),
        (SOCIAL, {"social_links": SOCIAL}),
        ("call the radio", {}),
        ("", {}),
        (None, {}),
    ],
)
def test_a_suggested_contact_goes_to_the_field_it_fits_whole_or_to_none(text, fields):
    assert fields_for(text) == fields
