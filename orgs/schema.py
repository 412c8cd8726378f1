"""One validation layer for every file the directory reads: seed files and backups.

- **Reading** (`read_toml`, `read_json`): a file larger than its maximum, nested
  deeper than `MAX_DEPTH` or holding a number longer than `MAX_DIGITS` digits is
  refused before it is parsed, so a hostile file costs nothing. Duplicate keys are
  refused (TOML refuses them itself; JSON through `object_pairs_hook`).
- **Values** (`field_type`): each value's type takes its limits from the model
  field it will be written to (length, blank, choices, year bounds, the field's
  validators), so the admin, the seed files and the backups cannot disagree. Every
  text is refused with a NUL character.
- **Problems** (`problems`): every problem in a file is reported at once, as
  `file: path: message` (`seeds/002-x.toml: organisations[3].kind: unknown kind
  "ngo"`), and nothing is written.

The schemas themselves are pydantic models (`orgs.seed_schema`, `orgs.backup_schema`).
"""

import datetime
import difflib
import json
import re
import tomllib
import typing
from typing import Annotated

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from pydantic import AfterValidator, BaseModel, ConfigDict, Strict
from pydantic import WithJsonSchema as JsonSchema
from pydantic_core import PydanticCustomError

MAX_DEPTH = 16  # brackets inside brackets, or dots in one TOML key; our files need 7
MAX_DIGITS = 20  # digits in one number; the largest we store has 10
NO_NUL = "^[^\\u0000]*$"


class FileProblems(Exception):
    """A file cannot be read; `problems` lists every one, each `file: path: message`."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class Record(BaseModel):
    """A table of a file: exactly the keys it declares, each of exactly its type."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


# --- Reading --------------------------------------------------------------------------

# Strings (skipped whole), brackets, TOML dots, newlines and over-long numbers.
_LONG_NUMBER = rf"\d{{{MAX_DIGITS + 1},}}"
_JSON_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]|\n|' + _LONG_NUMBER)
_TOML_TOKENS = re.compile(
    r'#[^\n]*|"""[^\\]*?(?:\\.[^\\]*?)*?"""|\'\'\'.*?\'\'\''
    r'|"[^"\\\n]*(?:\\.[^"\\\n]*)*"|\'[^\'\n]*\'|[\[\]{}.]|\n|' + _LONG_NUMBER,
    re.S,
)


def read_text(path, name, max_bytes):
    """The file's text, refused unread when it is larger than max_bytes."""
    try:
        with open(path, "rb") as file:
            size = file.seek(0, 2)
            if size > max_bytes:
                raise FileProblems(
                    [f"{name}: {size:,} bytes, more than the {max_bytes:,} allowed"]
                )
            file.seek(0)
            raw = file.read(max_bytes + 1)
    except OSError as error:
        raise FileProblems([f"{name}: cannot be read: {error.strerror}"]) from None
    if len(raw) > max_bytes:  # it grew while we looked
        raise FileProblems([f"{name}: more than the {max_bytes:,} bytes allowed"])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise FileProblems(
            [f"{name}: not UTF-8 text ({error.reason} at byte {error.start})"]
        ) from None


def check_nesting(text, name, tokens):
    """Refuse deep nesting and huge numbers before a recursive parser meets them."""
    depth = dots = 0
    for match in tokens.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
        elif token in "]}":
            depth = max(depth - 1, 0)
        elif token == ".":
            dots += 1
        elif token == "\n":
            dots = 0
        elif token[0].isdigit():
            line = text.count("\n", 0, match.start()) + 1
            raise FileProblems(
                [f"{name}: line {line}: a number of {len(token):,} digits (at most {MAX_DIGITS})"]
            )
        if depth > MAX_DEPTH or dots > MAX_DEPTH:
            line = text.count("\n", 0, match.start()) + 1
            raise FileProblems([f"{name}: line {line}: nested more than {MAX_DEPTH} levels deep"])


def read_toml(path, name, max_bytes):
    text = read_text(path, name, max_bytes)
    check_nesting(text, name, _TOML_TOKENS)
    try:
        return tomllib.loads(text)  # refuses duplicate keys and tables itself
    except tomllib.TOMLDecodeError as error:
        raise FileProblems([f"{name}: malformed TOML: {error}"]) from None


class _Object(dict):
    """A JSON object, remembering the keys it held more than once."""

    duplicates = ()


def _object(pairs):
    obj = _Object()
    for key, value in pairs:
        if key in obj:
            obj.duplicates = [*obj.duplicates, key]
        obj[key] = value
    return obj


