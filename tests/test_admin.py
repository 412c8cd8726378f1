"""The curators' admin, through its real views, logged in as a curator."""

import datetime
import html
import re
import threading

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db import connection, connections
from django.forms.models import BaseInlineFormSet
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.formats import localize

from orgs import locking
from orgs.admin import OrganisationAdmin
from orgs.models import Citation, FocusArea, Organisation, Partnership, Person, Region, Source
from orgs.roles import GROUP_NAME
from orgs.search_upkeep import update_search_text

from .conftest import change_form_data, cite, form_data, make_org
from .world_cache import cached_world

CHANGELIST = "/admin/orgs/organisation/"


def admin_url(obj, view="change"):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[obj.pk])


def change_url(obj):
    return admin_url(obj)


@pytest.fixture
def curator(db):
    user = User.objects.create_user("aminata", password="not-a-real-password-1", is_staff=True)
    user.groups.add(Group.objects.get(name=GROUP_NAME))
    return user


@pytest.fixture
def curator_client(client, curator):
    client.force_login(curator)
    return client


@pytest.fixture
def source(db):
    return Source.objects.create(
        language="en",
        slug="peace-direct-2021",
        publisher="Peace Direct",
        title="Local peacebuilding in Mali",
    )


def names_listed(response):
    return sorted(org.name for org in response.context["cl"].result_list)


# --- Roles ---------------------------------------------------------------------------


def test_curator_group_has_exactly_the_curator_permissions(db):
    codenames = set(
        Group.objects.get(name=GROUP_NAME).permissions.values_list("codename", flat=True)
    )
    assert codenames == {
        "add_organisation",
        "change_organisation",
        "view_organisation",
        "add_partnership",
        "change_partnership",
        "delete_partnership",
        "view_partnership",
        "add_person",
        "change_person",
        "delete_person",
        "view_person",
        "add_citation",
        "change_citation",
        "delete_citation",
        "view_citation",
        "add_source",
        "change_source",
        "view_source",
        "view_region",
        "view_focusarea",
        "change_submission",
        "view_submission",
        "add_confirmationlink",
        "view_confirmationlink",
    }


@pytest.mark.parametrize(
    "url", ["/admin/auth/user/", "/admin/auth/group/", "/admin/auth/user/add/"]
)
def test_curator_cannot_reach_user_management(curator_client, url):
    assert curator_client.get(url).status_code == 403


def test_curator_cannot_delete_an_organisation_or_a_source(curator_client, source):
    org = make_org()
    assert curator_client.get(admin_url(org, "delete")).status_code == 403
    assert curator_client.get(admin_url(source, "delete")).status_code == 403
    assert Organisation.objects.filter(pk=org.pk).exists()


def test_non_staff_user_is_sent_to_the_admin_login(client, db):
    user = User.objects.create_user("reader", password="not-a-real-password-1")
    client.force_login(user)
    response = client.get(CHANGELIST)
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


def test_anonymous_visitor_is_sent_to_the_admin_login(client, db):
    response = client.get(CHANGELIST)
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


def test_curator_sees_the_admin_pages_they_work_in(curator_client, reference_data, source):
    org = make_org(hq_region=Region.objects.first())
    for url in [
        "/admin/",
        CHANGELIST,
        "/admin/orgs/organisation/add/",
        change_url(org),
        admin_url(org, "history"),
        "/admin/orgs/source/",
        change_url(source),
        "/admin/orgs/region/",
        "/admin/orgs/person/",
        "/admin/orgs/partnership/",
        "/admin/orgs/citation/",
    ]:
        assert curator_client.get(url).status_code == 200, url


# --- Actions -------------------------------------------------------------------------


def run_action(client, action, *orgs):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [str(org.pk) for org in orgs]},
        follow=True,
    )


@pytest.mark.parametrize(
    ("action", "start", "end"),
    [
        ("publish", Organisation.Status.DRAFT, Organisation.Status.PUBLISHED),
        ("unpublish", Organisation.Status.PUBLISHED, Organisation.Status.DRAFT),
        ("archive", Organisation.Status.PUBLISHED, Organisation.Status.ARCHIVED),
    ],
)
def test_status_actions_change_status_and_record_who(curator_client, curator, action, start, end):
    first = make_org(name="First", slug="first", status=start)
    second = make_org(name="Second", slug="second", status=start)
    untouched = make_org(name="Untouched", slug="untouched", status=start)
    for org in (first, second, untouched):
        cite(org)

    response = run_action(curator_client, action, first, second)

    assert response.status_code == 200
    assert "2 organisations" in response.content.decode()
    assert set(Organisation.objects.filter(status=end).values_list("name", flat=True)) == {
        "First",
        "Second",
    }
    untouched.refresh_from_db()
    assert untouched.status == start
    last = first.history.first()
    assert last.status == end
    assert last.history_user == curator


def test_record_check_sets_curator_today_and_who(curator_client, curator):
    from_sources = make_org(name="From sources", slug="from-sources")
    confirmed = make_org(
        name="Confirmed",
        slug="confirmed",
        verification=Organisation.Verification.ORGANISATION,
        last_checked=datetime.date(2020, 1, 1),
    )

    run_action(curator_client, "record_check", from_sources, confirmed)

    today = timezone.localdate()
    from_sources.refresh_from_db()
    confirmed.refresh_from_db()
    assert from_sources.verification == Organisation.Verification.CURATOR
    assert (from_sources.last_checked, from_sources.checked_by) == (today, curator)
    # A check does not demote a confirmation by the organisation; it renews it.
    assert confirmed.verification == Organisation.Verification.ORGANISATION
    assert (confirmed.last_checked, confirmed.checked_by) == (today, curator)
    assert not confirmed.check_lapsed


def test_record_confirmation_marks_confirmed_by_the_organisation(curator_client, curator):
    org = make_org()
    run_action(curator_client, "record_confirmation", org)
    org.refresh_from_db()
    assert org.verification == Organisation.Verification.ORGANISATION
    assert (org.last_checked, org.checked_by) == (timezone.localdate(), curator)


def test_saving_the_form_is_not_a_check(curator_client):
    checked = datetime.date(2022, 3, 1)
    org = make_org(verification=Organisation.Verification.CURATOR, last_checked=checked)
    cite(org)
    data = change_form_data(curator_client.get(change_url(org)))
    data["description_en"] = "Runs radio programmes on reconciliation."

    response = curator_client.post(change_url(org), data)

    assert response.status_code == 302
    org.refresh_from_db()
    assert org.description_en == "Runs radio programmes on reconciliation."
    assert (org.verification, org.last_checked, org.checked_by) == (
        Organisation.Verification.CURATOR,
        checked,
        None,
    )


# --- Changelist: filters, search, columns, queries -----------------------------------


@pytest.fixture
@cached_world
def varied_orgs(reference_data, source):
    """Organisations that differ in every way the changelist filters on."""
    north = Region.objects.filter(zone="north").first()
    south = Region.objects.filter(zone="south").first()
    focus = FocusArea.objects.first()
    old = timezone.localdate() - datetime.timedelta(days=800)
    recent = timezone.localdate() - datetime.timedelta(days=30)
    orgs = {
        "Nord Draft": make_org(name="Nord Draft", slug="nord", status="draft"),
        "Sud Network": make_org(name="Sud Network", slug="sud", kind="network"),
        "Lapsed Check": make_org(
            name="Lapsed Check", slug="lapsed", verification="curator", last_checked=old
        ),
        "Fresh Check": make_org(
            name="Fresh Check", slug="fresh", verification="curator", last_checked=recent
        ),
    }
    orgs["Nord Draft"].regions.add(north)
    orgs["Nord Draft"].focus_areas.add(focus)
    orgs["Sud Network"].regions.add(south)
    for org in orgs.values():
        if org.name != "Sud Network":
            Citation.objects.create(
                organisation=org, source=source, fact="existence", locator="p. 3", quote="Q."
            )
    return {"orgs": orgs, "north": north, "south": south, "focus": focus}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=draft", ["Nord Draft"]),
        ("kind=network", ["Sud Network"]),
        ("zone=north", ["Nord Draft"]),
        ("zone=south", ["Sud Network"]),
        ("verification=lapsed", ["Lapsed Check"]),
        ("verification=curator", ["Fresh Check", "Lapsed Check"]),
        ("verification=public_sources", ["Nord Draft", "Sud Network"]),
        ("cited=no", ["Sud Network"]),
        ("cited=yes", ["Fresh Check", "Lapsed Check", "Nord Draft"]),
    ],
)
def test_changelist_filters(curator_client, varied_orgs, query, expected):
    response = curator_client.get(f"{CHANGELIST}?{query}")
    assert response.status_code == 200
    assert names_listed(response) == expected


