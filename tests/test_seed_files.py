"""The seed files themselves: every fact cited verbatim, every reference resolvable.

These tests read `seeds/*.toml` with tomllib directly, independently of
`load_seeds`, so a curator's mistake in a seed file is caught (with the file and
the entry named) before anything reaches a database.
"""

import json
import os
import re
import tomllib
import unicodedata
from collections import defaultdict
from pathlib import Path

import pytest
from django.conf import settings

from orgs.models import Organisation, Partnership

BASE_DIR = Path(settings.BASE_DIR)
SEEDS_DIR = BASE_DIR / "seeds"
SEED_FILES = sorted(SEEDS_DIR.glob("*.toml"))


def shared_documents_dir():
    """The read-only source texts: next to the project, else the shared mount."""
    for candidate in (BASE_DIR.parent / "shared" / "seeds", Path("/work/shared/seeds")):
        if candidate.is_dir():
            return candidate
    return None


DOCUMENTS_DIR = shared_documents_dir()


def running_under_ci():
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


@pytest.fixture
def documents_dir():
    """The source texts. Missing, a check that needs them fails under CI (which has
    ../shared) rather than passing unseen; on a developer's machine it is skipped."""
    if DOCUMENTS_DIR is None:
        message = "source documents not found in ../shared/seeds or /work/shared/seeds"
        if running_under_ci():
            pytest.fail(message + " (CI is set: the seed checks must run)")
        pytest.skip(message)
    return DOCUMENTS_DIR


# Organisations the first curation must cover: slug -> acronym (None: no acronym).
REQUIRED_ORGANISATIONS = {
    "ajcet": "AJCET",
    "tassaght": None,
    "aprofem": "APROFEM",
    "cad-mali": "CAD Mali",
    "add": "ADD",
    "wanep": "WANEP",
    "women-and-development": None,
    "just-future-alliance": None,
    "cordaid": None,
    "peace-direct": None,
    "usip": "USIP",
    "norwegian-church-aid": None,
    "tic-sult": None,
    # Peace Direct 2018, "Participating Organisations" (15 distinct).
    "allo-gouvernance": None,
    "afip": "AFIP",
    "aadec": "AADeC",
    "benkadi": "BENKADI",
    "renedep": "RENEDEP",
    "peace-one-day-mali": None,
    "rejefpo": "REJEFPO",
    "irad": "IRAD",
    "cewa": "CEWA",
    "ajec": "AJEC",
    "adt": "ADT",
    "yelimane-youth-association": None,
    "usaid-mali": None,
    "friedrich-ebert-stiftung": None,
}

SCALAR_FIELDS = (
    "name",
    "name_original",
    "acronym",
    "kind",
    "description_en",
    "description_fr",
    "website",
    "status",
)
DESCRIPTIONS = ("description_en", "description_fr")
MAX_QUOTE = 600
MAX_LOCATOR = 200
OWN_WORDS_RUN = 8


def collapse(text):
    return " ".join(text.split())


def words(text):
    return re.findall(r"\w+", text.casefold())


def unaccent(text):
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def names_one_of(text, spellings):
    """Whether text contains one of the spellings as whole words, ignoring case and accents."""
    padded = " " + " ".join(words(unaccent(text))) + " "
    return any(
        f" {' '.join(words(unaccent(spelling)))} " in padded
        for spelling in spellings
        if words(spelling)
    )


def load(path):
    with path.open("rb") as handle:
        return tomllib.load(handle)


def fixture_slugs(name):
    data = json.loads((BASE_DIR / "fixtures" / f"{name}.json").read_text(encoding="utf-8"))
    return {row["fields"]["slug"] for row in data}


@pytest.fixture(scope="module")
def seeds():
    assert SEED_FILES, f"no seed files in {SEEDS_DIR}"
    return {path.name: load(path) for path in SEED_FILES}