def read_json(path, name, max_bytes):
    text = read_text(path, name, max_bytes)
    check_nesting(text, name, _JSON_TOKENS)
    try:
        data = json.loads(text, object_pairs_hook=_object)
    except json.JSONDecodeError as error:
        raise FileProblems([f"{name}: not valid JSON: {error}"]) from None
    problems = []
    stack = [(data, ())]
    while stack:  # no recursion: depth is bounded, but a loop needs no bound at all
        value, loc = stack.pop()
        if isinstance(value, dict):
            for key in dict.fromkeys(getattr(value, "duplicates", ())):
                where = format_path(loc) or "the top level"
                problems.append(f'{name}: {where}: key "{key}" appears more than once')
            stack += [(v, (*loc, k)) for k, v in reversed(value.items())]
        elif isinstance(value, list):
            stack += [(v, (*loc, i)) for i, v in reversed(list(enumerate(value)))]
    if problems:
        raise FileProblems(problems)
    return data


# --- Values: types whose limits come from the model fields ----------------------------


def _problem(kind, template, **context):
    return PydanticCustomError(kind, template, context)


def _bounds(field):
    """The tightest (minimum, maximum) the field's validators allow."""
    low = [v.limit_value for v in field.validators if isinstance(v, MinValueValidator)]
    high = [v.limit_value for v in field.validators if isinstance(v, MaxValueValidator)]
    return (max(low) if low else None, min(high) if high else None)


def _run_field_validators(field, value):
    """The field's own validators (slug, web address, partial date...), as the admin runs them.

    Where several refuse a value, the last is the field's own, most specific one.
    """
    try:
        field.run_validators(value)
    except DjangoValidationError as error:
        raise _problem("invalid", "{message}", message=error.messages[-1]) from None


def _text_checker(field, *, strip, collapse, pattern, pattern_help):
    max_length = field.max_length
    choices = [value for value, _label in field.choices] if field.choices else None

    def check(value):
        if "\x00" in value:
            raise _problem("nul", "contains a NUL character")
        if collapse:  # PDF text breaks lines mid-sentence: verbatim means whitespace aside
            value = " ".join(value.split())
        elif strip:
            value = value.strip()
        if not value:
            if not field.blank:
                raise _problem("empty", "empty")
            return value
        if max_length and len(value) > max_length:
            raise _problem(
                "too_long", "{length} characters, at most {max}", length=len(value), max=max_length
            )
        if choices and value not in choices:
            match = difflib.get_close_matches(value, choices, n=1)
            raise _problem(
                "unknown_choice",
                'unknown {what} "{value}"{hint} (one of: {choices})',
                what=field.name,
                value=value,
                hint=f' (did you mean "{match[0]}"?)' if match else "",
                choices=", ".join(choices),
            )
        if pattern and not pattern.match(value):
            raise _problem("pattern", '"{value}" is not {help}', value=value, help=pattern_help)
        _run_field_validators(field, value)
        return value

    return check


def _date_checker(field):
    with_time = isinstance(field, models.DateTimeField)

    def check(value):
        try:
            parsed = (datetime.datetime if with_time else datetime.date).fromisoformat(value)
        except ValueError:
            what = "a date and time (2025-03-01T09:30:00+00:00)" if with_time else "a date"
            raise _problem("date", '"{value}" is not {what}', value=value, what=what) from None
        if with_time and parsed.tzinfo is None:
            raise _problem("date", '"{value}" has no time zone', value=value)
        return parsed

    return check


def _integer_checker(field):
    low, high = _bounds(field)

    def check(value):
        if (low is not None and value < low) or (high is not None and value > high):
            raise _problem(
                "range", "{value} is outside {low}-{high}", value=value, low=low, high=high
            )
        return value

    return check


def field_type(
    model,
    name,
    *,
    strip=False,
    collapse=False,
    pattern=None,
    pattern_help="",
    nullable=None,
):
    """The type of a value written to `model.name`, with that field's limits.

    `strip`/`collapse` tidy whitespace before the checks (seed files, written by
    hand); `pattern` narrows a text further.
    """
    field = model._meta.get_field(name)
    nullable = field.null if nullable is None else nullable
    if field.many_to_one:  # a reference, by the key it points to (a region's parent: a slug)
        target = field.target_field
        return field_type(target.model, target.name, pattern=pattern, nullable=nullable)
    if isinstance(field, models.BooleanField):
        base, checker = bool, None
        json_schema = {"type": "boolean"}
    elif isinstance(field, models.IntegerField):
        base, checker = int, _integer_checker(field)
        low, high = _bounds(field)
        json_schema = {"type": "integer", "minimum": low, "maximum": high}
    elif isinstance(field, models.DateField):
        base, checker = str, _date_checker(field)
        json_schema = {"type": "string", "format": "date"}
    elif isinstance(field, models.CharField | models.TextField):
        base = str
        checker = _text_checker(
            field, strip=strip, collapse=collapse, pattern=pattern, pattern_help=pattern_help
        )
        json_schema = {"type": "string", "pattern": pattern.pattern if pattern else NO_NUL}
        if field.max_length:
            json_schema["maxLength"] = field.max_length
        if not field.blank:
            json_schema["minLength"] = 1
        if field.choices:
            json_schema["enum"] = [value for value, _label in field.choices]
        if isinstance(field, models.URLField):
            json_schema["pattern"] = "^(https?://[^\\u0000]*)?$"
    else:
        raise TypeError(f"no file type for {model.__name__}.{name} ({type(field).__name__})")
    json_schema = {k: v for k, v in json_schema.items() if v is not None}
    if nullable:
        json_schema = {"anyOf": [json_schema, {"type": "null"}]}
    checks = [AfterValidator(checker)] if checker else []
    annotated = Annotated[base, Strict(), *checks]
    kind = annotated | None if nullable else annotated
    return Annotated[kind, JsonSchema(json_schema)]


