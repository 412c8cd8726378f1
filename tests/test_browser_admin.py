"""A curator, in a real browser, adds an organisation and publishes it."""

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from playwright.sync_api import expect

from orgs.models import Citation, Organisation, Source
from orgs.roles import GROUP_NAME

PASSWORD = "a-long-curator-passphrase-7"


@pytest.fixture
def curator_account(transactional_db):
    call_command("loaddata", "regions", "focus_areas", verbosity=0)
    user = User.objects.create_user("mariam", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=GROUP_NAME))
    Source.objects.create(
        language="en",
        slug="civil-society-mapping-2022",
        publisher="Peace Direct",
        title="Civil society mapping 2022",
    )
    return user


def choose_autocomplete(page, select_id, text):
    """Pick `text` in the admin's autocomplete (select2) widget for <select id=...>."""
    page.locator(f"#{select_id} + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(text)
    page.locator(".select2-results__option", has_text=text).first.click()


@pytest.mark.browser
def test_curator_adds_cites_and_publishes_an_organisation(page, curator_account):
    page.goto("/admin/")
    page.get_by_label("Username").fill("mariam")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.goto("/admin/orgs/organisation/add/")
    page.get_by_label("Name:", exact=True).fill("Association Jeunesse Tombouctou")
    page.get_by_label("Kind:").select_option(label="Local association")
    page.get_by_role("checkbox", name="Mopti", exact=True).check()
    page.get_by_role("checkbox", name="Youth").first.check()
    page.get_by_role("button", name="Add another Citation").click()
    page.locator("#id_citations-0-fact").select_option("existence")
    choose_autocomplete(page, "id_citations-0-source", "Civil society mapping")
    page.locator("#id_citations-0-locator").fill("Annex 1")
    page.locator("#id_citations-0-quote").fill("Association Jeunesse Tombouctou works with youth.")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url("**/admin/orgs/organisation/")

    org = Organisation.objects.get(name="Association Jeunesse Tombouctou")
    assert org.slug == "association-jeunesse-tombouctou"
    assert [r.name for r in org.regions.all()] == ["Mopti"]
    assert org.focus_areas.count() == 1
    assert Citation.objects.filter(organisation=org, fact="existence").count() == 1
    assert org.status == Organisation.Status.DRAFT

    page.goto("/en/orgs/")
    assert page.get_by_role("link", name="Association Jeunesse Tombouctou").count() == 0

    def publish():
        page.goto("/admin/orgs/organisation/")
        row = page.get_by_role("row", name="Association Jeunesse Tombouctou")
        row.get_by_role("checkbox").check()
        page.locator("select[name=action]").select_option("publish")
        page.locator("button[name=index]").click()

    # Its region and focus area are not cited yet: publishing is refused, saying why.
    publish()
    refusal = page.locator(".messagelist .error")
    expect(refusal).to_contain_text("region of work: Mopti")
    expect(refusal).to_contain_text("focus area: Youth")
    assert Organisation.objects.get(pk=org.pk).status == Organisation.Status.DRAFT

    page.goto(f"/admin/orgs/organisation/{org.pk}/change/")
    for index, (fact, subject_id, subject, quote) in enumerate(
        [
            ("region", "region", "Mopti", "It runs youth clubs in Mopti."),
            ("focus", "focus_area", "Youth", "It works with young people."),
        ],
        start=1,
    ):
        page.get_by_role("button", name="Add another Citation").click()
        page.locator(f"#id_citations-{index}-fact").select_option(fact)
        choose_autocomplete(page, f"id_citations-{index}-{subject_id}", subject)
        choose_autocomplete(page, f"id_citations-{index}-source", "Civil society mapping")
        page.locator(f"#id_citations-{index}-locator").fill("Annex 1")
        page.locator(f"#id_citations-{index}-quote").fill(quote)
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url("**/admin/orgs/organisation/")

    publish()
    expect(page.get_by_text("1 organisation published.")).to_be_visible()

    page.goto("/en/orgs/")
    expect(page.get_by_role("link", name="Association Jeunesse Tombouctou")).to_be_visible()
