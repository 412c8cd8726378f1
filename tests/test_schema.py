"""Hostile files: every seed file and backup the directory reads goes through orgs.schema.

Each one is refused with the file and the place in it, as a CommandError (never a
traceback), and the database is left exactly as it was. Each test's positive
control is the same file without the damage, which loads.
"""

import datetime
import json
import pathlib
import re
import resource
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import translation

from orgs.models import Citation, FocusArea, Organisation, Partnership, Person, Region, Source
from orgs.schema import (
    MAX_DEPTH,
    MAX_DIGITS,
    FileProblems,
    describe,
    format_path,
    read_json,
    read_text,
    read_toml,
)

from .world_cache import cached_world

pytestmark = pytest.mark.django_db

MODELS = [Region, FocusArea, Source, Organisation, Partnership, Person, Citation]
DEEP = 200_000
HUGE_YEAR = "1" * 5001


def snapshot():
    """Every row of every model, as the database holds it."""
    return {model.__name__: sorted(map(repr, model.objects.values())) for model in MODELS}


def refused(command, *args):
    """The command's error message; any other exception fails the test with its traceback."""
    with translation.override("en"), pytest.raises(CommandError) as error:
        call_command(command, *args, verbosity=0)
    return str(error.value)


# --- Seed files ---------------------------------------------------------------------------

GOOD_SEED = """\
[source]
slug = "hostile-doc"
publisher = "Peace Direct"
title = "A report"
date = "2018-05"
language = "en"

[[organisations]]
slug = "ajcet"
name = "AJCET"
kind = "local_association"
description_en = "Youth civic education."
existence = { locator = "p. 1", quote = "AJCET works here." }
regions = [{ region = "tombouctou", locator = "p. 2", quote = "Works in Timbuktu." }]
"""


def seed_with(old, new):
    assert old in GOOD_SEED
    return GOOD_SEED.replace(old, new, 1)


HOSTILE_SEEDS = {
    "duplicate key": (
        seed_with('kind = "local_association"', 'kind = "donor"\nkind = "local_association"'),
        "seeds/001-hostile.toml: malformed TOML: Cannot overwrite a value (at line 12",
    ),
    "region given as a table": (
        seed_with('region = "tombouctou"', "region = { slug = 'tombouctou' }"),
        "seeds/001-hostile.toml: organisations[0].regions[0].region: expected a text in quotes, "
        "got a table",
    ),
    "5,001-digit year": (
        seed_with("[[organisations]]", f"[[organisations]]\nfounded = {{ year = {HUGE_YEAR} }}"),
        "seeds/001-hostile.toml: line 9: a number of 5,001 digits (at most 20)",
    ),
    "200,000 nested brackets": (
        seed_with('date = "2018-05"', 'date = "2018-05"\nx = ' + "[" * DEEP + "]" * DEEP),
        "seeds/001-hostile.toml: line 6: nested more than 16 levels deep",
    ),
    "200,000 dotted keys": (
        seed_with('date = "2018-05"', 'date = "2018-05"\n' + "a." * DEEP + "b = 1"),
        "seeds/001-hostile.toml: line 6: nested more than 16 levels deep",
    ),
    "NUL character": (
        seed_with('name = "AJCET"', 'name = "AJ\\u0000CET"'),
        "seeds/001-hostile.toml: organisations[0].name: contains a NUL character",
    ),
    "10,000-character quote": (
        seed_with('quote = "AJCET works here."', f'quote = "{"x" * 10_000}"'),
        "seeds/001-hostile.toml: organisations[0].existence.quote: 10000 characters, at most 600",
    ),
    "over-long description": (
        seed_with('"Youth civic education."', f'"{"x" * 2001}"'),
        "seeds/001-hostile.toml: organisations[0].description_en: 2001 characters, at most 2000",
    ),
    "50 MB description": (
        seed_with('"Youth civic education."', f'"{"x" * 50_000_000}"'),
        "seeds/001-hostile.toml: 50,000,",
    ),
    "date 2018-99-77": (
        seed_with('date = "2018-05"', 'date = "2018-99-77"'),
        "seeds/001-hostile.toml: source.date: 2018-99-77 is not a real date.",
    ),
    "date 2018-02-30": (
        seed_with('date = "2018-05"', 'date = "2018-02-30"'),
        "seeds/001-hostile.toml: source.date: 2018-02-30 is not a real date.",
    ),
    "javascript address": (
        seed_with(
            'description_en = "Youth', 'website = "javascript:alert(1)"\ndescription_en = "Youth'
        ),
        "seeds/001-hostile.toml: organisations[0].website: Enter a web address starting with "
        "http:// or https://.",
    ),
    "ftp address": (
        seed_with('date = "2018-05"', 'date = "2018-05"\nurl = "ftp://example.org/report.pdf"'),
        "seeds/001-hostile.toml: source.url: Enter a web address starting with http://",
    ),
    "boolean as text": (
        seed_with("[[organisations]]", "[[organisations]]\nstatus = true"),
        "seeds/001-hostile.toml: organisations[0].status: expected a text in quotes, got true",
    ),
    "unquoted date": (
        seed_with('date = "2018-05"', "date = 2018-05-08"),
        "seeds/001-hostile.toml: source.date: expected a text in quotes, got the date 2018-05-08",
    ),
    "no source table": (
        GOOD_SEED[GOOD_SEED.index("[[organisations]]") :],
        'seeds/001-hostile.toml: missing required key "source"',
    ),
    "not UTF-8": (
        seed_with("AJCET works", "AJCET\xe9works").encode("latin-1"),
        "seeds/001-hostile.toml: not UTF-8 text",
    ),
}