def test_changelist_filters_by_region_and_focus_area(curator_client, varied_orgs):
    by_region = curator_client.get(f"{CHANGELIST}?regions__id__exact={varied_orgs['south'].pk}")
    by_focus = curator_client.get(f"{CHANGELIST}?focus_areas__id__exact={varied_orgs['focus'].pk}")
    assert names_listed(by_region) == ["Sud Network"]
    assert names_listed(by_focus) == ["Nord Draft"]


def test_changelist_shows_status_regions_and_last_check(curator_client, varied_orgs):
    content = curator_client.get(CHANGELIST).content.decode()
    assert varied_orgs["north"].name in content
    assert "Draft" in content
    assert "check lapsed" in content
    assert (timezone.localdate() - datetime.timedelta(days=30)).strftime("%Y") in content


def test_changelist_search_ignores_accents_and_finds_french_names_and_acronyms(curator_client, db):
    make_org(
        name="Women's Network for Peace",
        name_original="Réseau des Femmes pour la Paix",
        acronym="REFEP",
        slug="refep",
    )
    make_org(name="Association Élan", slug="elan")
    make_org(name="Unrelated", slug="unrelated")
    update_search_text(Organisation.objects.all())

    for term, expected in [
        ("reseau femmes", ["Women's Network for Peace"]),
        ("RÉSEAU", ["Women's Network for Peace"]),
        ("refep", ["Women's Network for Peace"]),
        ("elan", ["Association Élan"]),
        ("Élan", ["Association Élan"]),
    ]:
        assert names_listed(curator_client.get(CHANGELIST, {"q": term})) == expected, term


@pytest.mark.parametrize("per_page", [25, 100])
def test_changelist_query_count_is_fixed_whatever_the_page_size(
    curator_client, reference_data, django_assert_max_num_queries, monkeypatch, per_page
):
    regions = list(Region.objects.all()[:3])
    orgs = Organisation.objects.bulk_create(
        Organisation(name=f"Org {n:03}", slug=f"org-{n:03}", kind="network", hq_region=regions[0])
        for n in range(110)
    )
    through = Organisation.regions.through
    through.objects.bulk_create(
        through(organisation=org, region=region) for org in orgs for region in regions
    )
    monkeypatch.setattr(OrganisationAdmin, "list_per_page", per_page)

    # Session, user, the user's and group's permissions, the region and focus area
    # filter choices, two counts, the page, its regions: 10, whatever the page size.
    with django_assert_max_num_queries(10) as captured:
        response = curator_client.get(CHANGELIST)

    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == per_page
    print(f"organisation changelist, {per_page} rows: {len(captured)} queries")


# --- The change form ------------------------------------------------------------------


def test_change_form_shows_citations_next_to_what_they_support(
    curator_client, reference_data, source
):
    org = make_org()
    region = Region.objects.get(slug="mopti") if Region.objects.filter(slug="mopti") else None
    region = region or Region.objects.first()
    org.regions.add(region)
    Citation.objects.create(
        organisation=org,
        source=source,
        fact="region",
        region=region,
        locator="Section 4",
        quote="The association works across the region.",
    )
    content = curator_client.get(change_url(org)).content.decode()
    regions_section = content[content.index("Regions of work") :]
    regions_section = regions_section[: regions_section.index("Focus areas")]
    assert "The association works across the region." in regions_section
    assert "Section 4" in regions_section


def test_change_form_shows_partnerships_naming_it_with_a_link(curator_client, db):
    funder = make_org(name="Funder", slug="funder", kind="donor")
    grantee = make_org(name="Grantee", slug="grantee")
    Partnership.objects.create(organisation=grantee, relation="funded_by", partner=funder)

    content = curator_client.get(change_url(funder)).content.decode()

    assert "partnerships naming it" in content.lower()
    assert f'href="{change_url(grantee)}"' in content
    assert "funds" in content


def test_change_form_warns_plainly_next_to_the_people_switch(curator_client, db):
    org = make_org(sensitive=True)
    Person.objects.create(organisation=org, name="A. Traoré")
    content = curator_client.get(change_url(org)).content.decode()
    assert "People are hidden from the public unless you tick" in content
    assert "marked sensitive: none of its people is shown publicly" in content


def test_citation_without_its_subject_is_refused_with_a_clear_message(
    curator_client, reference_data, source
):
    org = make_org()
    data = change_form_data(curator_client.get(change_url(org)))
    data.update(
        {
            "citations-TOTAL_FORMS": "1",
            "citations-0-fact": "region",
            "citations-0-source": str(source.pk),
            "citations-0-locator": "p. 2",
            "citations-0-quote": "Works in Mopti.",
            "citations-0-organisation": str(org.pk),
        }
    )
    response = curator_client.post(change_url(org), data)
    assert response.status_code == 200
    assert "A citation of this fact must name it here." in response.content.decode()
    assert not Citation.objects.exists()


# --- No lost edits --------------------------------------------------------------------


def test_second_concurrent_save_is_refused_and_both_values_survive(curator_client, curator):
    org = make_org(description_en="Original description.")
    cite(org)
    other = User.objects.create_user("boubacar", is_staff=True)
    other.groups.add(Group.objects.get(name=GROUP_NAME))
    first = change_form_data(curator_client.get(change_url(org)))
    second = change_form_data(curator_client.get(change_url(org)))

    first["description_en"] = "First curator's description."
    second["description_en"] = "Second curator's description."
    assert curator_client.post(change_url(org), first).status_code == 302
    response = curator_client.post(change_url(org), second)

    assert response.status_code == 200
    org.refresh_from_db()
    assert org.description_en == "First curator's description."
    content = response.content.decode()
    assert "Someone else saved this organisation" in content
    assert "First curator&#x27;s description." in content
    assert "Second curator&#x27;s description." in content
    redisplayed = response.context["adminform"].form
    assert redisplayed["description_en"].value() == "Second curator's description."

    # Having read the differences, saving again applies the second curator's values.
    assert (
        curator_client.post(
            change_url(org),
            form_data(redisplayed)
            | {key: value for key, value in second.items() if key not in form_data(redisplayed)},
        ).status_code
        == 302
    )
    org.refresh_from_db()
    assert org.description_en == "Second curator's description."


def test_the_refusal_says_who_saved_what_differs_and_what_to_do(curator_client):
    org = make_org(description_en="Original description.", founded=2001)
    cite(org)
    cite(org, "founded")
    mine = change_form_data(curator_client.get(change_url(org)))
    org.description_en = "Saved by an import."
    org.save()  # no curator: an import, as load_seeds writes
    mine["description_en"] = "Typed by me."
    response = curator_client.post(change_url(org), mine)

    assert response.status_code == 200
    content = html.unescape(response.content.decode())
    when = r"[^)]+"
    account = (
        r"<p>Someone else saved this organisation while you were editing it "
        rf"\(an automatic import, {when}\)\. "
        r"Nothing of yours was saved; everything you typed is still below\.</p>"
        r"<ul><li><strong>Description in English</strong>: stored now “Saved by an import\.”; "
        r"yours “Typed by me\.”</li></ul>"
        r"<p>Save again to apply your values over theirs, or reload the page to start "
        r"from what is stored now\.</p>"
    )
    assert re.search(account, content), content
    # The whole account, nothing around it; Founded is the same, so not listed.
    assert re.fullmatch(
        account, html.unescape(response.context["adminform"].form.errors["__all__"][0])
    )


def test_a_conflict_where_the_values_agree_says_so(curator_client):
    org = make_org(description_en="Same.")
    cite(org)
    mine = change_form_data(curator_client.get(change_url(org)))
    org.save()  # someone saved the same values
    response = curator_client.post(change_url(org), mine)
    assert response.status_code == 200
    content = html.unescape(response.content.decode())
    assert "Someone else saved this organisation" in content
    assert "still below.</p><p>Your values and the stored ones agree.</p><p>Save again" in content
    assert "stored now “" not in content  # no field listed


class PersonForm(locking.VersionedModelForm):
    class Meta:
        model = Person
        fields = ["name", "role"]


def test_a_form_loaded_before_another_save_is_refused_as_a_conflict(db):
    person = Person.objects.create(organisation=make_org(), name="Awa Keita", role="Director")
    loaded = person.version
    person.save()  # someone else
    form = PersonForm(
        {"name": "Awa Keita", "role": "Chair", "loaded_version": loaded}, instance=person
    )
    assert not form.is_valid()
    assert form.non_field_errors().as_data()[0].code == "conflict"
    assert form["loaded_version"].value() == loaded + 1  # saving again applies mine


