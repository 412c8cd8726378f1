"""A token that changes whenever anything a facet counts, or the public-text rule
reads, changes, kept by the database.

The facet index (orgs.facets) holds the directory's counts in memory and must never
serve counts of data that has changed: an organisation just unpublished must stop
counting at once, and a description just edited must be found (or no longer found)
by the search whose matches it caches, with the count above the results agreeing.
So the database itself, by triggers, writes a new random token
into the one row of ``orgs_facet_version`` on every insert, delete and relevant
update of organisations, their region and focus-area links, regions and focus
areas. Triggers see every writer alike: the admin, ``queryset.update()``, bulk
inserts, loaddata, raw SQL and other processes.

The token is random rather than a counter so that a rolled-back write, which puts
the old token back, can never be followed by another write that lands on the
same number the rolled-back one had.

The same token keys the table of withheld names and towns (orgs.public_text), which
depends on people and on organisations' status, sensitivity and town: so those are
watched too, and a person hidden in the admin is withheld on the next request.

- SQLite: row-level triggers (SQLite has no others). Django remakes a SQLite table
  for some schema changes, dropping its triggers: `repair_sqlite_triggers` runs
  after every migrate and puts back any that are missing.
- PostgreSQL: one statement-level trigger per table (TRUNCATE included), so a bulk
  write changes the token once. Writers of these tables queue on the token's row
  until they commit, which a small curating team never notices.
"""

from django.db import connections

TABLE = "orgs_facet_version"
# Table: the columns whose updates change a count or a search's matches (None: any
# column). The search columns are written by orgs.search_upkeep.update_search_text after any
# change to searched text, whoever made it.
ORGANISATION_FACTS = (
    "status",
    "kind",
    "founded",
    "hq_region_id",
    "search_text",
    "search_names",
    "search_acronym",
    "sensitive",
    "hq_town",
)
# The contacts the public-text rule withholds when hidden, and their switches.
ORGANISATION_CONTACTS = (
    "contact_email",
    "contact_email_public",
    "contact_phone",
    "contact_phone_public",
    "social_links",
    "social_links_public",
)
WATCHED = {
    "orgs_organisation": ORGANISATION_FACTS + ORGANISATION_CONTACTS,
    "orgs_organisation_regions": None,
    "orgs_organisation_focus_areas": None,
    "orgs_region": None,
    "orgs_focusarea": None,
    "orgs_person": None,
}
# What migrations 0004 to 0013 install: a migration installs the triggers of its
# own time, since a column watched today may not exist yet at its step.
WATCHED_BEFORE_CONTACTS = {**WATCHED, "orgs_organisation": ORGANISATION_FACTS}
PG_FUNCTION = "orgs_facet_version_bump"
PG_RANDOM = "(random() * 9.2e18)::bigint"


def _events(columns):
    update = f"UPDATE OF {', '.join(columns)}" if columns else "UPDATE"
    return ("INSERT", update, "DELETE")


def sqlite_triggers(watched=WATCHED):
    """{trigger name: CREATE TRIGGER statement} for SQLite."""
    triggers = {}
    for table, columns in watched.items():
        for event in _events(columns):
            name = f"{TABLE}_{table}_{event.split()[0].lower()}"
            triggers[name] = (
                f"CREATE TRIGGER IF NOT EXISTS {name} AFTER {event} ON {table} "
                f"BEGIN UPDATE {TABLE} SET token = random(); END"
            )
    return triggers


def postgresql_statements(watched=WATCHED):
    statements = [
        f"""CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE {TABLE} SET token = {PG_RANDOM};
            RETURN NULL;
        END $$"""
    ]
    for table, columns in watched.items():
        events = " OR ".join([*_events(columns), "TRUNCATE"])
        statements.append(
            f"CREATE TRIGGER {TABLE}_{table} AFTER {events} ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}()"
        )
    return statements


def install(schema_editor, watched=WATCHED):
    """Create the token's table and the triggers that change it (a migration step)."""
    execute = schema_editor.execute
    execute(
        f"CREATE TABLE {TABLE} (id smallint PRIMARY KEY CHECK (id = 1), token bigint NOT NULL)"
    )
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        execute(f"INSERT INTO {TABLE} (id, token) VALUES (1, random())")
        for sql in sqlite_triggers(watched).values():
            execute(sql)
    elif vendor == "postgresql":
        execute(f"INSERT INTO {TABLE} (id, token) VALUES (1, {PG_RANDOM})")
        for sql in postgresql_statements(watched):
            execute(sql)
    else:
        raise NotImplementedError(f"Facet counts support SQLite and PostgreSQL, not {vendor}")


def reinstall_triggers(schema_editor, watched=WATCHED):
    """Replace the triggers by those of `watched` (a migration step, after WATCHED changes)."""
    execute = schema_editor.execute
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for name, sql in sqlite_triggers(watched).items():
            execute(f"DROP TRIGGER IF EXISTS {name}")
            execute(sql)
    elif vendor == "postgresql":
        for table in watched:
            execute(f"DROP TRIGGER IF EXISTS {TABLE}_{table} ON {table}")
        for sql in postgresql_statements(watched):
            execute(sql)
    execute(f"UPDATE {TABLE} SET token = token + 1")


def uninstall(schema_editor):
    execute = schema_editor.execute
    if schema_editor.connection.vendor == "sqlite":
        for name in sqlite_triggers():
            execute(f"DROP TRIGGER IF EXISTS {name}")
        execute(f"DROP TABLE IF EXISTS {TABLE}")
    else:
        execute(f"DROP TABLE IF EXISTS {TABLE}")
        execute(f"DROP FUNCTION IF EXISTS {PG_FUNCTION}() CASCADE")


def repair_sqlite_triggers(using="default", **kwargs):
    """Recreate the triggers a SQLite table remake dropped (connected to post_migrate)."""
    conn = connections[using]
    if conn.vendor != "sqlite":
        return
    with conn.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        present = {name for (name,) in cursor.fetchall()}
        if TABLE not in present:
            return  # migration not applied (or unapplied)
        for name, sql in sqlite_triggers().items():
            if name not in present:
                cursor.execute(sql)
                # A missing trigger may have missed writes: move the token on.
                cursor.execute(f"UPDATE {TABLE} SET token = random()")


def current(using="default"):
    """The token now: equal tokens mean equal counts."""
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT token FROM {TABLE} WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else None