@pytest.fixture
def seeds_dir(tmp_path, settings):
    seeds_dir = tmp_path / "seeds"
    seeds_dir.mkdir()
    settings.SEEDS_DIR = seeds_dir
    return seeds_dir


def test_the_good_seed_file_loads(seeds_dir):
    """The positive control: without the damage, each file below would load."""
    (seeds_dir / "001-hostile.toml").write_text(GOOD_SEED, encoding="utf-8")
    call_command("load_seeds", verbosity=0)
    assert Organisation.objects.get(slug="ajcet").regions.get().slug == "tombouctou"
    assert Source.objects.get(slug="hostile-doc").date == "2018-05"


@pytest.mark.parametrize("case", HOSTILE_SEEDS)
def test_hostile_seed_file_is_refused_and_nothing_written(seeds_dir, case):
    content, message = HOSTILE_SEEDS[case]
    (seeds_dir / "000-good.toml").write_text(
        GOOD_SEED.replace("hostile-doc", "good-doc").replace("ajcet", "usip"), encoding="utf-8"
    )
    path = seeds_dir / "001-hostile.toml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    before = snapshot()

    error = refused("load_seeds")

    assert message in error
    assert "nothing was loaded" in error
    assert snapshot() == before
    assert not Organisation.objects.exists()  # not even the good file's organisation


# --- Backups ------------------------------------------------------------------------------


@pytest.fixture
@cached_world
def emptied_after_its_backup(directory, tmp_path):
    """The text of the directory's backup, the directory then emptied so that an import
    would write everything (built once per process: the deletions cost a second)."""
    path = tmp_path / "backup.json"
    call_command("export_directory", str(path), verbosity=0)
    Citation.objects.all().delete()
    Organisation.objects.all().delete()
    Source.objects.all().delete()
    get_user_model().objects.all().delete()
    return path.read_text(encoding="utf-8")


@pytest.fixture
def backup(emptied_after_its_backup, tmp_path):
    """The directory's backup file, the directory emptied."""
    path = tmp_path / "backup.json"
    path.write_text(emptied_after_its_backup, encoding="utf-8")
    return path


def test_the_good_backup_imports(backup):
    """The positive control: without the damage, each file below would import."""
    call_command("import_directory", str(backup), verbosity=0)
    assert Organisation.objects.get(slug="jeunes-citoyens").status == "published"


def damaged(backup, damage):
    """The backup's text with one damage applied to its parsed data or its text."""
    text = backup.read_text(encoding="utf-8")
    data = json.loads(text)
    result = damage(data)
    return result if isinstance(result, str | bytes) else json.dumps(data, indent=1)


