"""Writing the seed files into the database: the curator-wins load behind `load_seeds`.

`load()` reads and checks every file (`orgs.seed_references`, through the schema in
`orgs.seed_schema`), loads the reference fixtures, checks what needs the database,
and raises `SeedError` with every problem before writing anything else. It then
upserts sources, organisations, people, partnerships and citations, saving only
what changed, so a second run writes nothing. Call it inside `transaction.atomic()`.

Curators win: `Organisation.seeded_values` keeps what the seeds last wrote to each
field (and, under "people" and "partnerships", to its people's and partnerships'
fields). A field whose database value no longer matches it was changed by a curator:
a changed seed value is then not applied but reported as a conflict, unless `force`.
A field no seed file gives is left alone. Sources and citations belong to the seeds
and follow them. Nothing is ever deleted, and what a curator deleted stays deleted.
"""

import copy
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.core.management.color import no_style
from django.db import connection
from django.db.models.signals import post_save
from simple_history.utils import bulk_create_with_history

from . import evidence, public_text, search_upkeep
from .models import (
    Citation,
    FocusArea,
    Organisation,
    Partnership,
    Person,
    Region,
    Source,
    last_holders,
)
from .seed_references import Entity, SeedError, check_references, read_seed_files

FIXTURES = ["regions", "focus_areas"]
REASON_MAX = 100  # simple-history's history_change_reason column


@dataclass
class Report:
    """What a load did (or, in a dry run, would do)."""

    files: list = field(default_factory=list)
    changes: list = field(default_factory=list)  # (action, label, detail)
    conflicts: list = field(default_factory=list)  # messages
    notices: list = field(default_factory=list)  # texts shown with something withheld
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def count(self, action, label, detail=""):
        setattr(self, action, getattr(self, action) + 1)
        if action != "unchanged":
            self.changes.append((action, label, detail))

    def summary(self, dry_run=False):
        counts = (
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{len(self.conflicts)} conflicts"
        )
        if not (self.created or self.updated):
            state = "unchanged"
        else:
            state = "would change" if dry_run else "loaded"
        files = f"{len(self.files)} seed file{'' if len(self.files) == 1 else 's'}"
        return f"{files} {state}: {counts}."


# --- Steps 2 and 3: checking against the database, then writing -------------------------


def load(seeds_dir, *, force=False):
    """Load the fixtures and seed files; call inside `transaction.atomic()`.

    Raises SeedError, listing every problem, before writing anything but the
    reference fixtures, or, for the evidence of what it wrote, after writing: the
    caller's transaction then rolls back.
    """
    seeds = read_seed_files(seeds_dir)
    report = Report(files=seeds.files)
    load_reference_data(report)
    loader = _Loader(seeds, force, report)
    check_references(seeds, loader.regions, loader.focus_areas, loader.orgs)
    if seeds.errors:
        raise SeedError(seeds.errors)
    loader.write()
    require_evidence(seeds, loader.orgs)
    loader.report.notices = public_text.seed_notices(seeds)
    return loader.report


def require_evidence(seeds, orgs):
    """After the writes: refuse, by file and entry, what orgs.evidence refuses (a published
    organisation with an uncited fact, a citation of a fact the organisation does not have).

    Checked on the database as the load left it, so it sees what curators added too;
    the caller's transaction then rolls everything back.
    """
    found = evidence.problems(org.pk for org in orgs.values() if org.pk)
    if not found:
        return

    def where(slug):
        entity = seeds.organisations.get(slug)
        if entity is None:  # named only in partnerships (the loader reads no other)
            return next(
                p.where for key, p in seeds.partnerships.items() if slug in (key[0], key[2])
            )
        others = [name for name in dict.fromkeys(entity.files) if name not in entity.where]
        return entity.where + (f" (also in {', '.join(others)})" if others else "")

    raise SeedError(
        f"{where(org.slug)}: {message}" for org, messages in found.items() for message in messages
    )


