"""Test worlds built once per test process, then restored as rows.

A world fixture (`reference_data`, `directory`, `seeded`) builds its data through
the application's own code: saves, signals, history, search upkeep. That is most
of the suite's time (about 1 s of a test's 1.5 s on PostgreSQL), and every test
that asks for the same world from the same starting state gets the same rows. So
`cached_world` builds a world the usual way the first time, in one test, and
records what the build changed in every model's table (rows added, changed,
removed). Later tests that start from the same state (every model table's rows
equal, compared by a digest) get the same rows written back by plain SQL, with
the same ids, in a few milliseconds; the objects the fixture returns are read
back from the database. A test starting from any other state builds the world
anew.

The database's own triggers run on the restored rows as on the built ones (the
search index, the facet and page versions), so the world is the same to every
reader. Columns that are not model fields (PostgreSQL's generated search vector)
are left to the database.

The start every test shares is kept the same way: after a test that commits, the
tables are emptied and the rows the new test database held are written back, with
their ids, and the id counters restarted (`back_to_the_start`).
"""

import functools
import hashlib

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, models, transaction

_snapshots = {}
_start = {}  # {table: {pk: row}}: what the new test database held


def _tables():
    """{table: (primary key column, [columns])} of every model the database holds."""
    tables = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if not meta.managed or meta.proxy or meta.db_table in tables:
            continue
        columns = [field.column for field in meta.concrete_fields]
        tables[meta.db_table] = (meta.pk.column, columns)
    return tables


def _select(table, pk, columns):
    quote = connection.ops.quote_name
    return f"SELECT {', '.join(map(quote, columns))} FROM {quote(table)} ORDER BY {quote(pk)}"


def _contents(tables):
    """{table: {pk: row}}: every row of every model table, as the database holds it now."""
    with connection.cursor() as cursor:
        results = _results(cursor, [_select(table, *spec) for table, spec in tables.items()])
        return {
            table: {row[columns.index(pk)]: row for row in rows}
            for (table, (pk, columns)), rows in zip(tables.items(), results, strict=True)
        }


def _results(cursor, statements):
    """The rows of each statement, in turn. Read before every world a test asks for: on
    PostgreSQL the statements go in one round trip and their results are read one after
    the other (a query per table cost 12 ms there); SQLite, in the process, takes one
    statement at a time."""
    if connection.vendor != "postgresql":
        for statement in statements:
            cursor.execute(statement)
            yield cursor.fetchall()
        return
    cursor.execute("; ".join(statements))
    yield cursor.fetchall()
    while cursor.nextset():
        yield cursor.fetchall()


def _digest(contents):
    return hashlib.sha256(repr(sorted(contents.items())).encode()).hexdigest()


class Snapshot:
    """What one build changed, table by table, and the objects it returned."""

    def __init__(self, tables, before, after, value):
        self.tables = tables
        self.added, self.changed, self.removed = {}, {}, {}
        for table in tables:
            old, new = before[table], after[table]
            self.added[table] = [row for pk, row in new.items() if pk not in old]
            self.changed[table] = [row for pk, row in new.items() if pk in old and old[pk] != row]
            self.removed[table] = [pk for pk in old if pk not in new]
        self.value = _references(value)

    def restore(self):
        quote = connection.ops.quote_name
        # One transaction: the foreign keys (deferred) are checked once every row is in.
        with transaction.atomic(), connection.cursor() as cursor:
            for table, (pk, columns) in self.tables.items():
                if self.removed[table]:
                    cursor.execute(
                        f"DELETE FROM {quote(table)} WHERE {quote(pk)} IN "
                        f"({', '.join(['%s'] * len(self.removed[table]))})",
                        self.removed[table],
                    )
                for row in self.changed[table]:
                    assignments = ", ".join(f"{quote(c)} = %s" for c in columns)
                    cursor.execute(
                        f"UPDATE {quote(table)} SET {assignments} WHERE {quote(pk)} = %s",
                        [*row, row[columns.index(pk)]],
                    )
                _insert(cursor, table, columns, self.added[table])
            _count_on_after_the_rows(cursor, [t for t, rows in self.added.items() if rows])
        return _fetched(self.value)


def _count_on_after_the_rows(cursor, tables):
    """Set the id counter of each of `tables` after the ids it holds, so ids taken
    later come after the written ones: PostgreSQL's sequences, in one round trip
    (SQLite's AUTOINCREMENT follows inserted ids by itself)."""
    models_ = [m for m in apps.get_models(include_auto_created=True) if m._meta.db_table in tables]
    if statements := connection.ops.sequence_reset_sql(no_style(), models_):
        cursor.execute(" ".join(statements))


