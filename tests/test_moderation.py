"""The curators' queue in the admin: what it shows, its actions, accepting a
suggested organisation as a cited draft, hiding at once, history, emails."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core import mail
from django.utils import timezone

from orgs.models import Citation, Organisation, Source, Submission
from orgs.roles import GROUP_NAME

from .conftest import SENSITIVE_TOWN, change_form_data
from .test_submissions import CORRECTION, HIDE, SUGGEST, correction, removal, suggestion

QUEUE = "/admin/orgs/submission/"


@pytest.fixture
def curator(db):
    user = User.objects.create_user(
        "aminata", email="aminata@example.org", password="not-a-real-password-1", is_staff=True
    )
    user.groups.add(Group.objects.get(name=GROUP_NAME))
    return user


@pytest.fixture
def curator_client(curator):
    from django.test import Client

    client = Client()
    client.force_login(curator)
    return client


def act(client, action, *submissions):
    return client.post(
        QUEUE,
        {"action": action, "_selected_action": [s.pk for s in submissions]},
        follow=True,
    )


def test_the_queue_shows_kind_status_urgency_organisation_dates_and_curator(
    client, curator_client, curator, directory
):
    client.post(CORRECTION, correction())
    client.post(HIDE, removal())
    client.post(SUGGEST, suggestion())
    act(curator_client, "mark_in_review", Submission.objects.get(kind="correction"))

    response = curator_client.get(QUEUE)

    assert response.status_code == 200
    page = response.content.decode()
    rows = response.context["cl"].result_list
    # Urgent first, then the newest.
    assert [s.kind for s in rows] == ["removal", "new_organisation", "correction"]
    for header in ["Kind", "Status", "Urgency", "Organisation", "Received", "Closed"]:
        assert f">{header}</a>" in page or f">{header}</span>" in page, header
    assert "<strong>urgent</strong>" in page and "In review" in page
    assert "Youth Mopti Association" in page and ">aminata<" in page
    for name in ["status", "kind", "urgent"]:
        assert f"?{name}__exact=" in page, name


def test_the_queue_filters_by_status_and_kind(client, curator_client, directory):
    client.post(CORRECTION, correction())
    client.post(HIDE, removal())
    response = curator_client.get(QUEUE + "?kind__exact=removal")
    assert [s.kind for s in response.context["cl"].result_list] == ["removal"]
    response = curator_client.get(QUEUE + "?urgent__exact=0")
    assert [s.kind for s in response.context["cl"].result_list] == ["correction"]


def test_a_submission_shows_what_was_sent_for_curators_only(client, curator_client, directory):
    client.post(HIDE, removal())
    submission = Submission.objects.get()
    page = curator_client.get(f"{QUEUE}{submission.pk}/change/").content.decode()
    assert "She was threatened after the report named her." in page
    assert "Never shown on the public site." in page


def test_accepting_a_suggested_organisation_creates_a_cited_draft(
    client, curator_client, curator, directory
):
    client.post(SUGGEST, suggestion(email="reader@example.org"))
    submission = Submission.objects.get()

    response = act(curator_client, "accept", submission)

    assert response.status_code == 200
    submission.refresh_from_db()
    draft = submission.draft
    assert (submission.status, submission.handled_by) == ("accepted", curator)
    assert submission.closed is not None
    assert draft.status == Organisation.Status.DRAFT
    assert (draft.name, draft.name_original, draft.acronym, draft.kind) == (
        "Kidal Women Mediators",
        "Femmes médiatrices de Kidal",
        "FMK",
        "local_association",
    )
    assert draft.website == "https://fmk.example.org"
    assert (draft.contact_phone, draft.contact_phone_public) == ("+223 00 00 00 00", False)
    assert [r.slug for r in draft.regions.all()] == ["kidal"]
    citation = Citation.objects.get(organisation=draft)
    assert (citation.fact, citation.locator, citation.quote) == (
        "existence",
        "p. 7",
        "The Femmes médiatrices de Kidal mediate between clans.",
    )
    assert (citation.source.title, citation.source.publisher, citation.source.url) == (
        "Women and peace in northern Mali",
        "Peace Direct",
        "https://example.org/women-peace.pdf",
    )
    assert draft.history.first().history_user == curator
    # A draft, checked and published as any other: not public yet.
    assert client.get(f"/en/orgs/{draft.slug}/").status_code == 404
    assert client.get(f"/api/orgs/{draft.slug}/").status_code == 404
    assert (
        "Draft created" in curator_client.get(f"{QUEUE}{submission.pk}/change/").content.decode()
    )


@pytest.mark.parametrize("page_language", ["fr", "en"])
def test_a_suggested_documents_language_is_taken_from_the_page_it_was_suggested_on(
    client, curator_client, directory, page_language
):
    """The curator who reviews the draft may correct it; until then the quote is marked
    in the language its suggester most likely read it in."""
    response = client.post(SUGGEST.replace("/en/", f"/{page_language}/"), suggestion())
    assert response.status_code == 302
    act(curator_client, "accept", Submission.objects.get())
    citation = Citation.objects.get(organisation__name="Kidal Women Mediators")
    assert citation.source.language == page_language


@pytest.mark.parametrize(
    "contact, field",
    [
        ("fmk@example.org", "contact_email"),
        ("+223 76 12 34 56", "contact_phone"),
        ("https://facebook.example/fmk", "social_links"),
        ("Ask for Mariam at the market", None),  # none of these: kept in the submission
    ],
)
def test_a_suggested_contact_goes_to_its_field_on_the_draft_hidden(
    client, curator_client, directory, contact, field
):
    client.post(SUGGEST, suggestion(contact=contact))
    submission = Submission.objects.get()
    act(curator_client, "accept", submission)
    draft = Organisation.objects.get(pk=Submission.objects.get().draft_id)
    fields = ["contact_email", "contact_phone", "social_links", "contact_address"]
    assert {f: getattr(draft, f) for f in fields if getattr(draft, f)} == (
        {field: contact} if field else {}
    )
    assert not any(getattr(draft, f"{f}_public") for f in fields)
    assert submission.contact == contact


def test_accepting_twice_makes_one_draft_and_reuses_a_known_source(
    client, curator_client, directory
):
    known = Source.objects.create(
        language="en",
        slug="known",
        title="Known",
        publisher="P",
        url="https://example.org/women-peace.pdf",
    )
    client.post(SUGGEST, suggestion())
    submission = Submission.objects.get()
    act(curator_client, "accept", submission)
    act(curator_client, "decline", submission)
    act(curator_client, "accept", submission)
    assert Organisation.objects.filter(name="Kidal Women Mediators").count() == 1
    assert Citation.objects.get(organisation__name="Kidal Women Mediators").source == known


def test_changing_the_status_on_the_page_goes_the_same_way(
    client, curator_client, curator, directory
):
    client.post(SUGGEST, suggestion())
    submission = Submission.objects.get()
    url = f"{QUEUE}{submission.pk}/change/"
    # As the page posts it: the form as displayed (with the version it was loaded
    # at, orgs/locking.py), two fields changed.
    data = change_form_data(curator_client.get(url))
    assert "loaded_version" in data
    data.update(status="accepted", curator_note="Source read.")
    response = curator_client.post(url, data)
    assert response.status_code == 302
    submission.refresh_from_db()
    assert (submission.status, submission.curator_note) == ("accepted", "Source read.")
    assert submission.handled_by == curator and submission.draft is not None


def test_curators_cannot_add_or_delete_submissions(client, curator_client, directory):
    client.post(CORRECTION, correction())
    submission = Submission.objects.get()
    assert curator_client.get(QUEUE + "add/").status_code == 403
    assert curator_client.get(f"{QUEUE}{submission.pk}/delete/").status_code == 403


def test_hide_now_unpublishes_the_organisation_from_the_request(
    client, curator_client, curator, directory
):
    client.post(HIDE, removal())
    assert client.get("/en/orgs/youth-mopti/").status_code == 200

    act(curator_client, "unpublish_organisation", Submission.objects.get())

    assert client.get("/en/orgs/youth-mopti/").status_code == 404
    org = Organisation.objects.get(slug="youth-mopti")
    assert org.status == "draft" and org.history.first().history_user == curator


def test_hide_now_can_mark_the_organisation_sensitive(client, curator_client, directory):
    directory["youth-mopti"].hq_town = SENSITIVE_TOWN
    directory["youth-mopti"].save()
    assert SENSITIVE_TOWN in client.get("/en/orgs/youth-mopti/").content.decode()
    client.post(HIDE, removal(target="detail", person_name=""))

    act(curator_client, "mark_organisation_sensitive", Submission.objects.get())

    response = client.get("/en/orgs/youth-mopti/")
    assert response.status_code == 200 and SENSITIVE_TOWN not in response.content.decode()


def test_submissions_have_history_without_the_email(client, curator_client, curator, directory):
    client.post(CORRECTION, correction())
    submission = Submission.objects.get()
    act(curator_client, "mark_in_review", submission)
    act(curator_client, "decline", submission)
    records = list(submission.history.order_by("history_date"))
    assert [r.status for r in records] == ["new", "in_review", "declined"]
    assert records[-1].history_user == curator
    assert not hasattr(records[0], "email")
    response = curator_client.get(f"{QUEUE}{submission.pk}/history/")
    assert response.status_code == 200 and ">aminata<" in response.content.decode()


# --- Email ---------------------------------------------------------------------------


def test_curators_hear_of_a_request_to_hide_at_once(
    client, curator, directory, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(HIDE, removal())
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["aminata@example.org"]
    assert message.subject == "Urgent: a request to hide something in the directory"
    submission = Submission.objects.get()
    assert f"/admin/orgs/submission/{submission.pk}/change/" in message.body
    # What the reader wrote stays in the database.
    assert "threatened" not in message.body and "Aminata" not in message.body


def test_other_submissions_wait_for_the_digest(client, curator, directory):
    from django.core.management import call_command

    client.post(CORRECTION, correction())
    client.post(SUGGEST, suggestion())
    assert mail.outbox == []

    call_command("notify_curators", verbosity=0)

    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "New submissions to check in the directory"
    assert mail.outbox[0].body.count("/admin/orgs/submission/") == 3  # two, and the queue
    call_command("notify_curators", verbosity=0)
    assert len(mail.outbox) == 1  # nothing new, nothing sent


@pytest.mark.parametrize(
    "language, action, expected",
    [
        ("en", "accept", "accepted it"),
        ("fr", "accept", "l’a acceptée"),
        ("en", "decline", "could not use it"),
        ("fr", "decline", "n’a pas pu l’utiliser"),
    ],
)
def test_the_submitter_hears_the_outcome_in_their_language(
    client,
    curator_client,
    directory,
    language,
    action,
    expected,
    django_capture_on_commit_callbacks,
):
    # The form's address gives the language; the email links back to the site in it.
    client.post(
        CORRECTION.replace("/en/", f"/{language}/"), correction(email="reader@example.org")
    )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        act(curator_client, action, Submission.objects.get())

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["reader@example.org"]
    assert expected in message.body
    assert f"{settings.SITE_URL}/{language}/\n" in message.body
    french_subject = "Votre proposition au Répertoire des OSC du Mali"
    assert (message.subject == french_subject) == (language == "fr")


def test_no_email_to_a_submitter_who_left_none(
    client, curator_client, directory, django_capture_on_commit_callbacks
):
    client.post(CORRECTION, correction(email=""))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        act(curator_client, "decline", Submission.objects.get())
    assert callbacks  # the email step ran, and sent nothing
    assert mail.outbox == []


def test_closed_submissions_are_timestamped(client, curator_client, directory):
    client.post(CORRECTION, correction())
    before = timezone.now()
    act(curator_client, "decline", Submission.objects.get())
    assert Submission.objects.get().closed >= before


def test_a_mail_server_that_is_down_loses_nothing(
    client, curator, directory, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", 9, False

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(HIDE, removal())

    assert response.status_code == 302 and response.url == "/en/thanks/"
    submission = Submission.objects.get()
    assert submission.curators_notified is None  # the digest will try again
