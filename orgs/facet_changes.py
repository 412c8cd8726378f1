"""Which organisations changed: a log the database keeps, by triggers, for the facet index.

The facet version (orgs.facet_version) says *that* something counted changed; a
process holding the facet index (orgs.facets) would then have to rebuild it whole,
2.5 s of CPU at 100,000 organisations, on the first request after every curator's
save. So the same writes also append to this log the id of each organisation whose
counted facts changed (its row, or its region and focus-area links), numbered in
commit order; the index re-reads those organisations alone (orgs.facet_upkeep).

- A write to a region or a focus area, or a TRUNCATE, logs "everything" (a row
  without an organisation): rare, and the index is rebuilt.
- The numbers follow commit order, so a reader that has applied everything up to
  number N, read in one snapshot with the token, never later sees a commit below N:
  SQLite has one writer at a time; on PostgreSQL every logged statement first takes
  the facet version's row lock (held to commit), and draws its numbers after.
- The log keeps its last KEEP entries (on PostgreSQL, and those of the transaction
  in progress); a reader further behind rebuilds. A log made again starts at a
  random number, far from the old one's.

Whoever writes (the admin, `queryset.update()`, bulk inserts, raw SQL, another
process), the log sees it, as the token does.
"""

import random

from django.db import connections

from . import facet_version

TABLE = "orgs_facet_change"
# The organisation columns the index reads (orgs.facets) or caches searches of.
ORGANISATION_COLUMNS = (
    "status",
    "kind",
    "founded",
    "hq_region_id",
    "search_text",
    "search_names",
    "search_acronym",
    "sort_name",
)
LINK_TABLES = ("orgs_organisation_regions", "orgs_organisation_focus_areas")
EVERYTHING_TABLES = ("orgs_region", "orgs_focusarea")
KEEP = 10_000  # entries kept; more changes than this at once mean a rebuild anyway
EVERYTHING = None  # a logged organisation id that means: rebuild


def _sqlite_triggers():
    """{trigger name: CREATE TRIGGER statement}: row triggers, as SQLite has no others."""
    log = f"INSERT INTO {TABLE} (organisation_id) VALUES"
    columns = ", ".join(ORGANISATION_COLUMNS)
    bodies = {
        ("orgs_organisation", "INSERT"): f"{log} (NEW.id);",
        ("orgs_organisation", f"UPDATE OF {columns}"): f"{log} (OLD.id); {log} (NEW.id);",
        ("orgs_organisation", "DELETE"): f"{log} (OLD.id);",
    }
    for table in LINK_TABLES:
        bodies[(table, "INSERT")] = f"{log} (NEW.organisation_id);"
        bodies[(table, "UPDATE")] = f"{log} (OLD.organisation_id); {log} (NEW.organisation_id);"
        bodies[(table, "DELETE")] = f"{log} (OLD.organisation_id);"
    for table in EVERYTHING_TABLES:
        for event in ("INSERT", "UPDATE", "DELETE"):
            bodies[(table, event)] = f"{log} (NULL);"
    triggers = {}
    for (table, event), body in bodies.items():
        name = f"{TABLE}_{table}_{event.split()[0].lower()}"
        triggers[name] = (
            f"CREATE TRIGGER IF NOT EXISTS {name} AFTER {event} ON {table} BEGIN {body} END"
        )
    name = f"{TABLE}_prune"
    triggers[name] = (
        f"CREATE TRIGGER IF NOT EXISTS {name} AFTER INSERT ON {TABLE} "
        f"BEGIN DELETE FROM {TABLE} WHERE seq <= NEW.seq - {KEEP}; END"
    )
    return triggers


# On PostgreSQL the log is pruned at the first entry of each transaction, not at
# every entry: rows deleted earlier in the same transaction stay in the index until
# it ends, so a prune per entry scanned them all again, and a transaction logging n
# entries (a restore, a bulk load, 100,000 synthetic organisations) cost n squared.
# A transaction's own entries wait for the next one's prune.
PRUNE_FUNCTION = f"""CREATE OR REPLACE FUNCTION {TABLE}_prune() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF current_setting('{TABLE}.pruned', true) = 'yes' THEN
                RETURN NULL;
            END IF;
            PERFORM set_config('{TABLE}.pruned', 'yes', true);
            DELETE FROM {TABLE} WHERE seq <= (SELECT max(seq) FROM {TABLE}) - {KEEP};
            RETURN NULL;
        END $$"""