def org_index(data, slug):
    return next(i for i, o in enumerate(data["organisations"]) if o["slug"] == slug)


def replace_in_text(old, new):
    def damage(data):
        text = json.dumps(data, indent=1)
        assert old in text
        return text.replace(old, new, 1)

    return damage


def set_value(collection, index, key, value):
    def damage(data):
        data[collection][index][key] = value

    return damage


HOSTILE_BACKUPS = {
    "duplicate key publishes a draft": (
        lambda d: replace_in_text('"status": "draft"', '"status": "draft", "status": "published"')(
            d
        ),
        r'organisations\[\d+\]: key "status" appears more than once',
    ),
    "region alias that is an object": (
        set_value("regions", 0, "aliases", [{"name": "Bamako"}]),
        r"regions\[0\]\.aliases\[0\]: expected a text in quotes, got an object",
    ),
    "aliases that are an object": (
        set_value("regions", 0, "aliases", {"name": "Bamako"}),
        r"regions\[0\]\.aliases: expected a list, got an object",
    ),
    "5,001-digit year": (
        replace_in_text('"founded": 2005', f'"founded": {HUGE_YEAR}'),
        r"line \d+: a number of 5,001 digits \(at most 20\)",
    ),
    "200,000 nested brackets": (
        replace_in_text('"aliases": []', '"aliases": ' + "[" * DEEP + "]" * DEEP),
        r"line \d+: nested more than 16 levels deep",
    ),
    "NUL character": (
        set_value("organisations", 0, "name", "Archived\x00Forum"),
        r"organisations\[0\]\.name: contains a NUL character",
    ),
    "10,000-character quote": (
        set_value("citations", 0, "quote", "x" * 10_000),
        r"citations\[0\]\.quote: 10000 characters, at most 600",
    ),
    "over-long description": (
        set_value("organisations", 0, "description_en", "x" * 2001),
        r"organisations\[0\]\.description_en: 2001 characters, at most 2000",
    ),
    "50 MB description": (
        set_value("organisations", 0, "description_en", "x" * 50_000_000),
        r"50,0\d\d,\d\d\d bytes, more than the 40,000,000 allowed",
    ),
    "partner is itself": (
        lambda d: d["partnerships"][0].update(partner=d["partnerships"][0]["organisation"]),
        r"partnerships\[0\]: an organisation cannot be its own partner",
    ),
    "partnership ends before it starts": (
        lambda d: d["partnerships"][0].update(start_year=2020, end_year=2010),
        r"partnerships\[0\]: end_year 2010 is before 2020",
    ),
    "citation naming a subject its fact has none of": (
        lambda d: next(c for c in d["citations"] if c["fact"] == "existence").update(
            region="mopti"
        ),
        r"citations\[\d+\]: a existence citation cannot name a region",
    ),
    "founded out of range": (
        lambda d: d["organisations"][org_index(d, "peace-institute")].update(founded=1200),
        r"organisations\[\d+\]\.founded: 1200 is outside 1800-2100",
    ),
    "date 2018-99-77": (
        set_value("sources", 0, "date", "2018-99-77"),
        r"sources\[0\]\.date: 2018-99-77 is not a real date\.",
    ),
    "javascript address": (
        set_value("sources", 0, "url", "javascript:alert(1)"),
        r"sources\[0\]\.url: Enter a web address starting with http:// or https://\.",
    ),
    "number as text": (
        set_value("organisations", 0, "version", "1"),
        r'organisations\[0\]\.version: expected a whole number, got the text "1"',
    ),
    "NaN": (
        replace_in_text('"founded": 2005', '"founded": NaN'),
        r"organisations\[\d+\]\.founded: expected a whole number, got the number nan",
    ),
    "unknown seeded value": (
        set_value("organisations", 0, "seeded_values", {"nmae": "x"}),
        r'organisations\[0\]\.seeded_values: unknown key "nmae"',
    ),
    "not UTF-8": (
        lambda d: json.dumps(d, ensure_ascii=False).encode("latin-1", "replace"),
        r"not UTF-8 text",
    ),
}


