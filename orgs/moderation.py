"""What curators do with submissions: the one path every status change goes through
(the queue's actions and its change form), accepting a suggested organisation as a
draft with its source cited, and hiding an organisation at once from a request."""

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from . import bilingual, contacts, notifications
from .admin_actions import save_each
from .models import Citation, Organisation, Source, Submission


def set_status(submissions, status, user):
    """Move submissions to `status`, as `user`; returns how many changed.

    Closing one (accepted or declined) records when and by whom, tells a submitter
    who left an address, and accepting a suggested organisation creates its draft.
    """
    changed = []
    with transaction.atomic():
        rows = Submission.objects.filter(pk__in=[s.pk for s in submissions])
        for submission in rows.select_for_update().order_by("pk"):
            if submission.status == status:
                continue
            submission.status = status
            submission.handled_by = user
            submission.closed = timezone.now() if status in Submission.CLOSED else None
            if (
                status == Submission.Status.ACCEPTED
                and submission.kind == Submission.Kind.NEW_ORGANISATION
                and submission.draft_id is None
            ):
                submission.draft = create_draft(submission, user)
            submission._history_user = user
            submission.save()
            changed.append(submission)
        closed = [s for s in changed if s.is_closed]
        transaction.on_commit(lambda: [notifications.tell_submitter(s) for s in closed])
    return len(changed)


def unique_slug(model, text, max_length):
    base = slugify(text)[: max_length - 4].strip("-") or "untitled"
    slug, n = base, 2
    while model.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def create_draft(submission, user):
    """A draft organisation from a suggestion, its existence cited to the submitted
    source. Drafts are never public: a curator checks and publishes it as any other."""
    org = Organisation(
        name=submission.name,
        name_original=submission.name_original,
        acronym=submission.acronym,
        kind=submission.org_kind,
        website=submission.website,
        slug=unique_slug(Organisation, submission.name, 100),
        status=Organisation.Status.DRAFT,
        **contacts.fields_for(submission.contact),  # hidden until a curator says
    )
    org._history_user = user
    org.save()
    org.regions.set(submission.regions.all())
    org.focus_areas.set(submission.focus_areas.all())
    source = None
    if submission.source_url:
        source = Source.objects.filter(url=submission.source_url).first()
    if source is None:
        source = Source(
            title=submission.source_title,
            publisher=submission.source_publisher,
            url=submission.source_url,
            slug=unique_slug(Source, submission.source_title, 50),
            # A guess for the curator who reviews the draft: the language of the page the
            # document was suggested from.
            language=bilingual.site_language(submission.language),
        )
        source._history_user = user
        source.save()
    citation = Citation(
        organisation=org,
        source=source,
        fact=Citation.Fact.EXISTENCE,
        locator=submission.source_locator,
        quote=submission.source_quote,
    )
    citation._history_user = user
    citation.save()
    return org


def hide_organisation(submissions, user, *, how):
    """Hide the organisations these requests concern, at once: back to draft
    (`how="unpublish"`) or marked sensitive (`how="sensitive"`). Returns the count."""
    organisations = Organisation.objects.filter(
        pk__in=[s.organisation_id for s in submissions if s.organisation_id]
    )
    if how == "unpublish":
        return save_each(
            organisations.exclude(status=Organisation.Status.DRAFT),
            ["status"],
            lambda org: setattr(org, "status", Organisation.Status.DRAFT),
            user,
        )
    return save_each(
        organisations.filter(sensitive=False),
        ["sensitive"],
        lambda org: setattr(org, "sensitive", True),
        user,
    )
