"""A token that changes whenever anything a public page shows changes, kept by the
database: the key of the page cache (orgs.page_cache).

The facet version (orgs.facet_version) watches only what counts and search read,
so that a curator's edit of a website or a citation does not rebuild the facet
index. A page shows more: citations, sources, partnerships, people, every column
of an organisation. So this second token is written by triggers on every insert,
update and delete of every table a public page reads, whoever writes (the admin,
`queryset.update()`, bulk inserts, loaddata, raw SQL, other processes): a cached
page is never served once its data has changed. Random for the reason the facet
token is (a rolled-back write puts the old token back).

- SQLite: row-level triggers; `after_migrate` puts back any a table remake
  dropped.
- PostgreSQL: one statement-level trigger per table (TRUNCATE included).

After every `migrate` the token moves on, on both databases: a migration may change
what a page shows without writing a watched row (a new column, a changed choice),
and a page rendered by older code must not outlive it.
"""

from django.db import connections

TABLE = "orgs_page_version"
# Every table of the models public pages read, with their many-to-many links
# (tests/test_page_version.py checks none is missing). Any column: a page shows them all.
# A table added here needs a migration that creates its trigger on PostgreSQL too
# (the tests' raw write to each table fails there until it has one).
WATCHED = (
    "orgs_organisation",
    "orgs_organisation_regions",
    "orgs_organisation_focus_areas",
    "orgs_region",
    "orgs_focusarea",
    "orgs_person",
    "orgs_citation",
    "orgs_partnership",
    "orgs_source",
)
PG_FUNCTION = "orgs_page_version_bump"
PG_RANDOM = "(random() * 9.2e18)::bigint"
EVENTS = ("INSERT", "UPDATE", "DELETE")


def sqlite_triggers():
    """{trigger name: CREATE TRIGGER statement} for SQLite."""
    return {
        f"{TABLE}_{table}_{event.lower()}": (
            f"CREATE TRIGGER IF NOT EXISTS {TABLE}_{table}_{event.lower()} AFTER {event} "
            f"ON {table} BEGIN UPDATE {TABLE} SET token = random(); END"
        )
        for table in WATCHED
        for event in EVENTS
    }


def postgresql_statements():
    statements = [
        f"""CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE {TABLE} SET token = {PG_RANDOM};
            RETURN NULL;
        END $$"""
    ]
    for table in WATCHED:
        statements.append(
            f"CREATE TRIGGER {TABLE}_{table} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
            f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}()"
        )
    return statements


def install(schema_editor):
    """Create the token's table and the triggers that change it (a migration step)."""
    execute = schema_editor.execute
    execute(
        f"CREATE TABLE {TABLE} (id smallint PRIMARY KEY CHECK (id = 1), token bigint NOT NULL)"
    )
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        execute(f"INSERT INTO {TABLE} (id, token) VALUES (1, random())")
        for sql in sqlite_triggers().values():
            execute(sql)
    elif vendor == "postgresql":
        execute(f"INSERT INTO {TABLE} (id, token) VALUES (1, {PG_RANDOM})")
        for sql in postgresql_statements():
            execute(sql)
    else:
        raise NotImplementedError(f"The page cache supports SQLite and PostgreSQL, not {vendor}")


def uninstall(schema_editor):
    execute = schema_editor.execute
    if schema_editor.connection.vendor == "sqlite":
        for name in sqlite_triggers():
            execute(f"DROP TRIGGER IF EXISTS {name}")
        execute(f"DROP TABLE IF EXISTS {TABLE}")
    else:
        execute(f"DROP TABLE IF EXISTS {TABLE}")
        execute(f"DROP FUNCTION IF EXISTS {PG_FUNCTION}() CASCADE")


def after_migrate(using="default", plan=None, **kwargs):
    """post_migrate receiver: put back the triggers a SQLite table remake dropped, and
    move the token on after migrations ran (not after a test flush, plan None)."""
    conn = connections[using]
    with conn.cursor() as cursor:
        if TABLE not in conn.introspection.table_names(cursor):
            return  # migration not applied (or unapplied)
        if conn.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            present = {name for (name,) in cursor.fetchall()}
            for name, sql in sqlite_triggers().items():
                if name not in present:
                    cursor.execute(sql)
                    plan = True  # a missing trigger may have missed writes
        if plan:
            random = "random()" if conn.vendor == "sqlite" else PG_RANDOM
            cursor.execute(f"UPDATE {TABLE} SET token = {random}")


def current(using="default"):
    """The token now: equal tokens mean every public page is as it was."""
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT token FROM {TABLE} WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else None
