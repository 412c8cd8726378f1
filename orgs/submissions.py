"""The public forms' pages: suggest a correction, suggest an organisation, ask for
something to be hidden.

A post from another site is refused by where the browser says it comes from
(orgs/cross_origin.py), not by a CSRF cookie: like every reading page, a form's
page sets no cookie. What a reader sends goes to the curators' queue and nowhere else: no
public page, API or export reads submissions. Past the hourly limit per address the
form is shown again with everything typed, and says when to try again (429).
"""

from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.views.decorators.cache import never_cache

from . import notifications
from .cross_origin import refuse_cross_origin_posts
from .models import Organisation
from .rate_limit import SubmissionLimit
from .submission_forms import CorrectionForm, NewOrganisationForm, RemovalForm


def handle(request, form_class, template, organisation=None):
    """GET shows the form; POST saves a submission, unless over the limit or a bot."""
    form = form_class(organisation=organisation)
    limit = None
    if request.method == "POST":
        form = form_class(request.POST, organisation=organisation)
        limit = SubmissionLimit(request)
        if not limit.exceeded:
            if form.is_bot:
                limit.record()  # a bot is told it worked, and nothing is kept
                return redirect("orgs:submission_thanks")
            if form.is_valid():
                with transaction.atomic():
                    submission = form.save()
                    limit.record()
                    transaction.on_commit(lambda: notifications.submission_received(submission))
                return redirect("orgs:submission_thanks")
    context = {"form": form, "org": organisation}
    status = 200
    if limit is not None and limit.exceeded:
        retry_at = timezone.localtime(limit.retry_at)
        context["limit"] = {
            "allowed": limit.allowed,
            "time": formats.time_format(retry_at, "H:i"),
        }
        status = 429
    response = render(request, template, context, status=status)
    if status == 429:
        response["Retry-After"] = str(limit.retry_after_seconds)
    return response


def published_org(slug):
    return get_object_or_404(Organisation.objects.public().with_public_details(), slug=slug)


@never_cache
@refuse_cross_origin_posts
def suggest_correction(request, slug):
    org = published_org(slug)
    return handle(request, CorrectionForm, "orgs/submissions/correction.html", org)


@never_cache
@refuse_cross_origin_posts
def ask_to_hide(request, slug):
    org = published_org(slug)
    return handle(request, RemovalForm, "orgs/submissions/removal.html", org)


@never_cache
@refuse_cross_origin_posts
def suggest_organisation(request):
    return handle(request, NewOrganisationForm, "orgs/submissions/organisation.html")


def thanks(request):
    return render(request, "orgs/submissions/thanks.html")