def citations(data):
    """Every (where, citation table) in one seed file."""
    for org in data.get("organisations", []):
        slug = org.get("slug", "?")
        if "existence" in org:
            yield f"{slug} existence", org["existence"]
        for key in ("founded", "headquarters"):
            if key in org:
                yield f"{slug} {key}", org[key]
        for key, label in (("regions", "region"), ("focus", "focus"), ("people", "name")):
            for item in org.get(key, []):
                yield f"{slug} {key} {item.get(label, '?')}", item
    for link in data.get("partnerships", []):
        ends = f"{link.get('organisation')} {link.get('relation')} {link.get('partner')}"
        yield f"partnership {ends}", link


def organisations_by_slug(seeds):
    found = defaultdict(list)
    for file_name, data in seeds.items():
        for org in data.get("organisations", []):
            found[org["slug"]].append((file_name, org))
    return found


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name)
def test_seed_file_parses_with_source_and_organisations(path):
    data = load(path)
    source = data["source"]
    for key in (
        "slug",
        "publisher",
        "title",
        "date",
        "url",
        "language",
        "document",
        *DESCRIPTIONS,
    ):
        assert key in source, f"{path.name}: [source] lacks {key}"
    for key in DESCRIPTIONS:
        assert source[key].strip(), f"{path.name}: [source] has an empty {key}"
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", source["slug"])
    assert source["date"] == "" or re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", source["date"])
    assert data.get("organisations"), f"{path.name} defines no organisation"


def test_source_slugs_and_documents_are_unique(seeds):
    slugs = [data["source"]["slug"] for data in seeds.values()]
    documents = [data["source"]["document"] for data in seeds.values()]
    assert len(set(slugs)) == len(slugs)
    assert len(set(documents)) == len(documents)


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name)
def test_every_quote_is_verbatim_in_its_document(path, documents_dir):
    data = load(path)
    document = documents_dir / data["source"]["document"]
    assert document.is_file(), f"{path.name}: no document {document}"
    text = collapse(document.read_text(encoding="utf-8"))
    missing = [
        f"{where}: {citation['quote']!r}"
        for where, citation in citations(data)
        if collapse(citation.get("quote", "")) not in text
    ]
    assert not missing, f"{path.name}: quotes not found verbatim:\n" + "\n".join(missing)


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name)
def test_every_citation_has_a_short_quote_and_a_locator(path):
    problems = []
    for where, citation in citations(load(path)):
        quote = citation.get("quote", "")
        locator = citation.get("locator", "")
        if not quote.strip() or len(quote) > MAX_QUOTE:
            problems.append(f"{where}: quote of {len(quote)} characters")
        if not locator.strip() or len(locator) > MAX_LOCATOR:
            problems.append(f"{where}: locator {locator!r}")
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name)
def test_every_organisation_has_an_existence_citation_and_valid_kind(path):
    kinds = set(Organisation.Kind.values)
    problems = []
    for org in load(path)["organisations"]:
        slug = org.get("slug", "")
        if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug):
            problems.append(f"bad slug {slug!r}")
        if "existence" not in org:
            problems.append(f"{slug}: no existence citation")
        if "kind" in org and org["kind"] not in kinds:
            problems.append(f"{slug}: kind {org['kind']!r}")
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


def test_each_organisation_appears_once_per_file(seeds):
    for file_name, data in seeds.items():
        slugs = [org["slug"] for org in data["organisations"]]
        duplicates = {slug for slug in slugs if slugs.count(slug) > 1}
        assert not duplicates, f"{file_name} defines {duplicates} twice"


def test_required_organisations_are_present(seeds):
    defined = organisations_by_slug(seeds)
    missing = sorted(set(REQUIRED_ORGANISATIONS) - set(defined))
    assert not missing, f"required organisations missing: {missing}"
    for slug, acronym in REQUIRED_ORGANISATIONS.items():
        acronyms = {org.get("acronym") for _, org in defined[slug] if org.get("acronym")}
        if acronym:
            assert acronyms == {acronym}, f"{slug}: acronym {acronyms}, expected {acronym}"