def test_a_current_form_saves_and_moves_the_version_on(db):
    """Saved as any ModelForm saves, by default to the database."""
    person = Person.objects.create(organisation=make_org(), name="Awa Keita", role="Director")
    form = PersonForm(
        {"name": "Awa Keita", "role": "Chair", "loaded_version": person.version}, instance=person
    )
    assert form.is_valid(), form.errors
    form.save()
    assert Person.objects.values_list("role", "version").get() == ("Chair", 2)


def test_a_new_record_starts_at_version_one_whatever_version_is_posted(db):
    """A posted version is a claim on a stored row; a new row has none to claim."""
    form = PersonForm({"name": "Awa Keita", "role": "Chair", "loaded_version": 7})
    assert form.is_valid(), form.errors
    person = form.save(commit=False)
    person.organisation = make_org()
    person.save()
    assert Person.objects.values_list("name", "version").get() == ("Awa Keita", 1)


def test_a_save_of_some_fields_moves_the_version_on_too(db):
    org = make_org()
    org.description_en = "Changed."
    org.save(update_fields=["description_en"])
    assert Organisation.objects.values_list("version", "description_en").get() == (2, "Changed.")


def test_a_form_refuses_a_record_deleted_since_it_was_loaded(db):
    person = Person.objects.create(organisation=make_org(), name="Awa Keita", role="Director")
    form = PersonForm(
        {"name": "Awa Keita", "role": "Chair", "loaded_version": person.version}, instance=person
    )
    Person.objects.filter(pk=person.pk).delete()
    assert not form.is_valid()
    assert form.non_field_errors() == ["This person was deleted while you were editing it."]
    assert form.non_field_errors().as_data()[0].code == "deleted"


def test_concurrent_edits_of_a_person_inline_are_refused_too(curator_client):
    org = make_org()
    cite(org)
    person = Person.objects.create(organisation=org, name="Fatoumata Diarra", role="Director")
    first = change_form_data(curator_client.get(change_url(org)))
    second = change_form_data(curator_client.get(change_url(org)))
    first["description_en"] = "Described by the first."
    first["people-0-role"] = "Coordinator"
    second["people-0-role"] = "President"

    assert curator_client.post(change_url(org), first).status_code == 302
    response = curator_client.post(change_url(org), second)

    assert response.status_code == 200
    person.refresh_from_db()
    assert person.role == "Coordinator"
    assert "Someone else saved this person" in response.content.decode()
    # The page's account names its own fields that differ, then the row and its field,
    # and nothing else (not the row's id, which the form holds as the row itself).
    account = html.unescape(response.context["adminform"].form.non_field_errors()[0])
    assert re.findall(r"<li>.*?</li>", account) == [
        "<li><strong>Description in English</strong>: "
        "stored now “Described by the first.”; yours “—”</li>",
        "<li><strong>Person “Fatoumata Diarra”, Role</strong>: "
        "stored now “Coordinator”; yours “President”</li>",
    ]
    people = next(
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.prefix == "people"
    )
    assert people.forms[0]["role"].value() == "President"


def test_a_stale_form_is_refused_even_if_only_an_inline_changed(curator_client):
    """Saving the page saves every field shown: stale ones must not overwrite a newer save."""
    org = make_org(description_en="Before.")
    cite(org)
    Person.objects.create(organisation=org, name="Fatoumata Diarra", role="Director")
    first = change_form_data(curator_client.get(change_url(org)))
    second = change_form_data(curator_client.get(change_url(org)))
    first["description_en"] = "After."
    second["people-0-role"] = "President"

    assert curator_client.post(change_url(org), first).status_code == 302
    response = curator_client.post(change_url(org), second)

    assert response.status_code == 200
    org.refresh_from_db()
    assert org.description_en == "After."
    assert Person.objects.get().role == "Director"


def test_unrelated_inline_edits_do_not_conflict(curator_client):
    org = make_org()
    cite(org)
    Person.objects.create(organisation=org, name="Fatoumata Diarra", role="Director")
    first = change_form_data(curator_client.get(change_url(org)))
    first["people-0-role"] = "Coordinator"
    assert curator_client.post(change_url(org), first).status_code == 302
    # The standalone person page, loaded now, is current and saves.
    person = Person.objects.get()
    response = curator_client.get(change_url(person))
    data = form_data(response.context["adminform"].form) | {"role": "Treasurer"}
    assert curator_client.post(change_url(person), data).status_code == 302
    person.refresh_from_db()
    assert (person.role, person.version) == ("Treasurer", 3)


def test_concurrent_saves_of_a_partnership_are_refused(curator_client):
    org = make_org()
    partner = make_org(name="Partner", slug="partner")
    partnership = Partnership.objects.create(
        organisation=org, relation="partner_of", partner=partner
    )
    cite(org)
    cite(partner)
    cite(org, "partnership", partnership=partnership)
    first = change_form_data(curator_client.get(change_url(partnership)))
    second = dict(first)
    first["programme"] = "Radio for peace"
    second["programme"] = "Dialogue circles"
    assert curator_client.post(change_url(partnership), first).status_code == 302
    response = curator_client.post(change_url(partnership), second)
    assert response.status_code == 200
    partnership.refresh_from_db()
    assert partnership.programme == "Radio for peace"
    assert response.context["adminform"].form["programme"].value() == "Dialogue circles"


def stale_pair(client, obj):
    """Two change forms of the same record, loaded before either is saved."""
    data = change_form_data(client.get(change_url(obj)))
    return dict(data), dict(data)


def test_two_curators_on_one_citation_second_is_refused(curator_client, source):
    org = make_org()
    citation = Citation.objects.create(
        organisation=org, source=source, fact="existence", locator="p. 3", quote="Original."
    )
    first, second = stale_pair(curator_client, citation)
    first["quote"], second["quote"] = "First curator's quote.", "Second curator's quote."
    assert curator_client.post(change_url(citation), first).status_code == 302
    response = curator_client.post(change_url(citation), second)

    assert response.status_code == 200
    citation.refresh_from_db()
    assert citation.quote == "First curator's quote."
    content = html.unescape(response.content.decode())
    assert "Someone else saved this citation" in content
    assert "“First curator's quote.”" in content and "“Second curator's quote.”" in content
    assert response.context["adminform"].form["quote"].value() == "Second curator's quote."


def test_two_curators_on_one_source_second_is_refused(curator_client, source):
    first, second = stale_pair(curator_client, source)
    first["title"], second["title"] = "Title by the first", "Title by the second"
    assert curator_client.post(change_url(source), first).status_code == 302
    response = curator_client.post(change_url(source), second)

    assert response.status_code == 200
    source.refresh_from_db()
    assert source.title == "Title by the first"
    assert "Someone else saved this source" in response.content.decode()


def test_a_form_posted_without_its_version_is_refused(curator_client, source):
    """A post that leaves out the version it was loaded at cannot skip the lock."""
    data = change_form_data(curator_client.get(change_url(source)))
    data["title"] = "Title with no version"
    del data["loaded_version"]
    response = curator_client.post(change_url(source), data)

    assert response.status_code == 200
    source.refresh_from_db()
    assert source.title != "Title with no version"
    assert "Someone else saved this source" in response.content.decode()


@pytest.mark.parametrize(
    ("model", "slug", "field"),
    [(Region, "mopti", "name_en"), (FocusArea, "youth", "label_en")],
)
def test_superusers_on_one_region_or_focus_area_second_is_refused(
    admin_client, reference_data, model, slug, field
):
    obj = model.objects.get(slug=slug)
    first, second = stale_pair(admin_client, obj)
    first[field], second[field] = "First spelling", "Second spelling"
    assert admin_client.post(change_url(obj), first).status_code == 302
    response = admin_client.post(change_url(obj), second)

    assert response.status_code == 200
    obj.refresh_from_db()
    assert getattr(obj, field) == "First spelling"
    # No history is kept of these: the account cannot say who saved, and says nothing.
    assert (
        f"<p>Someone else saved this {model._meta.verbose_name} while you were editing it. "
        "Nothing of yours was saved"
    ) in html.unescape(response.content.decode())


def cited_org(source):
    org = make_org(description_en="Before.")
    citation = Citation.objects.create(
        organisation=org, source=source, fact="existence", locator="p. 3", quote="Original."
    )
    return org, citation


