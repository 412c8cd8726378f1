"""The search index's schema: what migrations create, drop and repair.

Kept apart from the queries (orgs.search) and the upkeep of the searched columns
(orgs.search_upkeep) because migrations import it by path: it must stay importable
with nothing but Django, and change only with a migration.

- SQLite: an external-content FTS5 table ``orgs_organisation_fts`` over
  ``search_text``, kept in step by triggers on orgs_organisation. Django remakes
  SQLite tables for some schema changes, which drops their triggers, so a
  post_migrate hook (`repair_sqlite_index`) recreates any missing trigger and
  rebuilds the index.
- PostgreSQL: a text-search configuration ``directory_search`` (simple + unaccent),
  a stored generated column ``search_vector`` = ``to_tsvector('directory_search',
  search_text)`` (not a Django field, so Django never reads or writes it) with a
  GIN index. A GIN index on the to_tsvector expression alone was tried: combined
  with a region filter, the planner started from the region and re-parsed
  search_text per row (0.7 s at 100k); the stored vector makes that plan cheap too.
"""

FTS_TABLE = "orgs_organisation_fts"

SQLITE_CREATE_TABLE = f"""
CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(
    search_text,
    content='orgs_organisation', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2'
)"""
SQLITE_TRIGGERS = {
    f"{FTS_TABLE}_ai": f"""
CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ai AFTER INSERT ON orgs_organisation BEGIN
    INSERT INTO {FTS_TABLE}(rowid, search_text)
    VALUES (new.id, new.search_text);
END""",
    f"{FTS_TABLE}_ad": f"""
CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ad AFTER DELETE ON orgs_organisation BEGIN
    INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text)
    VALUES ('delete', old.id, old.search_text);
END""",
    f"{FTS_TABLE}_au": f"""
CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_au
AFTER UPDATE OF id, search_text ON orgs_organisation BEGIN
    INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text)
    VALUES ('delete', old.id, old.search_text);
    INSERT INTO {FTS_TABLE}(rowid, search_text)
    VALUES (new.id, new.search_text);
END""",
}
SQLITE_REBUILD = f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')"

PG_CONFIG = "directory_search"
PG_VECTOR = f"to_tsvector('{PG_CONFIG}'::regconfig, %s)"
PG_INDEX = "orgs_organisation_search_vector_gin"
# A stored, generated tsvector (PostgreSQL only, not a Django field): an expression
# index alone let the planner start from another filter (a region) and re-parse
# search_text row by row, 0.2 ms each; a stored vector is cheap to test per row.
PG_COLUMN = "search_vector"


def create_index(schema_editor):
    """Create the database's search index (run by migration 0002_search_index)."""
    execute = schema_editor.execute
    if schema_editor.connection.vendor == "sqlite":
        execute(SQLITE_CREATE_TABLE)
        for sql in SQLITE_TRIGGERS.values():
            execute(sql)
        execute(SQLITE_REBUILD)
    elif schema_editor.connection.vendor == "postgresql":
        execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        # The configuration folds accents itself too, so the index stays right even
        # for text that did not go through normalise().
        execute(
            f"""DO $$ BEGIN
                IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = '{PG_CONFIG}') THEN
                    CREATE TEXT SEARCH CONFIGURATION {PG_CONFIG} (COPY = simple);
                    ALTER TEXT SEARCH CONFIGURATION {PG_CONFIG}
                        ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word,
                            hword, hword_part, numword, numhword, hword_numpart
                        WITH unaccent, simple;
                END IF;
            END $$"""
        )
        execute(
            f"ALTER TABLE orgs_organisation ADD COLUMN IF NOT EXISTS {PG_COLUMN} tsvector "
            f"GENERATED ALWAYS AS ({PG_VECTOR % 'search_text'}) STORED"
        )
        execute(
            f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON orgs_organisation USING gin ({PG_COLUMN})"
        )


def drop_index(schema_editor):
    execute = schema_editor.execute
    if schema_editor.connection.vendor == "sqlite":
        for name in SQLITE_TRIGGERS:
            execute(f"DROP TRIGGER IF EXISTS {name}")
        execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
    elif schema_editor.connection.vendor == "postgresql":
        execute(f"DROP INDEX IF EXISTS {PG_INDEX}")
        execute(f"ALTER TABLE orgs_organisation DROP COLUMN IF EXISTS {PG_COLUMN}")
        execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {PG_CONFIG}")


def repair_sqlite_index(using="default", **kwargs):
    """Recreate FTS5 triggers that a table remake dropped, and rebuild the index.

    Django's SQLite schema editor rebuilds a table (copy, drop, rename) for many
    field changes; dropping the old table drops its triggers. Connected to
    post_migrate, so any later migration of Organisation leaves search working.
    """
    from django.db import connections

    conn = connections[using]
    if conn.vendor != "sqlite":
        return
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT type, name FROM sqlite_master WHERE name = %s OR tbl_name = %s",
            [FTS_TABLE, "orgs_organisation"],
        )
        present = {name for _type, name in cursor.fetchall()}
        if FTS_TABLE not in present:
            return  # search migration not applied (or unapplied): nothing to repair
        missing = [sql for name, sql in SQLITE_TRIGGERS.items() if name not in present]
        for sql in missing:
            cursor.execute(sql)
        if missing:
            cursor.execute(SQLITE_REBUILD)
