"""Fill a database with realistic synthetic organisations, for benchmarks only.

The directory has a few hundred real organisations; the benchmark asks how it
behaves at 100,000. This command writes that many plausible ones fast: bulk inserts
in batches, no per-row save and so no history rows, the same data for the same
`--seed`. Words follow a skewed distribution, as real text does, so that some
search terms are common ("women", "femmes", "paix") and others rare ("apiculture"),
and regions are skewed to Bamako and Mopti, where most organisations work.

Synthetic organisations have slugs starting with "synth-". The command refuses to
mix them into a database with real organisations, or to run with DEBUG off (a
production server), unless given --yes.
"""

import random

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import override_settings
from django.utils.text import slugify

from orgs import statistics
from orgs.models import Citation, FocusArea, Organisation, Partnership, Person, Region, Source
from orgs.search_upkeep import update_search_text

SLUG_PREFIX = "synth-"

# How many organisations work in a region, relative to the others.
REGION_WEIGHTS = {
    "bamako": 30,
    "mopti": 20,
    "segou": 9,
    "tombouctou": 8,
    "gao": 8,
    "sikasso": 7,
    "koulikoro": 6,
    "kayes": 5,
    "kidal": 3,
    "menaka": 3,
    "bandiagara": 3,
    "douentza": 2,
}
FOCUS_WEIGHTS = {
    "peacebuilding": 20,
    "womens-rights": 16,
    "youth": 14,
    "social-cohesion": 10,
    "education": 8,
    "human-rights": 8,
    "governance": 6,
    "community-development": 6,
    "livelihoods": 5,
    "health": 5,
    "access-to-justice": 4,
    "preventing-violent-extremism": 4,
    "humanitarian-aid": 4,
}
KIND_WEIGHTS = {
    Organisation.Kind.LOCAL_ASSOCIATION: 50,
    Organisation.Kind.NATIONAL_NGO: 25,
    Organisation.Kind.NETWORK: 8,
    Organisation.Kind.CONSORTIUM: 3,
    Organisation.Kind.THINK_TANK: 3,
    Organisation.Kind.INTERNATIONAL_NGO: 6,
    Organisation.Kind.DONOR: 3,
    Organisation.Kind.GOVERNMENT_AGENCY: 2,
}
TOWNS = {
    "bamako": ["Bamako"],
    "mopti": ["Mopti", "Sévaré", "Djenné", "Ténenkou", "Youwarou"],
    "segou": ["Ségou", "Niono", "Macina", "Markala"],
    "tombouctou": ["Tombouctou", "Goundam", "Diré", "Niafunké"],
    "gao": ["Gao", "Ansongo", "Bourem"],
    "sikasso": ["Sikasso", "Kadiolo", "Yorosso"],
    "koulikoro": ["Koulikoro", "Kati", "Kolokani"],
    "kayes": ["Kayes", "Bafoulabé", "Diéma"],
    "kidal": ["Kidal", "Tessalit"],
    "menaka": ["Ménaka", "Andéramboukane"],
}

# Name parts: (French, English), with weights.
FR_ORG = [("Association", 40), ("Réseau", 12), ("Collectif", 8), ("Union", 6),
          ("Fédération", 4), ("Groupement", 8), ("Coordination", 4), ("Plateforme", 3),
          ("Centre", 5), ("Observatoire", 2), ("Alliance", 3), ("Coopérative", 5)]  # fmt: skip
FR_WHO = [("des femmes", 30), ("des jeunes", 25), ("des éleveurs", 6), ("des agriculteurs", 6),
          ("des leaders religieux", 4), ("des chefs traditionnels", 3), ("des déplacés", 4),
          ("des enseignants", 3), ("des journalistes", 3), ("des juristes", 2),
          ("des artisans", 2), ("des pêcheurs", 2), ("des apicultrices", 1)]  # fmt: skip
FR_FOR = [("pour la paix", 30), ("pour le développement", 25), ("pour la cohésion sociale", 10),
          ("pour la paix et la réconciliation", 8), ("pour l'éducation", 6),
          ("pour la bonne gouvernance", 5), ("pour les droits humains", 5),
          ("pour la santé communautaire", 4), ("pour la sécurité alimentaire", 4),
          ("pour l'apiculture durable", 1), ("pour la transhumance apaisée", 1)]  # fmt: skip
EN_ORG = [("Association", 20), ("Network", 20), ("Alliance", 10), ("Initiative", 10),
          ("Foundation", 6), ("Coalition", 6), ("Centre", 6), ("Forum", 5)]  # fmt: skip
EN_WHO = [("Women's", 30), ("Youth", 25), ("Herders'", 5), ("Farmers'", 6), ("Interfaith", 4),
          ("Displaced People's", 3), ("Teachers'", 3), ("Journalists'", 3), ("Lawyers'", 2),
          ("Beekeepers'", 1)]  # fmt: skip