def load_reference_data(report):
    """Upsert the regions and focus areas from fixtures/ by slug, writing only changes.

    What `loaddata` does, except that it leaves equal rows alone (loaddata rewrites
    every row on every run).
    """
    for name in FIXTURES:
        path = next(
            (
                Path(d) / f"{name}.json"
                for d in settings.FIXTURE_DIRS
                if (Path(d) / f"{name}.json").exists()
            ),
            None,
        )
        if path is None:
            raise SeedError([f"fixture {name}.json is in none of {settings.FIXTURE_DIRS}"])
        with open(path, encoding="utf-8") as f:
            objects = [item.object for item in serializers.deserialize("json", f)]
        models = {type(obj) for obj in objects}
        existing = {(m, o.slug): o for m in models for o in m.objects.all()}
        taken = {(type(o), o.pk) for o in existing.values()}
        moved = []  # new rows whose id a row of another slug has: given a new id last
        wrote_ids = False
        for obj in objects:
            model = type(obj)
            label = f"{model._meta.verbose_name} {obj.slug}"
            current = existing.get((model, obj.slug))
            fields = [
                f.attname
                for f in model._meta.concrete_fields
                if not f.primary_key and f.attname != "version"
            ]
            if current is None:
                if (model, obj.pk) in taken:
                    moved.append((obj, label))
                else:
                    obj.save()
                    wrote_ids = True
                    report.count("created", label, path.name)
                continue
            changed = [f for f in fields if getattr(current, f) != getattr(obj, f)]
            if changed:
                for attname in changed:
                    setattr(current, attname, getattr(obj, attname))
                current.save(update_fields=changed)
                report.count("updated", label, ", ".join(changed))
            else:
                report.count("unchanged", label)
        if wrote_ids or moved:
            # Rows inserted with the fixture's ids leave PostgreSQL's id sequences behind:
            # move them past every id, as loaddata does, so that new rows get free ones.
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), models):
                    cursor.execute(sql)
        for obj, label in moved:
            obj.pk = None
            obj.save()
            report.count("created", label, path.name)


def _reason(files):
    names = dict.fromkeys(Path(name).name for name in files)
    reason = "load_seeds: " + ", ".join(names)
    return reason if len(reason) <= REASON_MAX else reason[: REASON_MAX - 1] + "…"


def _reconcile(current, seed, last, has_last, force):
    """How a seed value meets the database: same, follow, curator, conflict or forced.

    `last` is what the seeds wrote before; a current value that differs from it was
    set by a curator, and wins over a changed seed value unless forced.
    """
    if current == seed:
        return "same"
    if has_last and current == last:
        return "follow"
    if not has_last and current in ("", None, []):
        return "follow"  # a field the seeds give for the first time, still empty: fill it
    if has_last and seed == last:
        return "curator"  # the seeds did not change: keep the curator's value, silently
    return "forced" if force else "conflict"


@dataclass
class _OrgPlan:
    """What to write to one organisation."""

    org: Organisation
    new: bool
    seeded: dict  # the seeded_values to store
    files: list = field(default_factory=list)
    changed: list = field(default_factory=list)
    m2m: dict = field(default_factory=dict)  # "regions"/"focus_areas" -> slugs to set


@dataclass
class _ChildPlan:
    """What to write to one person or partnership."""

    entity: Entity
    obj: object  # None when new
    values: dict  # fields to write


