"""A token kept by the database that changes on every write to the tables it watches.

The facet index (orgs.facet_version), the public-text table (orgs.public_text_version)
and the page cache (orgs.page_version) each hold in memory something derived from
the database, and must drop it the moment the data under it changes, whoever wrote
it (the admin, `queryset.update()`, bulk inserts, loaddata, raw SQL, another
process). So the
database itself, by triggers, writes a new random number into the one row of the
token's table on every insert, delete and watched update; a process compares the
number with the one its copy was built under.

The number is random rather than a counter so that a rolled-back write, which puts
the old token back, can never be followed by another write that lands on the same
number the rolled-back one had.

- SQLite: row-level triggers (SQLite has no others). Django remakes a SQLite table
  for some schema changes, dropping its triggers: `after_migrate` puts back any
  that are missing, and moves the token on, since a missing trigger may have
  missed writes.
- PostgreSQL: one statement-level trigger per table (TRUNCATE included), so a bulk
  write changes the token once. Writers of the watched tables queue on the token's
  row until they commit, which a small curating team never notices.
"""

from django.db import connections

PG_RANDOM = "(random() * 9.2e18)::bigint"
SQLITE_RANDOM = "random()"


def _random(vendor):
    return SQLITE_RANDOM if vendor == "sqlite" else PG_RANDOM


def _events(columns):
    """A watched table's trigger events: any update, or only those of `columns`."""
    update = f"UPDATE OF {', '.join(columns)}" if columns else "UPDATE"
    return ("INSERT", update, "DELETE")


class DatabaseToken:
    """One token: its table, its PostgreSQL function, and what it watches.

    `watched` maps each table to the columns whose updates change the token (None:
    any column); inserts and deletes always do. `moves_on_migrate`: the token also
    changes after every `migrate`, for what a migration may change without
    writing a watched row (a new column, a changed choice). `changes_only`: an
    update of watched columns changes the token only if it changes one of their
    values (Django's `save()` writes every column); on PostgreSQL such updates are
    then watched row by row.
    """

    def __init__(
        self, table, function, watched, purpose, moves_on_migrate=False, changes_only=False
    ):
        self.table = table
        self.function = function
        self.watched = watched
        self.purpose = purpose
        self.moves_on_migrate = moves_on_migrate
        self.changes_only = changes_only

    def _changed(self, columns, differ):
        """The WHEN condition of a row-level update trigger, or "" (see `changes_only`)."""
        if not (self.changes_only and columns):
            return ""
        return " OR ".join(f"OLD.{column} {differ} NEW.{column}" for column in columns)

    def sqlite_triggers(self, watched=None):
        """{trigger name: CREATE TRIGGER statement} for SQLite."""
        triggers = {}
        for table, columns in (watched or self.watched).items():
            for event in _events(columns):
                name = f"{self.table}_{table}_{event.split()[0].lower()}"
                changed = self._changed(columns, "IS NOT")
                when = f"WHEN {changed} " if changed and event.startswith("UPDATE") else ""
                triggers[name] = (
                    f"CREATE TRIGGER IF NOT EXISTS {name} AFTER {event} ON {table} {when}"
                    f"BEGIN UPDATE {self.table} SET token = random(); END"
                )
        return triggers

    def postgresql_statements(self, watched=None):
        statements = [
            f"""CREATE OR REPLACE FUNCTION {self.function}() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE {self.table} SET token = {PG_RANDOM};
            RETURN NULL;
        END $$"""
        ]
        for table, columns in (watched or self.watched).items():
            events = [*_events(columns), "TRUNCATE"]
            if changed := self._changed(columns, "IS DISTINCT FROM"):
                update = events.pop(1)
                statements.append(
                    f"CREATE TRIGGER {self.table}_{table}_update AFTER {update} ON {table} "
                    f"FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION {self.function}()"
                )
            statements.append(
                f"CREATE TRIGGER {self.table}_{table} AFTER {' OR '.join(events)} ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {self.function}()"
            )
        return statements

    def install(self, schema_editor, watched=None):
        """Create the token's table and the triggers that change it (a migration step).

        `watched`: what this migration's step of history watches, when the columns
        watched today did not exist yet.
        """
        execute = schema_editor.execute
        execute(
            f"CREATE TABLE {self.table} "
            "(id smallint PRIMARY KEY CHECK (id = 1), token bigint NOT NULL)"
        )
        vendor = schema_editor.connection.vendor
        if vendor == "sqlite":
            statements = self.sqlite_triggers(watched).values()
        elif vendor == "postgresql":
            statements = self.postgresql_statements(watched)
        else:
            raise NotImplementedError(
                f"{self.purpose} supports SQLite and PostgreSQL, not {vendor}"
            )
        execute(f"INSERT INTO {self.table} (id, token) VALUES (1, {_random(vendor)})")
        for sql in statements:
            execute(sql)

    def reinstall_triggers(self, schema_editor, watched=None):
        """Replace the triggers by those of `watched` (a migration step, after the
        watched columns change)."""
        execute = schema_editor.execute
        vendor = schema_editor.connection.vendor
        if vendor == "sqlite":
            for name, sql in self.sqlite_triggers(watched).items():
                execute(f"DROP TRIGGER IF EXISTS {name}")
                execute(sql)
        elif vendor == "postgresql":
            for table in watched or self.watched:
                execute(f"DROP TRIGGER IF EXISTS {self.table}_{table} ON {table}")
                execute(f"DROP TRIGGER IF EXISTS {self.table}_{table}_update ON {table}")
            for sql in self.postgresql_statements(watched):
                execute(sql)
        execute(f"UPDATE {self.table} SET token = token + 1")

    def uninstall(self, schema_editor):
        execute = schema_editor.execute
        if schema_editor.connection.vendor == "sqlite":
            for name in self.sqlite_triggers():
                execute(f"DROP TRIGGER IF EXISTS {name}")
            execute(f"DROP TABLE IF EXISTS {self.table}")
        else:
            execute(f"DROP TABLE IF EXISTS {self.table}")
            execute(f"DROP FUNCTION IF EXISTS {self.function}() CASCADE")

    def after_migrate(self, using="default", plan=None, **kwargs):
        """post_migrate receiver: put back the triggers a SQLite table remake dropped;
        move the token on if one was missing, or after migrations ran if this token
        moves on migrate (not after a test's flush, whose plan is None)."""
        conn = connections[using]
        with conn.cursor() as cursor:
            if self.table not in conn.introspection.table_names(cursor):
                return  # migration not applied (or unapplied)
            missing = False
            if conn.vendor == "sqlite":
                cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
                present = {name for (name,) in cursor.fetchall()}
                for name, sql in self.sqlite_triggers().items():
                    if name not in present:
                        cursor.execute(sql)
                        missing = True
            if missing or (plan and self.moves_on_migrate):
                cursor.execute(f"UPDATE {self.table} SET token = {_random(conn.vendor)}")

    def current(self, using="default"):
        """The token now: equal tokens mean the watched data is as it was."""
        with connections[using].cursor() as cursor:
            cursor.execute(f"SELECT token FROM {self.table} WHERE id = 1")
            row = cursor.fetchone()
        return row[0] if row else None