def test_every_organisation_has_name_kind_and_both_descriptions_somewhere(seeds):
    for slug, entries in organisations_by_slug(seeds).items():
        for field in ("name", "kind", *DESCRIPTIONS):
            assert any(org.get(field) for _, org in entries), f"{slug} has no {field}"


def test_shared_fields_agree_across_files(seeds):
    conflicts = []
    for slug, entries in organisations_by_slug(seeds).items():
        values = defaultdict(set)
        for _, org in entries:
            for field in SCALAR_FIELDS:
                if field in org:
                    values[field].add(org[field])
            if "founded" in org:
                values["founded"].add(org["founded"]["year"])
            if "headquarters" in org:
                hq = org["headquarters"]
                values["headquarters"].add((hq["region"], hq.get("town", "")))
        conflicts += [f"{slug}.{key}: {found}" for key, found in values.items() if len(found) > 1]
    assert not conflicts, "conflicting values across seed files:\n" + "\n".join(conflicts)


def test_acronyms_are_not_shared_between_organisations(seeds):
    owners = defaultdict(set)
    for slug, entries in organisations_by_slug(seeds).items():
        for _, org in entries:
            if org.get("acronym"):
                owners[org["acronym"].casefold()].add(slug)
    shared = {acronym: slugs for acronym, slugs in owners.items() if len(slugs) > 1}
    assert not shared, f"one acronym, several organisations: {shared}"


def test_region_and_focus_slugs_exist_in_fixtures(seeds):
    regions = fixture_slugs("regions")
    focus_areas = fixture_slugs("focus_areas")
    problems = []
    for file_name, data in seeds.items():
        for org in data["organisations"]:
            slug = org["slug"]
            if "headquarters" in org and org["headquarters"]["region"] not in regions:
                problems.append(f"{file_name} {slug}: hq {org['headquarters']['region']}")
            problems += [
                f"{file_name} {slug}: region {item['region']}"
                for item in org.get("regions", [])
                if item["region"] not in regions
            ]
            problems += [
                f"{file_name} {slug}: focus {item['focus']}"
                for item in org.get("focus", [])
                if item["focus"] not in focus_areas
            ]
    assert not problems, "\n".join(problems)


def test_focus_area_fixture_has_both_languages():
    data = json.loads((BASE_DIR / "fixtures" / "focus_areas.json").read_text(encoding="utf-8"))
    for row in data:
        fields = row["fields"]
        assert fields["label_en"].strip() and fields["label_fr"].strip(), fields["slug"]


def test_partnerships_name_defined_organisations_and_valid_relations(seeds):
    defined = organisations_by_slug(seeds)
    relations = set(Partnership.Relation.values)
    seen = set()
    problems = []
    for file_name, data in seeds.items():
        for link in data.get("partnerships", []):
            org, partner = link["organisation"], link["partner"]
            where = f"{file_name}: {org} {link['relation']} {partner}"
            if org not in defined or partner not in defined:
                problems.append(f"{where}: endpoint not defined in any seed file")
            if org == partner:
                problems.append(f"{where}: links an organisation to itself")
            if link["relation"] not in relations:
                problems.append(f"{where}: unknown relation")
            if link.get("cite_on", org) not in (org, partner):
                problems.append(f"{where}: cite_on {link['cite_on']} is neither endpoint")
            if "start" in link and "end" in link and link["end"] < link["start"]:
                problems.append(f"{where}: ends before it starts")
            key = (org, link["relation"], partner, link.get("programme", ""))
            if key in seen:
                problems.append(f"{where}: defined twice")
            seen.add(key)
    assert not problems, "\n".join(problems)