def test_an_org_page_opened_before_a_citation_edit_does_not_overwrite_it(curator_client, source):
    org, citation = cited_org(source)
    page = change_form_data(curator_client.get(change_url(org)))
    assert page["citations-0-quote"] == "Original."
    assert page["citations-0-loaded_version"] == str(citation.version)

    edit = form_data(curator_client.get(change_url(citation)).context["adminform"].form)
    edit["quote"] = "Edited in the citation admin."
    assert curator_client.post(change_url(citation), edit).status_code == 302

    page["description_en"] = "A description typed on the stale page."
    response = curator_client.post(change_url(org), page)

    assert response.status_code == 200
    citation.refresh_from_db()
    org.refresh_from_db()
    assert citation.quote == "Edited in the citation admin."
    assert org.description_en == "Before."
    content = html.unescape(response.content.decode())
    assert "Someone else saved this citation" in content
    assert "“Edited in the citation admin.”" in content


def test_a_stale_page_cannot_delete_a_row_someone_changed_since(curator_client, source):
    org, citation = cited_org(source)
    # A second citation of its existence: deleting the first leaves the published
    # organisation cited (orgs.evidence), so only the lock can refuse the deletion.
    Citation.objects.create(
        organisation=org, source=source, fact="existence", locator="p. 4", quote="Another."
    )
    page = change_form_data(curator_client.get(change_url(org)))
    row = next(
        key for key, value in page.items() if key.endswith("-id") and value == str(citation.pk)
    )
    delete = row.removesuffix("id") + "DELETE"
    edit = change_form_data(curator_client.get(change_url(citation)))
    edit["quote"] = "Edited in the citation admin."
    assert curator_client.post(change_url(citation), edit).status_code == 302

    page[delete] = "on"
    response = curator_client.post(change_url(org), page)

    assert response.status_code == 200
    assert "Someone else saved this citation" in response.content.decode()
    assert Citation.objects.filter(pk=citation.pk, quote="Edited in the citation admin.").exists()
    # Positive control: the same deletion from a current page goes through.
    page = change_form_data(curator_client.get(change_url(org)))
    page[delete] = "on"
    assert curator_client.post(change_url(org), page).status_code == 302
    assert not Citation.objects.filter(pk=citation.pk).exists()


def people_rows(response):
    return next(
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.prefix == "people"
    )


def test_a_row_moved_to_another_organisation_since_the_page_was_loaded_is_refused(
    curator_client,
):
    """Django drops a posted row that is no longer among the page's rows; the
    curator's change to it must be refused with the account instead, not lost."""
    org = make_org(name="Awa Association", slug="awa")
    other = make_org(name="Other Association", slug="other")
    cite(org), cite(other)
    person = Person.objects.create(organisation=org, name="Fatoumata Diarra", role="Director")
    page = change_form_data(curator_client.get(change_url(org)))
    person.organisation = other  # someone moves the person meanwhile
    person.save()
    page["people-0-role"] = "President"

    response = curator_client.post(change_url(org), page)

    assert response.status_code == 200
    person.refresh_from_db()
    assert (person.organisation, person.role) == (other, "Director")
    row = people_rows(response).forms[0]
    account = html.unescape(str(row.non_field_errors()[0]))
    assert "Someone else saved this person" in account
    assert account in html.unescape(response.content.decode())  # shown on its row
    assert re.findall(r"<li>.*?</li>", account) == [
        "<li><strong>Role</strong>: stored now “Director”; yours “President”</li>",
        "<li><strong>Organisation</strong>: "
        "stored now “Other Association”; yours “Awa Association”</li>",
    ]
    assert row["role"].value() == "President"  # the typing is kept
    # Saving again, having read it, applies the curator's values: the row comes back.
    assert curator_client.post(change_url(org), change_form_data(response)).status_code == 302
    person.refresh_from_db()
    assert (person.organisation, person.role) == (org, "President")


def test_a_row_moved_away_unchanged_by_a_current_page_stays_where_it_went(curator_client):
    """A page loaded after the move does not post the row at all: nothing to refuse."""
    org = make_org(name="Awa Association", slug="awa")
    other = make_org(name="Other Association", slug="other")
    cite(org), cite(other)
    person = Person.objects.create(organisation=org, name="Fatoumata Diarra", role="Director")
    person.organisation = other
    person.save()
    page = change_form_data(curator_client.get(change_url(org)))
    page["description_en"] = "Saved."
    assert curator_client.post(change_url(org), page).status_code == 302
    person.refresh_from_db()
    assert person.organisation == other


def another_person(org):
    """(a row of a tabular inline, a field of it a curator edits)"""
    person = Person.objects.create(organisation=org, name="Fatoumata Diarra", role="Director")
    return person, "role"


def another_citation(org):
    """(a row of a stacked inline, a field of it a curator edits); the organisation
    keeps the citation `cite` gave it, so deleting this one breaks no rule."""
    source = Citation.objects.get(organisation=org).source
    citation = Citation.objects.create(
        organisation=org, source=source, fact="existence", locator="p. 9", quote="Another one."
    )
    return citation, "quote"


@pytest.mark.parametrize("add_row", [another_person, another_citation])
def test_a_row_deleted_since_the_page_was_loaded_is_refused_until_let_go(curator_client, add_row):
    org = make_org()
    cite(org)
    row, field = add_row(org)
    model, pk = type(row), row.pk
    page = change_form_data(curator_client.get(change_url(org)))
    prefix = next(k for k, v in page.items() if k.endswith("-id") and v == str(pk))[:-2]
    row.delete()  # someone deletes the row meanwhile
    page[prefix + field] = "Typed by me."
    page["description_en"] = "Described."

    response = curator_client.post(change_url(org), page)

    assert response.status_code == 200
    org.refresh_from_db()
    assert org.description_en == ""  # nothing of the page was saved
    form = next(
        form
        for inline in response.context["inline_admin_formsets"]
        for form in inline.formset.forms
        if form.prefix + "-" == prefix
    )
    assert list(form.errors) == ["__all__"]  # its id, which names no row now, is not an error
    assert [error.code for error in form.non_field_errors().as_data()] == ["deleted"]
    message = form.non_field_errors()[0]
    assert message == (
        f"This {model._meta.verbose_name} was deleted while you were editing it: "
        "tick “Delete” to let it go, or add it again as a new row."
    )
    shown = html.unescape(response.content.decode())
    assert message in shown  # on its row, with what was typed, and a box to let it go
    assert re.search(rf'<input type="checkbox" name="{prefix}DELETE"', shown)
    assert re.search(rf'<input type="hidden" name="{prefix}id" value="{pk}"', shown)
    assert form[field].value() == "Typed by me." and "Typed by me." in shown
    assert not model.objects.filter(pk=pk).exists()
    # Ticking its "Delete" on the page shown lets it go; the rest is then saved.
    page = change_form_data(response)
    page[prefix + "DELETE"] = "on"
    assert curator_client.post(change_url(org), page).status_code == 302
    org.refresh_from_db()
    assert org.description_en == "Described."
    assert not model.objects.filter(pk=pk).exists()


def test_a_record_deleted_while_a_curator_edits_it_is_offered_back_with_the_typing(
    curator_client, admin_client
):
    """Django sends the curator away from a record deleted meanwhile and drops what
    they typed; the page is shown again as a new record instead, refused once."""
    org = make_org(name="Awa Association", slug="awa")
    cite(org)
    Person.objects.create(organisation=org, name="Fatoumata Diarra", role="Director")
    page = change_form_data(curator_client.get(change_url(org)))
    page["description_en"] = "Typed while it was deleted."
    page["people-0-role"] = "President"
    assert admin_client.post(admin_url(org, "delete"), {"post": "yes"}).status_code == 302
    deletion = Organisation.history.get(id=org.pk, history_type="-")

    response = curator_client.post(change_url(org), page)

    assert response.status_code == 200
    assert not Organisation.objects.exists() and not Person.objects.exists()
    form = response.context["adminform"].form
    assert [error.code for error in form.non_field_errors().as_data()] == ["deleted"]
    message = html.unescape(form.non_field_errors()[0])
    assert message == (
        "<p>This organisation was deleted while you were editing it "
        f"(admin, {localize(timezone.localtime(deletion.history_date))}). "
        "Nothing of yours was saved; everything you typed is still below.</p>"
        "<p>Save to add it again as a new organisation, or leave this page to let it go.</p>"
    )
    shown = html.unescape(response.content.decode())
    assert message in shown
    add_url = reverse("admin:orgs_organisation_add")
    assert re.search(rf'<form [^>]*action="{add_url}" method="post"', shown)
    assert form["description_en"].value() == "Typed while it was deleted."
    people = people_rows(response)
    assert people.initial_form_count() == 0  # its rows are new rows now
    assert re.search(r'name="people-INITIAL_FORMS" value="0"', shown)
    assert people.forms[0]["role"].value() == "President"
    assert people.forms[0]["id"].value() in (None, "")
    # Saving the page shown adds it again, its rows with it, as typed.
    assert curator_client.post(add_url, change_form_data(response)).status_code == 302
    again = Organisation.objects.get(slug="awa")
    assert again.pk != org.pk
    assert again.description_en == "Typed while it was deleted."
    assert list(again.people.values_list("name", "role")) == [("Fatoumata Diarra", "President")]
    assert again.citations.count() == 1


