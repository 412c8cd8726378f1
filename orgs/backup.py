"""The whole directory as one JSON file, and back: for backups and moving servers.

Unlike the public exports, this holds everything: drafts and archived
organisations, hidden people, verification details. Keep the file as safe as the
database.

Records refer to each other by natural key (slugs; an organisation's slug and a
person's name; a partnership's organisation, relation, partner and programme), not
by database id, so a file restores into any empty database. `search_text` is not
stored: it is recomputed on import. History is not stored either.
"""

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from .models import Citation, FocusArea, Organisation, Partnership, Person, Region, Source
from .search import update_search_text

FORMAT = "mali-cso-directory"
VERSION = 1

# Fields copied as they are, per collection; references are handled one by one below.
PLAIN_FIELDS = {
    "regions": (
        Region,
        [
            "slug",
            "name",
            "name_en",
            "aliases",
            "zone",
            "pcode",
            "parent_id",
        ],
    ),
    "focus_areas": (FocusArea, ["slug", "label_en", "label_fr"]),
    "sources": (Source, ["slug", "publisher", "title", "date", "url", "description"]),
    "organisations": (
        Organisation,
        [
            "slug",
            "name",
            "name_original",
            "acronym",
            "kind",
            "founded",
            "hq_town",
            "description",
            "website",
            "status",
            "sensitive",
            "verification",
            "last_checked",
            "version",
            "seeded_values",
            "created",
            "updated",
        ],
    ),
    "partnerships": (Partnership, ["relation", "programme", "start_year", "end_year", "version"]),
    "people": (Person, ["name", "role", "is_public", "version"]),
    "citations": (Citation, ["fact", "locator", "quote"]),
}

# Reference fields by natural key: name -> JSON type.
REFERENCES = {
    "regions": {},
    "focus_areas": {},
    "sources": {},
    "organisations": {
        "hq_region": "nullable str",
        "checked_by": "nullable str",
        "regions": "list",
        "focus_areas": "list",
    },
    "partnerships": {"organisation": "str", "partner": "str"},
    "people": {"organisation": "str"},
    "citations": {
        "organisation": "str",
        "source": "str",
        "region": "nullable str",
        "focus_area": "nullable str",
        "partnership": "nullable list",
        "person": "nullable list",
    },
}


class BackupError(Exception):
    """The file cannot be restored; the message says where and why."""


# --- Export -----------------------------------------------------------------


def plain(value):
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return value


def fields_of(obj, collection):
    return {name: plain(getattr(obj, name)) for name in PLAIN_FIELDS[collection][1]}


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

JSON_TYPES = {
    "str": str,
    "list": list,
    "dict": dict,
    "int": int,
    "bool": bool,
}


def json_type(field):
    """What JSON type a model field's value must have in the file."""
    if isinstance(field, models.BooleanField):
        kind = "bool"
    elif isinstance(field, models.IntegerField):
        kind = "int"
    elif isinstance(field, models.JSONField):
        kind = "list" if isinstance(field.default(), list) else "dict"
    else:
        kind = "str"
    return f"nullable {kind}" if field.null else kind


def type_ok(value, kind):
    if kind.startswith("nullable "):
        if value is None:
            return True
        kind = kind.removeprefix("nullable ")
    if kind == "int" and isinstance(value, bool):
        return False
    return isinstance(value, JSON_TYPES[kind])


def check_shape(data):
    """Every collection is a list of objects with exactly the expected keys and types."""
    if not isinstance(data, dict):
        raise BackupError("the file does not hold a JSON object")
    if data.get("format") != FORMAT:
        raise BackupError(f"this is not a directory backup (format should be {FORMAT!r})")
    if data.get("version") != VERSION:
        raise BackupError(
            f"format version {data.get('version')!r} cannot be read; this code reads "
            f"version {VERSION}"
        )
    expected_keys = {"format", "version", *PLAIN_FIELDS}
    if set(data) != expected_keys:
        missing, extra = expected_keys - set(data), set(data) - expected_keys
        raise BackupError(f"missing keys {sorted(missing)}, unknown keys {sorted(extra)}")
    for collection, (model, names) in PLAIN_FIELDS.items():
        entries = data[collection]
        if not isinstance(entries, list):
            raise BackupError(f"{collection} should be a list")
        types = {name: json_type(model._meta.get_field(name)) for name in names}
        types.update(REFERENCES[collection])
        for index, entry in enumerate(entries):
            where = f"{collection}[{index}]"
            if not isinstance(entry, dict):
                raise BackupError(f"{where} should be an object")
            if set(entry) != set(types):
                missing, extra = set(types) - set(entry), set(entry) - set(types)
                raise BackupError(
                    f"{where}: missing keys {sorted(missing)}, unknown keys {sorted(extra)}"
                )
            for name, kind in types.items():
                if not type_ok(entry[name], kind):
                    raise BackupError(
                        f"{where}: {name} should be {kind.replace('nullable ', 'null or ')}, "
                        f"not {entry[name]!r}"
                    )


