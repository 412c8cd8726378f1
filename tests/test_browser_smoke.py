import pytest

from .conftest import make_org


@pytest.mark.browser
def test_listing_shows_a_published_organisation(page, transactional_db):
    make_org(name="Association Smoke", slug="association-smoke")
    page.goto("/orgs/")
    assert page.get_by_role("link", name="Association Smoke").is_visible()
