"""seeds/seed.schema.json: the seed format for editors, generated from orgs.seed_schema."""

import copy
import json
import tomllib
from pathlib import Path

import jsonschema
import pytest
from django.conf import settings
from django.core.management import call_command

from orgs.seed_schema import json_schema_text

SCHEMA_PATH = Path(settings.BASE_DIR) / "seeds" / "seed.schema.json"
SEED_FILES = sorted((Path(settings.BASE_DIR) / "seeds").glob("*.toml"))


def validator():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_committed_json_schema_is_the_generated_one():
    """After changing orgs.seed_schema or a model's limits: manage.py seed_schema."""
    assert SCHEMA_PATH.read_text(encoding="utf-8") == json_schema_text()


def test_the_seed_schema_command_writes_the_committed_file(tmp_path):
    target = tmp_path / "seed.schema.json"
    call_command("seed_schema", str(target), verbosity=0)
    assert target.read_text(encoding="utf-8") == SCHEMA_PATH.read_text(encoding="utf-8")


def test_there_are_seed_files_to_check():
    assert len(SEED_FILES) >= 5


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name)
def test_every_seed_file_validates_against_the_json_schema(path):
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert [error.message for error in validator().iter_errors(data)] == []


def damage(data, change):
    data = copy.deepcopy(data)
    change(data)
    return data


DAMAGES = {
    "unknown kind": lambda d: d["organisations"][0].update(kind="ngo"),
    "year out of range": lambda d: d["organisations"][0].update(
        founded={"year": 1200, "locator": "p. 1", "quote": "Founded long ago."}
    ),
    "unknown key": lambda d: d["organisations"][0].update(nmae="Typo"),
    "missing citation": lambda d: d["organisations"][0]["existence"].pop("quote"),
    "over-long quote": lambda d: d["organisations"][0]["existence"].update(quote="x" * 601),
    "NUL character": lambda d: d["source"].update(title="A\x00B"),
    "ftp address": lambda d: d["source"].update(url="ftp://example.org/x.pdf"),
    "bad slug": lambda d: d["organisations"][0].update(slug="Not A Slug"),
    "year as text": lambda d: d["partnerships"].append(
        {
            "organisation": "a",
            "relation": "funded_by",
            "partner": "b",
            "start": "2017",
            "locator": "p. 1",
            "quote": "A is funded by B.",
        }
    ),
}


@pytest.mark.parametrize("case", DAMAGES)
def test_an_editor_sees_a_damaged_seed_file_as_invalid(case):
    data = tomllib.loads(SEED_FILES[0].read_text(encoding="utf-8"))
    check = validator()
    assert list(check.iter_errors(data)) == []  # the positive control
    assert list(check.iter_errors(damage(data, DAMAGES[case]))) != []
