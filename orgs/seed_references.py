"""Checking seed entries against each other and against the database, then merging them.

Each file has passed the schema (`orgs.seed_schema`); what one entry cannot say
alone is checked here: slugs used twice, files that disagree on a field, regions,
focus areas and partners that exist nowhere, new organisations no file names or
kinds. The result is one `SeedSet`: every organisation, person and partnership
once, with the values the files agree on and the citations they add up to.

Problems are `file: path: message`; each entity also keeps a labelled `where`
(`seeds/001-a.toml: organisations[0] (ajcet)`) for load_seeds' notices.
"""

import difflib
from dataclasses import dataclass, field

from .models import Citation
from .schema import format_path
from .seed_schema import read_seed_file


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
    where: str  # the first place it is named, labelled, for notices
    path: str  # the same place, as `file: path`, for problems
    files: list = field(default_factory=list)
    given: set = field(default_factory=set)  # keys some file gives
    values: dict = field(default_factory=dict)  # field -> (value, where)
    paths: dict = field(default_factory=dict)  # field -> `file: path` that gave it
    citations: list = field(default_factory=list)  # (fact, subject, Cited)


@dataclass
class SeedSet:
    """Every seed file, read, checked and merged."""

    sources: dict = field(default_factory=dict)  # slug -> (values, file)
    organisations: dict = field(default_factory=dict)  # slug -> Entity
    people: dict = field(default_factory=dict)  # (org slug, name) -> Entity
    partnerships: dict = field(default_factory=dict)  # (org, relation, partner, programme)
    regions: dict = field(default_factory=dict)  # org slug -> {region slugs}
    focus: dict = field(default_factory=dict)  # org slug -> {focus slugs}
    region_refs: list = field(default_factory=list)  # (slug, path), checked against the DB
    focus_refs: list = field(default_factory=list)
    partner_refs: list = field(default_factory=list)  # (role, slug, path)
    refused: dict = field(default_factory=dict)  # org slug -> keys of entries the schema refused
    files: list = field(default_factory=list)
    errors: list = field(default_factory=list)


def at(name, *loc):
    return f"{name}: {format_path(loc)}"


def read_seed_files(seeds_dir):
    """Read every `*.toml` in seeds_dir (in name order) and merge what they say."""
    if not seeds_dir.is_dir():
        raise SeedError([f"{seeds_dir}: no such directory (settings.SEEDS_DIR)"])
    seeds = SeedSet()
    for path in sorted(seeds_dir.glob("*.toml")):
        name = f"{seeds_dir.name}/{path.name}"
        seeds.files.append(name)
        read = read_seed_file(path, name)
        seeds.errors += read.problems
        for slug, keys in read.refused.items():
            seeds.refused.setdefault(slug, set()).update(keys)
        _merge_file(seeds, read)
    return seeds


def _merge(seeds, entity, name, value, where, path):
    """Record a scalar value; two files giving different values is an error."""
    if name in entity.values:
        previous = entity.values[name][0]
        if previous != value:
            seeds.errors.append(
                f"{path}: {_show(value)} disagrees with {entity.paths[name]}: {_show(previous)}"
            )
        return
    entity.values[name] = (value, where)
    entity.paths[name] = path


def _show(value):
    return f'"{value}"' if isinstance(value, str) else repr(value)


def _merge_file(seeds, read):
    name = read.name
    source = None
    if read.source:
        source = read.source.slug
        if source in seeds.sources:
            seeds.errors.append(
                f'{at(name, "source", "slug")}: source slug "{source}" is also used by '
                f"{seeds.sources[source][1]}"
            )
            source = None
        else:
            values = read.source.model_dump(exclude={"slug", "document"})
            seeds.sources[source] = (values, name)
    seen = {}
    for i, entry in read.organisations:
        if entry.slug in seen:
            seeds.errors.append(
                f'{at(name, "organisations", i, "slug")}: duplicate slug "{entry.slug}" '
                f"(also organisations[{seen[entry.slug]}])"
            )
            continue
        seen[entry.slug] = i
        _merge_organisation(seeds, name, source, i, entry)
    for i, entry in read.partnerships:
        _merge_partnership(seeds, name, source, i, entry)