@pytest.mark.parametrize("case", HOSTILE_BACKUPS)
def test_hostile_backup_is_refused_and_nothing_written(backup, tmp_path, case):
    damage, pattern = HOSTILE_BACKUPS[case]
    content = damaged(backup, damage)
    path = tmp_path / "hostile.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    before = snapshot()

    error = refused("import_directory", str(path))

    assert re.search(re.escape(str(path)) + r": (.*: )?" + pattern, error), error
    assert "nothing was imported" in error
    assert snapshot() == before
    assert not Organisation.objects.exists()


def test_every_problem_in_a_backup_is_reported_at_once(backup, tmp_path):
    data = json.loads(backup.read_text(encoding="utf-8"))
    data["organisations"][0]["kind"] = "cult"
    data["people"][0]["is_public"] = "yes"
    data["citations"][0]["source"] = "lost-report"
    path = tmp_path / "many.json"
    path.write_text(json.dumps(data), encoding="utf-8")

    error = refused("import_directory", str(path))

    assert "2 problem(s)" in error  # the reference is checked once the shapes are right
    assert f'{path}: organisations[0].kind: unknown kind "cult"' in error
    assert f'{path}: people[0].is_public: expected true or false, got the text "yes"' in error


# --- Reading: the limits, at their edges -------------------------------------------------


def read_problems(read, path, max_bytes=1_000_000):
    with pytest.raises(FileProblems) as error:
        read(path, path.name, max_bytes)
    return error.value.problems


def test_a_file_of_exactly_the_maximum_size_is_read_whole(tmp_path):
    path = tmp_path / "f.json"
    path.write_text('{"name": "' + "x" * 1490 + '"}', encoding="utf-8")
    size = path.stat().st_size
    assert read_text(path, "f.json", size) == path.read_text(encoding="utf-8")
    assert read_problems(read_text, path, size - 1) == [
        f"f.json: {size:,} bytes, more than the {size - 1:,} allowed"
    ]


def test_text_that_is_not_utf8_is_refused_at_its_first_bad_byte(tmp_path):
    path = tmp_path / "f.json"
    data = '{"name": "Sévaré"}'.encode("latin-1")
    path.write_bytes(data)
    expected = f"f.json: not UTF-8 text (invalid continuation byte at byte {data.index(0xE9)})"
    assert read_problems(read_json, path) == [expected]


def test_nesting_to_the_limit_is_read_and_one_level_more_is_refused(tmp_path):
    path = tmp_path / "f.json"
    deepest = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    path.write_text(f'{{"a": 1,\n "b": [{deepest[2:-2]}, {deepest[2:-2]}]}}', encoding="utf-8")
    assert read_json(path, "f.json", 1000)["a"] == 1  # 16 levels, twice
    path.write_text(f'\n{{"a": 1,\n "b": [{deepest[1:-1]}]}}\n\n', encoding="utf-8")
    assert read_problems(read_json, path) == [
        f"f.json: line 3: nested more than {MAX_DEPTH} levels deep"
    ]


def test_toml_nesting_is_counted_again_on_each_line(tmp_path):
    """Brackets close on each line, and dotted keys count per line: many lines at the
    limit are read, one line over it is refused."""
    path = tmp_path / "f.toml"
    at_limit = "[" * MAX_DEPTH + "1" + "]" * MAX_DEPTH
    dotted = ".".join(f"k{i}" for i in range(MAX_DEPTH + 1))  # MAX_DEPTH dots
    lines = [f"a{i} = {at_limit}" for i in range(3)] + [f"{dotted}{i} = 1" for i in range(3)]
    path.write_text("\n".join(["[t]", *lines]) + "\n", encoding="utf-8")
    assert read_toml(path, "f.toml", 10_000)["t"]["a2"] == json.loads(at_limit)
    path.write_text(f"[t]\nx = 1\nk.{dotted} = 1\n", encoding="utf-8")
    assert read_problems(read_toml, path) == [
        f"f.toml: line 3: nested more than {MAX_DEPTH} levels deep"
    ]