def _insert(cursor, table, columns, rows):
    """Write `rows` of `columns` into `table`, firing its triggers as any insert does.

    PostgreSQL takes them by COPY: a statement of many rows cost psycopg a parse of
    every placeholder in Python (profiled, 57 ms of a 125 ms restore of `directory`).
    SQLite, in the process, takes many rows a statement: one statement a row cost more.
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    names = ", ".join(map(quote, columns))
    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    per_statement = rows_per_statement(columns)
    placeholders = f"({', '.join(['%s'] * len(columns))})"
    for start in range(0, len(rows), per_statement):
        batch = rows[start : start + per_statement]
        cursor.execute(
            f"INSERT INTO {quote(table)} ({names}) VALUES "
            + ", ".join([placeholders] * len(batch)),
            [value for row in batch for value in row],
        )


def remember_the_start():
    """Keep what the new test database holds (content types, permissions, the curator
    group), for `back_to_the_start`."""
    _start.clear()
    _start.update(_contents(_tables()))


def back_to_the_start():
    """Put the database back as it was new, after a test that committed: every model
    table emptied, the rows it started with written back with their ids, the id
    counters restarted after them.

    Django's flush did this by TRUNCATE of every table and post_migrate making the
    content types, permissions and curator group anew: 189 ms on PostgreSQL, some
    200 times a run (35 ms this way). DELETE fires the same version triggers that
    TRUNCATE did (orgs.db_token), so every reader's cache still sees the change.
    """
    tables = _tables()
    quote = connection.ops.quote_name
    emptied = [f"DELETE FROM {quote(table)}" for table in tables]
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("; ".join(emptied))  # one round trip
        else:
            for statement in emptied:
                cursor.execute(statement)
            # AUTOINCREMENT's counters, of these tables only: the facet change log's
            # entries must keep counting on, as its readers remember the last they read.
            cursor.execute(
                f"DELETE FROM sqlite_sequence WHERE name IN ({', '.join(['%s'] * len(tables))})",
                list(tables),
            )
        for table, (_pk, columns) in tables.items():
            _insert(cursor, table, columns, list(_start[table].values()))
        _count_on_after_the_rows(cursor, tables)


def rows_per_statement(columns):
    """How many rows of `columns` one INSERT takes on SQLite: as many as Django gives
    it parameters for (999)."""
    return max(1, connection.features.max_query_params // len(columns))


def _references(value):
    """`value` with every model instance replaced by (model, pk), to read back later."""
    return _mapped(
        value,
        lambda item: _Reference(type(item), item.pk) if isinstance(item, models.Model) else item,
    )


def _fetched(value):
    """`value` with each (model, pk) read back: one query per model."""
    wanted = {}

    def want(item):
        if isinstance(item, _Reference):
            wanted.setdefault(item.model, set()).add(item.pk)
        return item

    _mapped(value, want)
    found = {model: model._default_manager.in_bulk(pks) for model, pks in wanted.items()}
    # A KeyError if a row is not there.
    return _mapped(
        value, lambda item: found[item.model][item.pk] if isinstance(item, _Reference) else item
    )


def _mapped(value, leaf):
    """`value` (dicts, lists and tuples, nested) with `leaf` applied to what they hold."""
    if isinstance(value, dict):
        return {key: _mapped(item, leaf) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_mapped(item, leaf) for item in value)
    return leaf(value)


class _Reference:
    def __init__(self, model, pk):
        self.model, self.pk = model, pk


def cached_world(build):
    """Decorate a world fixture's function (under @pytest.fixture): built once per
    process and starting state, restored after (see the module's docstring)."""

    @functools.wraps(build)
    def world(*args, **kwargs):
        tables = _tables()
        before = _contents(tables)
        key = (build.__module__, build.__qualname__, connection.alias, _digest(before))
        snapshot = _snapshots.get(key)
        if snapshot is not None:
            return snapshot.restore()
        value = build(*args, **kwargs)
        _snapshots[key] = Snapshot(tables, before, _contents(tables), value)
        return value

    world.is_cached_world = True
    return world


def world_fixtures(item):
    """The names of the cached worlds `item` asks for, itself or through its fixtures."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return []
    return [
        name
        for name in info.names_closure
        if info.name2fixturedefs.get(name)
        and getattr(info.name2fixturedefs[name][-1].func, "is_cached_world", False)
    ]


def worlds_first(item):
    """Reorder `item`'s fixtures so that its cached worlds are set up before the
    fixtures the test asks for besides them.

    A world is restored only from the state it was built from, and a fixture that
    writes a row first (a curator, with the time they joined; a session) makes every
    test's starting state a new one, and the world is built again, for seconds on
    PostgreSQL. pytest sets fixtures up in the order of the test's arguments, so a
    test written `(curator_client, directory)` built its world each time. Only the
    order changes: what a world needs (the database, fixtures of a wider scope,
    autouse fixtures) still comes before it, and whatever needs the world after it.
    """
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return
    names = info.names_closure

    def definition(name):
        definitions = info.name2fixturedefs.get(name)
        return definitions[-1] if definitions else None

    def closure(roots):
        found, todo = set(), list(roots)
        while todo:
            name = todo.pop()
            if name in found:
                continue
            found.add(name)
            fixture = definition(name)
            todo.extend(fixture.argnames if fixture else ())
        return found

    worlds = world_fixtures(item)
    if not worlds:
        return
    asked = set(info.argnames)
    early = closure(n for n in info.initialnames if n not in asked)  # autouse, usefixtures
    early |= closure(worlds) - set(worlds)
    early |= {
        name for name in names if definition(name) is None or definition(name).scope != "function"
    }
    ordered = (
        [name for name in names if name in early and name not in worlds]
        + worlds
        + [name for name in names if name not in early and name not in worlds]
    )
    names[:] = ordered