def _merge_organisation(seeds, name, source, i, entry):
    slug = entry.slug
    where = f"{name}: organisations[{i}] ({slug})"
    path = at(name, "organisations", i)
    org = seeds.organisations.get(slug)
    if org is None:
        org = seeds.organisations[slug] = Entity(key=slug, where=where, path=path)
    org.files.append(name)
    org.given |= entry.model_fields_set

    def cite(fact, cited, fact_where, subject=None):
        if source:
            org.citations.append(
                (fact, subject, Cited(source, cited.locator, cited.quote, fact_where))
            )

    for key in (
        "name",
        "name_original",
        "acronym",
        "kind",
        "description_en",
        "description_fr",
        "website",
        "status",
    ):
        if key in entry.model_fields_set:
            _merge(seeds, org, key, getattr(entry, key), where, f"{path}.{key}")
    cite(Citation.Fact.EXISTENCE, entry.existence, f"{where}: existence")
    if entry.founded:
        _merge(seeds, org, "founded", entry.founded.year, where, f"{path}.founded.year")
        cite(Citation.Fact.FOUNDED, entry.founded, f"{where}: founded")
    hq = entry.headquarters
    if hq:
        hq_where, hq_path = f"{where}: headquarters", f"{path}.headquarters"
        _merge(seeds, org, "hq_region", hq.region, hq_where, f"{hq_path}.region")
        seeds.region_refs.append((hq.region, f"{hq_path}.region"))
        if hq.town is not None:
            _merge(seeds, org, "hq_town", hq.town, hq_where, f"{hq_path}.town")
        cite(Citation.Fact.HEADQUARTERS, hq, hq_where)

    for key, subject_key, fact, store, refs in (
        ("regions", "region", Citation.Fact.REGION, seeds.regions, seeds.region_refs),
        ("focus", "focus", Citation.Fact.FOCUS, seeds.focus, seeds.focus_refs),
    ):
        seen = {}
        for j, item in enumerate(getattr(entry, key)):
            subject = getattr(item, subject_key)
            item_path = f"{path}.{key}[{j}].{subject_key}"
            if subject in seen:
                seeds.errors.append(
                    f'{item_path}: {subject_key} "{subject}" repeats {key}[{seen[subject]}]'
                )
                continue
            seen[subject] = j
            store.setdefault(slug, set()).add(subject)
            refs.append((subject, item_path))
            cite(fact, item, f"{where}: {key}[{j}]", subject)

    seen = {}
    for j, item in enumerate(entry.people):
        item_where = f"{where}: people[{j}] ({item.name})"
        item_path = f"{path}.people[{j}]"
        if item.name in seen:
            seeds.errors.append(
                f'{item_path}.name: person "{item.name}" repeats people[{seen[item.name]}]'
            )
            continue
        seen[item.name] = j
        person = seeds.people.get((slug, item.name))
        if person is None:
            person = seeds.people[(slug, item.name)] = Entity(
                key=(slug, item.name), where=item_where, path=item_path
            )
        person.files.append(name)
        if item.role is not None:
            _merge(seeds, person, "role", item.role, item_where, f"{item_path}.role")
        # Hidden unless a file says otherwise (the model's default): never shown by omission.
        if item.public is not None:
            _merge(seeds, person, "is_public", item.public, item_where, f"{item_path}.public")
        if source:
            person.citations.append(
                (Citation.Fact.PERSON, None, Cited(source, item.locator, item.quote, item_where))
            )


def _merge_partnership(seeds, name, source, i, entry):
    organisation, relation, partner = entry.organisation, entry.relation, entry.partner
    where = f"{name}: partnerships[{i}] ({organisation} {relation} {partner})"
    path = at(name, "partnerships", i)
    key = (organisation, relation, partner, entry.programme)
    partnership = seeds.partnerships.get(key)
    if partnership is None:
        partnership = seeds.partnerships[key] = Entity(key=key, where=where, path=path)
        seeds.partner_refs += [
            ("organisation", organisation, f"{path}.organisation"),
            ("partner", partner, f"{path}.partner"),
        ]
    elif name in partnership.files:
        seeds.errors.append(f"{path}: repeats {partnership.path}")
        return
    partnership.files.append(name)
    if entry.start is not None:
        _merge(seeds, partnership, "start_year", entry.start, where, f"{path}.start")
    if entry.end is not None:
        _merge(seeds, partnership, "end_year", entry.end, where, f"{path}.end")
    if source:
        cited = Cited(source, entry.locator, entry.quote, where)
        partnership.citations.append(
            (Citation.Fact.PARTNERSHIP, entry.cite_on or organisation, cited)
        )


def check_references(seeds, regions, focus_areas, existing_orgs):
    """Add to seeds.errors what needs the database: slugs that exist nowhere."""
    for slug, path in seeds.region_refs:
        if slug not in regions:
            seeds.errors.append(f'{path}: unknown region "{slug}"{_hint(slug, regions)}')
    for slug, path in seeds.focus_refs:
        if slug not in focus_areas:
            seeds.errors.append(f'{path}: unknown focus area "{slug}"{_hint(slug, focus_areas)}')
    for slug, org in seeds.organisations.items():
        if slug not in existing_orgs:
            for key in ("name", "kind"):
                if key not in org.given | seeds.refused.get(slug, set()):
                    seeds.errors.append(
                        f"{org.path}: no seed file gives this new organisation a {key}"
                    )
    known = set(seeds.organisations) | set(existing_orgs)
    for role, slug, path in seeds.partner_refs:
        if slug not in known and slug not in seeds.refused:
            seeds.errors.append(
                f'{path}: {role} "{slug}" is in no seed file and not in the database'
                f"{_hint(slug, known)}"
            )


def _hint(value, choices):
    match = difflib.get_close_matches(value, list(choices), n=1)
    return f' (did you mean "{match[0]}"?)' if match else ""