def prune_once_per_transaction(schema_editor):
    """Replace PostgreSQL's prune function by PRUNE_FUNCTION (a migration step)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PRUNE_FUNCTION)


def _postgresql_statements():
    columns = ", ".join(ORGANISATION_COLUMNS)
    log = f"INSERT INTO {TABLE} (organisation_id) VALUES"
    statements = [
        # Taken before any row is logged, held to commit: numbers in commit order.
        f"""CREATE OR REPLACE FUNCTION {TABLE}_lock() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM 1 FROM {facet_version.TABLE} WHERE id = 1 FOR UPDATE;
            RETURN NULL;
        END $$""",
        f"""CREATE OR REPLACE FUNCTION {TABLE}_organisation() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP <> 'INSERT' THEN {log} (OLD.id); END IF;
            IF TG_OP <> 'DELETE' THEN {log} (NEW.id); END IF;
            RETURN NULL;
        END $$""",
        f"""CREATE OR REPLACE FUNCTION {TABLE}_link() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP <> 'INSERT' THEN {log} (OLD.organisation_id); END IF;
            IF TG_OP <> 'DELETE' THEN {log} (NEW.organisation_id); END IF;
            RETURN NULL;
        END $$""",
        f"""CREATE OR REPLACE FUNCTION {TABLE}_everything() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            {log} (NULL);
            RETURN NULL;
        END $$""",
        PRUNE_FUNCTION,
    ]
    events = {
        "orgs_organisation": f"INSERT OR UPDATE OF {columns} OR DELETE",
        **dict.fromkeys(LINK_TABLES, "INSERT OR UPDATE OR DELETE"),
    }
    for table, row_events in events.items():
        row_function = "organisation" if table == "orgs_organisation" else "link"
        statements += [
            f"CREATE TRIGGER {TABLE}_{table}_lock BEFORE {row_events} OR TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_lock()",
            f"CREATE TRIGGER {TABLE}_{table} AFTER {row_events} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {TABLE}_{row_function}()",
            f"CREATE TRIGGER {TABLE}_{table}_truncate AFTER TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_everything()",
        ]
    for table in EVERYTHING_TABLES:
        statements += [
            f"CREATE TRIGGER {TABLE}_{table}_lock BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE "
            f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_lock()",
            f"CREATE TRIGGER {TABLE}_{table} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
            f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_everything()",
        ]
    statements.append(
        f"CREATE TRIGGER {TABLE}_prune AFTER INSERT ON {TABLE} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_prune()"
    )
    return statements


def install(schema_editor):
    """Create the log and its triggers (a migration step)."""
    execute = schema_editor.execute
    vendor = schema_editor.connection.vendor
    # A log made again (a migration back and forth) starts far from where the old one
    # was: an index of the old numbering is never taken to be up to date with it.
    start = random.SystemRandom().randrange(1 << 40, 1 << 52)
    if vendor == "sqlite":
        execute(
            f"CREATE TABLE {TABLE} (seq integer PRIMARY KEY AUTOINCREMENT, organisation_id bigint)"
        )
        execute(f"INSERT INTO {TABLE} (seq, organisation_id) VALUES ({start}, NULL)")
        statements = _sqlite_triggers().values()
    else:
        execute(
            f"CREATE TABLE {TABLE} (seq bigint GENERATED ALWAYS AS IDENTITY "
            f"(START WITH {start}) PRIMARY KEY, organisation_id bigint)"
        )
        execute(f"INSERT INTO {TABLE} (organisation_id) VALUES (NULL)")
        statements = _postgresql_statements()
    for sql in statements:
        execute(sql)


def uninstall(schema_editor):
    execute = schema_editor.execute
    if schema_editor.connection.vendor == "sqlite":
        for name in _sqlite_triggers():
            execute(f"DROP TRIGGER IF EXISTS {name}")
        execute(f"DROP TABLE IF EXISTS {TABLE}")
        return
    for table in ("orgs_organisation", *LINK_TABLES, *EVERYTHING_TABLES):
        execute(f"DROP TRIGGER IF EXISTS {TABLE}_{table}_lock ON {table}")
        execute(f"DROP TRIGGER IF EXISTS {TABLE}_{table} ON {table}")
        execute(f"DROP TRIGGER IF EXISTS {TABLE}_{table}_truncate ON {table}")
    execute(f"DROP TABLE IF EXISTS {TABLE}")
    for function in ("lock", "organisation", "link", "everything", "prune"):
        execute(f"DROP FUNCTION IF EXISTS {TABLE}_{function}()")


def after_migrate(using="default", **kwargs):
    """post_migrate receiver: put back the triggers a SQLite table remake dropped, and
    log "everything", since a missing trigger may have missed writes."""
    conn = connections[using]
    if conn.vendor != "sqlite":
        return
    with conn.cursor() as cursor:
        if TABLE not in conn.introspection.table_names(cursor):
            return  # migration not applied (or unapplied)
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        present = {name for (name,) in cursor.fetchall()}
        missing = [sql for name, sql in _sqlite_triggers().items() if name not in present]
        for sql in missing:
            cursor.execute(sql)
        if missing:
            cursor.execute(f"INSERT INTO {TABLE} (organisation_id) VALUES (NULL)")


def position(using="default"):
    """(token, last entry) now, read in one snapshot: an index holding the data of
    `token` has applied every entry up to `last` (0: none)."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"SELECT token, (SELECT coalesce(max(seq), 0) FROM {TABLE}) "
            f"FROM {facet_version.TABLE} WHERE id = 1"
        )
        row = cursor.fetchone()
    return row if row else (None, 0)


def changed_since(first, last, using="default"):
    """The organisation ids logged after entry `first` up to `last`, or EVERYTHING
    (a region or focus area changed, the entries are no longer kept, or the log is
    not the one `first` was read from)."""
    if not last - KEEP <= first <= last:
        return EVERYTHING
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT organisation_id FROM {TABLE} WHERE seq > %s AND seq <= %s",
            [first, last],
        )
        ids = {pk for (pk,) in cursor.fetchall()}
    return EVERYTHING if EVERYTHING in ids else ids
