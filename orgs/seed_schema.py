"""What a seed file (`seeds/*.toml`) may hold: its schema, and reading one file through it.

The format is explained in seeds/README.md and published for editors as
seeds/seed.schema.json, generated from these classes (`json_schema()`; a test keeps
the committed file equal to it). Limits come from the model fields through
`orgs.schema.field_type`. Whether the regions, focus areas and partners a file
names exist, and whether files agree, is `orgs.seed_references`' concern.
"""

import json
import re
from dataclasses import dataclass, field

from pydantic import Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from .models import Citation, FocusArea, Organisation, Partnership, Person, Region, Source
from .schema import FileProblems, Record, field_type, problems, read_toml, short_text

MAX_BYTES = 1_000_000  # a seed file; the largest today is 34 kB
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def text(model, name):
    return field_type(model, name, strip=True)


def slug_type(model):
    return field_type(
        model,
        "slug",
        strip=True,
        pattern=SLUG_RE,
        pattern_help="a slug (lower-case letters, digits, single hyphens)",
    )


OrgSlug = slug_type(Organisation)
RegionSlug = slug_type(Region)
Year = field_type(Organisation, "founded", nullable=False)


class Cited(Record):
    """A fact's citation: where in the source, and a verbatim quote (whitespace aside)."""

    locator: text(Citation, "locator") = Field(description="Section, heading or page.")
    quote: field_type(Citation, "quote", collapse=True) = Field(
        description="Copied verbatim from the source: a sentence or two."
    )


class Founded(Cited):
    year: Year


class Headquarters(Cited):
    region: RegionSlug = Field(description="A region slug from fixtures/regions.json.")
    town: text(Organisation, "hq_town") = None


class RegionOfWork(Cited):
    region: RegionSlug = Field(description="A region slug from fixtures/regions.json.")


class FocusOfWork(Cited):
    focus: slug_type(FocusArea) = Field(description="A slug from fixtures/focus_areas.json.")


class PersonEntry(Cited):
    name: text(Person, "name")
    role: text(Person, "role") = None
    public: field_type(Person, "is_public") = Field(
        None, description="Shown on the public site only if true (default false)."
    )


class OrganisationEntry(Record):
    slug: OrgSlug = Field(description="The organisation's key across every seed file.")
    existence: Cited = Field(description="The passage that names the organisation.")
    name: text(Organisation, "name") = None
    name_original: text(Organisation, "name_original") = None
    acronym: text(Organisation, "acronym") = None
    kind: text(Organisation, "kind") = None
    description_en: text(Organisation, "description_en") = Field(
        None, description="In English, in our own words, never copied from a source."
    )
    description_fr: text(Organisation, "description_fr") = Field(
        None, description="In French, in our own words: written, not machine-translated."
    )
    website: text(Organisation, "website") = None
    status: text(Organisation, "status") = Field(None, description='Default "published".')
    founded: Founded = None
    headquarters: Headquarters = None
    regions: list[RegionOfWork] = []
    focus: list[FocusOfWork] = []
    people: list[PersonEntry] = Field([], description="Hidden from the public by default.")


class PartnershipEntry(Cited):
    """organisation --relation--> partner ("ajcet funded_by usip")."""

    organisation: OrgSlug
    relation: text(Partnership, "relation")
    partner: OrgSlug
    programme: text(Partnership, "programme") = ""
    start: Year = None
    end: Year = None
    cite_on: OrgSlug = Field(
        None, description="Whose record carries the citation: organisation (default) or partner."
    )

    @model_validator(mode="after")
    def consistent(self):
        if self.organisation == self.partner:
            raise PydanticCustomError("self", "an organisation cannot be its own partner")
        if self.start and self.end and self.end < self.start:
            raise PydanticCustomError(
                "years",
                "end {end} is before start {start}",
                {"end": self.end, "start": self.start},
            )
        if self.cite_on not in (None, self.organisation, self.partner):
            raise PydanticCustomError(
                "cite_on",
                'cite_on: "{cite_on}" is neither "{organisation}" nor "{partner}"',
                {
                    "cite_on": self.cite_on,
                    "organisation": self.organisation,
                    "partner": self.partner,
                },
            )
        return self


class SourceEntry(Record):
    slug: slug_type(Source) = Field(description="Unique, lower-case, hyphens.")
    publisher: text(Source, "publisher")
    title: text(Source, "title")
    date: text(Source, "date") = Field("", description='2018, 2018-05 or 2018-05-08; "" undated.')
    url: text(Source, "url") = ""
    language: text(Source, "language") = Field(
        description="The document's language: its title, quotes and locators are in it."
    )
    document: short_text(200) = Field(
        None, description="The document's text in ../shared/seeds/, for the quote check."
    )
    description_en: text(Source, "description_en") = Field(
        "", description="What the document is, in English, in our own words."
    )
    description_fr: text(Source, "description_fr") = Field(
        "", description="What the document is, in French, in our own words."
    )


class SeedFile(Record):
    """One source document and the organisations and partnerships it names."""

    source: SourceEntry
    organisations: list[OrganisationEntry] = []
    partnerships: list[PartnershipEntry] = []


@dataclass
class ReadFile:
    """What could be read of one seed file: its valid entries, by their index.

    A file with problems still gives its valid entries, so that references
    between entries are checked too and every problem is reported in one run.
    """

    name: str
    source: SourceEntry | None = None
    organisations: list = field(default_factory=list)  # (index, OrganisationEntry)
    partnerships: list = field(default_factory=list)  # (index, PartnershipEntry)
    refused: dict = field(default_factory=dict)  # org slug -> keys of refused entries
    problems: list = field(default_factory=list)


def read_seed_file(path, name):
    """Read one seed file through the schema, keeping every valid entry."""
    read = ReadFile(name)
    try:
        data = read_toml(path, name, MAX_BYTES)
    except FileProblems as error:
        read.problems = error.problems
        return read
    try:
        seed = SeedFile.model_validate(data)
    except ValidationError as error:  # salvage the valid entries
        read.problems = problems(error, SeedFile, name)
        read.source = _valid(SourceEntry, data.get("source"))
        for key, entry_type in (
            ("organisations", OrganisationEntry),
            ("partnerships", PartnershipEntry),
        ):
            raw = data.get(key)
            for index, entry in enumerate(raw if isinstance(raw, list) else []):
                valid = _valid(entry_type, entry)
                if valid is not None:
                    getattr(read, key).append((index, valid))
                elif entry_type is OrganisationEntry and isinstance(entry, dict):
                    if isinstance(entry.get("slug"), str):
                        read.refused.setdefault(entry["slug"], set()).update(entry)
        return read
    read.source = seed.source
    read.organisations = list(enumerate(seed.organisations))
    read.partnerships = list(enumerate(seed.partnerships))
    return read


def _valid(entry_type, value):
    try:
        return entry_type.model_validate(value)
    except ValidationError:
        return None


def json_schema():
    """The JSON Schema of a seed file, as committed in seeds/seed.schema.json."""
    schema = _without_null_defaults(SeedFile.model_json_schema())
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Mali CSO Directory seed file",
        **{key: value for key, value in schema.items() if key != "title"},
    }


def _without_null_defaults(schema):
    """TOML has no null: an optional key is one that may be left out."""
    if isinstance(schema, dict):
        return {
            key: _without_null_defaults(value)
            for key, value in schema.items()
            if not (key == "default" and value is None)
        }
    if isinstance(schema, list):
        return [_without_null_defaults(value) for value in schema]
    return schema


def json_schema_text():
    return json.dumps(json_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