def test_no_person_is_public(seeds):
    public = [
        f"{file_name} {org['slug']}: {person['name']}"
        for file_name, data in seeds.items()
        for org in data["organisations"]
        for person in org.get("people", [])
        if person.get("public", False) is not False
    ]
    assert not public, f"people marked public (do no harm): {public}"


def test_descriptions_are_in_our_own_words(seeds, documents_dir):
    """No description shares a run of 8 consecutive words with its document: the source
    description with its file's, an organisation's with each document that names it."""

    def runs(text):
        tokens = words(unaccent(text))
        return {tuple(tokens[i : i + OWN_WORDS_RUN]) for i in range(len(tokens))}

    document_runs = {
        file_name: runs((documents_dir / data["source"]["document"]).read_text("utf-8"))
        for file_name, data in seeds.items()
    }
    files_naming = {
        slug: [file_name for file_name, _ in entries]
        for slug, entries in organisations_by_slug(seeds).items()
    }
    copied = []
    for file_name, data in seeds.items():
        texts = [(f"source {key}", data["source"][key], [file_name]) for key in DESCRIPTIONS]
        texts += [
            (f"{org['slug']} {key}", org.get(key, ""), files_naming[org["slug"]])
            for org in data["organisations"]
            for key in DESCRIPTIONS
        ]
        for where, text, documents in texts:
            tokens = words(unaccent(text))
            for i in range(len(tokens) - OWN_WORDS_RUN + 1):
                run = tuple(tokens[i : i + OWN_WORDS_RUN])
                if any(run in document_runs[document] for document in documents):
                    copied.append(f"{file_name} {where}: {' '.join(run)}")
                    break
    assert not copied, "descriptions copied from a document:\n" + "\n".join(copied)


def regions_fixture():
    data = json.loads((BASE_DIR / "fixtures" / "regions.json").read_text("utf-8"))
    return {row["fields"]["slug"]: row["fields"] for row in data}


def region_spellings(region):
    return [region["name"], region["name_en"], *region["aliases"]]


def test_each_region_quote_names_its_region(seeds):
    """A region of work is cited by a quote that names it, in some spelling
    (Tombouctou or Timbuktu, Ségou or Segou); a headquarters quote names its region
    or its town."""
    regions = regions_fixture()
    problems = []
    for file_name, data in seeds.items():
        for org in data["organisations"]:
            for item in org.get("regions", []):
                if not names_one_of(item["quote"], region_spellings(regions[item["region"]])):
                    problems.append(f"{file_name} {org['slug']} region {item['region']}")
            if "headquarters" in org:
                hq = org["headquarters"]
                spellings = region_spellings(regions[hq["region"]]) + [hq.get("town", "")]
                if not names_one_of(hq["quote"], spellings):
                    problems.append(f"{file_name} {org['slug']} headquarters {hq['region']}")
    assert not problems, "quotes that do not name their region:\n" + "\n".join(problems)


def test_each_founding_year_quote_contains_the_year(seeds):
    problems = [
        f"{file_name} {org['slug']}: {org['founded']['year']}"
        for file_name, data in seeds.items()
        for org in data["organisations"]
        if "founded" in org
        and str(org["founded"]["year"]) not in re.findall(r"\d+", org["founded"]["quote"])
    ]
    assert not problems, "founding-year quotes without their year:\n" + "\n".join(problems)


def test_each_partnership_quote_names_both_organisations(seeds):
    """By name, original-language name or acronym, whichever seed file gives them.

    One allowance: the organisation that published the cited document may be named by
    the document's [source] publisher, shown beside the quote ("The United States
    Institute of Peace provided financial support for ... the report itself." in Peace
    Direct's report).
    """
    spellings = defaultdict(set)
    for slug, entries in organisations_by_slug(seeds).items():
        for _, org in entries:
            spellings[slug] |= {org.get(key) for key in ("name", "name_original", "acronym")}
        spellings[slug].discard(None)
    problems = []
    for file_name, data in seeds.items():
        publisher = data["source"]["publisher"]
        for link in data.get("partnerships", []):
            for end in ("organisation", "partner"):
                names = spellings[link[end]]
                if names_one_of(link["quote"], names) or names_one_of(publisher, names):
                    continue
                ends = f"{link['organisation']} {link['relation']} {link['partner']}"
                problems.append(f"{file_name} {ends}: the quote does not name {link[end]}")
    assert not problems, "\n".join(problems)