def test_numbers_up_to_the_longest_allowed_are_read(tmp_path):
    path = tmp_path / "f.json"
    path.write_text('{"a": ' + "9" * MAX_DIGITS + "}", encoding="utf-8")
    assert read_json(path, "f.json", 1000) == {"a": int("9" * MAX_DIGITS)}
    path.write_text('\n{"a":\n' + "9" * (MAX_DIGITS + 1) + "}\n\n", encoding="utf-8")
    assert read_problems(read_json, path) == [
        f"f.json: line 3: a number of {MAX_DIGITS + 1} digits (at most {MAX_DIGITS})"
    ]


def test_every_repeated_json_key_is_named_once_where_it_is(tmp_path):
    path = tmp_path / "f.json"
    path.write_text(
        '{"format": 1, "format": 2, "people": [{"name": "A"}, '
        '{"name": "B", "name": "C", "name": "D", "role": "x", "role": "y"}], "format": 3}',
        encoding="utf-8",
    )
    assert read_problems(read_json, path) == [
        'f.json: the top level: key "format" appears more than once',
        'f.json: people[1]: key "name" appears more than once',
        'f.json: people[1]: key "role" appears more than once',
    ]


# --- Problems: how a value and its place are named -----------------------------------------


@pytest.mark.parametrize(
    "value, toml, expected",
    [
        (True, True, "true"),
        (False, True, "false"),
        (1.5, True, "the number 1.5"),
        ("x" * 40, True, f'the text "{"x" * 40}"'),
        ("x" * 40 + "y", True, f'the text "{"x" * 40}…"'),
        (datetime.date(2025, 3, 1), True, "the date 2025-03-01 (put it in quotes)"),
        ({}, True, "a table"),
        ({}, False, "an object"),
        ([], True, "an array"),
        ([], False, "a list"),
        (None, False, "null"),
        (b"x", False, "bytes"),
    ],
)
def test_a_value_is_described_as_the_file_writes_it(value, toml, expected):
    assert describe(value, toml) == expected


def test_a_value_is_described_in_toml_words_unless_told():
    assert (describe({}), describe([])) == ("a table", "an array")


@pytest.mark.parametrize(
    "loc, expected",
    [
        (("organisations", 3, "regions", 1), "organisations[3].regions[1]"),
        (("source", "date"), "source.date"),
        ((2, "name"), "[2].name"),
        ((), ""),
    ],
)
def test_a_place_in_a_file_is_written_as_its_path(loc, expected):
    assert format_path(loc) == expected


def problem_lines(error):
    """The lines of a refusal that name a problem (after its first, summary line)."""
    return error.splitlines()[1:]


def test_a_text_where_a_table_belongs_is_named_in_toml_words(seeds_dir):
    path = seeds_dir / "001-hostile.toml"
    organisations = GOOD_SEED[GOOD_SEED.index("[[organisations]]") :]
    path.write_text(f'source = "hostile-doc"\n\n{organisations}', encoding="utf-8")
    (line,) = problem_lines(refused("load_seeds"))
    assert line.startswith("seeds/001-hostile.toml: source: expected a table with slug, ")
    assert line.endswith(', got the text "hostile-doc"')


def test_a_backup_names_its_problems_in_json_words(backup, tmp_path):
    data = json.loads(backup.read_text(encoding="utf-8"))
    data["organisations"][0] = "x"
    data["people"][0]["age"] = 40
    data["regions"][0]["aliases"] = {"a": 1}
    data["organisations"][1]["seeded_values"] = "y"
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(data), encoding="utf-8")

    lines = problem_lines(refused("import_directory", str(path)))

    assert len(lines) == 4
    assert lines[0] == f"{path}: regions[0].aliases: expected a list, got an object"
    assert lines[1].startswith(f"{path}: organisations[0]: expected an object with slug, ")
    assert lines[1].endswith(', got the text "x"')
    assert (
        lines[2] == f'{path}: organisations[1].seeded_values: expected an object, got the text "y"'
    )
    assert lines[3] == f'{path}: people[0]: unknown key "age"'


