"""Every page type the site serves, as addresses built from URL names.

The external checkers (axe-core, the Nu HTML Checker) go over this list; built with
reverse() under the page's language, it follows the site's addresses wherever they
move. The data is the `directory` fixture's (tests/conftest.py).
"""

from django.contrib.auth.models import Group, User
from django.urls import reverse
from django.utils import translation

from orgs.models import Citation, Organisation, Submission
from orgs.roles import GROUP_NAME

LANGUAGES = ["fr", "en"]


def with_notes_side_by_side(directory):
    """Citations as the seed organisations have them: three of one region, one of a
    short focus area. The organisation page then shows note references side by side
    and after a short link, touch targets next to each other."""
    org = directory["youth-mopti"]
    existing = Citation.objects.filter(organisation=org, fact="region").first()
    for page in ["p. 13", "p. 14"]:
        Citation.objects.create(
            organisation=org,
            source=existing.source,
            fact="region",
            region=existing.region,
            locator=page,
            quote="Active across Mopti.",
        )
    Citation.objects.create(
        organisation=org,
        source=existing.source,
        fact="focus",
        focus_area=org.focus_areas.get(slug="youth"),
        locator="p. 15",
        quote="Its members are young.",
    )


def public_pages(language):
    """(name, address) of every public page type, in `language`."""
    with translation.override(language):
        org_list = reverse("orgs:org_list")
        return [
            ("home", reverse("orgs:home")),
            ("listing", org_list),
            # Filtered: a chip for each filter above the results, and a search.
            ("listing filtered", f"{org_list}?q=mopti&region=mopti&focus=youth&order=founded"),
            ("organisation", reverse("orgs:org_detail", args=["youth-mopti"])),
            ("region list and map", reverse("orgs:region_list")),
            ("region", reverse("orgs:region_detail", args=["mopti"])),
            ("source list", reverse("orgs:source_list")),
            ("source", reverse("orgs:source_detail", args=["report-2019"])),
            ("data", reverse("orgs:data")),
            ("suggest a correction", reverse("orgs:suggest_correction", args=["youth-mopti"])),
            ("ask to hide", reverse("orgs:ask_to_hide", args=["youth-mopti"])),
            ("suggest an organisation", reverse("orgs:suggest_organisation")),
            ("thanks", reverse("orgs:submission_thanks")),
            ("not found", reverse("orgs:org_detail", args=["no-such-organisation"])),
        ]


def curator(directory):
    """A curator (staff, in the curator group, not a superuser) for the admin pages."""
    user = User.objects.create_user("checker", password="checker-passphrase-9", is_staff=True)
    user.groups.add(Group.objects.get(name=GROUP_NAME))
    return user


def admin_pages(directory, user):
    """(name, address) of the admin pages whose templates we own or override.

    The organisation has rows in every inline (partnerships, people, citations), and
    a history with changes to show; the queue has a submission of each kind.
    """
    org = directory["youth-mopti"]
    org.description_en = "Trains young mediators in Mopti."
    org.description_fr = "Forme de jeunes médiateurs à Mopti."
    org._change_reason = "checked"
    org.save()
    citation = Citation.objects.filter(organisation=org).first()
    for kind in Submission.Kind.values:
        Submission.objects.create(
            kind=kind, organisation=org, message="Please look at this.", name="Reader"
        )
    history = org.history.order_by("history_date").first()
    return [
        ("organisation change form", reverse("admin:orgs_organisation_change", args=[org.pk])),
        ("organisation add form", reverse("admin:orgs_organisation_add")),
        ("organisation list", reverse("admin:orgs_organisation_changelist")),
        ("submissions queue", reverse("admin:orgs_submission_changelist")),
        ("organisation history", reverse("admin:orgs_organisation_history", args=[org.pk])),
        (
            "organisation history entry",
            reverse("admin:orgs_organisation_simple_history", args=[org.pk, history.pk]),
        ),
        ("citation change form", reverse("admin:orgs_citation_change", args=[citation.pk])),
    ]


def published(slug):
    return Organisation.objects.published().get(slug=slug)
