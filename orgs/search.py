"""Text search over organisations, index-backed on SQLite and on PostgreSQL.

What a person notices, the same on both databases:

- Case and accents never matter: ``segou`` finds what ``Ségou`` finds. Text and
  queries both go through `normalise()` in Python, so both databases compare the
  same accent-free, lower-case words.
- Searched: names in both languages, the acronym, both descriptions, focus areas
  (English and French labels) and regions (official name, English name, other
  spellings) of the regions of work and of the headquarters region. Not searched:
  the headquarters town (hidden for sensitive organisations) and people. What the
  public-text rule withholds (orgs.public_text: hidden people's names, sensitive
  organisations' towns) is left out of the indexed description, so searching it
  finds nothing; when the set of withheld terms changes (a person hidden or shown,
  an organisation made sensitive or published), the descriptions that name a
  changed term are reindexed (`reindex_for_withheld_change`).
- Every word must match (``women kayes`` narrows). A word of three characters or
  more matches as a prefix of a word (``peacebuild`` finds peacebuilding, ``add``
  finds additional); shorter words match whole words only. At most 32 distinct
  words count; a word over 60 characters can match nothing, so finds nothing.
  Single letters only (``A.J.E.C.``) are read as one acronym (``ajec``).
- Ranking (``relevance``, best first, then by name): 3 = the query is exactly the
  acronym (``AJEC`` puts AJEC first, above AJCET, which it does not even match);
  2 = every word is in the acronym or a name; 1 = the rest.
- A query with no words (empty, punctuation, emoji) leaves the queryset as it
  was: unfiltered and unordered. User input never reaches FTS5 or tsquery syntax:
  only normalised words (letters and digits) do, each one quoted.

How, on each database:

- Three maintained columns on Organisation, written by `update_search_text()`:
  ``search_text`` (everything), ``search_names`` (acronym and names) and
  ``search_acronym`` (the acronym without spaces); with them ``sort_name``, the
  normalised name the listing orders by, so that order ignores case and accents.
  Signals (`connect_signals`) keep them in step with saves, region/focus-area
  changes, and edits of a region's spellings or a focus area's labels. Bulk
  writers (bulk_create, through-table bulk inserts, queryset.update() of searched
  fields, loaddata) must call `update_search_text()` after.
- SQLite: an external-content FTS5 table ``orgs_organisation_fts`` over
  ``search_text``, kept in step by triggers on orgs_organisation. Django remakes
  SQLite tables for some schema changes, which drops their triggers, so a
  post_migrate hook recreates any missing trigger and rebuilds the index. Matching
  is ``id IN (SELECT rowid FROM orgs_organisation_fts WHERE orgs_organisation_fts
  MATCH '"word"* "other"')``: it composes with any filter, subquery or GROUP BY.
- PostgreSQL: a text-search configuration ``directory_search`` (simple + unaccent),
  a stored generated column ``search_vector`` = ``to_tsvector('directory_search',
  search_text)`` (not a Django field, so Django never reads or writes it) with a
  GIN index; matching is ``search_vector @@ to_tsquery('directory_search', ...)``
  with each word quoted, ``:*`` for a prefix. A GIN index on the to_tsvector
  expression alone was tried: combined with a region filter, the planner started
  from the region and re-parsed search_text per row (0.7 s at 100k); the stored
  vector makes that plan cheap too. pg_trgm is not needed: no LIKE '%x%' filters.
- Ranking is cheap, never bm25 or ts_rank over every match (a common word matches
  a third of 100,000 organisations): an equality on search_acronym, then LIKE
  ``'% word%'`` on the short search_names of the rows the index found, the same SQL
  on both databases. A second full-text lookup for the names doubled PostgreSQL's
  time (hashed subplan); a per-row to_tsvector multiplied it by eight.

Measured at 100,000 synthetic organisations on the shared 2-core machine (load 2-7):
SQLite runs ``SCAN orgs_organisation_fts VIRTUAL TABLE INDEX 0:M1`` then rowid
lookups; PostgreSQL a Bitmap Index Scan on orgs_organisation_search_vector_gin for
selective words (an acronym: 0.1 ms; ``femmes kayes``, 4,500 rows: 35 ms), and a
parallel scan of the stored vector when a word matches a third of the table
(``women``: 120 ms, the bitmap plan 107 ms). A first page of ``women`` (31,795
matches) takes ~130 ms on PostgreSQL and ~235 ms on SQLite; an acronym ~10 ms.
`update_search_text` of all 100,000: ~50 s on SQLite, ~70 s on PostgreSQL.
"""