def _gone_org():
    """The organisation the rows below belong to (added again after its own turn)."""
    org = Organisation.objects.filter(slug="gone").first()
    if org is None:
        org = make_org(name="Gone Association", slug="gone")
        cite(org)
    return org


def _gone_partnership():
    org, partner = make_org(slug="org"), make_org(name="Partner Association", slug="partner")
    cite(org), cite(partner)
    link = Partnership.objects.create(organisation=org, relation="partner_of", partner=partner)
    cite(org, "partnership", partnership=link)  # comes back with it, from the page's rows
    return link


# For every admin a curator may add in: a record of it that nothing depends on.
DELETABLE = {
    Organisation: _gone_org,
    Partnership: _gone_partnership,
    Person: lambda: Person.objects.create(organisation=_gone_org(), name="Awa Keita"),
    Citation: lambda: cite(_gone_org(), locator="p. 9"),
    Source: lambda: Source.objects.create(
        language="en", slug="gone-source", publisher="P", title="Gone"
    ),
    Region: lambda: Region.objects.create(slug="gone-region", name="Gone Region", zone="north"),
    FocusArea: lambda: FocusArea.objects.create(slug="gone", label_en="Gone", label_fr="Parti"),
}


def test_every_record_deleted_while_edited_is_offered_back_not_dropped(admin_client, db):
    """Every admin a curator may add in, not only the organisation's: each post of a
    record deleted meanwhile gets the account and its typing back, and saving the
    page shown adds the record again."""
    from django.contrib import admin

    from orgs.locking import VersionedAdmin

    request = Client().get("/").wsgi_request
    request.user = User.objects.get(username="admin")
    may_add = {
        model
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, VersionedAdmin) and model_admin.has_add_permission(request)
    }
    assert may_add == set(DELETABLE)
    for model, make in DELETABLE.items():
        record = make()
        page = change_form_data(admin_client.get(admin_url(record)))
        count = model._default_manager.count()
        model._default_manager.filter(pk=record.pk).delete()

        response = admin_client.post(admin_url(record), page)

        assert response.status_code == 200, model
        form = response.context["adminform"].form
        assert [e.code for e in form.non_field_errors().as_data()] == ["deleted"], model
        history = getattr(model, "history", None)
        deletion = history and history.get(id=record.pk, history_type="-")
        who = (
            f" (an automatic import, {localize(timezone.localtime(deletion.history_date))})"
            if deletion
            else ""  # no history of it to tell
        )
        assert html.unescape(form.non_field_errors()[0]).startswith(
            f"<p>This {model._meta.verbose_name} was deleted while you were editing it{who}. "
        ), model
        assert model._default_manager.count() == count - 1, model
        opts = model._meta
        add_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
        again = admin_client.post(add_url, change_form_data(response))
        assert again.status_code == 302, (model, again.context and again.context["errors"])
        assert model._default_manager.count() == count, model


def test_the_page_offered_back_also_says_what_else_stops_it_being_added(curator_client, source):
    """Deleted, then added again by someone else under the same slug: the page shown
    says both at once, not the second only when the curator saves."""
    page = change_form_data(curator_client.get(change_url(source)))
    Source.objects.filter(pk=source.pk).delete()
    Source.objects.create(
        language="en", slug=source.slug, publisher="Someone", title="Added again"
    )

    response = curator_client.post(change_url(source), page)

    form = response.context["adminform"].form
    assert [error.code for error in form.non_field_errors().as_data()] == ["deleted"]
    assert [error.code for error in form.errors.as_data()["slug"]] == ["unique"]


def test_a_record_deleted_while_edited_in_a_popup_is_offered_back_in_the_popup(
    curator_client, source
):
    """The pencil beside a citation's source opens its page in a popup: the same
    account there, and saving adds the source again and answers the popup."""
    url = change_url(source) + "?_to_field=id&_popup=1"
    page = change_form_data(curator_client.get(url))
    page.update(_to_field="id", _popup="1", title="Typed in the popup")
    Source.objects.filter(pk=source.pk).delete()

    response = curator_client.post(url, page)

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert [error.code for error in form.non_field_errors().as_data()] == ["deleted"]
    shown = response.content.decode()
    assert '<input type="hidden" name="_popup" value="1">' in shown
    assert '<input type="hidden" name="_to_field" value="id">' in shown
    again = curator_client.post(
        reverse("admin:orgs_source_add"),
        {**change_form_data(response), "_popup": "1", "_to_field": "id"},
    )
    assert again.status_code == 200
    assert "admin/popup_response.html" in [t.name for t in again.templates]
    assert Source.objects.get().title == "Typed in the popup"


@pytest.mark.parametrize(
    "url",
    [
        "/admin/orgs/organisation/not-a-number/change/",  # never named a record
        "/admin/orgs/submission/1/change/",  # a record nobody may add
    ],
)
def test_other_posts_to_a_record_not_stored_are_sent_away_as_django_does(admin_client, url):
    response = admin_client.post(url, {"name": "Typed"})
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


def test_two_curators_on_one_inline_citation_get_an_exact_account(curator_client, source):
    org, citation = cited_org(source)
    first = change_form_data(curator_client.get(change_url(org)))
    second = dict(first)
    first["citations-0-quote"] = "Quote saved first."
    second["citations-0-quote"] = "Quote saved second."
    assert curator_client.post(change_url(org), first).status_code == 302
    response = curator_client.post(change_url(org), second)

    assert response.status_code == 200
    citation.refresh_from_db()
    assert citation.quote == "Quote saved first."
    content = html.unescape(response.content.decode())
    # The page's own account names the row that differs; it never says "agree".
    account = response.context["adminform"].form.non_field_errors()[0]
    assert "Quote saved first." in account and "Quote saved second." in account
    assert "agree" not in content
    # Saving again is then a deliberate choice, and applies the second quote.
    again = change_form_data(response)
    assert curator_client.post(change_url(org), again).status_code == 302
    citation.refresh_from_db()
    assert citation.quote == "Quote saved second."


def test_unchanged_inline_rows_are_not_rewritten(curator_client, source):
    org, citation = cited_org(source)
    page = change_form_data(curator_client.get(change_url(org)))
    page["description_en"] = "Only this changes."
    with CaptureQueriesContext(connection) as saving:
        assert curator_client.post(change_url(org), page).status_code == 302
    citation.refresh_from_db()
    org.refresh_from_db()
    assert org.description_en == "Only this changes."  # positive control
    assert citation.version == 1
    # Not even locked: another curator's save of the citation need not wait for ours.
    writes = [q["sql"] for q in saving.captured_queries if q["sql"].startswith("UPDATE")]
    assert any('"orgs_organisation"' in sql for sql in writes)  # a control
    assert not any('"orgs_citation"' in sql for sql in writes), writes


def test_a_pages_rows_are_read_once_however_many_it_posts(curator_client):
    """Looking for rows that left the page costs no query for the rows that did not."""
    reads = []
    for count in (1, 5):
        org = make_org(name=f"Association {count}", slug=f"association-{count}")
        cite(org)
        for n in range(count):
            Person.objects.create(organisation=org, name=f"Person {n}", role="Member")
        page = change_form_data(curator_client.get(change_url(org)))
        page["description_en"] = "Saved."
        with CaptureQueriesContext(connection) as saving:
            assert curator_client.post(change_url(org), page).status_code == 302
        reads.append(
            [
                q["sql"]
                for q in saving.captured_queries
                if q["sql"].startswith("SELECT") and 'FROM "orgs_person"' in q["sql"]
            ]
        )
    assert reads[0]  # a control: the rows are read
    # Four more rows, four more reads: Django's check of each row's id field, no more.
    assert len(reads[1]) - len(reads[0]) == 4, reads[1]


def test_every_admin_form_and_every_editable_inline_carries_its_version(rf, admin_user):
    """Every record, not only the ones named: the mechanism covers each admin of orgs."""
    from django.contrib import admin
    from django.urls import resolve

    from orgs.locking import (
        VersionedAdmin,
        VersionedInline,
        VersionedInlineFormSet,
        VersionedModelForm,
    )

    request = rf.get("/admin/orgs/organisation/1/change/")
    request.user = admin_user
    request.resolver_match = resolve(request.path)
    registered = {
        m: a
        for m, a in admin.site._registry.items()
        if m._meta.app_label == "orgs" and a.has_change_permission(request)
    }
    assert {m.__name__ for m in registered} >= {
        "Organisation", "Partnership", "Person", "Citation", "Source", "Region", "FocusArea",
        "Submission",
    }  # fmt: skip
    for model, model_admin in registered.items():
        assert model._meta.get_field("version"), model
        assert isinstance(model_admin, VersionedAdmin), model
        assert issubclass(model_admin.get_form(request), VersionedModelForm), model
        for inline in model_admin.get_inline_instances(request):
            if inline.has_change_permission(request) or inline.has_add_permission(request, None):
                assert isinstance(inline, VersionedInline), inline
                formset = inline.get_formset(request)
                assert issubclass(formset.form, VersionedModelForm), inline
                assert issubclass(formset, VersionedInlineFormSet), inline


