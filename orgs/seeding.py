"""Loading the seed files (`seeds/*.toml`, format in seeds/README.md) into the database.

Three steps, all inside the caller's transaction:

1. `parse_seed_files()` reads every file and checks its shape (keys, types, lengths,
   years, that every fact carries a citation), collecting every problem rather than
   stopping at the first, and merges organisations named by several files.
2. `load()` loads the reference fixtures, then checks what needs the database
   (region and focus slugs, partners that exist nowhere, organisations without a name
   or kind), and raises `SeedError` with every problem before writing anything else.
3. It then upserts sources, organisations, people, partnerships and citations,
   saving only what changed, so a second run writes nothing.

Curators win: `Organisation.seeded_values` keeps what the seeds last wrote to each
field (and, under "people" and "partnerships", to its people's and partnerships'
fields). A field whose database value no longer matches it was changed by a curator:
a changed seed value is then not applied but reported as a conflict, unless `force`.
A field no seed file gives is left alone. Sources and citations belong to the seeds
and follow them. Nothing is ever deleted: removing a fact is a curator's decision.
"""

import copy
import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models.signals import post_save
from simple_history.utils import bulk_create_with_history

from . import public_text, search
from .models import (
    Citation,
    FocusArea,
    Organisation,
    Partnership,
    Person,
    Region,
    Source,
)

