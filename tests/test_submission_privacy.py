"""Nothing a submitter types reaches a public page: a hidden person's name sent in
every kind of submission, even accepted, appears on no public page, API or export."""

from django.contrib.auth.models import User

from orgs.models import Person, Submission

from .conftest import HIDDEN_PERSON
from .test_admin import public_urls
from .test_submissions import CORRECTION, HIDE, SUGGEST, correction, removal, suggestion

TYPED = "Typed-Only Phrase"


def crawl(client, slugs):
    urls = list(public_urls(slugs))
    urls += [
        "/en/orgs/?q=" + HIDDEN_PERSON,
        "/en/orgs/?q=typed",
        "/api/orgs/",
        "/api/orgs/?q=" + HIDDEN_PERSON,
        "/export/orgs.csv",
        "/export/orgs.hxl.csv",
    ]
    urls += [f"/api/orgs/{slug}/" for slug in slugs]
    pages = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code < 500, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        pages[url] = (response.status_code, body.decode("utf-8-sig"))
    return pages


def test_a_hidden_persons_name_typed_into_submissions_never_appears_publicly(client, directory):
    hidden = Person.objects.get(name=HIDDEN_PERSON)
    assert not hidden.is_public
    client.post(CORRECTION, correction(message=f"{HIDDEN_PERSON} is the chair. {TYPED}"))
    client.post(HIDE, removal(message=f"{TYPED}: she is at risk."))
    client.post(
        SUGGEST,
        suggestion(
            name=f"{HIDDEN_PERSON} Foundation",
            acronym="HPF",
            source_quote=f"{HIDDEN_PERSON} founded it. {TYPED}",
        ),
    )
    # Positive control: what was typed is stored, for curators.
    assert Submission.objects.filter(message__contains=HIDDEN_PERSON).count() == 1
    assert Submission.objects.filter(person_name=HIDDEN_PERSON).count() == 1
    assert Submission.objects.filter(name__contains=HIDDEN_PERSON).count() == 1

    # Accepting the suggestion makes a draft: still nothing public.
    curator = User.objects.create_superuser("root", password="not-a-real-password-1")
    from orgs.moderation import set_status

    set_status(list(Submission.objects.filter(kind="new_organisation")), "accepted", curator)
    draft = Submission.objects.get(kind="new_organisation").draft
    assert draft is not None

    pages = crawl(client, ["youth-mopti", "mopti", "report-2019", draft.slug])

    assert pages["/en/orgs/youth-mopti/"][0] == 200
    assert "Youth Mopti Association" in pages["/en/orgs/youth-mopti/"][1]  # control
    assert "Oumar Public" in pages["/en/orgs/youth-mopti/"][1]  # a public person shows
    assert pages["/api/orgs/"][0] == 200 and "youth-mopti" in pages["/api/orgs/"][1]
    assert pages["/export/orgs.csv"][0] == 200 and "Youth Mopti" in pages["/export/orgs.csv"][1]
    assert sum(status == 200 for status, _ in pages.values()) >= 15
    for url, (_status, body) in pages.items():
        if "?q=" in url:  # the search box echoes what the reader typed into it
            body = body.replace(url.split("?q=")[1], "")
        assert HIDDEN_PERSON not in body, url
        assert TYPED not in body, url
        assert "she is at risk" not in body, url
    assert "Youth Mopti" not in pages["/en/orgs/?q=" + HIDDEN_PERSON][1]