import re
import unicodedata

from django.db import connection, transaction
from django.db.models import BooleanField, Case, F, Func, IntegerField, Q, Value, When

MAX_WORDS = 32
MAX_WORD_LENGTH = 60
PREFIX_MIN_LENGTH = 3
BATCH_SIZE = 1000
BULK_REBUILD = 10_000

# Letters NFKD does not take apart but PostgreSQL's unaccent does: folding them here
# keeps the two databases matching the same words.
_FOLD = str.maketrans(
    {
        "œ": "oe",
        "æ": "ae",
        "ø": "o",
        "ł": "l",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "ı": "i",
        "ħ": "h",
        "ŧ": "t",
        "ŀ": "l",
    }
)
_WORD = re.compile(r"[^\W_]+")


def normalise(text):
    """Lower-case, accent-free words separated by single spaces: what search compares."""
    text = str(text or "")
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
        text = text.casefold().translate(_FOLD)
    return " ".join(_WORD.findall(text.lower()))


# --- Indexes -------------------------------------------------------------------

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


# --- Searching -----------------------------------------------------------------


class _Matches(Func):
    """True when the row's search_text matches, through the database's index.

    A Func over the primary key and search_text, so Django relabels the table alias
    when the queryset becomes a subquery.
    """

    output_field = BooleanField()

    def __init__(self, fts5_query, tsquery):
        super().__init__(F("pk"), F("search_text"))
        self.fts5_query, self.tsquery = fts5_query, tsquery

    def as_sqlite(self, compiler, connection, **extra):
        pk_sql, params = compiler.compile(self.source_expressions[0])
        return (
            f"{pk_sql} IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s)",
            (*params, self.fts5_query),
        )

    def as_postgresql(self, compiler, connection, **extra):
        # search_text's own table alias, on the generated column beside it.
        text_sql, params = compiler.compile(self.source_expressions[1])
        text_column = connection.ops.quote_name("search_text")
        assert text_sql.endswith(text_column), text_sql
        vector_sql = text_sql[: -len(text_column)] + connection.ops.quote_name(PG_COLUMN)
        return (
            f"{vector_sql} @@ to_tsquery('{PG_CONFIG}'::regconfig, %s)",
            (*params, self.tsquery),
        )

    def as_sql(self, compiler, connection, **extra):
        raise NotImplementedError(
            f"Search supports SQLite and PostgreSQL, not {connection.vendor}"
        )


class _InNames(Func):
    """True when every word is in search_names (whole word, or prefix of a word).

    Plain LIKE over the short, normalised names (words separated by single spaces,
    letters and digits only, so no LIKE wildcard can occur), evaluated only on rows
    the index already matched: the same SQL and result on both databases, and far
    cheaper than a second full-text lookup at 100,000 rows.
    """

    output_field = BooleanField()

    def __init__(self, words):
        super().__init__(F("search_names"))
        self.patterns = [f"% {w}%" if _is_prefix(w) else f"% {w} %" for w in words]

    def as_sql(self, compiler, connection, **extra):
        names_sql, params = compiler.compile(self.source_expressions[0])
        padded = f"(' ' || {names_sql} || ' ')"
        sql = " AND ".join(f"{padded} LIKE %s" for _ in self.patterns)
        return f"({sql})", tuple(params) * len(self.patterns) + tuple(self.patterns)


def query_words(query):
    """The distinct normalised words of a query, in order, at most MAX_WORDS."""
    words = list(dict.fromkeys(normalise(query).split()))
    if len(words) > 1 and all(len(w) == 1 for w in words):
        return ["".join(words)]  # "A.J.E.C." or "A J E C": an acronym spelt out
    return words[:MAX_WORDS]


def _is_prefix(word):
    return len(word) >= PREFIX_MIN_LENGTH


def _fts5_query(words):
    return " ".join(f'"{w}"*' if _is_prefix(w) else f'"{w}"' for w in words)


def _tsquery(words):
    return " & ".join(f"'{w}':*" if _is_prefix(w) else f"'{w}'" for w in words)