def build(model, collection, index, entry, **references):
    """An unsaved instance, its fields checked as the admin would check them."""
    names = PLAIN_FIELDS[collection][1]
    obj = model(**{name: entry[name] for name in names}, **references)
    try:
        obj.full_clean(
            exclude=[f.name for f in model._meta.get_fields() if f.is_relation],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as error:
        label = entry.get("slug") or entry.get("name") or ""
        raise BackupError(
            f"{collection}[{index}] {label}: "
            + "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
        ) from error
    return obj


def lookup(table, key, where, what):
    try:
        return table[key if not isinstance(key, list) else tuple(key)]
    except (KeyError, TypeError):
        raise BackupError(f"{where}: {what} {key!r} is not in the file") from None


def directory_is_empty():
    return not any(
        model.objects.exists() for model in (Organisation, Source, Person, Partnership, Citation)
    )


@transaction.atomic
def load(data):
    """Restore a dump() into an empty directory. Raises BackupError; writes nothing then."""
    check_shape(data)
    if not directory_is_empty():
        raise BackupError(
            "the database already holds organisations or sources; import restores into "
            "an empty directory only (use a fresh database, or `manage.py flush`)"
        )
    try:
        return restore(data)
    except IntegrityError as error:
        raise BackupError(f"the file contradicts itself (duplicate entries?): {error}") from error


def restore(data):
    for model, collection in ((Region, "regions"), (FocusArea, "focus_areas")):
        for index, entry in enumerate(data[collection]):
            obj = build(model, collection, index, entry)
            values = {name: getattr(obj, name) for name in PLAIN_FIELDS[collection][1]}
            current, created = model.objects.get_or_create(
                slug=values.pop("slug"), defaults=values
            )
            # Rewritten only if different: a save moves the row's version on.
            if not created and any(getattr(current, k) != v for k, v in values.items()):
                model.objects.update_or_create(slug=current.slug, defaults=values)
    regions = {r.slug: r for r in Region.objects.all()}
    focus_areas = {f.slug: f for f in FocusArea.objects.all()}

    Source.objects.bulk_create(
        [build(Source, "sources", i, e) for i, e in enumerate(data["sources"])]
    )
    sources = {s.slug: s for s in Source.objects.all()}

    users, created_users = {}, []
    User = get_user_model()
    organisations, timestamps = [], {}
    for index, entry in enumerate(data["organisations"]):
        where = f"organisations[{index}] {entry['slug']}"
        username = entry["checked_by"]
        if username and username not in users:
            users[username], created = User.objects.get_or_create(
                **{User.USERNAME_FIELD: username}, defaults={"is_active": False}
            )
            if created:
                # Keeps who checked the organisation; the account cannot log in.
                users[username].set_unusable_password()
                users[username].save()
                created_users.append(username)
        hq_region = entry["hq_region"]
        org = build(
            Organisation,
            "organisations",
            index,
            entry,
            hq_region=lookup(regions, hq_region, where, "region") if hq_region else None,
            checked_by=users[username] if username else None,
        )
        timestamps[org.slug] = (org.created, org.updated)
        organisations.append(org)
    Organisation.objects.bulk_create(organisations)
    orgs = {o.slug: o for o in Organisation.objects.all()}

    region_links, focus_links = [], []
    for index, entry in enumerate(data["organisations"]):
        where = f"organisations[{index}] {entry['slug']}"
        org = orgs[entry["slug"]]
        region_links += [
            Organisation.regions.through(
                organisation=org, region=lookup(regions, slug, where, "region")
            )
            for slug in entry["regions"]
        ]
        focus_links += [
            Organisation.focus_areas.through(
                organisation=org, focusarea=lookup(focus_areas, slug, where, "focus area")
            )
            for slug in entry["focus_areas"]
        ]
    Organisation.regions.through.objects.bulk_create(region_links)
    Organisation.focus_areas.through.objects.bulk_create(focus_links)

    partnerships = []
    for index, entry in enumerate(data["partnerships"]):
        where = f"partnerships[{index}]"
        partnerships.append(
            build(
                Partnership,
                "partnerships",
                index,
                entry,
                organisation=lookup(orgs, entry["organisation"], where, "organisation"),
                partner=lookup(orgs, entry["partner"], where, "organisation"),
            )
        )
    Partnership.objects.bulk_create(partnerships)
    partnership_keys = {
        tuple(partnership_key(p)): p
        for p in Partnership.objects.select_related("organisation", "partner")
    }

    people = []
    for index, entry in enumerate(data["people"]):
        where = f"people[{index}]"
        org = lookup(orgs, entry["organisation"], where, "organisation")
        people.append(build(Person, "people", index, entry, organisation=org))
    Person.objects.bulk_create(people)
    people_keys = {
        (p.organisation.slug, p.name): p for p in Person.objects.select_related("organisation")
    }

    citations = []
    for index, entry in enumerate(data["citations"]):
        where = f"citations[{index}]"
        subject = {
            "region": (regions, "region"),
            "focus_area": (focus_areas, "focus area"),
            "partnership": (partnership_keys, "partnership"),
            "person": (people_keys, "person"),
        }
        references = {
            name: lookup(table, entry[name], where, what) if entry[name] is not None else None
            for name, (table, what) in subject.items()
        }
        citations.append(
            build(
                Citation,
                "citations",
                index,
                entry,
                organisation=lookup(orgs, entry["organisation"], where, "organisation"),
                source=lookup(sources, entry["source"], where, "source"),
                **references,
            )
        )
    Citation.objects.bulk_create(citations)

    update_search_text(Organisation.objects.all())
    # Saving stamped `created` and `updated` with today; put the file's dates back.
    # bulk_update does not run auto_now, and runs last so nothing stamps them again.
    restored = list(Organisation.objects.all())
    for org in restored:
        org.created, org.updated = timestamps[org.slug]
    Organisation.objects.bulk_update(restored, ["created", "updated"], batch_size=500)

    return {
        "regions": len(data["regions"]),
        "focus areas": len(data["focus_areas"]),
        "sources": len(sources),
        "organisations": len(orgs),
        "partnerships": len(partnerships),
        "people": len(people),
        "citations": len(citations),
        "placeholder users": created_users,
    }