def test_quotes_and_locators_name_no_hidden_person(seeds):
    """Quotes are chosen to need no withholding: outside a person's own citation, no quote
    or locator carries a hidden person's name or a distinctive part of it ("Kola
    explains", "Interview with Korotoumou Thera"). A locator is ours: name the role."""
    hidden_parts = {
        part
        for data in seeds.values()
        for org in data["organisations"]
        for person in org.get("people", [])
        if not person.get("public", False)
        for part in words(unaccent(person["name"]))
        if len(part) > 2
    }
    assert hidden_parts, "positive control: the seeds name hidden people"
    problems = []
    for file_name, data in seeds.items():
        for where, citation in citations(data):
            if " people " in f" {where} ":
                continue  # the person's own citation: never public while they are hidden
            for key in ("quote", "locator"):
                named = hidden_parts & set(words(unaccent(citation[key])))
                if named:
                    problems.append(f"{file_name} {where} {key}: {sorted(named)}")
    assert not problems, "hidden people named in public text:\n" + "\n".join(problems)


def searchable_words(seeds):
    """slug -> the words a visitor's search can hit: names, description, focus, regions."""
    regions = {
        row["fields"]["slug"]: row["fields"]
        for row in json.loads((BASE_DIR / "fixtures" / "regions.json").read_text("utf-8"))
    }
    focus_areas = {
        row["fields"]["slug"]: row["fields"]
        for row in json.loads((BASE_DIR / "fixtures" / "focus_areas.json").read_text("utf-8"))
    }
    found = defaultdict(set)
    for slug, entries in organisations_by_slug(seeds).items():
        for _, org in entries:
            parts = [org.get(key, "") for key in ("name", "name_original", "acronym")]
            parts += [org.get(key, "") for key in DESCRIPTIONS]
            for item in org.get("focus", []):
                area = focus_areas[item["focus"]]
                parts += [area["label_en"], area["label_fr"]]
            for item in org.get("regions", []):
                region = regions[item["region"]]
                parts += [region["name"], region["name_en"], *region["aliases"]]
            found[slug] |= set(words(unaccent(" ".join(parts))))
    return found


@pytest.mark.parametrize(
    "query, expected, not_expected",
    [
        ("segou", {"ajcet", "tassaght"}, set()),
        ("Timbuktu", {"cad-mali", "add"}, set()),
        ("women kayes", {"benkadi"}, set()),
        ("AJEC", {"ajec"}, {"ajcet"}),
        ("AJCET", {"ajcet"}, {"ajec"}),
        ("ADD", {"add"}, {"adt"}),
        ("ADT", {"adt"}, {"add"}),
        ("CAD", {"cad-mali"}, {"aadec"}),
        ("ALLO GOUVERNANCE", {"allo-gouvernance"}, set()),
        ("prison", {"ajcet"}, set()),
        ("mopti youth", {"ajcet", "cad-mali"}, set()),
    ],
)
def test_seed_data_answers_common_searches(seeds, query, expected, not_expected):
    """Every word of a typical query is in the seeded text of the organisations it should find."""
    query_words = words(unaccent(query))
    hits = {
        slug
        for slug, vocabulary in searchable_words(seeds).items()
        if all(word in vocabulary for word in query_words)
    }
    assert expected <= hits, f"{query!r} finds {sorted(hits)}"
    assert not (not_expected & hits), f"{query!r} also finds {sorted(not_expected & hits)}"
