"""axe-core finds no accessibility violation on any public page, in French and English,
at phone (360 px) and desktop (1280 px) width, nor on the admin pages whose templates
we own; and the admin runs under its Content-Security-Policy without breaking it.

axe-core comes from npm (package.json, installed by `.ci/test`) and is injected into
Debian's Chromium by Playwright as an init script, so the pages' own policy (no inline
script) is left as it is.
"""

from pathlib import Path

import pytest

from .pages import LANGUAGES, admin_pages, curator, public_pages, with_notes_side_by_side

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = [360, 1280]

# Every Security Policy violation the page meets, recorded before any page script runs.
RECORD_CSP_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(
    event.violatedDirective + " blocked " + (event.blockedURI || "inline") +
    " at " + (event.sourceFile || "the page") + ":" + event.lineNumber +
    (event.sample ? " (" + event.sample + ")" : "") +
    " on " + (event.target.outerHTML || event.target.nodeName || "").slice(0, 120)
  );
});
"""


@pytest.fixture(scope="session")
def axe_source():
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` (bash .ci/test does)")
    return AXE.read_text()


def open_tab(browser, live_server, axe_source, width, language):
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": width, "height": 800},
        locale=language,
    )
    context.add_init_script(script=axe_source)
    context.add_init_script(script=RECORD_CSP_VIOLATIONS)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.problems = []
    page.on("pageerror", lambda error: page.problems.append(f"script error: {error}"))
    page.on(
        "console",
        # Policy breaches are listed from their events, with more detail.
        lambda message: (
            message.type == "error"
            and "Content Security Policy" not in message.text
            and page.problems.append(message.text)
        ),
    )
    return page


def axe_violations(page):
    """axe's violations on the open page: rule, impact, what it means and where."""
    # Off by default in axe-core, on in Lighthouse: WCAG 2.2's 24 px touch targets.
    results = page.evaluate(
        "axe.run(document, {resultTypes: ['violations'], rules: {'target-size': {enabled: true}}})"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']}\n"
        + "\n".join(
            f"      {' '.join(node['target'])}: {node['failureSummary'].splitlines()[-1].strip()}"
            for node in v["nodes"][:5]
        )
        + (f"\n      ... and {len(v['nodes']) - 5} more" if len(v["nodes"]) > 5 else "")
        for v in results["violations"]
    ]


def check_pages(page, pages, expect_status=None):
    """Open each page, run axe on it, and list every violation and CSP breach."""
    found = []
    for name, url in pages:
        page.problems.clear()
        response = page.goto(url)
        expected = 404 if name == "not found" else 200
        assert response.status == (expect_status or expected), (name, url, response.status)
        # Before axe runs: reading stylesheets, axe trips the policy itself.
        problems = [f"  Content-Security-Policy: {v}" for v in page.evaluate("cspViolations")]
        problems += [
            f"  console: {p}"
            for p in page.problems
            # The not-found page is meant to answer 404.
            if not (expected == 404 and "status of 404" in p)
        ]
        problems += [f"  {v}" for v in axe_violations(page)]
        if problems:
            found.append(f"{name} {url}:\n" + "\n".join(problems))
    return found


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_no_accessibility_violation_on_public_pages(
    browser, live_server, axe_source, directory, language, width
):
    with_notes_side_by_side(directory)
    page = open_tab(browser, live_server, axe_source, width, language)
    try:
        found = check_pages(page, public_pages(language))
        # Positive control: the checker is really running and sees a violation.
        page.goto(public_pages(language)[0][1])
        page.evaluate("document.querySelector('main').append(document.createElement('img'))")
        assert any(v.startswith("image-alt") for v in axe_violations(page))
    finally:
        page.context.close()
    assert not found, f"{language}, {width} px:\n" + "\n".join(found)


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_accessibility_violation_or_policy_breach_in_the_admin(
    browser, live_server, axe_source, directory, client, language
):
    user = curator(directory)
    pages = admin_pages(directory, user)
    client.force_login(user)
    page = open_tab(browser, live_server, axe_source, 1280, language)
    try:
        page.context.add_cookies(
            [
                {
                    "name": "sessionid",
                    "value": client.cookies["sessionid"].value,
                    "url": live_server.url,
                }
            ]
        )
        found = check_pages(page, pages)
        # Positive control: an inline style is reported as a policy breach.
        page.evaluate(
            "document.body.insertAdjacentHTML('beforeend', '<p style=\"color:red\">x</p>')"
        )
        page.wait_for_function("window.cspViolations.length > 0")
    finally:
        page.context.close()
    assert not found, f"admin, {language}:\n" + "\n".join(found)