def test_every_curated_change_page_carries_the_records_version(
    admin_client, reference_data, source
):
    """Every admin of orgs, with or without fieldsets, shows the hidden version field."""
    from django.contrib import admin

    from orgs.locking import VersionedAdmin
    from orgs.models import Submission

    org = make_org()
    citation = cite(org)
    partner = make_org(slug="partner", name="Partner")
    Partnership.objects.create(organisation=org, relation="partner_of", partner=partner)
    Person.objects.create(organisation=org, name="Awa Keita")
    Submission.objects.create(kind="correction", message="m")
    Organisation.objects.filter(pk=org.pk).update(version=7)  # not the default 1
    Citation.objects.filter(pk=citation.pk).update(version=5)
    checked = []
    for model, model_admin in admin.site._registry.items():
        if not isinstance(model_admin, VersionedAdmin):
            continue
        record = model._default_manager.order_by("pk").first()
        assert record is not None, model
        response = admin_client.get(admin_url(record))
        assert response.status_code == 200, model
        version = re.search(
            r'<input type="hidden" name="loaded_version" value="(\d+)"', response.content.decode()
        )
        assert version, model
        assert int(version.group(1)) == record.version, model
        checked.append(model.__name__)
    assert {"Organisation", "Citation", "Source", "Submission", "Region"} <= set(checked)


def test_the_org_page_gives_every_inline_row_its_version(curator_client, source):
    org, citation = cited_org(source)
    partner = make_org(name="Partner", slug="partner")
    Partnership.objects.create(organisation=org, relation="partner_of", partner=partner)
    Person.objects.create(organisation=org, name="Fatoumata Diarra")
    content = curator_client.get(change_url(org)).content.decode()
    for prefix in ("", "partnerships-0-", "people-0-", "citations-0-"):
        assert content.count(f'name="{prefix}loaded_version"') == 1, prefix


# --- History --------------------------------------------------------------------------


def test_history_shows_who_changed_what_field_by_field_and_restores(
    curator_client, curator, reference_data
):
    kayes, mopti = Region.objects.all()[:2]
    response = curator_client.get("/admin/orgs/organisation/add/")
    data = form_data(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        data.update(form_data(inline.formset.management_form))
    data.update(
        name="Association Kènèya",
        slug="keneya",
        kind="local_association",
        description_en="Health and peace.",
        regions=[str(kayes.pk)],
    )
    assert curator_client.post("/admin/orgs/organisation/add/", data).status_code == 302
    org = Organisation.objects.get(slug="keneya")

    data = change_form_data(curator_client.get(change_url(org)))
    data["description_en"] = "Health, peace and radio."
    data["regions"] = [str(mopti.pk)]
    assert curator_client.post(change_url(org), data).status_code == 302

    history = curator_client.get(admin_url(org, "history")).content.decode()
    history = " ".join(html.unescape(re.sub("<[^>]+>", " ", history)).split())
    assert "aminata" in history
    assert "Health and peace." in history
    assert "Health, peace and radio." in history
    # One change for the regions, from the old to the new, not a removal then an addition.
    assert f"Regions of work: [{kayes}] \u2192 [{mopti}]" in history
    assert "\u2192 []" not in history

    original = org.history.filter(description_en="Health and peace.").order_by("history_date")
    record = original.last()
    revert_url = reverse("admin:orgs_organisation_simple_history", args=[org.pk, record.pk])
    revert_form = curator_client.get(revert_url).context["adminform"].form
    today = Organisation.objects.get(pk=org.pk).version
    assert curator_client.post(revert_url, form_data(revert_form)).status_code == 302

    org.refresh_from_db()
    assert org.description_en == "Health and peace."
    assert list(org.regions.all()) == [kayes]
    assert org.history.first().history_user == curator
    # The version moves on from today's, never back to the restored record's, where a
    # page loaded in between would pass the lock.
    assert (record.version, today, org.version) == (2, 4, 5)


# --- Sources --------------------------------------------------------------------------


def test_source_page_lists_what_it_supports(curator_client, source):
    org = make_org(name="Cited Association", slug="cited")
    Citation.objects.create(
        organisation=org, source=source, fact="existence", locator="Annex 2", quote="Q1."
    )
    content = curator_client.get(change_url(source)).content.decode()
    assert f'href="{change_url(org)}"' in content
    assert "Annex 2" in content


def test_deleting_a_cited_source_explains_instead_of_failing(client, source, db):
    admin_user = User.objects.create_superuser("root", password="not-a-real-password-1")
    client.force_login(admin_user)
    Citation.objects.create(
        organisation=make_org(), source=source, fact="existence", locator="p. 1", quote="Q."
    )
    response = client.post(admin_url(source, "delete"), {"post": "yes"})
    assert response.status_code == 200
    assert "protected" in response.content.decode()
    assert Source.objects.filter(pk=source.pk).exists()


# --- Nothing hidden leaks -------------------------------------------------------------


def public_urls(slugs):
    """Every public URL without parameters, and every one taking a slug with each slug."""

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern)

    for route in walk(get_resolver().url_patterns):
        if route.startswith(("i18n", "^")):
            continue
        if "<" not in route:
            yield "/" + route
        elif route.count("<") == 1 and "<slug:" in route:
            for slug in slugs:
                yield "/" + route[: route.index("<")] + slug + route[route.index(">") + 1 :]


def test_sensitive_organisation_leaks_no_hidden_field(client, reference_data, source):
    region = Region.objects.first()
    org = make_org(
        name="Quiet Peacebuilders",
        slug="quiet",
        sensitive=True,
        hq_region=region,
        hq_town="Hiddenville",
    )
    org.regions.add(region)
    Person.objects.create(organisation=org, name="Secretperson Keita", is_public=True)
    Citation.objects.create(
        organisation=org, source=source, fact="existence", locator="p. 1", quote="Q."
    )
    update_search_text([org])

    urls = list(public_urls(["quiet", region.slug, source.slug]))
    urls += ["/en/orgs/?q=quiet", f"/en/orgs/?region={region.slug}"]
    assert "/en/orgs/quiet/" in urls and f"/en/sources/{source.slug}/" in urls
    served = 0
    for url in urls:
        response = client.get(url)
        assert response.status_code < 500, url
        content = response.content.decode() if not response.streaming else ""
        assert "Hiddenville" not in content, url
        assert "Secretperson" not in content, url
        served += response.status_code == 200
    assert client.get("/en/orgs/quiet/").status_code == 200
    assert served >= 7
    # The listing echoes what was typed; what must not happen is the hidden town finding it.
    for secret in ("Hiddenville", "Secretperson"):
        assert "Quiet Peacebuilders" not in client.get(f"/en/orgs/?q={secret}").content.decode()


@pytest.mark.parametrize("suffix", ["1/change/history/", "abc/history/", "1/history/abc/"])
def test_malformed_history_addresses_are_not_errors(curator_client, suffix):
    make_org()
    assert curator_client.get(CHANGELIST + suffix).status_code == 302


def test_actions_work_on_a_filtered_selection_across_pages(curator_client, varied_orgs):
    """A region filter makes the queryset DISTINCT: the action must still lock and save."""
    north = varied_orgs["north"]
    nord = varied_orgs["orgs"]["Nord Draft"]
    cite(nord, "region", region=north)
    cite(nord, "focus", focus_area=varied_orgs["focus"])
    response = curator_client.post(
        f"{CHANGELIST}?zone=north&regions__id__exact={north.pk}",
        {"action": "publish", "select_across": "1", "index": "0", "_selected_action": ["0"]},
        follow=True,
    )
    assert response.status_code == 200
    assert Organisation.objects.get(slug="nord").status == Organisation.Status.PUBLISHED


def test_the_page_button_records_a_check_and_only_on_post(curator_client, curator):
    org = make_org()
    check_url = admin_url(org, "check")
    assert "Record a check today" in curator_client.get(change_url(org)).content.decode()
    assert curator_client.get(check_url).status_code == 405

    response = curator_client.post(check_url)

    assert response.status_code == 302 and response.url == change_url(org)
    org.refresh_from_db()
    assert (org.verification, org.last_checked, org.checked_by) == (
        Organisation.Verification.CURATOR,
        timezone.localdate(),
        curator,
    )


