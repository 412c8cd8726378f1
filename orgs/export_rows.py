"""The organisations an export writes, read fast and as the public reads them.

A download of the whole directory reads every published organisation: at 100,000
of them, what each row costs in Python is most of the file's cost. So each chunk of
CHUNK_SIZE is one query through the public read model (`Organisation.objects
.public()`, whose rows pass through the withholding rule, orgs.public_text), and:

- each value is left as the database driver gives it (`values_as_stored`): the
  files write values as text, and Django's conversion of each value (a timestamp
  parsed, a boolean made from 0 or 1 on SQLite) cost more than reading the row;
- the time of the last change is written by the database as the ISO 8601 text the
  files hold: on PostgreSQL, parsing it into a datetime (psycopg does that in
  Python) to write it out again cost twice what the rest of the row did;
- an organisation's regions and focus areas come in the same row, as the text of
  their ids ("3,7"), gathered by the database (orgs.linked_ids): no query per link
  table, no list per row, and the text is the key the files remember their cells by.
"""

from django.db import connection
from django.db.models import BooleanField, CharField
from django.db.models.expressions import RawSQL

from .contacts import FIELDS as CONTACT_FIELDS
from .linked_ids import linked_ids
from .models import Organisation

CHUNK_SIZE = 500

# The organisation's fields the files read; `sensitive` and the contacts' switches
# are for the withholding rule (orgs.public_text), which every row passes through.
READ_FIELDS = [
    "id",
    "slug",
    "name",
    "name_original",
    "acronym",
    "kind",
    "founded",
    "hq_region_id",
    "hq_town",
    "description_en",
    "description_fr",
    "website",
    *(name for contact_and_switch in CONTACT_FIELDS for name in contact_and_switch),
    "sensitive",
]


def qualified(model, column):
    """`column` of `model`'s table, quoted, for SQL written here."""
    quote = connection.ops.quote_name
    return f"{quote(model._meta.db_table)}.{quote(column)}"


def among(model, column, ids):
    """`column` is one of `ids`, for a filter, its parameters passed as they are:
    `pk__in` prepares each id on its own, which cost more than reading the rows.

    On PostgreSQL the ids are one array parameter (`= ANY(%s)`): psycopg binds
    parameters into the query text on the client, looking for each placeholder, and
    500 of them per chunk cost more than the chunk's rows. On SQLite, which has no
    arrays, chunks of one size have one SQL text, which the driver prepares once.
    """
    target = qualified(model, column)
    if connection.vendor == "postgresql":
        return RawSQL(f"{target} = ANY(%s)", [list(ids)], output_field=BooleanField())
    placeholders = ", ".join(["%s"] * len(ids))
    return RawSQL(f"{target} IN ({placeholders})", list(ids), output_field=BooleanField())


def iso_timestamp(column):
    """The organisation's timestamp `column` as the text `datetime.isoformat()` writes
    in UTC ("2026-11-30T07:30:00.123456+00:00", the fraction left out when it is
    zero), written by the database.

    SQLite stores a timestamp in UTC as that text with a space for the "T" and no
    offset (Django writes `str()` of the datetime); as an expression it also skips
    the driver's conversion, which only a plain column gets. PostgreSQL writes it
    with `to_char`, whatever the session's time zone and date style.
    """
    stored = qualified(Organisation, column)
    if connection.vendor == "postgresql":
        utc = f"({stored} AT TIME ZONE 'UTC')"
        text = (
            f"to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || "
            f"CASE WHEN mod(extract(microseconds FROM {utc})::integer, 1000000) = 0 THEN '' "
            f"ELSE to_char({utc}, '.US') END || '+00:00'"
        )
    else:
        text = f"replace({stored}, ' ', 'T') || '+00:00'"
    return RawSQL(text, [], output_field=CharField())


def organisations(ids):
    """The organisations of `ids`, in that order, chunk by chunk, as the public reads them.

    Each row is a dict of READ_FIELDS, withheld as records are (orgs.public_text),
    with `updated` the ISO 8601 text of the last change and `region_ids` and
    `focus_ids` the text of the ids of its regions of work and focus areas
    (orgs.linked_ids). One query per chunk, no model instance, and memory that does
    not grow with the directory beyond its ids.
    """
    public = (
        Organisation.objects.public()
        .order_by()  # the rows are put in the ids' order here
        .values_as_stored(
            *READ_FIELDS,
            updated_text=iso_timestamp("updated"),
            region_ids=linked_ids("regions"),
            focus_ids=linked_ids("focus_areas"),
        )
    )
    for start in range(0, len(ids), CHUNK_SIZE):
        chunk = ids[start : start + CHUNK_SIZE]
        rows = {row["id"]: row for row in public.filter(among(Organisation, "id", chunk))}
        for pk in chunk:
            row = rows.get(pk)
            if row is not None:
                row["updated"] = row.pop("updated_text")
                yield row
