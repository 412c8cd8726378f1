"""What a backup file (`export_directory` / `import_directory`) holds, and reading one.

Each collection is a list of records whose keys are model fields (`FIELDS`) and
references by natural key (`REFERENCES`). The record types are built from the
model fields themselves (`orgs.schema.field_type`), so a new field or limit on a
model is a new key or limit here. `read_backup()` then checks the file against
itself: no record twice, the model's unique and check constraints, and every
reference pointing at a record of the file; every problem is reported at once.
"""

from collections import Counter
from typing import Annotated

from django.contrib.auth import get_user_model
from pydantic import AfterValidator, Field, Strict, create_model
from pydantic import ValidationError as PydanticValidationError

from . import contacts
from .models import (
    CITATION_SUBJECT_FIELDS,
    Citation,
    FocusArea,
    Organisation,
    Partnership,
    Person,
    Region,
    Source,
)
from .schema import FileProblems, Record, field_type, problems, read_json, text_list

FORMAT = "mali-cso-directory"
# 2: descriptions in French and English (description_en, description_fr).
# 3: organisations' contacts, each with its "show publicly" switch.
# 4: each source's language.
# Older versions are still read (`upgrade`).
VERSION = 4
MAX_BYTES = 40_000_000  # about 10,000 organisations with their citations; today's is 0.2 MB

