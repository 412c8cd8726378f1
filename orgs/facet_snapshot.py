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

import json

from django.db import connections
from pyroaring import FrozenBitMap

from .facets import OPTION_FACETS, FacetIndex

TABLE = "orgs_facet_snapshot"
FORMAT = 1


def install(schema_editor):
    """Create the table of the one stored index (a migration step)."""
    blob = "blob" if schema_editor.connection.vendor == "sqlite" else "bytea"
    schema_editor.execute(
        f"CREATE TABLE {TABLE} (id smallint PRIMARY KEY CHECK (id = 1), format integer "
        f"NOT NULL, token bigint NOT NULL, seq bigint NOT NULL, data {blob} NOT NULL)"
    )


def uninstall(schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {TABLE}")


def dumps(index):
    """The index as bytes: a line of JSON, then its bitmaps."""
    bitmaps = []

    def add(bitmap):
        bitmaps.append(bitmap.serialize())
        return len(bitmaps) - 1

    header = {
        "order": index.order,
        "sort_names": index.sort_names,
        "acronym_of": [index.names[pk][1] for pk in index.order],
        "names_of": [index.names[pk][2] for pk in index.order],
        "options": {
            facet: [[value, add(bitmap)] for value, bitmap in index.options[facet].items()]
            for facet in OPTION_FACETS
        },
        "zones": [[zone, add(bitmap)] for zone, bitmap in index.options["zone"].items()],
        "acronyms": [[acronym, add(bitmap)] for acronym, bitmap in index.acronyms.items()],
        "name_words": index.name_words,
        "name_postings": [add(bitmap) for bitmap in index.name_postings],
        "sizes": [],
    }
    header["sizes"] = [len(b) for b in bitmaps]
    return json.dumps(header, separators=(",", ":")).encode() + b"\n" + b"".join(bitmaps)


def loads(data, position, regions, focus):
    """The FacetIndex that `dumps` gave `data`, at `position`."""
    end = data.index(b"\n")
    header = json.loads(data[:end])
    bitmaps, at = [], end + 1
    for size in header["sizes"]:
        bitmaps.append(FrozenBitMap.deserialize(data[at : at + size]))
        at += size
    options = {
        facet: {value: bitmaps[i] for value, i in pairs}
        for facet, pairs in header["options"].items()
    }
    options["zone"] = {zone: bitmaps[i] for zone, i in header["zones"]}
    order, sort_names = header["order"], header["sort_names"]
    rows = zip(sort_names, header["acronym_of"], header["names_of"], strict=True)
    names = dict(zip(order, rows, strict=True))
    return FacetIndex(
        position,
        order,
        sort_names,
        names,
        options,
        {acronym: bitmaps[i] for acronym, i in header["acronyms"]},
        header["name_words"],
        [bitmaps[i] for i in header["name_postings"]],
        regions,
        focus,
    )


def store(index, using="default"):
    """Keep `index` (built outside a transaction) as the one stored index."""
    data = dumps(index)
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
    return loads(bytes(data), (token, seq), regions, focus)
