"""The facet index stored in the database, so a starting server loads it rather than builds it.

Building the index (orgs.facets) reads every published organisation and its links:
2 s of CPU at 100,000 organisations, before a new server answers its first listing.
So a process that builds it stores it, in one row keyed by the data version it
holds (token and last change, orgs.facet_changes); a starting process loads that
row and applies the changes logged since (orgs.facet_upkeep), tens of
milliseconds. The row is in the database, so every server behind one database
shares it. Only what is safe to read back is stored: JSON and serialised bitmaps,
with a format number; a row of another format, or older than the log keeps, is
ignored and the index built.
"""

import array
import json
import zlib

from django.db import connections
from pyroaring import FrozenBitMap

from .facets import FacetIndex

TABLE = "orgs_facet_snapshot"
FORMAT = 3


def install(schema_editor):
    """Create the table of the one stored index (a migration step)."""
    blob = "blob" if schema_editor.connection.vendor == "sqlite" else "bytea"
    schema_editor.execute(
        f"CREATE TABLE {TABLE} (id smallint PRIMARY KEY CHECK (id = 1), format integer "
        f"NOT NULL, token bigint NOT NULL, seq bigint NOT NULL, data {blob} NOT NULL)"
    )


def uninstall(schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {TABLE}")


def _texts(texts):
    return "\0".join(texts).encode()  # normalised text holds no NUL


def dumps(index):
    """The index as bytes: a line of JSON saying where each part is, then the parts:
    ids as 8-byte integers, texts joined by NUL, serialised bitmaps."""
    parts = []

    def add(data):
        parts.append(data)
        return len(parts) - 1

    order = index.order
    header = {
        "order": add(array.array("q", order).tobytes()),
        "sort_names": add(_texts(index.sort_names)),
        "acronym_of": add(_texts(index.names[pk][1] for pk in order)),
        "names_of": add(_texts(index.names[pk][2] for pk in order)),
        "options": {
            facet: [[value, add(bitmap.serialize())] for value, bitmap in bitmaps.items()]
            for facet, bitmaps in index.options.items()
        },
        "acronyms": add(_texts(index.acronyms)),
        "acronym_ids": [add(bitmap.serialize()) for bitmap in index.acronyms.values()],
        "name_words": add(_texts(index.name_words)),
        "name_postings": [add(bitmap.serialize()) for bitmap in index.name_postings],
    }
    header["sizes"] = [len(part) for part in parts]
    return json.dumps(header, separators=(",", ":")).encode() + b"\n" + b"".join(parts)


def loads(data, position, regions, focus):
    """The FacetIndex that `dumps` gave `data`, at `position`."""
    end = data.index(b"\n")
    header = json.loads(data[:end])
    parts, at = [], end + 1
    for size in header["sizes"]:
        parts.append(data[at : at + size])
        at += size

    def texts(i, count):
        return parts[i].decode().split("\0") if count else []

    bitmap = FrozenBitMap.deserialize
    order = array.array("q", parts[header["order"]]).tolist()
    sort_names = texts(header["sort_names"], len(order))
    names = dict(
        zip(
            order,
            zip(
                sort_names,
                texts(header["acronym_of"], len(order)),
                texts(header["names_of"], len(order)),
                strict=True,
            ),
            strict=True,
        )
    )
    options = {
        facet: {value: bitmap(parts[i]) for value, i in pairs}
        for facet, pairs in header["options"].items()
    }
    acronyms = texts(header["acronyms"], len(header["acronym_ids"]))
    return FacetIndex(
        position,
        order,
        sort_names,
        names,
        options,
        dict(zip(acronyms, (bitmap(parts[i]) for i in header["acronym_ids"]), strict=True)),
        texts(header["name_words"], len(header["name_postings"])),
        [bitmap(parts[i]) for i in header["name_postings"]],
        regions,
        focus,
    )


def store(index, using="default"):
    """Keep `index` (built outside a transaction) as the one stored index."""
    data = dumps(index)
    if _compressed(using):
        data = zlib.compress(data, 1)
    with connections[using].cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")
        cursor.execute(
            f"INSERT INTO {TABLE} (id, format, token, seq, data) VALUES (1, %s, %s, %s, %s)",
            [FORMAT, index.token, index.seq, data],
        )


def stored(using="default"):
    """The stored index, at the data version it holds, or None."""
    from .models import FocusArea, Region

    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT token, seq, data FROM {TABLE} WHERE format = %s", [FORMAT])
        row = cursor.fetchone()
    if row is None:
        return None
    token, seq, data = row
    regions = {r.pk: r for r in Region.objects.all()}
    focus = {f.pk: f for f in FocusArea.objects.all()}
    try:
        data = zlib.decompress(data) if _compressed(using) else bytes(data)
        return loads(data, (token, seq), regions, focus)
    except (ValueError, KeyError, IndexError, TypeError, zlib.error):
        return None  # a damaged row: the index is built, and stored again


def _compressed(using):
    """PostgreSQL sends a bytea as hex text, twice its size: 14 MB at 100,000
    organisations took 0.3 s to arrive, where compressed it takes 0.05 s. SQLite
    reads the file: decompressing would cost more than it saves."""
    return connections[using].vendor == "postgresql"
