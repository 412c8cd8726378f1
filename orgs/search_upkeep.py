"""Keeping the searched columns, and so the search index, in step with the data.

`update_search_text()` writes four maintained columns on Organisation:
``search_text`` (everything searched), ``search_names`` (acronym and names),
``search_acronym`` (the acronym without spaces) and ``sort_name`` (the normalised
name the listing orders by, so that order ignores case and accents). The
database's index follows through its triggers or generated column
(orgs.search_schema); the facet index (orgs.facets) follows the data-version token.

Signals (`connect_signals`) keep them in step with saves, region/focus-area
changes, and edits of a region's spellings or a focus area's labels. Bulk writers
(bulk_create, through-table bulk inserts, queryset.update() of searched fields,
loaddata) must call `update_search_text()` after.

What the public-text rule withholds (orgs.public_text: hidden people's names,
sensitive organisations' towns) is left out of the indexed description, so
searching it finds nothing; when the set of withheld terms changes (a person hidden
or shown, an organisation made sensitive or published), the descriptions that name
a changed term are reindexed (`reindex_for_withheld_change`).

`update_search_text` of all 100,000 synthetic organisations: ~50 s on SQLite, ~70 s
on PostgreSQL.
"""

import re

from django.db import connection, transaction
from django.db.models import Q

from .search import matching_ids, normalise
from .search_schema import FTS_TABLE, SQLITE_REBUILD, SQLITE_TRIGGERS

BATCH_SIZE = 1000
BULK_REBUILD = 10_000


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


# Written by update_search_text, in this order; sort_name came later (migration 0010),
# so a migration before it passes models without it.
MAINTAINED_FIELDS = ("search_text", "search_names", "search_acronym", "sort_name")
# Searched, in this order; a migration before 0012 passes models with one `description`.
DESCRIPTION_FIELDS = ("description_en", "description_fr")


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
    descriptions = [f for f in DESCRIPTION_FIELDS if _has_field(Organisation, f)]
    descriptions = descriptions or ["description"]
    write_rows = _row_writer(Organisation, fields)
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
                    "hq_region_id",
                    *descriptions,
                    *fields,
                )
            )
            changed = []
            for pk, name, original, acronym, hq_region_id, *columns in rows:
                # Both languages are searched.
                description = "\n".join(columns[: len(descriptions)])
                old = columns[len(descriptions) :]
                org_related = related.get(pk, {})
                if hq_region_id:
                    org_related[spellings.get(hq_region_id, "")] = None
                values = search_fields(name, original, acronym, description, org_related, withheld)
                values = (*values, normalise(name))[: len(fields)]
                if pk in instances:
                    for field, value in zip(fields, values, strict=True):
                        setattr(instances[pk], field, value)
                if list(values) != old:
                    changed.append((*values, pk))
            if changed:
                write_rows(changed)
            changed_count += len(changed)
        if bulk_sqlite:
            with connection.cursor() as cursor:
                cursor.execute(SQLITE_REBUILD)
                cursor.execute(SQLITE_TRIGGERS[f"{FTS_TABLE}_au"])
    return changed_count


def _row_writer(Organisation, fields):
    """A function that writes rows of (*values of `fields`, pk) to the organisations.

    On PostgreSQL a batch is one statement, its columns passed as arrays: every
    statement on the organisations fires the data versions' statement triggers
    (orgs.db_token), each of which updates its one-row table, and in one transaction
    each update reads every version of that row the transaction wrote before: row
    by row, the cost grew as the square of the rows (`synth_orgs` of 20,000 took
    112 s where 5,000 took 16; 39 s now). On SQLite, which updates a version's row
    in place, executemany.
    """
    quote = connection.ops.quote_name
    table = quote(Organisation._meta.db_table)
    pk = quote(Organisation._meta.pk.column)
    if connection.vendor == "postgresql":
        columns = ", ".join(quote(field) for field in fields)
        arrays = ", ".join(["%s::text[]"] * len(fields) + ["%s::bigint[]"])
        sets = ", ".join(f"{quote(field)} = written.{quote(field)}" for field in fields)
        sql = (
            f"UPDATE {table} SET {sets} FROM unnest({arrays}) AS written({columns}, id) "
            f"WHERE {table}.{pk} = written.id"
        )

        def write(rows):
            with connection.cursor() as cursor:
                cursor.execute(sql, [list(column) for column in zip(*rows, strict=True)])

    else:
        sql = "UPDATE {} SET {} WHERE {} = %s".format(
            table, ", ".join(f"{quote(field)} = %s" for field in fields), pk
        )

        def write(rows):
            with connection.cursor() as cursor:
                cursor.executemany(sql, rows)

    return write


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


def withheld_now():
    """The table of withheld terms for the data as it is now (orgs.public_text), kept per
    public-text version: the same object until a write changes what the rule reads."""
    from . import public_text

    return public_text.current()


def reindex_for_withheld_change(before):
    """Reindex the organisations whose description names a term that started or
    stopped being withheld since `before` (a `withheld_now()`).

    A newly withheld term is still in the index: the index finds its organisations.
    A term no longer withheld is in no index: descriptions are scanned for it, which
    happens only when a person is shown or an organisation stops being sensitive.
    """
    from .models import Organisation

    after = withheld_now()
    if after is before:  # the version has not moved: nothing the rule reads changed
        return
    added, removed = (
        after.table.keys() - before.table.keys(),
        before.table.keys() - after.table.keys(),
    )
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
    update_search_text(sorted(ids))


def _withheld_before(sender, instance, raw=False, **kwargs):
    """Note who is withheld before a write that may change it: one query for the
    public-text version while this process's table is current (every search-text
    update keeps it so).

    An organisation added or deleted changes it only by its own town and contacts
    (its people have signals of their own): one that gives no term is left alone, so
    that deleting it reads the table after its people only, not again after itself.
    """
    from django.db.models.signals import pre_delete

    from .models import Organisation
    from .public_text import organisation_gives_withheld_terms

    if raw:
        return
    if isinstance(instance, Organisation) and (
        kwargs.get("signal") is pre_delete or instance._state.adding
    ):
        if not organisation_gives_withheld_terms(instance):
            return
    instance._withheld_before = withheld_now()


def _withheld_after(sender, instance, **kwargs):
    """Reindex for what the write changed; a raw save noted nothing, so has nothing here."""
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
