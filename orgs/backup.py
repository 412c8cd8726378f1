"""The whole directory as one JSON file, and back: for backups and moving servers.

Unlike the public exports, this holds everything: drafts and archived
organisations, hidden people, verification details. Keep the file as safe as the
database.

Records refer to each other by natural key (slugs; an organisation's slug and a
person's name; a partnership's organisation, relation, partner and programme), not
by database id, so a file restores into any empty database. `search_text` is not
stored: it is recomputed on import. History is not stored either.

What a file may hold, and the checks before anything is written, are in
`orgs.backup_schema`; this module writes and restores.
"""

import datetime

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from . import evidence
from .backup_schema import FIELDS, FORMAT, VERSION
from .models import Citation, FocusArea, Organisation, Partnership, Person, Region, Source
from .search_upkeep import update_search_text


class BackupError(Exception):
    """The file cannot be restored into this database; `problems` says why, one each."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


# --- Export -----------------------------------------------------------------


def plain(value):
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return value


def fields_of(obj, collection):
    return {name: plain(getattr(obj, name)) for name in FIELDS[collection][1]}


def partnership_key(p):
    return [p.organisation.slug, p.relation, p.partner.slug, p.programme]


def dump():
    """Everything in the directory, as JSON-ready data, in a stable order."""
    organisations = (
        Organisation.objects.select_related("hq_region", "checked_by")
        .prefetch_related("regions", "focus_areas")
        .order_by("slug")
    )
    partnerships = Partnership.objects.select_related("organisation", "partner").order_by(
        "organisation__slug", "relation", "partner__slug", "programme"
    )
    people = Person.objects.select_related("organisation").order_by("organisation__slug", "name")
    citations = Citation.objects.select_related(
        "organisation",
        "source",
        "region",
        "focus_area",
        "partnership__organisation",
        "partnership__partner",
        "person__organisation",
    ).order_by("organisation__slug", "id")
    return {
        "format": FORMAT,
        "version": VERSION,
        "regions": [fields_of(r, "regions") for r in Region.objects.order_by("slug")],
        "focus_areas": [fields_of(f, "focus_areas") for f in FocusArea.objects.order_by("slug")],
        "sources": [fields_of(s, "sources") for s in Source.objects.order_by("slug")],
        "organisations": [
            {
                **fields_of(o, "organisations"),
                "hq_region": o.hq_region.slug if o.hq_region else None,
                "checked_by": o.checked_by.get_username() if o.checked_by else None,
                "regions": sorted(r.slug for r in o.regions.all()),
                "focus_areas": sorted(f.slug for f in o.focus_areas.all()),
            }
            for o in organisations
        ],
        "partnerships": [
            {
                "organisation": p.organisation.slug,
                "partner": p.partner.slug,
                **fields_of(p, "partnerships"),
            }
            for p in partnerships
        ],
        "people": [
            {"organisation": p.organisation.slug, **fields_of(p, "people")} for p in people
        ],
        "citations": [
            {
                "organisation": c.organisation.slug,
                "source": c.source.slug,
                **fields_of(c, "citations"),
                "region": c.region.slug if c.region else None,
                "focus_area": c.focus_area.slug if c.focus_area else None,
                "partnership": partnership_key(c.partnership) if c.partnership else None,
                "person": [c.person.organisation.slug, c.person.name] if c.person else None,
            }
            for c in citations
        ],
    }


# --- Import -----------------------------------------------------------------


def values_of(record, collection):
    """A checked record's model fields, as the model takes them."""
    return {name: getattr(record, name) for name in FIELDS[collection][1]}


def directory_is_empty():
    return not any(
        model.objects.exists() for model in (Organisation, Source, Person, Partnership, Citation)
    )


@transaction.atomic
def load(backup):
    """Restore a checked backup (orgs.backup_schema.read_backup) into an empty directory.

    Raises BackupError, and writes nothing, when the directory is not empty.
    """
    if not directory_is_empty():
        raise BackupError(
            [
                "the database already holds organisations or sources; import restores into "
                "an empty directory only (use a fresh database, or `manage.py flush`)"
            ]
        )
    try:
        counts = restore(backup)
    except IntegrityError as error:  # read_backup checks every constraint: a bug if seen
        raise BackupError(
            [f"the database refused the file, which passed every check: {error}"]
        ) from error
    require_evidence([org.slug for org in backup.organisations])
    return counts