class _Loader:
    def __init__(self, seeds, force, report):
        self.seeds = seeds
        self.force = force
        self.report = report
        self.regions = {r.slug: r for r in Region.objects.all()}
        self.focus_areas = {f.slug: f for f in FocusArea.objects.all()}
        slugs = set(seeds.organisations)
        for org, _relation, partner, _programme in seeds.partnerships:
            slugs |= {org, partner}
        organisations = Organisation.objects.select_related("hq_region").prefetch_related(
            "regions", "focus_areas"
        )
        self.orgs = {org.slug: org for org in organisations.filter(slug__in=slugs)}
        self.plans = {}
        # A curator's rename or deletion wins too. A slug no organisation holds now, but
        # which simple-history saw, is the last organisation that held it: under its
        # new slug if it still exists (the seeds' facts follow it there), else deleted,
        # and not re-created.
        last_holder = last_holders(slugs - set(self.orgs))
        renamed = organisations.filter(pk__in=last_holder.values()).exclude(slug__in=slugs)
        renamed = {org.pk: org for org in renamed}
        # An organisation renamed to a slug the seeds give another entry (a curator
        # merging two entries) takes that entry's facts; its own entry is held back.
        seeds_slug_now = {org.pk: slug for slug, org in self.orgs.items()}
        self.renamed_onto = {}
        for slug, pk in last_holder.items():
            if pk in renamed:
                self.orgs[slug] = renamed[pk]
            elif pk in seeds_slug_now:
                self.renamed_onto[slug] = seeds_slug_now[pk]
        self.skipped = set(last_holder) - set(self.orgs)

    # Writing, in dependency order.

    def write(self):
        # People are written in bulk, without signals.
        withheld_before = search_upkeep.withheld_now()
        self.write_sources()
        saved = [org.pk for org in self.orgs.values()]
        # The seeds' slug of each organisation, which a curator may have changed since.
        seed_slug = {org.pk: slug for slug, org in self.orgs.items()}
        deleted_people, deleted_partnerships = self.deleted_children()
        self.plan_organisations()
        people = self.plan_children(
            self.seeds.people,
            {
                (seed_slug[p.organisation_id], p.name): p
                for p in Person.objects.filter(organisation__in=saved)
            },
            "people",
            lambda key: key[1],
            deleted_people,
        )
        partnerships = self.plan_children(
            self.seeds.partnerships,
            {
                (
                    seed_slug[p.organisation_id],
                    p.relation,
                    seed_slug.get(p.partner_id),
                    p.programme,
                ): p
                for p in Partnership.objects.filter(organisation__in=saved)
            },
            "partnerships",
            lambda key: " ".join(part for part in key[1:] if part),
            deleted_partnerships,
        )
        written = self.save_organisations()
        self.people = self.save_children(people, Person, self.new_person, "person")
        self.partnerships = self.save_children(
            partnerships, Partnership, self.new_partnership, "partnership"
        )
        self.write_citations()
        if written:
            search_upkeep.update_search_text([org for org, _created in written])
            self.record_history(written)
        search_upkeep.reindex_for_withheld_change(withheld_before)

    def write_sources(self):
        existing = {s.slug: s for s in Source.objects.filter(slug__in=self.seeds.sources)}
        self.sources = {}
        for slug, (values, name) in self.seeds.sources.items():
            source = existing.get(slug)
            label = f"source {slug}"
            if source is None:
                source = Source(slug=slug, **values)
                source._change_reason = _reason([name])
                source.save()
                self.report.count("created", label, name)
            else:
                changed = [key for key, value in values.items() if getattr(source, key) != value]
                if changed:
                    for key in changed:
                        setattr(source, key, values[key])
                    source._change_reason = _reason([name])
                    source.save()
                    self.report.count("updated", label, ", ".join(changed))
                else:
                    self.report.count("unchanged", label)
            self.sources[slug] = source

    def seed_values(self, org_seed):
        """The seeds' value of every organisation field they give, as in seeded_values."""
        values = {key: value for key, (value, _where) in org_seed.values.items()}
        values.setdefault("status", Organisation.Status.PUBLISHED)
        if org_seed.key in self.seeds.regions:
            values["regions"] = sorted(self.seeds.regions[org_seed.key])
        if org_seed.key in self.seeds.focus:
            values["focus_areas"] = sorted(self.seeds.focus[org_seed.key])
        return values

    def plan_organisations(self):
        for slug, org_seed in self.seeds.organisations.items():
            values = self.seed_values(org_seed)
            org = self.orgs.get(slug)
            if org is None and slug in self.skipped:
                if self.force:
                    self.skipped.discard(slug)
                elif slug in self.renamed_onto:
                    self.report.conflicts.append(
                        f"{org_seed.where}: renamed by a curator to "
                        f"{self.renamed_onto[slug]!r}, the slug of another entry, whose "
                        "facts now load into it; not re-created (--force re-creates it)"
                    )
                    continue
                else:
                    self.deleted(org_seed.where)
                    continue
            if org is None:
                org = self.orgs[slug] = Organisation(slug=slug)
                plan = self.plans[slug] = _OrgPlan(org, new=True, seeded=dict(values))
                for key, value in values.items():
                    if key in ("regions", "focus_areas"):
                        plan.m2m[key] = value
                    else:
                        self.set_org_field(org, key, value)
            else:
                plan = self.plan_for(slug)
                last_values = org.seeded_values or {}
                for key, seed in values.items():
                    current = self.org_field(org, key)
                    last = last_values.get(key)
                    action = _reconcile(current, seed, last, key in last_values, self.force)
                    if action in ("same", "follow", "forced"):
                        plan.seeded[key] = seed
                    if action in ("follow", "forced"):
                        plan.changed.append(key)
                        if key in ("regions", "focus_areas"):
                            plan.m2m[key] = seed
                        else:
                            self.set_org_field(org, key, seed)
                    elif action == "conflict":
                        self.conflict(org_seed, key, current, seed, key in last_values)
            plan.files += org_seed.files

    def plan_for(self, slug):
        if slug not in self.plans:
            org = self.orgs[slug]
            self.plans[slug] = _OrgPlan(org, new=False, seeded=copy.deepcopy(org.seeded_values))
        return self.plans[slug]

    def org_field(self, org, key):
        if key == "hq_region":
            return org.hq_region.slug if org.hq_region_id else None
        if key in ("regions", "focus_areas"):
            return sorted(x.slug for x in getattr(org, key).all())
        return getattr(org, key)

    def set_org_field(self, org, key, value):
        if key == "hq_region":  # a seed file's headquarters always names its region
            org.hq_region = self.regions[value]
        else:
            setattr(org, key, value)

    def deleted(self, where):
        self.report.conflicts.append(
            f"{where}: deleted by a curator, not re-created (--force re-creates it)"
        )

    def deleted_children(self):
        """Natural keys of the people and partnerships a curator deleted."""
        slugs = {org.pk: slug for slug, org in self.orgs.items() if org.pk}
        history = {"history_type": "-", "organisation_id__in": slugs}
        people = Person.history.filter(**history).values_list("organisation_id", "name")
        partnerships = Partnership.history.filter(**history).values_list(
            "organisation_id", "relation", "partner_id", "programme"
        )
        return (
            {(slugs[org], name) for org, name in people},
            {(slugs[org], r, slugs.get(partner), p) for org, r, partner, p in partnerships},
        )

    def conflict(self, entity, key, current, seed, seeds_wrote):
        """Report a value kept against the seeds: a curator's, or one the seeds never
        wrote (a person hidden by default whom a file now calls public)."""
        where = entity.values[key][1] if key in entity.values else entity.where
        kept = (
            f"the curator's {current!r},"
            if seeds_wrote
            else f"{current!r}, which the seeds never wrote;"
        )
        self.report.conflicts.append(f"{where}: {key}: kept {kept} the seeds say {seed!r}")

    def plan_children(self, entities, existing, group, store_key, deleted):
        """Plan people or partnerships, whose seeded values live on their organisation."""
        plans = []
        for key, entity in entities.items():
            if {key[0], key[2] if group == "partnerships" else None} & self.skipped:
                continue  # its organisation was deleted by a curator
            if key not in existing and key in deleted and not self.force:
                self.deleted(entity.where)
                continue
            org_plan = self.plan_for(key[0])
            org_plan.files += entity.files
            store = org_plan.seeded.setdefault(group, {})
            last_values = (org_plan.org.seeded_values or {}).get(group, {}).get(store_key(key))
            values = {name: value for name, (value, _where) in entity.values.items()}
            obj = existing.get(key)
            if obj is None:
                store[store_key(key)] = values
                plans.append(_ChildPlan(entity, None, values))
                continue
            seeded = dict(last_values or {})
            to_write = {}
            for name, seed in values.items():
                current = getattr(obj, name)
                last = seeded.get(name)
                action = _reconcile(current, seed, last, name in seeded, self.force)
                if action in ("same", "follow", "forced"):
                    seeded[name] = seed
                if action in ("follow", "forced"):
                    to_write[name] = seed
                elif action == "conflict":
                    self.conflict(entity, name, current, seed, name in seeded)
            store[store_key(key)] = seeded
            plans.append(_ChildPlan(entity, obj, to_write))
        return plans

    def save_organisations(self):
        written, self.new_m2m = [], []
        for slug, plan in self.plans.items():
            org = plan.org
            label = f"organisation {slug}"
            org._change_reason = _reason(plan.files)
            if plan.new:
                org.seeded_values = plan.seeded
                self.save_org(org, plan)
                self.report.count("created", label, ", ".join(dict.fromkeys(plan.files)))
                written.append((org, True))
                continue
            changed = list(plan.changed)
            if plan.seeded != (org.seeded_values or {}):
                org.seeded_values = plan.seeded
                changed = changed or ["(what the seeds last wrote)"]
            if changed:
                self.save_org(org, plan)
                self.report.count("updated", label, ", ".join(changed))
                written.append((org, False))
            elif slug in self.seeds.organisations:
                self.report.count("unchanged", label)
        self.save_new_m2m()
        return written

    def save_org(self, org, plan):
        # simple-history records a row on save and another on each many-to-many
        # change. For one row per load, showing the new regions, focus areas and
        # search text, write without history now; record_history() records it once.
        org.skip_history_when_saving = True
        org.save()
        if plan.new:
            self.new_m2m.append((org, plan.m2m))
            return
        for key, slugs in plan.m2m.items():
            lookup = self.regions if key == "regions" else self.focus_areas
            getattr(org, key).set([lookup[slug] for slug in slugs])

    def save_new_m2m(self):
        """The regions and focus areas of new organisations, in one query each."""
        for key, lookup, column in (
            ("regions", self.regions, "region"),
            ("focus_areas", self.focus_areas, "focusarea"),
        ):
            through = getattr(Organisation, key).through
            through.objects.bulk_create(
                through(organisation=org, **{column: lookup[slug]})
                for org, m2m in self.new_m2m
                for slug in m2m.get(key, ())
            )

    def record_history(self, written):
        for org, created in written:
            del org.skip_history_when_saving
            post_save.send(
                sender=Organisation,
                instance=org,
                created=created,
                update_fields=None,
                raw=False,
                using=org._state.db,
            )

    def new_person(self, key, values):
        return Person(organisation=self.orgs[key[0]], name=key[1], **values)

    def new_partnership(self, key, values):
        organisation, relation, partner, programme = key
        return Partnership(
            organisation=self.orgs[organisation],
            relation=relation,
            partner=self.orgs[partner],
            programme=programme,
            **values,
        )

    def save_children(self, plans, model, build, noun):
        saved, new = {}, []
        for plan in plans:
            key, files = plan.entity.key, plan.entity.files
            label = f"{noun} {' '.join(part for part in key if part)}"
            obj = plan.obj
            if obj is None:
                obj = build(key, plan.values)
                obj._change_reason = _reason(files)
                new.append(obj)
                self.report.count("created", label, ", ".join(files))
            elif plan.values:
                for name, value in plan.values.items():
                    setattr(obj, name, value)
                obj._change_reason = _reason(files)
                obj.save()
                self.report.count("updated", label, ", ".join(plan.values))
            else:
                self.report.count("unchanged", label)
            saved[key] = obj
        if new:  # in one query, with their history (each keeping its _change_reason)
            bulk_create_with_history(new, model, default_change_reason="load_seeds")
        return saved

    def wanted_citations(self):
        """Every citation the seeds give, keyed as write_citations finds them in the DB."""
        for slug, org_seed in self.seeds.organisations.items():
            if slug in self.skipped:
                continue
            org = self.orgs[slug]
            for fact, subject, cited in org_seed.citations:
                region = self.regions[subject] if fact == Citation.Fact.REGION else None
                focus = self.focus_areas[subject] if fact == Citation.Fact.FOCUS else None
                yield (
                    (org.pk, cited.source, fact, region and region.pk, focus and focus.pk),
                    (org, cited, {"region": region, "focus_area": focus}, org_seed.files),
                )
        for key, entity in self.seeds.people.items():
            if key not in self.people:
                continue
            person, org = self.people[key], self.orgs[key[0]]
            for fact, _subject, cited in entity.citations:
                yield (
                    (org.pk, cited.source, fact, "person", person.pk),
                    (org, cited, {"person": person}, entity.files),
                )
        for key, entity in self.seeds.partnerships.items():
            if key not in self.partnerships:
                continue
            partnership = self.partnerships[key]
            for fact, cite_on, cited in entity.citations:
                org = self.orgs[cite_on]
                yield (
                    (org.pk, cited.source, fact, "partnership", partnership.pk),
                    (org, cited, {"partnership": partnership}, entity.files),
                )

    def write_citations(self):
        sources = {source.pk: slug for slug, source in self.sources.items()}

        def key(c):  # a citation or its historical record, as wanted_citations keys it
            if c.person_id:
                subject = ("person", c.person_id)
            elif c.partnership_id:
                subject = ("partnership", c.partnership_id)
            else:
                subject = (c.region_id, c.focus_area_id)
            return (c.organisation_id, sources[c.source_id], c.fact, *subject)

        existing = {key(c): c for c in Citation.objects.filter(source__in=sources)}
        deleted = {key(c) for c in Citation.history.filter(history_type="-", source__in=sources)}
        new = []
        for key, (org, cited, subject, files) in self.wanted_citations():
            label = f"citation {key[2]} of {org.slug} from {cited.source}"
            citation = existing.get(key)
            if citation is None and key in deleted and not self.force:
                self.deleted(cited.where)
                continue
            if citation is None:
                citation = Citation(
                    organisation=org,
                    source=self.sources[cited.source],
                    fact=key[2],
                    locator=cited.locator,
                    quote=cited.quote,
                    **subject,
                )
                problem = evidence.concern_problem(citation, org)
                if problem:  # the curator's regions or focus areas were kept
                    self.report.conflicts.append(f"{cited.where}: citation not written: {problem}")
                    continue
                citation._change_reason = _reason(files)
                new.append(citation)
                self.report.count("created", label)
            elif (citation.locator, citation.quote) != (cited.locator, cited.quote):
                citation.locator, citation.quote = cited.locator, cited.quote
                citation._change_reason = _reason(files)
                citation.save()
                self.report.count("updated", label, "locator, quote")
            else:
                self.report.count("unchanged", label)
        if new:
            bulk_create_with_history(new, Citation, default_change_reason="load_seeds")