@pytest.mark.postgres_only
@pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"], reason="needs PostgreSQL"
)
def test_saves_racing_in_parallel_transactions_cannot_both_win(transactional_db, monkeypatch):
    """The second save waits on the first one's row lock, then is refused."""
    user = User.objects.create_user("aminata", is_staff=True)
    user.groups.add(Group.objects.get(name=GROUP_NAME))
    org = make_org(description_en="Before.")
    cite(org)
    clients = [Client(), Client()]
    for client in clients:
        client.force_login(user)
    first, second = (change_form_data(c.get(change_url(org))) for c in clients)
    first["description_en"] = "First."
    second["description_en"] = "Second."

    first_saving, release = threading.Event(), threading.Event()
    original_save_model = OrganisationAdmin.save_model

    def slow_first_save(self, request, obj, form, change):
        original_save_model(self, request, obj, form, change)
        if obj.description_en == "First.":
            first_saving.set()
            release.wait(10)

    monkeypatch.setattr(OrganisationAdmin, "save_model", slow_first_save)
    responses = {}

    def post(name, client, data):
        try:
            responses[name] = client.post(change_url(org), data)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=post, args=("first", clients[0], first)),
        threading.Thread(target=post, args=("second", clients[1], second)),
    ]
    threads[0].start()
    assert first_saving.wait(10)
    threads[1].start()
    threads[1].join(1)
    assert threads[1].is_alive(), "the second save should wait for the first one's lock"
    release.set()
    for thread in threads:
        thread.join(10)

    assert responses["first"].status_code == 302
    assert responses["second"].status_code == 200
    assert "Someone else saved this organisation" in responses["second"].content.decode()
    org.refresh_from_db()
    assert (org.description_en, org.version) == ("First.", 2)


# --- the admin under its Content-Security-Policy ---


def test_history_shows_labels_and_names_not_codes(curator_client, curator):
    org = make_org(name="Checked Once", slug="checked-once")
    run_action(curator_client, "record_check", org)
    response = curator_client.get(admin_url(org, "history"))
    assert response.status_code == 200
    history = " ".join(html.unescape(re.sub("<[^>]+>", " ", response.content.decode())).split())
    assert "Verification: From public sources only \u2192 Checked by a curator" in history
    assert f"Checked by: \u2014 \u2192 {curator}" in history
    assert "pk=None" not in history
    assert "public_sources" not in history


def test_our_admin_templates_carry_no_inline_style(curator_client, curator):
    org = make_org()
    Person.objects.create(organisation=org, name="A. Traoré")
    run_action(curator_client, "record_check", org)
    for url in [change_url(org), admin_url(org, "history")]:
        page = curator_client.get(url).content.decode()
        assert re.search(r'href="/static/css/admin\.([0-9a-f]{12}\.)?css"', page), url
        assert "style=" not in page.split("<body")[1], url
    page = curator_client.get(change_url(org)).content.decode()
    assert '<div class="people-safety" role="note">' in page  # styled by admin.css
    assert 'class="historylink record-check"' in page
    stylesheet = (settings.BASE_DIR / "static" / "css" / "admin.css").read_text()
    for rule in [".people-safety{", ".record-check{", ".inline-form{"]:
        assert rule in stylesheet


def test_every_input_of_the_people_and_partnership_inlines_has_a_name(curator_client):
    org = make_org()
    Person.objects.create(organisation=org, name="A. Traoré", role="Coordinator")
    page = curator_client.get(change_url(org)).content.decode()
    people = re.search(
        r'<div class="js-inline-admin-formset inline-group" id="people-group".*?</fieldset>',
        page,
        re.S,
    )
    assert people, "the people inline"
    inputs = re.findall(r"<(?:input|select|textarea)\b[^>]*>", people.group(0))
    visible = [i for i in inputs if 'type="hidden"' not in i]
    assert len(visible) >= 4  # name, role, show publicly, delete
    for tag in visible:
        assert "aria-label=" in tag, tag
    assert 'aria-label="Name, person 1"' in people.group(0)
    assert 'aria-label="Show publicly, person 1"' in people.group(0) or re.search(
        r'aria-label="[^"]+, person 1"[^>]*name="people-0-is_public"', people.group(0)
    )


# --- Curators see what the public will see ----------------------------------------------


def shown_text(response):
    return html.unescape(re.sub(r"<[^>]+>", "", response.content.decode()))


def test_the_admin_shows_the_public_version_of_withheld_text(curator_client, source):
    org = make_org(
        slug="hawa-group",
        description_en="Led by Hawa Traoré.",
        description_fr="Dirigé par Hawa Traoré.",
    )
    Person.objects.create(organisation=org, name="Hawa Traoré")
    Citation.objects.create(
        organisation=org,
        source=source,
        fact="existence",
        locator="Interview with Hawa",
        quote="Hawa Traoré founded the group.",
    )
    Citation.objects.create(
        organisation=org, source=source, fact="founded", locator="p. 2", quote="Founded in 2001."
    )
    page = shown_text(curator_client.get(change_url(org)))
    assert "Led by Hawa Traoré." in page  # the verbatim text, still editable
    assert "Dirigé par Hawa Traoré." in page
    assert (
        "The public sees: description in French: “Dirigé par [name withheld].”; "
        "description in English: “Led by [name withheld].”"
    ) in page
    assert (
        "The public sees: locator: “Interview with [name withheld]”; "
        "quote: “[name withheld] founded the group.”"
    ) in page
    assert "p. 2: “Founded in 2001.”" in page and "quote: “Founded in 2001.”" not in page
    citation = Citation.objects.get(fact="existence")
    page = shown_text(curator_client.get(change_url(citation)))
    assert "quote: “[name withheld] founded the group.”" in page
    Person.objects.update(is_public=True)
    page = shown_text(curator_client.get(change_url(org)))
    assert "Led by Hawa Traoré." in page and "The public sees" not in page


def test_the_account_reads_like_the_form_labels_yes_no_and_names(curator_client, reference_data):
    """A choice shows its label, a switch "yes" or "no", related rows their names."""
    org = make_org(kind=Organisation.Kind.LOCAL_ASSOCIATION)
    cite(org)
    mine = change_form_data(curator_client.get(change_url(org)))
    kayes, mopti = Region.objects.get(slug="kayes"), Region.objects.get(slug="mopti")
    org.kind = Organisation.Kind.DONOR
    org.sensitive = True
    org.save()
    org.regions.set([kayes, mopti])
    mine["description_en"] = "Mine."
    response = curator_client.post(change_url(org), mine)

    assert response.status_code == 200
    content = html.unescape(response.content.decode())
    assert (
        "<li><strong>Kind</strong>: stored now “Donor or foundation”; "
        "yours “Local association”</li>" in content
    )
    assert "<li><strong>Sensitive</strong>: stored now “yes”; yours “no”</li>" in content
    assert (
        f"<li><strong>Regions of work</strong>: stored now “{kayes}, {mopti}”; yours “—”</li>"
        in content
    )


def test_the_account_shows_an_empty_value_as_a_dash(curator_client):
    """A value someone emptied reads "—", whether the field stores "" or nothing."""
    org = make_org(acronym="OLD", founded=2001)
    cite(org)
    cite(org, "founded")
    mine = change_form_data(curator_client.get(change_url(org)))
    org.acronym, org.founded = "", None
    org.save()
    mine["description_en"] = "Mine."
    content = html.unescape(curator_client.post(change_url(org), mine).content.decode())
    assert (
        "<ul><li><strong>Acronym</strong>: stored now “—”; yours “OLD”</li>"
        "<li><strong>Founded (year)</strong>: stored now “—”; yours “2001”</li>"
        "<li><strong>Description in English</strong>: stored now “—”; yours “Mine.”</li></ul>"
    ) in content


def test_the_account_shows_a_stored_code_no_longer_among_the_choices(curator_client):
    """A kind stored before its choice was retired still reads as what is stored."""
    org = make_org(kind=Organisation.Kind.LOCAL_ASSOCIATION)
    cite(org)
    mine = change_form_data(curator_client.get(change_url(org)))
    org.kind = "retired_kind"
    org.save()
    mine["description_en"] = "Mine."
    content = html.unescape(curator_client.post(change_url(org), mine).content.decode())
    assert (
        "<li><strong>Kind</strong>: stored now “retired_kind”; yours “Local association”</li>"
        in content
    )


