"""The site served by real servers in other processes, on a database of its own:
simultaneous saves by two curators, and a writer in another process.

On SQLite the two saves really are simultaneous: gunicorn runs two worker
processes; each request waits at a barrier until the other is ready to send.
"""

import html
import re
import threading

import pytest

from orgs.models import Organisation

from .live import Curator, LiveSite, http_get

PAIRS = 6


@pytest.fixture(scope="module")
def site():
    site = LiveSite(seeds=True)
    try:
        site.add_curator("alice")
        site.add_curator("bakary")
        site.start("gunicorn")
        yield site
    finally:
        site.destroy()


def shell(site, code):
    return site.manage("shell", "--no-imports", "-c", code).stdout.strip()


def replaced(fields, name, value):
    return [(n, value if n == name else v) for n, v in fields] + [("_save", "Save")]


def test_simultaneous_saves_give_one_save_and_one_conflict_never_an_error(site):
    ((pk,),) = site.query("SELECT id FROM orgs_organisation ORDER BY id LIMIT 1")
    path = f"/admin/orgs/organisation/{pk}/change/"
    alice, bakary = Curator(site, "alice"), Curator(site, "bakary")
    outcomes = []
    for pair in range(PAIRS):
        forms = [alice.form(path, "organisation_form"), bakary.form(path, "organisation_form")]
        barrier = threading.Barrier(2)
        results = [None, None]

        def save(index, curator, fields, barrier=barrier, results=results):
            barrier.wait()
            results[index] = curator.post(path, fields)

        threads = [
            threading.Thread(
                target=save,
                args=(i, curator, replaced(forms[i], "description_en", f"Pair {pair} by {name}.")),
            )
            for i, (curator, name) in enumerate(((alice, "alice"), (bakary, "bakary")))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        outcomes.append([status for status, _body in results])
        assert all(status < 500 for status, _body in results), (outcomes, site.server_log())
        assert sorted(status for status, _body in results) == [200, 302], outcomes
        refused = next(body for status, body in results if status == 200)
        assert "Someone else saved this organisation" in refused
        saved_by = "alice" if results[0][0] == 302 else "bakary"
        ((stored,),) = site.query(
            "SELECT description_en FROM orgs_organisation WHERE id = %s", [pk]
        )
        assert stored == f"Pair {pair} by {saved_by}."
        # What the refused curator typed is still in the form.
        other = "bakary" if saved_by == "alice" else "alice"
        assert html.escape(f"Pair {pair} by {other}.", quote=False) in refused
    print(f"simultaneous-save pairs: {len(outcomes)}, 5xx: 0, outcomes: {outcomes}")


def heading(body):
    return re.search(r'<h2 id="results-heading">(\d+) organisation', body).group(1)


def test_counts_follow_a_text_only_change_made_by_another_process(site):
    word = "zanzibarquux"
    ((slug,),) = site.query(
        "SELECT slug FROM orgs_organisation WHERE status = %s ORDER BY id LIMIT 1",
        [Organisation.Status.PUBLISHED.value],
    )
    status, _headers, body = http_get(site.port, f"/en/orgs/?q={word}")
    assert status == 200
    assert heading(body) == "0"
    assert f'href="/en/orgs/{slug}/"' not in body
    # Positive control: the organisation is listed when searched by its slug's words.
    assert heading(http_get(site.port, "/en/orgs/")[2]) != "0"

    # Another process changes only searched text, as orgs/search_upkeep.py prescribes.
    shell(
        site,
        "from orgs.models import Organisation as O; "
        "from orgs.search_upkeep import update_search_text; "
        f"rows = O.objects.filter(slug='{slug}'); rows.update(description_en='Now with {word}.'); "
        "update_search_text(rows)",
    )
    for _ in range(3):  # whichever worker answers
        status, _headers, body = http_get(site.port, f"/en/orgs/?q={word}")
        assert status == 200
        assert heading(body) == "1"
        assert f'href="/en/orgs/{slug}/"' in body

    shell(
        site,
        "from orgs.models import Organisation as O; "
        f"org = O.objects.get(slug='{slug}'); org.description_en = 'Without it.'; "
        "org.save(update_fields=['description_en'])",
    )
    for _ in range(3):
        status, _headers, body = http_get(site.port, f"/en/orgs/?q={word}")
        assert heading(body) == "0"
        assert f'href="/en/orgs/{slug}/"' not in body
        assert "No published organisation matches" in body