def test_an_unknown_key_inside_a_seeded_person_is_named_where_it_is(backup, tmp_path):
    """Seeded people are a table keyed by name: the key is named under that name, with no
    hint (the record type is not looked up through a table of names)."""
    data = json.loads(backup.read_text(encoding="utf-8"))
    data["organisations"][0]["seeded_values"] = {"people": {"Awa Diallo": {"rol": "Chair"}}}
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(data), encoding="utf-8")

    lines = problem_lines(refused("import_directory", str(path)))

    assert lines == [
        f'{path}: organisations[0].seeded_values.people.Awa Diallo: unknown key "rol"'
    ]


# --- Values at their limits, and each refusal whole ---------------------------------------


def write_backup(data, tmp_path):
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_years_at_the_limits_import_and_a_year_beyond_either_is_refused(backup, tmp_path):
    data = json.loads(backup.read_text(encoding="utf-8"))
    data["organisations"][0]["founded"] = 1799
    data["organisations"][1]["founded"] = 2101
    path = write_backup(data, tmp_path)
    assert problem_lines(refused("import_directory", str(path))) == [
        f"{path}: organisations[0].founded: 1799 is outside 1800-2100",
        f"{path}: organisations[1].founded: 2101 is outside 1800-2100",
    ]
    assert not Organisation.objects.exists()

    data["organisations"][0]["founded"] = 1800
    data["organisations"][1]["founded"] = 2100
    call_command("import_directory", str(write_backup(data, tmp_path)), verbosity=0)
    founded = Organisation.objects.values_list("founded", flat=True)
    assert {1800, 2100} <= set(founded)


def test_a_backup_date_that_is_no_date_or_has_no_time_zone_is_refused(backup, tmp_path):
    data = json.loads(backup.read_text(encoding="utf-8"))
    data["organisations"][0].update(
        last_checked="yesterday", created="soon", updated="2025-03-01T09:30:00"
    )
    data["organisations"][1]["last_checked"] = "2025-03-01T09:30:00+00:00"
    path = write_backup(data, tmp_path)

    assert problem_lines(refused("import_directory", str(path))) == [
        f'{path}: organisations[0].last_checked: "yesterday" is not a date',
        f'{path}: organisations[0].created: "soon" is not a date and time '
        "(2025-03-01T09:30:00+00:00)",
        f'{path}: organisations[0].updated: "2025-03-01T09:30:00" has no time zone',
        f'{path}: organisations[1].last_checked: "2025-03-01T09:30:00+00:00" is not a date',
    ]
    assert not Organisation.objects.exists()


def test_a_region_spelling_is_refused_with_a_nul_empty_or_over_80_characters(backup, tmp_path):
    data = json.loads(backup.read_text(encoding="utf-8"))
    data["regions"][0]["aliases"] = ["Ba\x00mako", "  ", "x" * 81, "y" * 80]
    path = write_backup(data, tmp_path)
    assert problem_lines(refused("import_directory", str(path))) == [
        f"{path}: regions[0].aliases[0]: contains a NUL character",
        f"{path}: regions[0].aliases[1]: empty",
        f"{path}: regions[0].aliases[2]: 81 characters, at most 80",
    ]

    data["regions"][0]["aliases"] = ["y" * 80]
    call_command("import_directory", str(write_backup(data, tmp_path)), verbosity=0)
    assert Region.objects.get(slug=data["regions"][0]["slug"]).aliases == ["y" * 80]


def test_a_list_where_a_backup_record_belongs_is_named_in_json_words(backup, tmp_path):
    data = json.loads(backup.read_text(encoding="utf-8"))
    data["sources"][0] = ["x"]
    data["people"][0] = {"x": 1}
    path = write_backup(data, tmp_path)

    lines = problem_lines(refused("import_directory", str(path)))

    assert lines[0] == (
        f"{path}: sources[0]: expected an object with slug, publisher, title, date, url, "
        "language, description_en, description_fr, got a list"
    )
    assert lines[1:] == [
        f'{path}: people[0]: missing required key "{key}"'
        for key in ("name", "role", "is_public", "version", "organisation")
    ] + [f'{path}: people[0]: unknown key "x"']


