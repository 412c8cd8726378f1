"""What a reader does, in headless Chromium at phone width (360 px)."""

import re

import pytest

from orgs.models import Organisation

pytestmark = pytest.mark.browser


def test_search_from_the_home_page_box(page, directory):
    page.goto("/en/")
    page.get_by_label("Search by name, place or topic").fill("prison")
    page.get_by_label("Search by name, place or topic").press("Enter")
    page.wait_for_url(re.compile(r"/en/orgs/\?q=prison"))
    assert page.get_by_role("link", name="Prison Mopti Association").is_visible()
    assert page.get_by_role("link", name="Gao Womens-Rights Association").count() == 0


def test_open_the_filter_panel_at_the_top_and_apply_a_filter(page, directory):
    page.goto("/en/orgs/")
    panel = page.get_by_text("Filters and order")
    first_card = page.locator("li.card").first
    assert panel.bounding_box()["y"] < first_card.bounding_box()["y"]
    assert panel.bounding_box()["y"] < page.viewport_size["height"]  # on the first screen
    assert not page.get_by_role("group", name="Region").is_visible()  # closed at first
    panel.click()
    page.get_by_role("group", name="Region").get_by_label("Kayes").check()
    page.get_by_role("button", name="Apply filters").click()
    # The empty fields (zone, years) never reach the address.
    page.wait_for_url(re.compile(r"/en/orgs/\?region=kayes$"))
    cards = page.locator("li.card h3 a")
    assert cards.all_inner_texts() == ["Kayes Health Association"]
    assert page.get_by_role("link", name=re.compile("Region: Kayes")).is_visible()
    page.get_by_text("Filters and order").click()
    assert page.get_by_role("group", name="Region").get_by_label("Kayes").is_checked()


def test_choose_the_order_in_the_filter_panel(page, directory):
    page.goto("/en/orgs/")
    page.get_by_text("Filters and order").click()
    page.get_by_label("Order").select_option("founded")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"/en/orgs/\?order=founded$"))
    years = [o.founded for o in Organisation.objects.published() if o.founded]
    first = Organisation.objects.published().get(founded=min(years))
    assert page.locator("li.card h3 a").first.inner_text() == first.name


def test_open_an_organisation_from_the_listing(page, directory):
    page.goto("/en/orgs/")
    page.get_by_role("link", name="Youth Mopti Association").click()
    page.wait_for_url("**/orgs/youth-mopti/")
    assert page.get_by_role("heading", level=1).inner_text() == "Youth Mopti Association"
    assert page.get_by_role("heading", name="Sources").is_visible()


def test_switch_to_french_and_see_french_labels(page, directory):
    page.goto("/en/orgs/")
    page.get_by_role("link", name="Français").click()
    page.wait_for_url(re.compile(r"/fr/orgs/$"))
    assert page.locator("html").get_attribute("lang") == "fr"
    page.get_by_text("Filtres et ordre").click()
    assert page.get_by_role("group", name="Région").get_by_label("Tombouctou").count() == 1
    assert page.get_by_role("group", name="Domaine d’action").is_visible()
    assert page.get_by_role("link", name="English").is_visible()


def test_switching_language_on_a_filtered_listing_keeps_the_filters(page, directory):
    shown = (
        Organisation.objects.published()
        .filter(regions__slug="mopti", focus_areas__slug="youth")
        .order_by("founded")
    )
    assert len({org.founded for org in shown}) == len(shown) > 1  # one order only
    assert Organisation.objects.published().count() > len(shown)
    # A card leads with the name in the page's language: the original one in French.
    expected = [org.name for org in shown]
    in_french = [org.name_original or org.name for org in shown]
    assert in_french != expected  # the language shows
    page.goto("/en/orgs/?region=mopti&focus=youth&order=founded")
    assert page.locator("li.card h3 a").all_inner_texts() == expected
    page.get_by_role("link", name="Français").click()
    page.wait_for_url(re.compile(r"/fr/orgs/\?region=mopti&focus=youth&order=founded$"))
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("li.card h3 a").all_inner_texts() == in_french
    page.get_by_text("Filtres et ordre").click()
    assert page.get_by_role("group", name="Région").get_by_label("Mopti").is_checked()
    assert page.get_by_label("Ordre").input_value() == "founded"
    # And back: the same filters in English.
    page.get_by_role("link", name="English").click()
    page.wait_for_url(re.compile(r"/en/orgs/\?region=mopti&focus=youth&order=founded$"))


@pytest.mark.parametrize(
    "url",
    [
        "/en/",
        "/en/orgs/",
        "/en/orgs/?q=zzz",
        "/en/orgs/youth-mopti/",
        "/en/regions/",
        "/en/sources/",
    ],
)
def test_no_horizontal_scroll_on_a_360_px_phone(page, directory, url):
    page.goto(url)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], (url, width)


def test_the_skip_link_is_the_first_stop_and_visible_on_focus(page, directory):
    page.goto("/en/orgs/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to content"
    box = page.get_by_role("link", name="Skip to content").bounding_box()
    assert box["x"] >= 0 and box["y"] >= 0


def test_a_repeat_view_fetches_only_the_html(page, directory, live_server):
    """First view: the HTML and one stylesheet. Repeat view: the HTML alone, as the
    stylesheet's hashed name and immutable cache headers keep it in the cache."""
    requests = []
    page.on("request", lambda request: requests.append(request.url))

    live_server.hits.clear()
    page.goto("/en/orgs/")
    assert len(requests) == 2, requests
    assert requests[0] == live_server.url + "/en/orgs/"
    assert re.search(r"/static/css/site\.[0-9a-f]{12}\.css$", requests[1])
    assert live_server.hits == ["/en/orgs/", requests[1].removeprefix(live_server.url)]

    # Chromium still reports the stylesheet as a request, served from its cache:
    # what reaches the server is the HTML alone.
    live_server.hits.clear()
    page.goto("/en/orgs/?region=mopti")
    assert live_server.hits == ["/en/orgs/?region=mopti"]


def test_suggest_a_correction_on_a_360_px_phone(page, directory):
    from orgs.models import Submission

    page.goto("/en/orgs/youth-mopti/")
    page.get_by_role("link", name="Suggest a correction").click()
    page.wait_for_url("**/orgs/youth-mopti/suggest-correction/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width
    # The honeypot is out of sight, left of the page.
    box = page.get_by_label("Leave this field empty").bounding_box()
    assert box is None or box["x"] + box["width"] <= 0, box

    page.get_by_label("Which fact is wrong or missing?").select_option(label="Works in: Mopti")
    page.get_by_label("What is wrong, and what is right?").fill("It also works in Ségou.")
    page.get_by_label("Evidence").fill("Annual report 2020, p. 4")
    page.get_by_label("Your email address").fill("reader@example.org")
    page.get_by_role("button", name="Send the correction").click()

    page.wait_for_url("**/thanks/")
    assert page.get_by_role("heading", level=1).inner_text() == "Thank you"
    submission = Submission.objects.get()
    assert (submission.about, submission.message, submission.email) == (
        "Works in: Mopti",
        "It also works in Ségou.",
        "reader@example.org",
    )