def test_a_stale_form_with_an_invalid_value_gets_its_account_and_its_error(curator_client):
    """A field refused by its own check has no value to compare: the account leaves it
    out, and the field's error is shown beside it."""
    org = make_org(description_en="Before.", founded=2001)
    cite(org)
    cite(org, "founded")
    mine = change_form_data(curator_client.get(change_url(org)))
    org.description_en = "Saved by someone else."
    org.save()
    mine["founded"] = "1700"
    response = curator_client.post(change_url(org), mine)

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["founded"]
    account = html.unescape(form.non_field_errors()[0])
    assert re.findall(r"<li>.*?</li>", account) == [
        "<li><strong>Description in English</strong>: stored now “Saved by someone else.”; "
        "yours “Before.”</li>"
    ]


def test_the_refusal_dates_the_other_save(curator_client):
    org = make_org(description_en="Original.")
    cite(org)
    mine = change_form_data(curator_client.get(change_url(org)))
    org.description_en = "Saved by an import."
    org.save()
    mine["description_en"] = "Typed by me."
    content = html.unescape(curator_client.post(change_url(org), mine).content.decode())
    saved = localize(org.history.latest("history_date").history_date)
    assert str(timezone.now().year) in saved  # a control: the date as a curator reads it
    assert f"(an automatic import, {saved})." in content


def test_a_save_of_some_fields_leaves_the_others_as_stored(db):
    """update_fields keeps its promise with the version added: other columns are not
    written from memory over what someone else stored."""
    org = make_org(description_en="Before.", acronym="OLD")
    Organisation.objects.filter(pk=org.pk).update(acronym="NEW")  # someone else
    org.description_en = "Changed."
    org.save(update_fields=["description_en"])
    stored = Organisation.objects.values_list("version", "description_en", "acronym").get()
    assert stored == (2, "Changed.", "NEW")


def test_a_record_created_with_its_id_starts_at_version_one(db):
    """A restore writes rows with their ids (an insert, not a save of an existing row)."""
    org = make_org(pk=4321)
    assert Organisation.objects.values_list("pk", "version").get() == (4321, 1)
    org.save()
    assert Organisation.objects.values_list("version", flat=True).get() == 2


def test_an_admin_that_writes_its_own_fieldsets_still_shows_the_version(rf, admin_user):
    from django.contrib.admin import AdminSite

    class OwnFieldsets(locking.VersionedAdmin):
        def get_fieldsets(self, request, obj=None):
            return [(None, {"fields": ["name", "role"]}), ("More", {"fields": ["is_public"]})]

    class ListsIt(locking.VersionedAdmin):
        fields = [("name", "role"), "loaded_version", "is_public"]

    class ListsItInARow(locking.VersionedAdmin):
        fields = [("name", "loaded_version"), "role"]

    request = rf.get("/")
    request.user = admin_user
    assert OwnFieldsets(Person, AdminSite()).get_fieldsets(request) == [
        (None, {"fields": ["name", "role", "loaded_version"]}),
        ("More", {"fields": ["is_public"]}),
    ]
    # Already there, in a row or alone: not added twice.
    assert ListsIt(Person, AdminSite()).get_fieldsets(request) == [
        (None, {"fields": [("name", "role"), "loaded_version", "is_public"]})
    ]
    assert ListsItInARow(Person, AdminSite()).get_fieldsets(request) == [
        (None, {"fields": [("name", "loaded_version"), "role"]})
    ]


def test_admins_and_inlines_without_a_field_list_carry_the_version(rf, db):
    """Django derives their fields from the form, asking with the request (here, fields
    read-only for anyone but a superuser)."""
    from django.contrib import admin
    from django.contrib.admin import AdminSite

    class ByWho:
        def get_readonly_fields(self, request, obj=None):
            return [] if request.user.is_superuser else ["role"]

    class PersonAdmin(ByWho, locking.VersionedAdmin):
        pass

    class PeopleInline(ByWho, locking.VersionedInline, admin.TabularInline):
        model = Person

    request = rf.get("/")
    request.user = User.objects.create_user("reader", is_staff=True)
    org = make_org()
    fields = PersonAdmin(Person, AdminSite()).get_fields(request)
    assert fields[-2:] == ["loaded_version", "role"] and "name" in fields
    fields = PeopleInline(Organisation, AdminSite()).get_fields(request, org)
    assert fields[-2:] == ["loaded_version", "role"] and "name" in fields

    class NameFixedOnceCreated(locking.VersionedAdmin):
        def get_readonly_fields(self, request, obj=None):
            return ["name"] if obj else []

    model_admin = NameFixedOnceCreated(Person, AdminSite())
    person = Person.objects.create(organisation=org, name="Awa Keita")
    [(_name, options)] = model_admin.get_fieldsets(request, person)
    assert options["fields"][-2:] == ["loaded_version", "name"]
    [(_name, options)] = model_admin.get_fieldsets(request)  # a new person: name editable
    assert "name" in options["fields"] and options["fields"][-1] == "loaded_version"
    assert "name" not in model_admin.get_form(request, person).base_fields
    assert "name" in model_admin.get_form(request).base_fields

    class RoleFixedOnceCreated(locking.VersionedInline, admin.TabularInline):
        model = Person

        def get_readonly_fields(self, request, obj=None):
            return ["role"] if obj else []

    inline = RoleFixedOnceCreated(Organisation, AdminSite())
    assert inline.get_fields(request, org)[-2:] == ["loaded_version", "role"]
    assert "role" not in inline.get_formset(request, org).form.base_fields
    fields = inline.get_fields(request)  # on a new organisation's page: role editable
    assert "role" in fields and fields[-1] == "loaded_version"


def test_an_admin_or_inline_whose_form_is_not_versioned_is_refused(rf, admin_user):
    """Its page could overwrite a newer save: it fails loudly, naming the admin."""
    from django import forms
    from django.contrib import admin
    from django.contrib.admin import AdminSite

    class PlainForm(forms.ModelForm):
        class Meta:
            model = Person
            fields = ["name"]

    class PlainPersonAdmin(locking.VersionedAdmin):
        form = PlainForm

    class PlainPeopleInline(locking.VersionedInline, admin.TabularInline):
        model = Person
        form = PlainForm

    class PlainRowsInline(locking.VersionedInline, admin.TabularInline):
        """Its rows' versions are checked, but rows moved or deleted meanwhile would
        be dropped without a word."""

        model = Person
        formset = BaseInlineFormSet

    request = rf.get("/")
    request.user = admin_user
    with pytest.raises(TypeError, match=r"^PlainPersonAdmin\.form must be a VersionedModelForm$"):
        PlainPersonAdmin(Person, AdminSite()).get_form(request)
    with pytest.raises(TypeError, match=r"^PlainPeopleInline\.form must be a VersionedModelForm$"):
        PlainPeopleInline(Organisation, AdminSite()).get_formset(request)
    with pytest.raises(
        TypeError, match=r"^PlainRowsInline\.formset must be a VersionedInlineFormSet$"
    ):
        PlainRowsInline(Organisation, AdminSite()).get_formset(request)


def test_a_change_page_offers_the_records_history_and_its_deletion(curator_client):
    person = Person.objects.create(organisation=make_org(), name="Awa Keita")
    response = curator_client.get(change_url(person))
    assert response.status_code == 200
    content = response.content.decode()
    assert f'href="{admin_url(person, "history")}"' in content
    assert f'href="{admin_url(person, "delete")}"' in content
    added = curator_client.get("/admin/orgs/person/add/")  # nothing to delete yet
    assert added.status_code == 200 and 'class="deletelink"' not in added.content.decode()


def test_a_new_source_waits_for_its_language_to_be_chosen(curator_client):
    """No language is chosen for the curator: a French report saved as English would
    have its quotes read aloud in English."""
    url = reverse("admin:orgs_source_add")
    data = change_form_data(curator_client.get(url))
    assert data["language"] in ("", None)
    data.update(slug="rapport-2022", publisher="Réseau Paix", title="Rapport 2022")

    response = curator_client.post(url, data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["language"] == ["This field is required."]
    assert not Source.objects.exists()
    data["language"] = "fr"
    assert curator_client.post(url, data).status_code == 302
    assert Source.objects.get(slug="rapport-2022").language == "fr"


def test_the_sources_list_shows_and_filters_by_language(curator_client, directory):
    """Every source stored before the field was read as English: a curator finds the
    French ones to check by filtering."""
    page = curator_client.get("/admin/orgs/source/?language__exact=fr")
    assert page.status_code == 200
    listed = [source.slug for source in page.context["cl"].result_list]
    assert listed == list(Source.objects.filter(language="fr").values_list("slug", flat=True))
    assert listed and Source.objects.exclude(language="fr").exists()
    assert '<td class="field-language">French</td>' in page.content.decode()
