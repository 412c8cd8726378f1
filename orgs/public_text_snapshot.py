"""The table of withheld terms stored in the database, so that a starting process, and
each process after a change of who is withheld, loads it rather than builds it.

Building the table (orgs.public_text) reads every hidden person: at the benchmark's
100,000 organisations, 81,001 people and 0.1 to 0.3 s of CPU, in every process, at
every start and after every change of a person's name or visibility. So a process
that builds it outside a transaction stores it, in one row keyed by the public-text
version it was built at (orgs.public_text_version); a process whose version is that
one loads it. A row of another version or format, or one that does not read back as
a table, is ignored and the table built.

The row holds what the database already holds (hidden names, sensitive towns, hidden
contacts), in a table no model, backup or export reads.
"""

import json

from django.db import DatabaseError, connections

TABLE = "orgs_public_text_snapshot"
FORMAT = 1
KINDS = frozenset({"name", "place", "contact"})


def install(schema_editor):
    """Create the table of the one stored table of terms (a migration step)."""
    blob = "blob" if schema_editor.connection.vendor == "sqlite" else "bytea"
    schema_editor.execute(
        f"CREATE TABLE {TABLE} (id smallint PRIMARY KEY CHECK (id = 1), format integer "
        f"NOT NULL, token bigint NOT NULL, data {blob} NOT NULL)"
    )


def uninstall(schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {TABLE}")


def dumps(table):
    """{(folded words): kind} as bytes: a JSON list of [kind, word, ...]."""
    return json.dumps([[kind, *words] for words, kind in table.items()]).encode()


def loads(data):
    """The table `dumps` gave `data`; ValueError if it is not one (the caller builds the
    table then: it never learns more than that)."""
    terms = json.loads(data)
    if not isinstance(terms, list):
        raise ValueError
    table = {}
    for kind, *words in terms:
        if kind not in KINDS or not words or not all(isinstance(w, str) and w for w in words):
            raise ValueError
        table[tuple(words)] = kind
    return table


def store(token, table, using="default"):
    """Keep `table`, built at `token` outside a transaction, as the one stored table.
    Two processes may store at once: the row is written whole by one statement."""
    data = dumps(table)
    try:
        with connections[using].cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {TABLE} (id, format, token, data) VALUES (1, %s, %s, %s) "
                "ON CONFLICT (id) DO UPDATE SET format = excluded.format, "
                "token = excluded.token, data = excluded.data",
                [FORMAT, token, data],
            )
    except DatabaseError:
        pass  # a database read-only here, or not yet migrated: the next build tries again


def stored(token, using="default"):
    """The stored table of `token`, or None."""
    try:
        with connections[using].cursor() as cursor:
            cursor.execute(
                f"SELECT data FROM {TABLE} WHERE id = 1 AND format = %s AND token = %s",
                [FORMAT, token],
            )
            row = cursor.fetchone()
    except DatabaseError:
        return None  # not yet migrated: built, as before the table existed
    if row is None:
        return None
    try:
        return loads(bytes(row[0]))
    except (ValueError, TypeError):
        return None  # a damaged row: the table is built, and stored again