# Model fields, copied as they are, per collection.
FIELDS = {
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
    "sources": (
        Source,
        [
            "slug",
            "publisher",
            "title",
            "date",
            "url",
            "language",
            "description_en",
            "description_fr",
        ],
    ),
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
            "description_en",
            "description_fr",
            "website",
            "contact_email",
            "contact_email_public",
            "contact_phone",
            "contact_phone_public",
            "contact_address",
            "contact_address_public",
            "social_links",
            "social_links_public",
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

OrgSlug = field_type(Organisation, "slug")
RegionSlug = field_type(Region, "slug")
FocusSlug = field_type(FocusArea, "slug")
PartnershipKey = Annotated[list[Annotated[str, Strict()]], Field(min_length=4, max_length=4)]
PersonKey = Annotated[list[Annotated[str, Strict()]], Field(min_length=2, max_length=2)]

# References by natural key: name -> type.
REFERENCES = {
    "regions": {},
    "focus_areas": {},
    "sources": {},
    "organisations": {
        "hq_region": RegionSlug | None,
        "checked_by": field_type(get_user_model(), get_user_model().USERNAME_FIELD, nullable=True),
        "regions": list[RegionSlug],
        "focus_areas": list[FocusSlug],
    },
    "partnerships": {"organisation": OrgSlug, "partner": OrgSlug},
    "people": {"organisation": OrgSlug},
    "citations": {
        "organisation": OrgSlug,
        "source": field_type(Source, "slug"),
        "region": RegionSlug | None,
        "focus_area": FocusSlug | None,
        "partnership": PartnershipKey | None,
        "person": PersonKey | None,
    },
}


class SeededPerson(Record):
    role: field_type(Person, "role") = None
    is_public: field_type(Person, "is_public") = None


class SeededPartnership(Record):
    start_year: field_type(Partnership, "start_year") = None
    end_year: field_type(Partnership, "end_year") = None


def org_field(name):
    return field_type(Organisation, name, nullable=True)


class SeededValues(Record):
    """What load_seeds last wrote to an organisation (Organisation.seeded_values)."""

    name: org_field("name") = None
    name_original: org_field("name_original") = None
    acronym: org_field("acronym") = None
    kind: org_field("kind") = None
    description_en: org_field("description_en") = None
    description_fr: org_field("description_fr") = None
    website: org_field("website") = None
    status: org_field("status") = None
    founded: org_field("founded") = None
    hq_region: RegionSlug | None = None
    hq_town: org_field("hq_town") = None
    regions: list[RegionSlug] = []
    focus_areas: list[FocusSlug] = []
    people: dict[field_type(Person, "name"), SeededPerson] = {}
    partnerships: dict[Annotated[str, Strict(), Field(max_length=500)], SeededPartnership] = {}


def _seeded_values(value):
    SeededValues.model_validate(value)
    return value  # as written, key order included, so a backup round-trips byte for byte


JSON_FIELDS = {
    (Region, "aliases"): text_list(),
    (Organisation, "seeded_values"): Annotated[dict, AfterValidator(_seeded_values)],
}


def _record_type(collection):
    model, names = FIELDS[collection]
    fields = {
        name: (JSON_FIELDS.get((model, name)) or field_type(model, name), ...) for name in names
    }
    fields |= {name: (kind, ...) for name, kind in REFERENCES[collection].items()}
    return create_model(model.__name__ + "Record", __base__=Record, **fields)


Backup = create_model(
    "Backup",
    __base__=Record,
    format=(str, ...),
    version=(int, ...),
    **{collection: (list[_record_type(collection)], ...) for collection in FIELDS},
)


def upgrade(data):
    """A backup of an older format version as the current one, where that is cheap."""
    if data.get("version") == 1:
        data = upgrade_from_1(data)
    if data.get("version") == 2:
        data = upgrade_from_2(data)
    if data.get("version") == 3:
        data = upgrade_from_3(data)
    return data


def upgrade_from_3(data):
    """A version 3 backup as version 4: every source until then was an English document."""
    data = {**data, "version": 4}
    if isinstance(data.get("sources"), list):
        data["sources"] = [
            {"language": "en", **source} if isinstance(source, dict) else source
            for source in data["sources"]
        ]
    return data


def upgrade_from_2(data):
    """A version 2 backup as version 3: no contacts, so each empty and hidden."""
    empty = {name: "" for name, _switch in contacts.FIELDS}
    hidden = {switch: False for _name, switch in contacts.FIELDS}
    data = {**data, "version": 3}
    if isinstance(data.get("organisations"), list):
        data["organisations"] = [
            {**empty, **hidden, **org} if isinstance(org, dict) else org
            for org in data["organisations"]
        ]
    return data


def upgrade_from_1(data):
    """A version 1 backup as version 2: its one description was the English one."""

    def renamed(record):
        if not isinstance(record, dict) or "description" not in record:
            return record
        record = {("description_en" if k == "description" else k): v for k, v in record.items()}
        record.setdefault("description_fr", "")
        return record

    data = {**data, "version": 2}
    for collection in ("sources", "organisations"):
        if isinstance(data.get(collection), list):
            data[collection] = [renamed(record) for record in data[collection]]
    for org in data.get("organisations") or []:
        if isinstance(org, dict) and isinstance(org.get("seeded_values"), dict):
            seeded = org["seeded_values"]
            if "description" in seeded:
                org["seeded_values"] = {
                    ("description_en" if k == "description" else k): v for k, v in seeded.items()
                }
    return data


def read_backup(path, name):
    """The file as a checked `Backup`, or FileProblems naming every problem."""
    data = read_json(path, name, MAX_BYTES)
    if not isinstance(data, dict):
        raise FileProblems([f"{name}: the file does not hold a JSON object"])
    if data.get("format") != FORMAT:
        raise FileProblems([f"{name}: not a directory backup (format should be {FORMAT!r})"])
    data = upgrade(data)
    if data.get("version") != VERSION:
        raise FileProblems(
            [
                f"{name}: format version {data.get('version')!r} cannot be read; this code "
                f"reads version {VERSION}"
            ]
        )
    try:
        backup = Backup.model_validate(data)
    except PydanticValidationError as error:
        raise FileProblems(problems(error, Backup, name, toml=False)) from None
    found = [f"{name}: {problem}" for problem in check_references(backup)]
    if found:
        raise FileProblems(found)
    return backup


def natural_keys(backup):
    """Each collection's records by natural key, as references name them."""
    return {
        "regions": {r.slug: r for r in backup.regions},
        "focus_areas": {f.slug: f for f in backup.focus_areas},
        "sources": {s.slug: s for s in backup.sources},
        "organisations": {o.slug: o for o in backup.organisations},
        "partnerships": {
            (p.organisation, p.relation, p.partner, p.programme): p for p in backup.partnerships
        },
        "people": {(p.organisation, p.name): p for p in backup.people},
    }


# What each unique field and constraint is called in a file: a record's key per model.
UNIQUE = {
    "regions": [("slug",), ("name",)],
    "focus_areas": [("slug",), ("label_en",), ("label_fr",)],
    "sources": [("slug",)],
    "organisations": [("slug",)],
    "partnerships": [("organisation", "relation", "partner", "programme")],
    "people": [("organisation", "name")],
}


def _show(value):
    parts = value if isinstance(value, list | tuple) else [value]
    return '"' + " ".join(str(part) for part in parts if part) + '"'


def check_references(backup):
    """What no single record can say: duplicates, constraints, dangling references."""
    found = []
    for collection, keys in UNIQUE.items():
        records = getattr(backup, collection)
        for key in keys:
            values = [tuple(getattr(r, k) for k in key) for r in records]
            first = {}
            for index, value in enumerate(values):
                if value in first:
                    found.append(
                        f"{collection}[{index}]: duplicate {'/'.join(key)} {_show(value)} "
                        f"(also {collection}[{first[value]}])"
                    )
                first.setdefault(value, index)
    keys = natural_keys(backup)

    def refer(where, collection, key, what):
        if (
            key is not None
            and (tuple(key) if isinstance(key, list) else key) not in keys[collection]
        ):
            found.append(f"{where}: {what} {_show(key)} is not in the file")

    for i, region in enumerate(backup.regions):
        refer(f"regions[{i}].parent_id", "regions", region.parent_id, "region")
    for i, org in enumerate(backup.organisations):
        refer(f"organisations[{i}].hq_region", "regions", org.hq_region, "region")
        for j, slug in enumerate(org.regions):
            refer(f"organisations[{i}].regions[{j}]", "regions", slug, "region")
        for j, slug in enumerate(org.focus_areas):
            refer(f"organisations[{i}].focus_areas[{j}]", "focus_areas", slug, "focus area")
        for what, counts in (("region", org.regions), ("focus area", org.focus_areas)):
            for slug, n in Counter(counts).items():
                if n > 1:
                    found.append(f"organisations[{i}]: {what} {_show(slug)} listed {n} times")
    for i, p in enumerate(backup.partnerships):
        refer(f"partnerships[{i}].organisation", "organisations", p.organisation, "organisation")
        refer(f"partnerships[{i}].partner", "organisations", p.partner, "organisation")
        if p.organisation == p.partner:  # constraint partnership_not_self
            found.append(f"partnerships[{i}]: an organisation cannot be its own partner")
        if p.start_year and p.end_year and p.end_year < p.start_year:
            # constraint partnership_years_ordered
            found.append(f"partnerships[{i}]: end_year {p.end_year} is before {p.start_year}")
    for i, p in enumerate(backup.people):
        refer(f"people[{i}].organisation", "organisations", p.organisation, "organisation")
    for i, c in enumerate(backup.citations):
        where = f"citations[{i}]"
        refer(f"{where}.organisation", "organisations", c.organisation, "organisation")
        refer(f"{where}.source", "sources", c.source, "source")
        refer(f"{where}.region", "regions", c.region, "region")
        refer(f"{where}.focus_area", "focus_areas", c.focus_area, "focus area")
        refer(f"{where}.partnership", "partnerships", c.partnership, "partnership")
        refer(f"{where}.person", "people", c.person, "person")
        # constraints citation_<field>_matches_fact: a subject exactly when the fact needs one
        needed = CITATION_SUBJECT_FIELDS.get(c.fact)
        for subject in CITATION_SUBJECT_FIELDS.values():
            given = getattr(c, subject) is not None
            if subject == needed and not given:
                found.append(f"{where}: a {c.fact} citation needs its {subject}")
            elif subject != needed and given:
                found.append(f"{where}: a {c.fact} citation cannot name a {subject}")
    return found