EN_FOR = [("for Peace", 30), ("for Development", 25), ("for Social Cohesion", 10),
          ("for Dialogue", 8), ("for Education", 6), ("for Good Governance", 5),
          ("for Human Rights", 5), ("for Community Health", 4), ("for Food Security", 4),
          ("for Pastoral Mediation", 1)]  # fmt: skip

# Description sentences: common ones often, rare ones seldom (about 1 in 500).
SENTENCES = [
    ("Works with women and young people on peace and local development.", 20),
    ("Œuvre pour la paix et la cohésion sociale entre les communautés.", 25),
    ("Runs dialogue sessions between farmers and herders.", 12),
    ("Soutient les femmes dans les activités génératrices de revenus.", 15),
    ("Trains youth in conflict prevention and civic participation.", 14),
    ("Organise des sessions de sensibilisation sur les droits humains.", 10),
    ("Supports displaced families with food, shelter and schooling.", 8),
    ("Mène des actions de plaidoyer auprès des autorités locales.", 10),
    ("Monitors local elections and trains observers.", 5),
    ("Accompagne les victimes de violences basées sur le genre.", 8),
    ("Broadcasts community radio programmes in Bambara, Fulfulde and Songhai.", 4),
    ("Gère des banques de céréales villageoises.", 4),
    ("Documents human rights violations for the courts.", 3),
    ("Promotes beekeeping and apiculture as a livelihood for returnees.", 0.2),
    ("Forme des médiatrices pour la gestion des conflits fonciers au Delta.", 0.3),
    ("Maps water points along transhumance corridors with GPS.", 0.2),
]
PERSON_FIRST = "Aminata Fatoumata Mariam Oumou Aïssata Moussa Amadou Boubacar Ibrahim".split()
PERSON_LAST = "Traoré Diarra Coulibaly Keïta Sangaré Maïga Touré Cissé Diallo Dicko".split()
FOUNDED = [None, *range(1960, 2025), *range(1990, 2025), *range(2012, 2025)]
ROLES = ["Coordinator", "President", "Présidente", "Secrétaire générale", "Programme officer"]


def pick(rng, weighted):
    """One item of a list of (item, weight)."""
    items, weights = zip(*weighted, strict=True)
    return rng.choices(items, weights)[0]


def sample(rng, weights, k):
    """k distinct keys of `weights`, drawn by weight."""
    chosen = []
    while len(chosen) < k:
        key = rng.choices(list(weights), list(weights.values()))[0]
        if key not in chosen:
            chosen.append(key)
    return chosen


def acronym_of(words):
    letters = [w[0] for w in words.replace("'", " ").split() if w[0].isupper() or len(w) > 3]
    return "".join(letters).upper()[:8]