FIXTURES = ["regions", "focus_areas"]
QUOTE_MAX = Citation._meta.get_field("quote").max_length
LOCATOR_MAX = Citation._meta.get_field("locator").max_length
YEAR_MIN, YEAR_MAX = 1800, 2100
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DATE_RE = re.compile(r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$")
REASON_MAX = 100  # simple-history's history_change_reason column

CITATION_KEYS = ("locator", "quote")
TOP_KEYS = {"source": True, "organisations": False, "partnerships": False}
SOURCE_KEYS = {
    "slug": True,
    "publisher": True,
    "title": True,
    "date": False,
    "url": False,
    "document": False,
    "description": False,
}
ORG_KEYS = {
    "slug": True,
    "existence": True,
    "name": False,
    "name_original": False,
    "acronym": False,
    "kind": False,
    "description": False,
    "website": False,
    "status": False,
    "founded": False,
    "headquarters": False,
    "regions": False,
    "focus": False,
    "people": False,
}
# Organisation scalar fields a seed file may give, with their lengths.
ORG_TEXT_FIELDS = ("name", "name_original", "acronym", "description", "website")
PARTNERSHIP_KEYS = {
    "organisation": True,
    "relation": True,
    "partner": True,
    "locator": True,
    "quote": True,
    "programme": False,
    "start": False,
    "end": False,
    "cite_on": False,
}


class SeedError(Exception):
    """The seed files cannot be loaded; `errors` lists every problem found."""

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


@dataclass
class Cited:
    """One citation from one seed file."""

    source: str
    locator: str
    quote: str
    where: str


@dataclass
class Entity:
    """Something several files may describe: values agree across files, citations add up."""

    key: object
    where: str  # the first place it is named, for messages
    files: list = field(default_factory=list)
    given: set = field(default_factory=set)  # keys some file gives, valid or not
    values: dict = field(default_factory=dict)  # field -> (value, where)
    citations: list = field(default_factory=list)  # (fact, subject, Cited)


@dataclass
class SeedSet:
    """Every seed file, parsed, checked and merged."""

    sources: dict = field(default_factory=dict)  # slug -> (values, file)
    organisations: dict = field(default_factory=dict)  # slug -> Entity
    people: dict = field(default_factory=dict)  # (org slug, name) -> Entity
    partnerships: dict = field(default_factory=dict)  # (org, relation, partner, programme)
    regions: dict = field(default_factory=dict)  # org slug -> {region slugs}
    focus: dict = field(default_factory=dict)  # org slug -> {focus slugs}
    region_refs: list = field(default_factory=list)  # (slug, where), checked against the DB
    focus_refs: list = field(default_factory=list)
    files: list = field(default_factory=list)
    errors: list = field(default_factory=list)


@dataclass
class Report:
    """What a load did (or, in a dry run, would do)."""

    files: list = field(default_factory=list)
    changes: list = field(default_factory=list)  # (action, label, detail)
    conflicts: list = field(default_factory=list)  # messages
    notices: list = field(default_factory=list)  # texts shown with something withheld
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def count(self, action, label, detail=""):
        setattr(self, action, getattr(self, action) + 1)
        if action != "unchanged":
            self.changes.append((action, label, detail))

    def summary(self, dry_run=False):
        counts = (
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{len(self.conflicts)} conflicts"
        )
        if not (self.created or self.updated):
            state = "unchanged"
        else:
            state = "would change" if dry_run else "loaded"
        files = f"{len(self.files)} seed file{'' if len(self.files) == 1 else 's'}"
        return f"{files} {state}: {counts}."


# --- Step 1: reading and checking the files -------------------------------------------


class _Checker:
    """Reads values out of parsed TOML, recording a message for each problem."""

    def __init__(self, errors):
        self.errors = errors

    def error(self, where, message):
        self.errors.append(f"{where}: {message}")

    def table(self, value, where, spec, what="a table"):
        if not isinstance(value, dict):
            self.error(where, f"expected {what}, got {_describe(value)}")
            return None
        for key in value:
            if key not in spec:
                hint = difflib.get_close_matches(key, spec, n=1)
                suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
                self.error(where, f"unknown key '{key}'{suggestion}")
        missing = [key for key, required in spec.items() if required and key not in value]
        for key in missing:
            if key in CITATION_KEYS:
                self.error(
                    where,
                    f"no citation: missing '{key}' (every fact needs a locator "
                    "and a verbatim quote)",
                )
            else:
                self.error(where, f"missing required key '{key}'")
        return value

    def tables(self, value, where):
        """An array of tables (`[[...]]`); anything else is an error."""
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.error(where, f"expected an array of tables ([[...]]), got {_describe(value)}")
            return []
        return value

    def text(self, table, key, where, max_length=None, default=None, pattern=None):
        if key not in table:
            return default
        value = table[key]
        if not isinstance(value, str):
            self.error(where, f"{key}: expected a string, got {_describe(value)}")
            return default
        value = value.strip()
        if max_length and len(value) > max_length:
            self.error(where, f"{key}: {len(value)} characters, at most {max_length}")
        if pattern and not pattern.match(value):
            self.error(
                where, f"{key}: '{value}' is not a slug (lower-case letters, digits, hyphens)"
            )
        return value

    def slug(self, table, key, where):
        return self.text(table, key, where, max_length=100, pattern=SLUG_RE)

    def choice(self, table, key, where, choices, what):
        value = self.text(table, key, where)
        if value is not None and value not in choices:
            self.error(where, f"unknown {what} '{value}' (one of: {', '.join(choices)})")
            return None
        return value

    def year(self, table, key, where):
        if key not in table:
            return None
        value = table[key]
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(where, f"{key}: expected a year such as 2010, got {_describe(value)}")
            return None
        if not YEAR_MIN <= value <= YEAR_MAX:
            self.error(where, f"{key}: {value} is not a plausible year ({YEAR_MIN}-{YEAR_MAX})")
            return None
        return value

    def url(self, table, key, where, max_length):
        value = self.text(table, key, where, max_length=max_length, default="")
        if value:
            try:
                URLValidator(schemes=["http", "https"])(value)
            except ValidationError:
                self.error(where, f"{key}: '{value}' is not a web address (http:// or https://)")
        return value

    def citation(self, table, where, source):
        locator = self.text(table, "locator", where, max_length=LOCATOR_MAX)
        quote = table.get("quote")
        if "quote" in table:
            if not isinstance(quote, str):
                self.error(where, f"quote: expected a string, got {_describe(quote)}")
                quote = None
            else:
                # PDF text breaks lines mid-sentence: a quote is verbatim whitespace aside.
                quote = " ".join(quote.split())
                if not quote:
                    self.error(where, "quote: empty (every fact needs a verbatim quote)")
                elif len(quote) > QUOTE_MAX:
                    self.error(
                        where,
                        f"quote: {len(quote)} characters, at most {QUOTE_MAX} (a sentence or two)",
                    )
        if "locator" in table and locator == "":
            self.error(where, "locator: empty (give the section, heading or page)")
        if not locator or not quote:
            return None
        return Cited(source=source, locator=locator, quote=quote, where=where)


def _describe(value):
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return f"{type(value).__name__} {value!r}"


def _merge(check, entity, name, value, where):
    """Record a scalar value; two files giving different values is an error."""
    if name in entity.values:
        previous, previous_where = entity.values[name]
        if previous != value:
            check.error(where, f"{name} {value!r} disagrees with {previous_where}: {previous!r}")
        return
    entity.values[name] = (value, where)


def parse_seed_files(seeds_dir):
    """Read, check and merge every `*.toml` in seeds_dir, in name order."""
    seeds = SeedSet()
    check = _Checker(seeds.errors)
    if not seeds_dir.is_dir():
        raise SeedError([f"{seeds_dir}: no such directory (settings.SEEDS_DIR)"])
    for path in sorted(seeds_dir.glob("*.toml")):
        name = f"{seeds_dir.name}/{path.name}"
        seeds.files.append(name)
        try:
            with open(path, "rb") as f:
                data = tomllib.load(f)
        except tomllib.TOMLDecodeError as e:
            check.error(name, f"malformed TOML: {e}")
            continue
        except UnicodeDecodeError as e:
            check.error(name, f"not UTF-8 text: {e}")
            continue
        _parse_file(check, seeds, name, data)
    return seeds


def _parse_file(check, seeds, name, data):
    check.table(data, name, TOP_KEYS)
    source = _parse_source(check, seeds, name, data.get("source"))
    seen = {}
    for i, entry in enumerate(check.tables(data.get("organisations"), name + ": organisations")):
        slug = check.slug(entry, "slug", f"{name}: organisations[{i}]")
        where = f"{name}: organisations[{i}]" + (f" ({slug})" if slug else "")
        if slug and slug in seen:
            check.error(where, f"duplicate slug '{slug}' (also organisations[{seen[slug]}])")
            continue
        if slug:
            seen[slug] = i
        _parse_organisation(check, seeds, name, source, entry, slug, where)
    for i, entry in enumerate(check.tables(data.get("partnerships"), name + ": partnerships")):
        _parse_partnership(check, seeds, name, source, entry, f"{name}: partnerships[{i}]")


def _parse_source(check, seeds, name, table):
    where = f"{name}: [source]"
    if table is None:
        return None  # reported as a missing key
    if not check.table(table, where, SOURCE_KEYS):
        return None
    slug = check.slug(table, "slug", where)
    values = {
        "publisher": check.text(table, "publisher", where, max_length=200, default=""),
        "title": check.text(table, "title", where, max_length=300, default=""),
        "date": check.text(table, "date", where, default=""),
        "url": check.url(table, "url", where, max_length=500),
        "description": check.text(table, "description", where, default=""),
    }
    check.text(table, "document", where, max_length=200)
    if values["date"] and not DATE_RE.match(values["date"]):
        check.error(where, f"date: '{values['date']}' is not 2018, 2018-05 or 2018-05-08")
    for key in ("publisher", "title"):
        if key in table and not values[key]:
            check.error(where, f"{key}: empty")
    if not slug:
        return None
    if slug in seeds.sources:
        check.error(where, f"source slug '{slug}' is also used by {seeds.sources[slug][1]}")
        return None
    seeds.sources[slug] = (values, name)
    return slug


def _parse_organisation(check, seeds, name, source, entry, slug, where):
    check.table(entry, where, ORG_KEYS)
    if not slug:
        return
    org = seeds.organisations.get(slug)
    if org is None:
        org = seeds.organisations[slug] = Entity(key=slug, where=where)
    org.files.append(name)
    org.given |= set(entry)

    def cite(fact, table, fact_where, subject=None):
        cited = check.citation(table, fact_where, source)
        if cited and source:
            org.citations.append((fact, subject, cited))

    for key in ORG_TEXT_FIELDS:
        max_length = Organisation._meta.get_field(key).max_length
        value = (
            check.url(entry, key, where, max_length)
            if key == "website"
            else check.text(entry, key, where, max_length=max_length)
        )
        if key in entry and value is not None:
            if key == "name" and not value:
                check.error(where, "name: empty")
            _merge(check, org, key, value, where)
    for key, choices, what in (
        ("kind", Organisation.Kind.values, "kind"),
        ("status", Organisation.Status.values, "status"),
    ):
        value = check.choice(entry, key, where, choices, what)
        if value is not None:
            _merge(check, org, key, value, where)

    existence = entry.get("existence")
    if existence is not None and check.table(
        existence,
        f"{where}: existence",
        {"locator": True, "quote": True},
        "a table with locator and quote",
    ):
        cite(Citation.Fact.EXISTENCE, existence, f"{where}: existence")

    founded = entry.get("founded")
    spec = {"year": True, "locator": True, "quote": True}
    if founded is not None and check.table(
        founded, f"{where}: founded", spec, "a table with year, locator and quote"
    ):
        year = check.year(founded, "year", f"{where}: founded")
        if year is not None:
            _merge(check, org, "founded", year, where)
        cite(Citation.Fact.FOUNDED, founded, f"{where}: founded")

    hq = entry.get("headquarters")
    spec = {"region": True, "town": False, "locator": True, "quote": True}
    if hq is not None and check.table(
        hq, f"{where}: headquarters", spec, "a table with region, town, locator and quote"
    ):
        hq_where = f"{where}: headquarters"
        region = check.text(hq, "region", hq_where)
        if region:
            _merge(check, org, "hq_region", region, hq_where)
            seeds.region_refs.append((region, hq_where))
        town = check.text(hq, "town", hq_where, max_length=100)
        if town is not None:
            _merge(check, org, "hq_town", town, hq_where)
        cite(Citation.Fact.HEADQUARTERS, hq, hq_where)

    for key, fact, store, refs in (
        ("regions", Citation.Fact.REGION, seeds.regions, seeds.region_refs),
        ("focus", Citation.Fact.FOCUS, seeds.focus, seeds.focus_refs),
    ):
        subject_key = "region" if key == "regions" else "focus"
        seen = {}
        for j, item in enumerate(check.tables(entry.get(key), f"{where}: {key}")):
            item_where = f"{where}: {key}[{j}]"
            check.table(item, item_where, {subject_key: True, "locator": True, "quote": True})
            subject = check.text(item, subject_key, item_where)
            if subject in seen:
                check.error(
                    item_where, f"{subject_key} '{subject}' repeats {key}[{seen[subject]}]"
                )
                continue
            if subject:
                seen[subject] = j
                store.setdefault(slug, set()).add(subject)
                refs.append((subject, item_where))
                cite(fact, item, item_where, subject)

    seen = {}
    for j, item in enumerate(check.tables(entry.get("people"), f"{where}: people")):
        item_where = f"{where}: people[{j}]"
        spec = {"name": True, "locator": True, "quote": True, "role": False, "public": False}
        check.table(item, item_where, spec)
        person_name = check.text(item, "name", item_where, max_length=200)
        if not person_name:
            if person_name == "":
                check.error(item_where, "name: empty")
            continue
        item_where = f"{where}: people[{j}] ({person_name})"
        if person_name in seen:
            check.error(item_where, f"person '{person_name}' repeats people[{seen[person_name]}]")
            continue
        seen[person_name] = j
        person = seeds.people.get((slug, person_name))
        if person is None:
            person = seeds.people[(slug, person_name)] = Entity(
                key=(slug, person_name), where=item_where
            )
        person.files.append(name)
        role = check.text(item, "role", item_where, max_length=200)
        if role is not None:
            _merge(check, person, "role", role, item_where)
        # Hidden unless a file says otherwise (the model's default): never shown by omission.
        public = item.get("public")
        if "public" in item and not isinstance(public, bool):
            check.error(item_where, f"public: expected true or false, got {_describe(public)}")
        elif "public" in item:
            _merge(check, person, "is_public", public, item_where)
        cited = check.citation(item, item_where, source)
        if cited and source:
            person.citations.append((Citation.Fact.PERSON, None, cited))


def _parse_partnership(check, seeds, name, source, entry, where):
    check.table(entry, where, PARTNERSHIP_KEYS)
    organisation = check.slug(entry, "organisation", where)
    partner = check.slug(entry, "partner", where)
    relation = check.choice(entry, "relation", where, Partnership.Relation.values, "relation")
    programme = check.text(entry, "programme", where, max_length=200, default="")
    start = check.year(entry, "start", where)
    end = check.year(entry, "end", where)
    if not (organisation and partner and relation):
        return
    where = f"{where} ({organisation} {relation} {partner})"
    if organisation == partner:
        check.error(where, "an organisation cannot be its own partner")
        return
    if start and end and end < start:
        check.error(where, f"end {end} is before start {start}")
    cite_on = check.text(entry, "cite_on", where, default=organisation)
    if cite_on not in (organisation, partner):
        check.error(where, f"cite_on: '{cite_on}' is neither '{organisation}' nor '{partner}'")
        cite_on = organisation
    key = (organisation, relation, partner, programme)
    partnership = seeds.partnerships.get(key)
    if partnership is None:
        partnership = seeds.partnerships[key] = Entity(key=key, where=where)
    elif name in partnership.files:
        check.error(where, f"repeats {partnership.where}")
        return
    partnership.files.append(name)
    if start is not None:
        _merge(check, partnership, "start_year", start, where)
    if end is not None:
        _merge(check, partnership, "end_year", end, where)
    cited = check.citation(entry, where, source)
    if cited and source:
        partnership.citations.append((Citation.Fact.PARTNERSHIP, cite_on, cited))


# --- Steps 2 and 3: checking against the database, then writing -------------------------


def load(seeds_dir, *, force=False):
    """Load the fixtures and seed files; call inside `transaction.atomic()`.

    Raises SeedError, listing every problem, before writing anything but the
    reference fixtures (which the caller's transaction then rolls back).
    """
    seeds = parse_seed_files(seeds_dir)
    report = Report(files=seeds.files)
    load_reference_data(report)
    loader = _Loader(seeds, force, report)
    loader.check_references()
    if seeds.errors:
        raise SeedError(seeds.errors)
    loader.write()
    loader.report.notices = public_text.seed_notices(seeds)
    return loader.report


def load_reference_data(report):
    """Upsert the regions and focus areas from fixtures/ by slug, writing only changes.

    What `loaddata` does, except that it leaves equal rows alone (loaddata rewrites
    every row on every run).
    """
    for name in FIXTURES:
        path = next(
            (
                Path(d) / f"{name}.json"
                for d in settings.FIXTURE_DIRS
                if (Path(d) / f"{name}.json").exists()
            ),
            None,
        )
        if path is None:
            raise SeedError([f"fixture {name}.json is in none of {settings.FIXTURE_DIRS}"])
        with open(path, encoding="utf-8") as f:
            objects = [item.object for item in serializers.deserialize("json", f)]
        models = {type(obj) for obj in objects}
        existing = {(m, o.slug): o for m in models for o in m.objects.all()}
        taken = {(type(o), o.pk) for o in existing.values()}
        for obj in objects:
            model = type(obj)
            label = f"{model._meta.verbose_name} {obj.slug}"
            current = existing.get((model, obj.slug))
            fields = [
                f.attname
                for f in model._meta.concrete_fields
                if not f.primary_key and f.attname != "version"
            ]
            if current is None:
                if (model, obj.pk) in taken:
                    obj.pk = None
                obj.save()
                report.count("created", label, path.name)
                continue
            changed = [f for f in fields if getattr(current, f) != getattr(obj, f)]
            if changed:
                for attname in changed:
                    setattr(current, attname, getattr(obj, attname))
                current.save(update_fields=changed)
                report.count("updated", label, ", ".join(changed))
            else:
                report.count("unchanged", label)


def _reason(files):
    names = dict.fromkeys(name.rsplit("/", 1)[-1] for name in files)
    reason = "load_seeds: " + ", ".join(names)
    return reason if len(reason) <= REASON_MAX else reason[: REASON_MAX - 1] + "…"


def _reconcile(current, seed, last, has_last, force):
    """How a seed value meets the database: same, follow, curator, conflict or forced.

    `last` is what the seeds wrote before; a current value that differs from it was
    set by a curator, and wins over a changed seed value unless forced.
    """
    if current == seed:
        return "same"
    if has_last and current == last:
        return "follow"
    if not has_last and current in ("", None, []):
        return "follow"  # a field the seeds give for the first time, still empty: fill it
    if has_last and seed == last:
        return "curator"  # the seeds did not change: keep the curator's value, silently
    return "forced" if force else "conflict"


def _hint(value, choices):
    match = difflib.get_close_matches(value, list(choices), n=1)
    return f" (did you mean '{match[0]}'?)" if match else ""


@dataclass
class _OrgPlan:
    """What to write to one organisation."""

    org: Organisation
    new: bool
    seeded: dict  # the seeded_values to store
    files: list = field(default_factory=list)
    changed: list = field(default_factory=list)
    m2m: dict = field(default_factory=dict)  # "regions"/"focus_areas" -> slugs to set


@dataclass
class _ChildPlan:
    """What to write to one person or partnership."""

    entity: Entity
    obj: object  # None when new
    values: dict  # fields to write


class _Loader:
    def __init__(self, seeds, force, report):
        self.seeds = seeds
        self.force = force
        self.report = report
        self.regions = {r.slug: r for r in Region.objects.all()}
        self.focus_areas = {f.slug: f for f in FocusArea.objects.all()}
        slugs = set(seeds.organisations)
        for org, _relation, partner, _programme in seeds.partnerships:
            slugs |= {org, partner}
        self.orgs = {
            org.slug: org
            for org in Organisation.objects.filter(slug__in=slugs)
            .select_related("hq_region")
            .prefetch_related("regions", "focus_areas")
        }
        self.plans = {}
        # A curator's deletion wins too: what simple-history saw deleted is not re-created.
        self.skipped = set(
            Organisation.history.filter(history_type="-", slug__in=slugs).values_list(
                "slug", flat=True
            )
        ) - set(self.orgs)

    def error(self, where, message):
        self.seeds.errors.append(f"{where}: {message}")

    def check_references(self):
        seeds = self.seeds
        for slug, where in seeds.region_refs:
            if slug not in self.regions:
                self.error(where, f"unknown region '{slug}'{_hint(slug, self.regions)}")
        for slug, where in seeds.focus_refs:
            if slug not in self.focus_areas:
                self.error(where, f"unknown focus area '{slug}'{_hint(slug, self.focus_areas)}")
        for slug, org in seeds.organisations.items():
            if slug not in self.orgs:
                for key in ("name", "kind"):
                    if key not in org.given:
                        self.error(org.where, f"no seed file gives this new organisation a {key}")
        known = set(seeds.organisations) | set(self.orgs)
        for (org, _relation, partner, _programme), partnership in seeds.partnerships.items():
            for role, slug in (("organisation", org), ("partner", partner)):
                if slug not in known:
                    self.error(
                        partnership.where,
                        f"{role} '{slug}' is in no seed file and not in the database"
                        f"{_hint(slug, known)}",
                    )

    # Writing, in dependency order.

    def write(self):
        withheld_before = search.withheld_terms()  # people are written in bulk, without signals
        self.write_sources()
        saved = [org.pk for org in self.orgs.values()]
        deleted_people, deleted_partnerships = self.deleted_children()
        self.plan_organisations()
        people = self.plan_children(
            self.seeds.people,
            {
                (p.organisation.slug, p.name): p
                for p in Person.objects.filter(organisation__in=saved).select_related(
                    "organisation"
                )
            },
            "people",
            lambda key: key[1],
            deleted_people,
        )
        partnerships = self.plan_children(
            self.seeds.partnerships,
            {
                (p.organisation.slug, p.relation, p.partner.slug, p.programme): p
                for p in Partnership.objects.filter(organisation__in=saved).select_related(
                    "organisation", "partner"
                )
            },
            "partnerships",
            lambda key: " ".join(part for part in key[1:] if part),
            deleted_partnerships,
        )
        written = self.save_organisations()
        self.people = self.save_children(people, Person, self.new_person, "person")
        self.partnerships = self.save_children(
            partnerships, Partnership, self.new_partnership, "partnership"
        )
        self.write_citations()
        if written:
            search.update_search_text([org for org, _created in written])
            self.record_history(written)
        search.reindex_for_withheld_change(withheld_before)

    def write_sources(self):
        existing = {s.slug: s for s in Source.objects.filter(slug__in=self.seeds.sources)}
        self.sources = {}
        for slug, (values, name) in self.seeds.sources.items():
            source = existing.get(slug)
            label = f"source {slug}"
            if source is None:
                source = Source(slug=slug, **values)
                source._change_reason = _reason([name])
                source.save()
                self.report.count("created", label, name)
            else:
                changed = [key for key, value in values.items() if getattr(source, key) != value]
                if changed:
                    for key in changed:
                        setattr(source, key, values[key])
                    source._change_reason = _reason([name])
                    source.save()
                    self.report.count("updated", label, ", ".join(changed))
                else:
                    self.report.count("unchanged", label)
            self.sources[slug] = source

    def seed_values(self, org_seed):
        """The seeds' value of every organisation field they give, as in seeded_values."""
        values = {key: value for key, (value, _where) in org_seed.values.items()}
        values.setdefault("status", Organisation.Status.PUBLISHED)
        if org_seed.key in self.seeds.regions:
            values["regions"] = sorted(self.seeds.regions[org_seed.key])
        if org_seed.key in self.seeds.focus:
            values["focus_areas"] = sorted(self.seeds.focus[org_seed.key])
        return values

    def plan_organisations(self):
        for slug, org_seed in self.seeds.organisations.items():
            values = self.seed_values(org_seed)
            org = self.orgs.get(slug)
            if org is None and slug in self.skipped:
                if self.force:
                    self.skipped.discard(slug)
                else:
                    self.deleted(org_seed.where)
                    continue
            if org is None:
                org = self.orgs[slug] = Organisation(slug=slug)
                plan = self.plans[slug] = _OrgPlan(org, new=True, seeded=dict(values))
                for key, value in values.items():
                    if key in ("regions", "focus_areas"):
                        plan.m2m[key] = value
                    else:
                        self.set_org_field(org, key, value)
            else:
                plan = self.plan_for(slug)
                last_values = org.seeded_values or {}
                for key, seed in values.items():
                    current = self.org_field(org, key)
                    last = last_values.get(key)
                    action = _reconcile(current, seed, last, key in last_values, self.force)
                    if action in ("same", "follow", "forced"):
                        plan.seeded[key] = seed
                    if action in ("follow", "forced"):
                        plan.changed.append(key)
                        if key in ("regions", "focus_areas"):
                            plan.m2m[key] = seed
                        else:
                            self.set_org_field(org, key, seed)
                    elif action == "conflict":
                        self.conflict(org_seed, key, current, seed)
            plan.files += org_seed.files

    def plan_for(self, slug):
        if slug not in self.plans:
            org = self.orgs[slug]
            self.plans[slug] = _OrgPlan(org, new=False, seeded=copy.deepcopy(org.seeded_values))
        return self.plans[slug]

    def org_field(self, org, key):
        if key == "hq_region":
            return org.hq_region.slug if org.hq_region_id else None
        if key in ("regions", "focus_areas"):
            return sorted(x.slug for x in getattr(org, key).all())
        return getattr(org, key)

    def set_org_field(self, org, key, value):
        if key == "hq_region":
            org.hq_region = self.regions[value] if value else None
        else:
            setattr(org, key, value)

    def deleted(self, where):
        self.report.conflicts.append(
            f"{where}: deleted by a curator, not re-created (--force re-creates it)"
        )

    def deleted_children(self):
        """Natural keys of the people and partnerships a curator deleted."""
        slugs = {org.pk: slug for slug, org in self.orgs.items() if org.pk}
        history = {"history_type": "-", "organisation_id__in": slugs}
        people = Person.history.filter(**history).values_list("organisation_id", "name")
        partnerships = Partnership.history.filter(**history).values_list(
            "organisation_id", "relation", "partner_id", "programme"
        )
        return (
            {(slugs[org], name) for org, name in people},
            {(slugs[org], r, slugs.get(partner), p) for org, r, partner, p in partnerships},
        )

    def conflict(self, entity, key, current, seed):
        where = entity.values[key][1] if key in entity.values else entity.where
        self.report.conflicts.append(
            f"{where}: {key}: kept the curator's {current!r}, the seeds say {seed!r}"
        )

    def plan_children(self, entities, existing, group, store_key, deleted):
        """Plan people or partnerships, whose seeded values live on their organisation."""
        plans = []
        for key, entity in entities.items():
            if {key[0], key[2] if group == "partnerships" else None} & self.skipped:
                continue  # its organisation was deleted by a curator
            if key not in existing and key in deleted and not self.force:
                self.deleted(entity.where)
                continue
            org_plan = self.plan_for(key[0])
            org_plan.files += entity.files
            store = org_plan.seeded.setdefault(group, {})
            last_values = (org_plan.org.seeded_values or {}).get(group, {}).get(store_key(key))
            values = {name: value for name, (value, _where) in entity.values.items()}
            obj = existing.get(key)
            if obj is None:
                store[store_key(key)] = values
                plans.append(_ChildPlan(entity, None, values))
                continue
            seeded = dict(last_values or {})
            to_write = {}
            for name, seed in values.items():
                current = getattr(obj, name)
                last = seeded.get(name)
                action = _reconcile(current, seed, last, name in seeded, self.force)
                if action in ("same", "follow", "forced"):
                    seeded[name] = seed
                if action in ("follow", "forced"):
                    to_write[name] = seed
                elif action == "conflict":
                    self.conflict(entity, name, current, seed)
            store[store_key(key)] = seeded
            plans.append(_ChildPlan(entity, obj, to_write))
        return plans

    def save_organisations(self):
        written, self.new_m2m = [], []
        for slug, plan in self.plans.items():
            org = plan.org
            label = f"organisation {slug}"
            org._change_reason = _reason(plan.files)
            if plan.new:
                org.seeded_values = plan.seeded
                self.save_org(org, plan)
                self.report.count("created", label, ", ".join(dict.fromkeys(plan.files)))
                written.append((org, True))
                continue
            changed = list(plan.changed)
            if plan.seeded != (org.seeded_values or {}):
                org.seeded_values = plan.seeded
                changed = changed or ["(what the seeds last wrote)"]
            if changed:
                self.save_org(org, plan)
                self.report.count("updated", label, ", ".join(changed))
                written.append((org, False))
            elif slug in self.seeds.organisations:
                self.report.count("unchanged", label)
        self.save_new_m2m()
        return written

    def save_org(self, org, plan):
        # simple-history records a row on save and another on each many-to-many
        # change. For one row per load, showing the new regions, focus areas and
        # search text, write without history now; record_history() records it once.
        org.skip_history_when_saving = True
        org.save()
        if plan.new:
            self.new_m2m.append((org, plan.m2m))
            return
        for key, slugs in plan.m2m.items():
            lookup = self.regions if key == "regions" else self.focus_areas
            getattr(org, key).set([lookup[slug] for slug in slugs])

    def save_new_m2m(self):
        """The regions and focus areas of new organisations, in one query each."""
        for key, lookup, column in (
            ("regions", self.regions, "region"),
            ("focus_areas", self.focus_areas, "focusarea"),
        ):
            through = getattr(Organisation, key).through
            through.objects.bulk_create(
                through(organisation=org, **{column: lookup[slug]})
                for org, m2m in self.new_m2m
                for slug in m2m.get(key, ())
            )

    def record_history(self, written):
        for org, created in written:
            del org.skip_history_when_saving
            post_save.send(
                sender=Organisation,
                instance=org,
                created=created,
                update_fields=None,
                raw=False,
                using=org._state.db,
            )

    def new_person(self, key, values):
        return Person(organisation=self.orgs[key[0]], name=key[1], **values)

    def new_partnership(self, key, values):
        organisation, relation, partner, programme = key
        return Partnership(
            organisation=self.orgs[organisation],
            relation=relation,
            partner=self.orgs[partner],
            programme=programme,
            **values,
        )

    def save_children(self, plans, model, build, noun):
        saved, new = {}, []
        for plan in plans:
            key, files = plan.entity.key, plan.entity.files
            label = f"{noun} {' '.join(part for part in key if part)}"
            obj = plan.obj
            if obj is None:
                obj = build(key, plan.values)
                obj._change_reason = _reason(files)
                new.append(obj)
                self.report.count("created", label, ", ".join(files))
            elif plan.values:
                for name, value in plan.values.items():
                    setattr(obj, name, value)
                obj._change_reason = _reason(files)
                obj.save()
                self.report.count("updated", label, ", ".join(plan.values))
            else:
                self.report.count("unchanged", label)
            saved[key] = obj
        if new:  # in one query, with their history (each keeping its _change_reason)
            bulk_create_with_history(new, model, default_change_reason="load_seeds")
        return saved

    def wanted_citations(self):
        """Every citation the seeds give, keyed as write_citations finds them in the DB."""
        for slug, org_seed in self.seeds.organisations.items():
            if slug in self.skipped:
                continue
            org = self.orgs[slug]
            for fact, subject, cited in org_seed.citations:
                region = self.regions[subject] if fact == Citation.Fact.REGION else None
                focus = self.focus_areas[subject] if fact == Citation.Fact.FOCUS else None
                yield (
                    (org.pk, cited.source, fact, region and region.pk, focus and focus.pk),
                    (org, cited, {"region": region, "focus_area": focus}, org_seed.files),
                )
        for key, entity in self.seeds.people.items():
            if key not in self.people:
                continue
            person, org = self.people[key], self.orgs[key[0]]
            for fact, _subject, cited in entity.citations:
                yield (
                    (org.pk, cited.source, fact, "person", person.pk),
                    (org, cited, {"person": person}, entity.files),
                )
        for key, entity in self.seeds.partnerships.items():
            if key not in self.partnerships:
                continue
            partnership = self.partnerships[key]
            for fact, cite_on, cited in entity.citations:
                org = self.orgs[cite_on]
                yield (
                    (org.pk, cited.source, fact, "partnership", partnership.pk),
                    (org, cited, {"partnership": partnership}, entity.files),
                )

    def write_citations(self):
        sources = {source.pk: slug for slug, source in self.sources.items()}

        def key(c):  # a citation or its historical record, as wanted_citations keys it
            if c.person_id:
                subject = ("person", c.person_id)
            elif c.partnership_id:
                subject = ("partnership", c.partnership_id)
            else:
                subject = (c.region_id, c.focus_area_id)
            return (c.organisation_id, sources[c.source_id], c.fact, *subject)

        existing = {key(c): c for c in Citation.objects.filter(source__in=sources)}
        deleted = {key(c) for c in Citation.history.filter(history_type="-", source__in=sources)}
        new = []
        for key, (org, cited, subject, files) in self.wanted_citations():
            label = f"citation {key[2]} of {org.slug} from {cited.source}"
            citation = existing.get(key)
            if citation is None and key in deleted and not self.force:
                self.deleted(cited.where)
                continue
            if citation is None:
                citation = Citation(
                    organisation=org,
                    source=self.sources[cited.source],
                    fact=key[2],
                    locator=cited.locator,
                    quote=cited.quote,
                    **subject,
                )
                citation._change_reason = _reason(files)
                new.append(citation)
                self.report.count("created", label)
            elif (citation.locator, citation.quote) != (cited.locator, cited.quote):
                citation.locator, citation.quote = cited.locator, cited.quote
                citation._change_reason = _reason(files)
                citation.save()
                self.report.count("updated", label, "locator, quote")
            else:
                self.report.count("unchanged", label)
        if new:
            bulk_create_with_history(new, Citation, default_change_reason="load_seeds")