def search_organisations(queryset, query):
    """Organisations of `queryset` matching every word of `query`, best first.

    Annotates ``relevance`` (3 exact acronym, 2 every word in a name, 1 the rest)
    and orders by it, then by name. A query without words returns `queryset`
    unchanged.

    The ordering is explicit, so a grouped query over the result must clear it as
    Django requires (``.order_by().values("kind").annotate(n=Count("id"))``), or the
    ordering columns join the GROUP BY and every organisation counts alone.
    """
    words = query_words(query)
    if not words:
        return queryset
    if any(len(w) > MAX_WORD_LENGTH for w in words):
        return queryset.none()
    matches = _Matches(_fts5_query(words), _tsquery(words))
    return (
        queryset.filter(matches)
        .annotate(
            relevance=Case(
                When(search_acronym="".join(words), then=Value(3)),
                When(_InNames(words), then=Value(2)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("-relevance", "name", "pk")
    )


def matching_ids(queryset, query):
    """Primary keys in `queryset` matching every word of `query`, unordered.

    None when the query has no words (no filter), as `search_organisations` leaves
    the queryset as it was; the facet index counts with these.
    """
    words = query_words(query)
    if not words:
        return None
    if any(len(w) > MAX_WORD_LENGTH for w in words):
        return []
    matches = _Matches(_fts5_query(words), _tsquery(words))
    return queryset.filter(matches).order_by().values_list("pk", flat=True)


# --- Maintaining the searched text ---------------------------------------------


def _ids_and_instances(organisations, Organisation):
    """Ids to reindex, and the in-memory organisations to refresh too."""
    if hasattr(organisations, "values_list"):
        return list(organisations.values_list("pk", flat=True)), {}
    if isinstance(organisations, Organisation | int):
        organisations = [organisations]
    organisations = list(organisations)
    instances = {o.pk: o for o in organisations if isinstance(o, Organisation)}
    return [getattr(o, "pk", o) for o in organisations], instances


def search_fields(name, name_original, acronym, description, related, withheld=None):
    """The three searched values of one organisation; `related` is normalised already.

    `withheld` (an orgs.public_text.PublicText) takes withheld terms out of the description.
    """
    if withheld is not None:
        description = withheld.searchable(description)
    acronym = normalise(acronym)
    compact = acronym.replace(" ", "")
    names = normalise(f"{acronym} {compact if compact != acronym else ''} {name} {name_original}")
    text = " ".join(filter(None, [names, normalise(description), *related]))
    return text, names, compact


# Written by update_search_text, in this order; sort_name came later (migration 0006),
# so a migration before it passes models without it.
MAINTAINED_FIELDS = ("search_text", "search_names", "search_acronym", "sort_name")


def _has_field(model, name):
    return any(f.name == name for f in model._meta.concrete_fields)


def update_search_text(organisations, *, models=None):
    """Recompute the searched columns (and so the index) of these organisations.

    Accepts a queryset, an iterable of organisations or of ids, or one organisation.
    Works in batches of BATCH_SIZE: one query for the rows, one each for their
    regions and focus areas, then one executemany UPDATE of the rows that changed
    (Django's bulk_update builds CASE expressions that are far slower at 100,000
    rows). Writes no history and sends no signals. Returns how many rows changed.
    `models` lets a migration pass its historical models.
    """
    from .public_text import PublicText, current

    if models is None:
        from .models import FocusArea, Organisation, Region
    else:
        Organisation, Region, FocusArea = models
    ids, instances = _ids_and_instances(organisations, Organisation)
    if not ids:
        return 0
    # A migration's historical state has no data-version table yet: nothing withheld.
    withheld = current() if models is None else PublicText()
    spellings = {
        region.pk: normalise(
            " ".join(
                [region.name, region.name_en, *(a for a in region.aliases if isinstance(a, str))]
            )
        )
        for region in Region.objects.all()
    }
    labels = {f.pk: normalise(f"{f.label_en} {f.label_fr}") for f in FocusArea.objects.all()}
    region_links = Organisation.regions.through.objects
    focus_links = Organisation.focus_areas.through.objects
    fields = [f for f in MAINTAINED_FIELDS if _has_field(Organisation, f)]
    quote = connection.ops.quote_name
    update_sql = "UPDATE {} SET {} WHERE {} = %s".format(
        quote(Organisation._meta.db_table),
        ", ".join(f"{quote(field)} = %s" for field in fields),
        quote(Organisation._meta.pk.column),
    )
    changed_count = 0
    # On SQLite, reindexing row by row through the trigger costs ~0.4 ms of CPU a
    # row; one 'rebuild' of 100,000 rows costs ~3 s. Past BULK_REBUILD rows, drop
    # the update trigger, write, rebuild, and put the trigger back. SQLite allows
    # one writer at a time, so no other write can slip in while it is missing.
    bulk_sqlite = connection.vendor == "sqlite" and len(ids) >= BULK_REBUILD
    with transaction.atomic():
        if bulk_sqlite:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TRIGGER IF EXISTS {FTS_TABLE}_au")
        for start in range(0, len(ids), BATCH_SIZE):
            batch = ids[start : start + BATCH_SIZE]
            related = {}
            # Ordered by slug, so the same data always gives the same text, also
            # after a restore gives the regions new ids (and an unchanged row no rewrite).
            links = (
                region_links.filter(organisation_id__in=batch)
                .order_by("organisation_id", "region__slug")
                .values_list("organisation_id", "region_id")
            )
            for org_id, region_id in links:
                related.setdefault(org_id, {})[spellings.get(region_id, "")] = None
            links = (
                focus_links.filter(organisation_id__in=batch)
                .order_by("organisation_id", "focusarea__slug")
                .values_list("organisation_id", "focusarea_id")
            )
            for org_id, focus_id in links:
                related.setdefault(org_id, {})[labels.get(focus_id, "")] = None
            rows = (
                Organisation.objects.filter(pk__in=batch)
                .order_by()
                .values_list(
                    "pk",
                    "name",
                    "name_original",
                    "acronym",
                    "description_en",
                    "description_fr",
                    "hq_region_id",
                    *fields,
                )
            )
            changed = []
            for pk, name, original, acronym, en, fr, hq_region_id, *old in rows:
                org_related = related.get(pk, {})
                if hq_region_id:
                    org_related[spellings.get(hq_region_id, "")] = None
                description = f"{en}\n{fr}"  # both languages are searched
                values = search_fields(name, original, acronym, description, org_related, withheld)
                values = (*values, normalise(name))[: len(fields)]
                if pk in instances:
                    for field, value in zip(fields, values, strict=True):
                        setattr(instances[pk], field, value)
                if list(values) != old:
                    changed.append((*values, pk))
            if changed:
                with connection.cursor() as cursor:
                    cursor.executemany(update_sql, changed)
            changed_count += len(changed)
        if bulk_sqlite:
            with connection.cursor() as cursor:
                cursor.execute(SQLITE_REBUILD)
                cursor.execute(SQLITE_TRIGGERS[f"{FTS_TABLE}_au"])
    return changed_count


# --- Keeping it in step ----------------------------------------------------------

_SEARCHED_ORG_FIELDS = {
    "name",
    "name_original",
    "acronym",
    "description_en",
    "description_fr",
    "hq_region",
    "hq_region_id",
}


def _organisation_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw:
        return  # loaddata: related rows may not exist yet; call update_search_text after
    if update_fields is not None and not set(update_fields) & _SEARCHED_ORG_FIELDS:
        return
    update_search_text(instance)


def _links_changed(sender, instance, action, reverse, pk_set, **kwargs):
    from .models import Organisation

    if action == "pre_clear" and reverse:
        # Which organisations lose this region/focus area: gone after the clear.
        instance._search_clear_ids = list(
            Organisation.objects.filter(**{_reverse_filter(sender): instance}).values_list(
                "pk", flat=True
            )
        )
        return
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if not reverse:
        update_search_text(instance)
    elif action == "post_clear":
        update_search_text(getattr(instance, "_search_clear_ids", []))
    else:
        update_search_text(list(pk_set or []))


def _reverse_filter(through):
    from .models import Organisation

    return "regions" if through is Organisation.regions.through else "focus_areas"


def _searched_value(instance):
    from .models import Region

    if isinstance(instance, Region):
        return (instance.name, instance.name_en, list(instance.aliases or []))
    return (instance.label_en, instance.label_fr)


def _reference_saving(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    old = sender.objects.filter(pk=instance.pk).first()
    instance._search_stale = old is None or _searched_value(old) != _searched_value(instance)


def _reference_saved(sender, instance, created, raw=False, **kwargs):
    from .models import Organisation, Region

    if raw or created or not getattr(instance, "_search_stale", False):
        return
    instance._search_stale = False
    if isinstance(instance, Region):
        orgs = Organisation.objects.filter(Q(regions=instance) | Q(hq_region=instance))
    else:
        orgs = Organisation.objects.filter(focus_areas=instance)
    update_search_text(orgs.distinct())


def _reference_deleting(sender, instance, **kwargs):
    instance._search_orgs = list(instance.organisations.values_list("pk", flat=True))


def _reference_deleted(sender, instance, **kwargs):
    update_search_text(getattr(instance, "_search_orgs", []))


def withheld_terms():
    """The terms the public-text rule withholds now, read from the database."""
    from .public_text import PublicText

    return set(PublicText.from_database().terms())


def reindex_for_withheld_change(before):
    """Reindex the organisations whose description names a term that started or
    stopped being withheld since `before` (a `withheld_terms()`). Returns rows changed.

    A newly withheld term is still in the index: the index finds its organisations.
    A term no longer withheld is in no index: descriptions are scanned for it, which
    happens only when a person is shown or an organisation stops being sensitive.
    """
    from .models import Organisation

    after = withheld_terms()
    added, removed = after - before, before - after
    ids = set()
    for term in added:
        ids.update(matching_ids(Organisation.objects.all(), " ".join(term)) or [])
    if removed:
        patterns = [re.compile(rf"(?<!\S){re.escape(' '.join(t))}(?!\S)") for t in removed]
        descriptions = Organisation.objects.exclude(description_en="", description_fr="")
        descriptions = descriptions.values_list("pk", "description_en", "description_fr")
        for pk, en, fr in descriptions.iterator(chunk_size=BATCH_SIZE):
            text = normalise(f"{en}\n{fr}")
            if any(p.search(text) for p in patterns):
                ids.add(pk)
    return update_search_text(sorted(ids))


def _withheld_before(sender, instance, raw=False, **kwargs):
    """Note the withheld terms before a write that may change them."""
    from django.db.models.signals import pre_delete

    from .models import Organisation

    if raw:
        return
    if isinstance(instance, Organisation):
        if kwargs.get("signal") is pre_delete or instance._state.adding:
            relevant = instance.sensitive and instance.hq_town
        else:
            old = (
                Organisation.objects.filter(pk=instance.pk)
                .values_list("status", "sensitive", "hq_town")
                .first()
            )
            relevant = old != (instance.status, instance.sensitive, instance.hq_town)
        if not relevant:
            return
    instance._withheld_before = withheld_terms()


def _withheld_after(sender, instance, raw=False, **kwargs):
    before = instance.__dict__.pop("_withheld_before", None)
    if before is not None:
        reindex_for_withheld_change(before)


def connect_signals():
    """Called from OrgsConfig.ready()."""
    from django.db.models.signals import (
        m2m_changed,
        post_delete,
        post_save,
        pre_delete,
        pre_save,
    )

    from .models import FocusArea, Organisation, Person, Region

    post_save.connect(_organisation_saved, sender=Organisation, dispatch_uid="search_org_saved")
    for model in (Organisation, Person):
        uid = f"search_withheld_{model.__name__}"
        pre_save.connect(_withheld_before, sender=model, dispatch_uid=f"{uid}_pre_save")
        post_save.connect(_withheld_after, sender=model, dispatch_uid=f"{uid}_post_save")
        pre_delete.connect(_withheld_before, sender=model, dispatch_uid=f"{uid}_pre_delete")
        post_delete.connect(_withheld_after, sender=model, dispatch_uid=f"{uid}_post_delete")
    for through in (Organisation.regions.through, Organisation.focus_areas.through):
        m2m_changed.connect(_links_changed, sender=through, dispatch_uid=f"search_{through}")
    for model in (Region, FocusArea):
        uid = f"search_{model.__name__}"
        pre_save.connect(_reference_saving, sender=model, dispatch_uid=f"{uid}_pre_save")
        post_save.connect(_reference_saved, sender=model, dispatch_uid=f"{uid}_post_save")
        pre_delete.connect(_reference_deleting, sender=model, dispatch_uid=f"{uid}_pre_delete")
        post_delete.connect(_reference_deleted, sender=model, dispatch_uid=f"{uid}_post_delete")