def test_a_text_of_exactly_its_maximum_length_loads(seeds_dir):
    quote = "q" * Citation._meta.get_field("quote").max_length
    description = "d" * Organisation._meta.get_field("description_en").max_length
    content = seed_with('quote = "AJCET works here."', f'quote = "{quote}"').replace(
        "Youth civic education.", description
    )
    (seeds_dir / "001-hostile.toml").write_text(content, encoding="utf-8")
    call_command("load_seeds", verbosity=0)
    assert Organisation.objects.get(slug="ajcet").description_en == description
    assert Citation.objects.get(fact="existence").quote == quote


def test_a_field_the_files_cannot_hold_is_refused_by_name_when_a_schema_is_built():
    from orgs.schema import field_type

    with pytest.raises(TypeError) as error:
        field_type(Organisation, "seeded_values")
    assert str(error.value) == "no file type for Organisation.seeded_values (JSONField)"


def test_the_problems_of_a_file_read_as_one_per_line(tmp_path):
    """What a caller outside the commands (a shell, a script) sees of a refused file."""
    path = tmp_path / "f.json"
    path.write_text('{"a": 1, "a": 2, "b": {"c": 1, "c": 2}}', encoding="utf-8")
    with pytest.raises(FileProblems) as error:
        read_json(path, "f.json", 1000)
    assert str(error.value) == (
        'f.json: the top level: key "a" appears more than once\n'
        'f.json: b: key "c" appears more than once'
    )


def test_a_file_that_does_not_say_its_size_is_read_up_to_the_limit_and_no_further():
    """/proc/self/cmdline reports a size of 0 whatever it holds: it is read whole at its
    own length, and refused one byte under it."""
    length = len(pathlib.Path("/proc/self/cmdline").read_bytes())
    text = read_text("/proc/self/cmdline", "cmdline", length)
    assert len(text.encode()) == length
    with pytest.raises(FileProblems) as error:
        read_text("/proc/self/cmdline", "cmdline", length - 1)
    assert error.value.problems == [f"cmdline: more than the {length - 1:,} bytes allowed"]


def test_a_device_that_never_ends_is_read_no_further_than_the_limit():
    """/dev/zero, read in a process whose memory is capped, so that a read without a
    limit fails this test instead of exhausting the machine."""
    read = (
        "from orgs.schema import FileProblems, read_text\n"
        "try:\n"
        "    read_text('/dev/zero', 'zero', 1000)\n"
        "except FileProblems as error:\n"
        "    print(error.problems)\n"
    )

    def cap_memory():
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    child = subprocess.run(
        [sys.executable, "-c", read],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=cap_memory,
        cwd=settings.BASE_DIR,
    )
    assert child.stdout == "['zero: more than the 1,000 bytes allowed']\n", child.stderr


def test_brackets_closed_earlier_leave_the_open_ones_counted(tmp_path):
    path = tmp_path / "f.json"
    path.write_text("[[], [[]], " + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "]", encoding="utf-8")
    assert read_problems(read_json, path) == [
        f"f.json: line 1: nested more than {MAX_DEPTH} levels deep"
    ]


def test_a_null_is_refused_where_the_database_holds_none(backup, tmp_path):
    data = json.loads(backup.read_text(encoding="utf-8"))
    org = data["organisations"][0]
    org.update(name=None, founded=None, last_checked=None, hq_region=None)
    data["people"][0]["is_public"] = None
    path = write_backup(data, tmp_path)
    assert problem_lines(refused("import_directory", str(path))) == [
        f"{path}: organisations[0].name: expected a text in quotes, got null",
        f"{path}: people[0].is_public: expected true or false, got null",
    ]


def test_a_backup_text_is_restored_exactly_with_its_spaces(backup, tmp_path):
    """Seed files are written by hand and tidied; a backup is restored as it was saved."""
    data = json.loads(backup.read_text(encoding="utf-8"))
    data["organisations"][0]["description_en"] = "  Youth work.\n"
    data["organisations"][0]["acronym"] = " "
    call_command("import_directory", str(write_backup(data, tmp_path)), verbosity=0)
    restored = Organisation.objects.get(slug=data["organisations"][0]["slug"])
    assert (restored.description_en, restored.acronym) == ("  Youth work.\n", " ")