def short_text(max_length):
    """A text that is no model field (a seed file's document name)."""
    return Annotated[
        str,
        Strict(),
        AfterValidator(_short_text_checker(max_length)),
        JsonSchema({"type": "string", "maxLength": max_length, "pattern": NO_NUL}),
    ]


def text_list(max_length=80):
    """A list of short texts (a region's other spellings)."""
    item = Annotated[str, Strict(), AfterValidator(_short_text_checker(max_length))]
    schema = {"type": "array", "items": {"type": "string", "maxLength": max_length}}
    return Annotated[list[item], JsonSchema(schema)]


def _short_text_checker(max_length):
    def check(value):
        if "\x00" in value:
            raise _problem("nul", "contains a NUL character")
        if not value.strip():
            raise _problem("empty", "empty")
        if len(value) > max_length:
            raise _problem(
                "too_long", "{length} characters, at most {max}", length=len(value), max=max_length
            )
        return value

    return check


# --- Problems -------------------------------------------------------------------------


def format_path(loc):
    """('organisations', 3, 'regions', 1) -> 'organisations[3].regions[1]'."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def describe(value, toml=True):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:40] + "…"
        return f'the text "{shown}"'
    if isinstance(value, datetime.date | datetime.time):
        return f"the date {value} (put it in quotes)"
    if isinstance(value, dict):
        return "a table" if toml else "an object"
    if isinstance(value, list):
        return "an array" if toml else "a list"
    return "null" if value is None else type(value).__name__


CITATION_KEYS = ("locator", "quote")
TYPE_NAMES = {
    "string_type": "a text in quotes",
    "int_type": "a whole number",
    "bool_type": "true or false",
    "list_type": "an array",
}


def _model_at(root, loc):
    """The pydantic model class describing the value at `loc`, if any.

    A number in `loc` steps into a list's items. Nothing else is unwrapped: no table
    of a seed file or a backup is optional or inside an `Annotated` of its own
    (pydantic keeps a field's `Annotated` apart from its type), and one that were
    would only cost its unknown keys their "did you mean" hint.
    """
    current = root
    for part in loc:
        if isinstance(part, int):
            if typing.get_origin(current) is list:
                current = typing.get_args(current)[0]
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        info = current.model_fields.get(part)
        if info is None:
            return None
        current = info.annotation
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _message(error, root, toml):
    kind, loc, value = error["type"], error["loc"], error.get("input")
    if kind == "missing":
        key = loc[-1]
        if key in CITATION_KEYS:
            message = (
                f'no citation: missing "{key}" (every fact needs a locator and a verbatim quote)'
            )
        else:
            message = f'missing required key "{key}"'
        return loc[:-1], message
    if kind == "extra_forbidden":
        model = _model_at(root, loc[:-1])
        hint = (
            difflib.get_close_matches(str(loc[-1]), list(model.model_fields), n=1) if model else []
        )
        suggestion = f' (did you mean "{hint[0]}"?)' if hint else ""
        return loc[:-1], f'unknown key "{loc[-1]}"{suggestion}'
    # Something else where a table belongs (pydantic's "model_attributes_type" would
    # need from_attributes, which no schema of a file uses).
    if kind in ("model_type", "dict_type"):
        model = _model_at(root, loc)
        keys = f" with {', '.join(model.model_fields)}" if model else ""
        table = "a table" if toml else "an object"
        return loc, f"expected {table}{keys}, got {describe(value, toml)}"
    if kind in TYPE_NAMES:
        expected = TYPE_NAMES[kind] if toml or kind != "list_type" else "a list"
        return loc, f"expected {expected}, got {describe(value, toml)}"
    return loc, error["msg"]


def problems(error, schema, name, toml=True):
    """Each pydantic error as `name: path: message`."""
    found = []
    for item in error.errors(include_url=False):
        loc, message = _message(item, schema, toml)
        path = format_path(loc)
        found.append(f"{name}: {path}: {message}" if path else f"{name}: {message}")
    return list(dict.fromkeys(found))