def insert_rows(model, columns, rows):
    """INSERT many rows of `columns` into `model`'s table, in one statement per chunk."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    chunk = 500  # well under SQLite's limit on parameters per statement
    with connection.cursor() as cursor:
        for start in range(0, len(rows), chunk):
            part = rows[start : start + chunk]
            cursor.execute(
                f"INSERT INTO {table} ({names}) VALUES {', '.join([row] * len(part))}",
                [value for values in part for value in values],
            )


class Command(BaseCommand):
    help = "Create N synthetic organisations (benchmarks only)."

    def add_arguments(self, parser):
        parser.add_argument("count", type=int)
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same data.")
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument(
            "--yes",
            action="store_true",
            help="Run even with DEBUG off or next to real organisations.",
        )

    def handle(self, *args, count, seed, batch_size, yes, **options):
        if count < 1:
            raise CommandError("count must be at least 1.")
        if not yes:
            if not settings.DEBUG:
                raise CommandError(
                    "DEBUG is off: this looks like a production server. "
                    "Pass --yes to fill it with synthetic organisations anyway."
                )
            real = Organisation.objects.exclude(slug__startswith=SLUG_PREFIX).count()
            if real:
                raise CommandError(
                    f"The database holds {real} real organisations. "
                    "Pass --yes to mix synthetic ones in anyway."
                )
        if not Region.objects.exists() or not FocusArea.objects.exists():
            call_command("loaddata", "regions", "focus_areas", verbosity=0)

        rng = random.Random(seed)
        self.regions = {r.slug: r.pk for r in Region.objects.all()}
        self.region_names = dict(Region.objects.values_list("slug", "name"))
        self.focus = {f.slug: f.pk for f in FocusArea.objects.all()}
        self.region_weights = {s: REGION_WEIGHTS.get(s, 1) for s in self.regions}
        self.focus_weights = {s: FOCUS_WEIGHTS.get(s, 2) for s in self.focus}
        start = Organisation.objects.filter(slug__startswith=SLUG_PREFIX).count()

        # bulk_create sends no post_save signal; the setting also covers the
        # search-text update below, whatever way it saves.
        with override_settings(SIMPLE_HISTORY_ENABLED=False), transaction.atomic():
            sources = self.sources()
            done = 0
            previous = []
            while done < count:
                size = min(batch_size, count - done)
                previous = self.batch(rng, start + done, size, sources, previous)
                done += size
                if options["verbosity"] >= 2:
                    self.stdout.write(f"{done}/{count}")
        statistics.refresh()  # so the planner knows the new size of every table
        if options["verbosity"]:
            self.stdout.write(self.style.SUCCESS(f"Created {count} synthetic organisations."))

    def sources(self):
        sources = []
        for n in range(1, 6):
            source, _created = Source.objects.get_or_create(
                slug=f"{SLUG_PREFIX}source-{n}",
                defaults={
                    "publisher": "Synthetic benchmark data",
                    "title": f"Synthetic directory, part {n}",
                    "date": "2024",
                    "language": "en",
                },
            )
            sources.append(source)
        return sources

    def name(self, rng, town):
        if rng.random() < 0.6:
            words = f"{pick(rng, FR_ORG)} {pick(rng, FR_WHO)} {pick(rng, FR_FOR)}"
            english = None
        else:
            words = f"{pick(rng, EN_WHO)} {pick(rng, EN_ORG)} {pick(rng, EN_FOR)}"
            english = words
        if rng.random() < 0.5:
            words += f" de {town}" if english is None else f" in {town}"
        return words, english

    def batch(self, rng, first, size, sources, previous):
        orgs, plans = [], []
        for index in range(first, first + size):
            region_slugs = sample(rng, self.region_weights, rng.choice([1, 1, 1, 2, 2, 3, 4]))
            focus_slugs = sample(rng, self.focus_weights, rng.choice([1, 2, 2, 3, 3, 4]))
            hq = region_slugs[0]
            town = rng.choice(TOWNS.get(hq) or [self.region_names[hq]])
            name, english = self.name(rng, town)
            sentences = dict.fromkeys(pick(rng, SENTENCES) for _ in range(rng.choice([1, 2, 3])))
            description = " ".join(sentences)
            orgs.append(
                Organisation(
                    name=(english or name)[:200],
                    name_original="" if english else name[:200],
                    acronym=acronym_of(name) if rng.random() < 0.7 else "",
                    slug=f"{SLUG_PREFIX}{index:06d}-{slugify(name)}"[:100],
                    kind=pick(rng, list(KIND_WEIGHTS.items())),
                    founded=rng.choice(FOUNDED),
                    hq_region_id=self.regions[hq],
                    hq_town=town,
                    description_en=description,
                    status=pick(
                        rng,
                        [
                            (Organisation.Status.PUBLISHED, 92),
                            (Organisation.Status.DRAFT, 6),
                            (Organisation.Status.ARCHIVED, 2),
                        ],
                    ),
                    sensitive=rng.random() < 0.03,
                )
            )
            plans.append((region_slugs, focus_slugs))
        Organisation.objects.bulk_create(orgs)

        region_links, focus_links, citations, people, partnerships = [], [], [], [], []
        for org, (region_slugs, focus_slugs) in zip(orgs, plans, strict=True):
            source = rng.choice(sources).pk
            region_links += [(org.pk, self.regions[s]) for s in region_slugs]
            focus_links += [(org.pk, self.focus[s]) for s in focus_slugs]
            citations += [
                (org.pk, source, "existence", None, None, "Annex", f"{org.name}, {org.hq_town}."),
                (org.pk, source, "region", self.regions[region_slugs[0]], None, "Table 2",
                 f"{org.name}: {region_slugs[0]}."),
                (org.pk, source, "focus", None, self.focus[focus_slugs[0]], "Table 3",
                 f"{org.name}: {focus_slugs[0]}."),
            ]  # fmt: skip
            names = {
                f"{rng.choice(PERSON_FIRST)} {rng.choice(PERSON_LAST)}"
                for _ in range(rng.choice([0, 0, 1, 1, 2, 3]))
            }
            people += [
                Person(
                    organisation=org,
                    name=person,
                    role=rng.choice(ROLES),
                    is_public=rng.random() < 0.3,
                )
                for person in sorted(names)
            ]
            pool = previous + orgs
            links = set()
            for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
                partner = rng.choice(pool)
                relation = rng.choice(Partnership.Relation.values)
                if partner.pk != org.pk and (partner.pk, relation) not in links:
                    links.add((partner.pk, relation))
                    partnerships.append(
                        Partnership(organisation=org, partner=partner, relation=relation)
                    )
        # The link tables and citations are most of the rows: plain multi-row
        # inserts, as bulk_create would send, without building a model per row.
        insert_rows(Organisation.regions.through, ["organisation_id", "region_id"], region_links)
        insert_rows(
            Organisation.focus_areas.through, ["organisation_id", "focusarea_id"], focus_links
        )
        insert_rows(
            Citation,
            ["organisation_id", "source_id", "fact", "region_id", "focus_area_id", "locator",
             "quote", "version"],
            [(*citation, 1) for citation in citations],
        )  # fmt: skip
        Person.objects.bulk_create(people)
        Partnership.objects.bulk_create(partnerships)
        update_search_text(
            Organisation.objects.filter(pk__in=[org.pk for org in orgs]).prefetch_related(
                "regions", "focus_areas"
            )
        )
        return orgs[-500:]