def require_evidence(slugs):
    """What orgs.evidence refuses (a published organisation with an uncited fact, a
    citation of a fact it does not have), named by entry; the transaction rolls back."""
    found = evidence.problems(Organisation.objects.values_list("pk", flat=True))
    if found:
        index = {slug: i for i, slug in enumerate(slugs)}
        raise BackupError(
            f"organisations[{index[org.slug]}] {org.slug}: {message}"
            for org, messages in found.items()
            for message in messages
        )


def restore(backup):
    for model, collection in ((Region, "regions"), (FocusArea, "focus_areas")):
        for record in getattr(backup, collection):
            values = values_of(record, collection)
            current, created = model.objects.get_or_create(
                slug=values.pop("slug"), defaults=values
            )
            # Rewritten only if different: a save moves the row's version on.
            if not created and any(getattr(current, k) != v for k, v in values.items()):
                model.objects.update_or_create(slug=current.slug, defaults=values)
    regions = {r.slug: r for r in Region.objects.all()}
    focus_areas = {f.slug: f for f in FocusArea.objects.all()}

    Source.objects.bulk_create([Source(**values_of(s, "sources")) for s in backup.sources])
    sources = {s.slug: s for s in Source.objects.all()}

    users, created_users = {}, []
    User = get_user_model()
    organisations = []
    for record in backup.organisations:
        username = record.checked_by
        if username and username not in users:
            users[username], created = User.objects.get_or_create(
                **{User.USERNAME_FIELD: username}, defaults={"is_active": False}
            )
            if created:
                # Keeps who checked the organisation; the account cannot log in.
                users[username].set_unusable_password()
                users[username].save()
                created_users.append(username)
        organisations.append(
            Organisation(
                **values_of(record, "organisations"),
                hq_region=regions[record.hq_region] if record.hq_region else None,
                checked_by=users[username] if username else None,
            )
        )
    Organisation.objects.bulk_create(organisations)
    orgs = {o.slug: o for o in Organisation.objects.all()}

    Organisation.regions.through.objects.bulk_create(
        Organisation.regions.through(organisation=orgs[record.slug], region=regions[slug])
        for record in backup.organisations
        for slug in record.regions
    )
    Organisation.focus_areas.through.objects.bulk_create(
        Organisation.focus_areas.through(
            organisation=orgs[record.slug], focusarea=focus_areas[slug]
        )
        for record in backup.organisations
        for slug in record.focus_areas
    )

    Partnership.objects.bulk_create(
        Partnership(
            **values_of(record, "partnerships"),
            organisation=orgs[record.organisation],
            partner=orgs[record.partner],
        )
        for record in backup.partnerships
    )
    partnerships = {
        tuple(partnership_key(p)): p
        for p in Partnership.objects.select_related("organisation", "partner")
    }

    Person.objects.bulk_create(
        Person(**values_of(record, "people"), organisation=orgs[record.organisation])
        for record in backup.people
    )
    people = {
        (p.organisation.slug, p.name): p for p in Person.objects.select_related("organisation")
    }

    def subject(table, key):
        return None if key is None else table[tuple(key) if isinstance(key, list) else key]

    Citation.objects.bulk_create(
        Citation(
            **values_of(record, "citations"),
            organisation=orgs[record.organisation],
            source=sources[record.source],
            region=subject(regions, record.region),
            focus_area=subject(focus_areas, record.focus_area),
            partnership=subject(partnerships, record.partnership),
            person=subject(people, record.person),
        )
        for record in backup.citations
    )

    update_search_text(Organisation.objects.all())
    # Saving stamped `created` and `updated` with today; put the file's dates back.
    # bulk_update does not run auto_now, and runs last so nothing stamps them again.
    timestamps = {record.slug: (record.created, record.updated) for record in backup.organisations}
    restored = list(Organisation.objects.all())
    for org in restored:
        org.created, org.updated = timestamps[org.slug]
    Organisation.objects.bulk_update(restored, ["created", "updated"], batch_size=500)

    return {
        "regions": len(backup.regions),
        "focus areas": len(backup.focus_areas),
        "sources": len(sources),
        "organisations": len(orgs),
        "partnerships": len(backup.partnerships),
        "people": len(backup.people),
        "citations": len(backup.citations),
        "placeholder users": created_users,
    }
