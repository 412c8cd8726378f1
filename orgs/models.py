"""The directory's data: organisations, where they work, on what, with whom, and the
sources behind every fact."""

import contextvars
import datetime
import re

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.db.models import F, Prefetch, Q
from django.db.models.query import ModelIterable, ValuesIterable
from django.db.models.sql.constants import MULTI
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from . import bilingual, contacts, public_text
from .locking import Versioned

# Limits that the admin, the seed files and the backups all read from the fields below.
FIRST_YEAR, LAST_YEAR = 1800, 2100
YEAR_VALIDATORS = [MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)]
DESCRIPTION_MAX = 2000
PARTIAL_DATE_RE = re.compile(r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$")
validate_web_address = URLValidator(
    schemes=["http", "https"], message=_("Enter a web address starting with http:// or https://.")
)


def validate_partial_date(value):
    """2018, 2018-05 or 2018-05-08, with a real month and day."""
    if not PARTIAL_DATE_RE.match(value):
        raise ValidationError(
            _("Give a date as 2018, 2018-05 or 2018-05-08."), code="partial_date"
        )
    year, month, day = (value.split("-") + ["01", "01"])[:3]
    try:
        datetime.date(int(year), int(month), int(day))
    except ValueError:
        raise ValidationError(
            _("%(value)s is not a real date."), code="partial_date", params={"value": value}
        ) from None


def validate_aliases(value):
    """Other spellings of a region: a list of short, non-empty texts."""
    if not isinstance(value, list) or not all(
        isinstance(alias, str) and 0 < len(alias.strip()) <= 80 and "\x00" not in alias
        for alias in value
    ):
        raise ValidationError(
            _("Give a list of spellings, each a text of 1 to 80 characters."), code="aliases"
        )


def is_french():
    return (get_language() or "en").startswith("fr")


# The withholding table of the public read in progress: querysets read inside it
# (its prefetches) use the same table rather than read the data version again.
_reading_for_public = contextvars.ContextVar("reading_for_public", default=None)
_END = object()


def _table():
    """The table of the read in progress, or the current one (one query)."""
    from .public_text import current

    table = _reading_for_public.get()
    return current() if table is None else table


class PublicCopy:
    """A record read for the public: its text is withheld in memory, so never save it."""

    def save(self, *args, **kwargs):
        if getattr(self, "_public_copy", False):
            raise RuntimeError(
                f"{type(self).__name__} {self.pk} was read for the public, with text "
                "withheld; read it again to change it."
            )
        super().save(*args, **kwargs)


class StoredValuesIterable(ValuesIterable):
    """`values()` rows holding each value as the database driver gives it, without
    Django's conversions (see `PublicQuerySet.values_as_stored`)."""

    def __iter__(self):
        query = self.queryset.query
        compiler = query.get_compiler(self.queryset.db)
        if query.selected:  # as ValuesIterable names them
            names = list(query.selected)
        else:
            names = [*query.extra_select, *query.values_select, *query.annotation_select]
        for rows in compiler.execute_sql(
            MULTI, chunked_fetch=self.chunked_fetch, chunk_size=self.chunk_size
        ):
            for row in rows:
                yield dict(zip(names, row, strict=False))  # as ValuesIterable: by names


class PublicQuerySet(models.QuerySet):
    """A queryset whose records leave the database as the public may see them.

    `for_public()` marks it (each model's `public()` does); every record it yields,
    through iteration or `.iterator()`, goes through `present` (orgs.public_text) once
    its prefetches are done, with every record read along with it, so no page, API
    response or export can show stored text unwithheld.
    Organisations' `values()` rows go through the same rule (`present_rows`, for
    reading many fast); any other row that would hold withheld text is refused.
    """

    _for_public = False

    def for_public(self):
        clone = self._chain()
        clone._for_public = True
        return clone

    def _clone(self):
        clone = super()._clone()
        clone._for_public = self._for_public
        return clone

    def values_as_stored(self, *fields, **expressions):
        """`values()`, each value as the database driver gives it: a boolean may be 0
        or 1 and a timestamp text (SQLite). For reading many rows whose values are
        written out as text (orgs.export_rows): Django's conversions, one function
        call per value, cost more than reading the row. The rows still go through
        the withholding rule, as `values()` rows do."""
        clone = self.values(*fields, **expressions)
        clone._iterable_class = StoredValuesIterable
        return clone

    def _fetch_all(self):
        if self._result_cache is not None or not self._for_public:
            super()._fetch_all()
            return
        self._check_rows()
        table = _table()
        token = _reading_for_public.set(table)
        try:
            super()._fetch_all()
        finally:
            _reading_for_public.reset(token)
        self._present(self._result_cache, table)

    def _iterator(self, use_chunked_fetch, chunk_size):
        if not self._for_public:
            yield from super()._iterator(use_chunked_fetch, chunk_size)
            return
        self._check_rows()
        table = _table()  # once per iteration, not once per record
        objects = super()._iterator(use_chunked_fetch, chunk_size)
        while True:
            # Set only while Django reads (prefetches included), never across a yield.
            token = _reading_for_public.set(table)
            try:
                obj = next(objects, _END)
            finally:
                _reading_for_public.reset(token)
            if obj is _END:
                return
            if isinstance(obj, models.Model | dict):
                self._present([obj], table)
            yield obj

    def _check_rows(self):
        """Refuse rows that would carry withheld text past `present`: tuples
        (`values_list`), and dicts of a model whose rows it does not read."""
        from .public_text import PRESENTED_FIELDS

        withheld = PRESENTED_FIELDS.get(self.model.__name__, frozenset())
        if self._iterable_class is ModelIterable or not withheld:
            return
        fields = set(self._fields or [f.attname for f in self.model._meta.concrete_fields])
        # A related record's text (`citations__quote`) has no rule for rows.
        texts = frozenset().union(*PRESENTED_FIELDS.values())
        related = {f for f in fields if "__" in f and f.rsplit("__", 1)[1] in texts}
        if related:
            withheld = withheld | related
        elif (
            self._iterable_class in (ValuesIterable, StoredValuesIterable)
            and self.model.__name__ == "Organisation"
        ):
            return
        if fields & withheld:
            raise TypeError(
                f"{sorted(fields & withheld)} of a public {self.model.__name__} would be read "
                "without its text withheld: read records, or organisations' values()."
            )

    def _prefetch_lists(self):
        """The attribute names its `Prefetch(..., to_attr=...)` lookups fill."""
        return frozenset(
            lookup.prefetch_to.rsplit("__", 1)[-1]
            for lookup in self._prefetch_related_lookups
            if isinstance(lookup, Prefetch) and lookup.to_attr
        )

    def _present(self, objects, table=None):
        from .public_text import present, present_rows

        records = [obj for obj in objects if isinstance(obj, models.Model)]
        if records:
            present(records, table, self._prefetch_lists())
        rows = [obj for obj in objects if isinstance(obj, dict)]
        if rows:
            present_rows(self.model, rows, table)


class Zone(models.TextChoices):
    """The three zones the Peace Direct report groups Mali's regions into."""

    NORTH = "north", _("North")
    CENTRE = "centre", _("Centre")
    SOUTH = "south", _("South")


class Region(Versioned):
    slug = models.SlugField(unique=True)
    name = models.CharField(_("official name"), max_length=80, unique=True)
    name_en = models.CharField(
        _("English name"), max_length=80, blank=True, help_text=_("Only where it differs.")
    )
    aliases = models.JSONField(
        _("other spellings"),
        default=list,
        blank=True,
        help_text=_("Spellings people type, such as Timbuktu for Tombouctou."),
        validators=[validate_aliases],
    )
    zone = models.CharField(_("zone"), max_length=10, choices=Zone.choices)
    pcode = models.CharField(
        _("P-code"),
        max_length=10,
        blank=True,
        help_text=_(
            "Its admin-1 P-code in OCHA's common operational dataset for Mali (COD-AB), "
            "such as ML05 for Mopti. Empty while the dataset has no code of its own for it."
        ),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("carved out of"),
        to_field="slug",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text=_("The older region it was created from (the 2016 and 2023 reforms)."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self):
        return self.label

    def get_absolute_url(self):
        return reverse("orgs:region_detail", args=[self.slug])

    @property
    def label(self):
        """The name in the reader's language: official (French) or English."""
        return self.label_fr if is_french() else self.label_en

    @property
    def label_fr(self):
        """The French name is the official one (Tombouctou, Ségou)."""
        return self.name

    @property
    def label_en(self):
        """The one English spelling used everywhere in English (Timbuktu, Segou)."""
        return self.name_en or self.name

    def spellings(self):
        return [self.name, self.name_en, *self.aliases]

    @property
    def cod_pcode(self):
        """The P-code 3W tools join on: its own, else the one of the region it came from."""
        if self.pcode or self.parent is None:
            return self.pcode
        return self.parent.cod_pcode


class FocusArea(Versioned):
    slug = models.SlugField(unique=True)
    label_en = models.CharField(_("English label"), max_length=80, unique=True)
    label_fr = models.CharField(_("French label"), max_length=80, unique=True)

    class Meta:
        ordering = ["label_en"]
        verbose_name = _("focus area")
        verbose_name_plural = _("focus areas")

    def __str__(self):
        return self.label

    @property
    def label(self):
        return self.label_fr if is_french() else self.label_en


class SourceQuerySet(PublicQuerySet):
    def public(self):
        """Sources as the public sees them: their text withheld (orgs.public_text)."""
        return self.for_public()


class Source(PublicCopy, Versioned):
    """A public document that facts in the directory are taken from."""

    slug = models.SlugField(unique=True)
    publisher = models.CharField(_("publisher"), max_length=200)
    title = models.CharField(_("title"), max_length=300)
    date = models.CharField(
        _("date"),
        max_length=10,
        blank=True,
        help_text=_("As precise as known: 2018, 2018-05 or 2018-05-08. Empty when undated."),
        validators=[validate_partial_date],
    )
    url = models.URLField(
        _("web address"), max_length=500, blank=True, validators=[validate_web_address]
    )
    language = models.CharField(
        _("language"),
        max_length=2,
        choices=[("fr", _("French")), ("en", _("English"))],
        help_text=_(
            "The document's language, which its title, its quotes and their locators are in."
        ),
    )
    description_en = models.TextField(
        _("description in English"),
        max_length=DESCRIPTION_MAX,
        blank=True,
        help_text=_("What the document is, in our own words."),
    )
    description_fr = models.TextField(
        _("description in French"),
        max_length=DESCRIPTION_MAX,
        blank=True,
        help_text=_(
            "What the document is, in our own words, written in French (not machine-translated)."
        ),
    )

    objects = SourceQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["title"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        constraints = [
            models.CheckConstraint(
                condition=Q(date="") | Q(date__regex=r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"),
                name="source_date_is_partial_iso",
            ),
            models.CheckConstraint(
                condition=Q(language__in=["fr", "en"]), name="source_language_is_known"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("orgs:source_detail", args=[self.slug])

    @property
    def lang(self):
        """The document's language on a page in the other one, else "" (`lang_attr`): a
        French page quoting an English report marks the quote, title and locator."""
        return "" if self.language == bilingual.reader_language() else self.language

    @property
    def description(self):
        """The description in the reader's language, else the other one with its `lang`."""
        return bilingual.pick(self.description_en, self.description_fr)


CONTACT_SWITCH_HELP = _(
    "Off by default. Show it on the public site, the API and exports only with the "
    "organisation's consent and when it cannot put anyone at risk. Never shown for a "
    "sensitive organisation."
)

# How long a curator's check stays current (24 months).
CHECK_VALID_FOR = datetime.timedelta(days=730)


class OrganisationQuerySet(PublicQuerySet):
    def published(self):
        return self.filter(status=Organisation.Status.PUBLISHED)

    def public(self):
        """What the public may see: published organisations, their text withheld.

        Every public surface (pages, API, exports) reads organisations through here,
        with `with_public_details()` where it shows partners, people or citations.
        """
        return self.published().select_related("hq_region").for_public()

    def renamed_from(self, slug):
        """The organisation among these that last held `slug` while published, or None:
        where an old address leads once a curator has given the organisation a new
        slug. A slug held only as a draft leads nowhere: it may name someone, which
        is often why a curator renames before publishing."""
        holder = last_holders([slug], status=Organisation.Status.PUBLISHED).get(slug)
        return self.filter(pk=holder).first() if holder else None

    def with_public_details(self):
        """The headquarters, regions and focus areas, and the public partnerships, people
        and citations as `public_*` lists: what the API and a detail page show, in a
        fixed number of queries."""
        return self.select_related("hq_region").prefetch_related(
            "regions",
            "focus_areas",
            Prefetch(
                "partnerships",
                queryset=Partnership.objects.public()
                .select_related("partner")
                .order_by("relation", "partner__name", "id"),
                to_attr="public_partnerships",
            ),
            Prefetch(
                "partnerships_received",
                queryset=Partnership.objects.public()
                .select_related("organisation")
                .order_by("relation", "organisation__name", "id"),
                to_attr="public_partnerships_received",
            ),
            Prefetch(
                "people",
                queryset=Person.objects.public().order_by("name"),
                to_attr="public_people",
            ),
            Prefetch(
                "citations",
                queryset=Citation.objects.public().with_subjects().order_by("fact", "id"),
                to_attr="public_citations",
            ),
        )

    def in_regions(self, regions):
        """Organisations working in, or headquartered in, any of these regions.

        A subquery rather than a join: no duplicate rows, so no DISTINCT, which at
        100,000 organisations made SQLite sort every match before taking a page.
        """
        working = Organisation.regions.through.objects.filter(region__in=regions)
        return self.filter(Q(pk__in=working.values("organisation_id")) | Q(hq_region__in=regions))

    def search(self, query):
        """Organisations matching the words of `query`, best first (see orgs.search)."""
        from .search import search_organisations

        return search_organisations(self, query)


class Organisation(PublicCopy, Versioned):
    class Kind(models.TextChoices):
        LOCAL_ASSOCIATION = "local_association", _("Local association")
        NATIONAL_NGO = "national_ngo", _("National NGO")
        NETWORK = "network", _("Network or alliance")
        CONSORTIUM = "consortium", _("Consortium")
        THINK_TANK = "think_tank", _("Think tank or research")
        INTERNATIONAL_NGO = "international_ngo", _("International NGO")
        DONOR = "donor", _("Donor or foundation")
        GOVERNMENT_AGENCY = "government_agency", _("Government agency")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    class Verification(models.TextChoices):
        PUBLIC_SOURCES = "public_sources", _("From public sources only")
        CURATOR = "curator", _("Checked by a curator")
        ORGANISATION = "organisation", _("Confirmed by the organisation")

    name = models.CharField(
        _("name"), max_length=200, help_text=_("As commonly written, usually in English.")
    )
    name_original = models.CharField(
        _("original-language name"),
        max_length=200,
        blank=True,
        help_text=_("The name in its own language, usually French."),
    )
    acronym = models.CharField(_("acronym"), max_length=40, blank=True)
    slug = models.SlugField(unique=True, max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    founded = models.PositiveSmallIntegerField(
        _("founded (year)"), null=True, blank=True, validators=YEAR_VALIDATORS
    )
    hq_region = models.ForeignKey(
        Region,
        verbose_name=_("headquarters region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="headquartered",
    )
    hq_town = models.CharField(_("headquarters town"), max_length=100, blank=True)
    description_en = models.TextField(
        _("description in English"),
        max_length=DESCRIPTION_MAX,
        blank=True,
        help_text=_("In our own words, never copied from a source."),
    )
    description_fr = models.TextField(
        _("description in French"),
        max_length=DESCRIPTION_MAX,
        blank=True,
        help_text=_(
            "In our own words, never copied from a source, written in French (not "
            "machine-translated)."
        ),
    )
    website = models.URLField(
        _("website"), max_length=300, blank=True, validators=[validate_web_address]
    )
    # Contacts: each hidden from the public unless its switch is on (orgs/contacts.py).
    contact_email = models.EmailField(_("email"), max_length=254, blank=True)
    contact_email_public = models.BooleanField(
        _("show the email publicly"), default=False, help_text=CONTACT_SWITCH_HELP
    )
    contact_phone = models.CharField(
        _("phone"),
        max_length=40,
        blank=True,
        validators=[contacts.validate_phone],
        help_text=_("With + and the country code if abroad, such as +223 20 22 33 44."),
    )
    contact_phone_public = models.BooleanField(
        _("show the phone publicly"), default=False, help_text=CONTACT_SWITCH_HELP
    )
    contact_address = models.TextField(_("postal address"), max_length=500, blank=True)
    contact_address_public = models.BooleanField(
        _("show the postal address publicly"), default=False, help_text=CONTACT_SWITCH_HELP
    )
    social_links = models.TextField(
        _("social links"),
        max_length=1000,
        blank=True,
        validators=[contacts.validate_social_links],
        help_text=_("One web address per line (Facebook page, X, LinkedIn...)."),
    )
    social_links_public = models.BooleanField(
        _("show the social links publicly"), default=False, help_text=CONTACT_SWITCH_HELP
    )
    regions = models.ManyToManyField(
        Region, verbose_name=_("regions of work"), blank=True, related_name="organisations"
    )
    focus_areas = models.ManyToManyField(
        FocusArea, verbose_name=_("focus areas"), blank=True, related_name="organisations"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    sensitive = models.BooleanField(
        _("sensitive"),
        default=False,
        help_text=_(
            "Hides the headquarters town and every person of this organisation from the "
            "public, whatever their own settings."
        ),
    )
    verification = models.CharField(
        _("verification"),
        max_length=20,
        choices=Verification.choices,
        default=Verification.PUBLIC_SOURCES,
    )
    last_checked = models.DateField(_("last checked"), null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    seeded_values = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text="The values load_seeds last wrote, so a curator's later edit can be told apart.",
    )
    search_text = models.TextField(
        default="",
        blank=True,
        editable=False,
        help_text="Accent-free, lower-case text that search matches against.",
    )
    search_names = models.TextField(
        default="",
        blank=True,
        editable=False,
        help_text="Normalised acronym and names: a match here ranks above the rest.",
    )
    search_acronym = models.TextField(
        default="",
        blank=True,
        editable=False,
        help_text="Normalised acronym without spaces: an exact match ranks first.",
    )
    sort_name = models.TextField(
        default="",
        blank=True,
        editable=False,
        help_text="Normalised name: the listing's order by name ignores case and accents.",
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True, db_index=True)

    objects = OrganisationQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[regions, focus_areas])

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(
                condition=Q(founded__isnull=True)
                | Q(founded__gte=FIRST_YEAR, founded__lte=LAST_YEAR),
                name="organisation_founded_plausible",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="organisation_name_not_empty"),
            models.CheckConstraint(condition=~Q(slug=""), name="organisation_slug_not_empty"),
        ]
        indexes = [
            models.Index(fields=["status", "name"]),
            # The listing's orders: by name, newest in the directory, founding year.
            models.Index(fields=["status", "sort_name"]),
            models.Index(fields=["status", "created"]),
            models.Index(fields=["status", "founded", "sort_name"]),
            # What the table of withheld terms reads (orgs.public_text).
            models.Index(
                fields=["id"],
                condition=public_text.gives_withheld_terms(),
                name="orgs_org_withheld_terms",
            ),
        ]

    def __str__(self):
        """The name in the reader's language (orgs.bilingual), with the acronym."""
        name = self.names.first.text
        if self.acronym and self.acronym.lower() not in name.lower():
            return f"{name} ({self.acronym})"
        return name

    def get_absolute_url(self):
        return reverse("orgs:org_detail", args=[self.slug])

    @property
    def names(self):
        """The name in the reader's language first, and the other one beneath (or None)."""
        return bilingual.names(self.name, self.name_original)

    @property
    def description(self):
        """The description in the reader's language, else the other one with its `lang`."""
        return bilingual.pick(self.description_en, self.description_fr)

    @property
    def contact_tel(self):
        """The phone number in a form a tel: link takes (+22320223344)."""
        return contacts.tel_href(self.contact_phone)

    @property
    def social_link_list(self):
        return contacts.social_link_list(self.social_links)

    @property
    def shown_acronym(self):
        """The acronym, unless the name is the acronym itself (REJEFPO): shown once."""
        if self.acronym and self.acronym.casefold() != self.names.first.text.casefold():
            return self.acronym
        return ""

    @property
    def check_lapsed(self):
        """A curator's or the organisation's check counts for 24 months, then lapses."""
        if self.verification == self.Verification.PUBLIC_SOURCES:
            return False
        if self.last_checked is None:
            return True
        return self.last_checked < timezone.localdate() - CHECK_VALID_FOR


def last_holders(slugs, **among):
    """{slug: id of the organisation that held it last}, as the history saw it: what a
    slug no organisation holds now meant, after a curator renamed or deleted its
    organisation. `among` narrows the history rows (`status="published"`: where the
    public saw it)."""
    rows = Organisation.history.filter(slug__in=slugs, **among)
    return dict(rows.order_by("history_date", "history_id").values_list("slug", "id"))


class PartnershipQuerySet(PublicQuerySet):
    def public(self):
        """Partnerships the public may see: both organisations published, their
        programme withheld (orgs.public_text)."""
        published = Organisation.Status.PUBLISHED
        return self.filter(organisation__status=published, partner__status=published).for_public()


class Partnership(PublicCopy, Versioned):
    """A directed link: `organisation` is `relation` `partner` (AJCET is funded by USIP)."""

    class Relation(models.TextChoices):
        MEMBER_OF = "member_of", _("member of")
        PARTNER_OF = "partner_of", _("partner of")
        FUNDED_BY = "funded_by", _("funded by")
        LEADS = "leads", _("leads consortium of")
        SUPPORTED_BY = "supported_by", _("supported by")
        IMPLEMENTS_FOR = "implements_for", _("implements a programme of")

    INVERSE_LABELS = {
        Relation.MEMBER_OF: _("has member"),
        Relation.PARTNER_OF: _("partner of"),
        Relation.FUNDED_BY: _("funds"),
        Relation.LEADS: _("consortium led by"),
        Relation.SUPPORTED_BY: _("supports"),
        Relation.IMPLEMENTS_FOR: _("programme implemented by"),
    }

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="partnerships",
    )
    relation = models.CharField(_("relation"), max_length=20, choices=Relation.choices)
    partner = models.ForeignKey(
        Organisation,
        verbose_name=_("partner"),
        on_delete=models.CASCADE,
        related_name="partnerships_received",
    )
    programme = models.CharField(_("programme"), max_length=200, blank=True)
    start_year = models.PositiveSmallIntegerField(
        _("from (year)"), null=True, blank=True, validators=YEAR_VALIDATORS
    )
    end_year = models.PositiveSmallIntegerField(
        _("until (year)"), null=True, blank=True, validators=YEAR_VALIDATORS
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = PartnershipQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["organisation__name", "relation", "partner__name"]
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "relation", "partner", "programme"],
                name="partnership_unique",
            ),
            models.CheckConstraint(
                condition=~Q(organisation=F("partner")), name="partnership_not_self"
            ),
            models.CheckConstraint(
                condition=Q(start_year__isnull=True)
                | Q(end_year__isnull=True)
                | Q(end_year__gte=F("start_year")),
                name="partnership_years_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.organisation} {self.get_relation_display()} {self.partner}"

    @property
    def inverse_label(self):
        return self.INVERSE_LABELS[self.relation]


class PersonQuerySet(PublicQuerySet):
    @staticmethod
    def _public():
        return Q(
            is_public=True,
            organisation__sensitive=False,
            organisation__status=Organisation.Status.PUBLISHED,
        )

    def public(self):
        """People the public may see: marked public, of a published, non-sensitive
        organisation; a role naming anyone hidden is withheld (orgs.public_text)."""
        return self.filter(self._public()).for_public()

    def hidden(self):
        """Everyone else, in one join (a NOT IN over `public()` read 100,000 people twice)."""
        return self.exclude(self._public())


class Person(PublicCopy, Versioned):
    """A named contact. Hidden from the public unless a curator decides otherwise."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="people",
    )
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=200, blank=True)
    is_public = models.BooleanField(
        _("show publicly"),
        default=False,
        help_text=_(
            "Peacebuilders in Mali are threatened and targeted. Show this person on the "
            "public site, the API and exports only with their consent and when it cannot "
            "put them at risk. Never shown for a sensitive organisation."
        ),
    )

    objects = PersonQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["organisation__name", "name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="person_unique_per_org"),
            models.CheckConstraint(condition=~Q(name=""), name="person_name_not_empty"),
        ]

    def __str__(self):
        return self.name


# Which field names a citation's subject, by fact; other facts have no subject.
CITATION_SUBJECT_FIELDS = {
    "region": "region",
    "focus": "focus_area",
    "partnership": "partnership",
    "person": "person",
}


def subject_matches_fact(fact, field):
    """A citation names its subject (a region, a person...) exactly when its fact needs one."""
    return models.CheckConstraint(
        condition=(Q(fact=fact, **{f"{field}__isnull": False}) | ~Q(fact=fact))
        & (Q(fact=fact) | Q(**{f"{field}__isnull": True})),
        name=f"citation_{field}_matches_fact",
    )


class CitationQuerySet(PublicQuerySet):
    def public(self):
        """Citations of published organisations whose quote reveals nothing the
        public may not see, their text withheld (orgs.public_text).

        A quote can name what the site hides: a person's citations show only when the
        person is public, a sensitive organisation's headquarters citations never, and
        a partnership's only when it is public. What their text names is withheld
        when they are shown.
        """
        return (
            self.filter(organisation__status=Organisation.Status.PUBLISHED)
            .exclude(Q(fact=Citation.Fact.PERSON) & ~Q(person__in=Person.objects.public()))
            .exclude(fact=Citation.Fact.HEADQUARTERS, organisation__sensitive=True)
            .exclude(
                Q(fact=Citation.Fact.PARTNERSHIP)
                & ~Q(partnership__in=Partnership.objects.public())
            )
            .for_public()
        )

    def with_subjects(self):
        """Each citation with its source and subject, for showing, in one query."""
        return self.select_related(
            "source",
            "region",
            "focus_area",
            "person",
            "partnership__organisation",
            "partnership__partner",
        )


class Citation(PublicCopy, Versioned):
    """Ties one fact about an organisation to a source, a locator and a verbatim quote."""

    class Fact(models.TextChoices):
        EXISTENCE = "existence", _("existence")
        FOUNDED = "founded", _("founding year")
        HEADQUARTERS = "headquarters", _("headquarters")
        REGION = "region", _("region of work")
        FOCUS = "focus", _("focus area")
        PARTNERSHIP = "partnership", _("partnership")
        PERSON = "person", _("person")

    SUBJECT_FIELDS = CITATION_SUBJECT_FIELDS

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="citations",
    )
    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="citations"
    )
    fact = models.CharField(_("fact"), max_length=20, choices=Fact.choices)
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # indexed where set: Meta.indexes
    )
    focus_area = models.ForeignKey(
        FocusArea,
        verbose_name=_("focus area"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # indexed where set: Meta.indexes
    )
    partnership = models.ForeignKey(
        Partnership,
        verbose_name=_("partnership"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="citations",
        db_index=False,  # indexed where set: Meta.indexes
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="citations",
        db_index=False,  # indexed where set: Meta.indexes
    )
    locator = models.CharField(
        _("locator"), max_length=200, help_text=_("Section, heading or page in the source.")
    )
    quote = models.TextField(
        _("quote"),
        max_length=600,
        help_text=_("A short passage copied verbatim from the source: a sentence or two."),
    )

    objects = CitationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["organisation__name", "fact", "id"]
        verbose_name = _("citation")
        verbose_name_plural = _("citations")
        # Each subject is set for one fact and empty for the others. A full index
        # counts the empty ones as one value shared by nearly every row, and SQLite's
        # planner, told a subject matches most citations, read the whole table to
        # find a deleted person's citations (0.65 s at 300,000 citations); an index of
        # the rows that have one tells it the truth.
        indexes = [
            models.Index(
                fields=[field],
                condition=Q(**{f"{field}__isnull": False}),
                name=f"citation_{field}",
            )
            for field in CITATION_SUBJECT_FIELDS.values()
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(quote=""), name="citation_quote_not_empty"),
            models.CheckConstraint(condition=~Q(locator=""), name="citation_locator_not_empty"),
            *[
                subject_matches_fact(fact, field)
                for fact, field in CITATION_SUBJECT_FIELDS.items()
            ],
        ]

    def __str__(self):
        return f"{self.get_fact_display()}: {self.source} ({self.locator})"

    def clean(self):
        from .evidence import validate_citation

        if not getattr(self, "checked_after_writes", False):
            validate_citation(self)

    @property
    @admin.display(description=_("subject"))
    def subject(self):
        """The region, focus area, partnership or person the fact is about, if any."""
        field = self.SUBJECT_FIELDS.get(self.fact)
        return getattr(self, field) if field else None


# --- Participation: what readers and organisations send, for curators to check ---


def _limit(model, field):
    """A submitted value is held to the same length as the field it proposes a value for."""
    return model._meta.get_field(field).max_length


class SubmissionQuerySet(models.QuerySet):
    def closed(self):
        return self.filter(status__in=Submission.CLOSED)


class Submission(Versioned):
    """Something a reader or an organisation sent: never public, always checked first.

    Nothing here is read by a public page, the API or an export; curators read it in
    the admin's queue. The submitter's email address is kept only until 90 days after
    the submission is closed (`purge_submitter_emails`), and is left out of history.
    """

    class Kind(models.TextChoices):
        CORRECTION = "correction", _("Correction")
        NEW_ORGANISATION = "new_organisation", _("New organisation")
        REMOVAL = "removal", _("Hide or remove")
        ORGANISATION_CORRECTION = "organisation_correction", _("Correction by the organisation")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        IN_REVIEW = "in_review", _("In review")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    class Target(models.TextChoices):
        ORGANISATION = "organisation", _("The whole organisation")
        PERSON = "person", _("A person who is named")
        DETAIL = "detail", _("Another detail")

    CLOSED = [Status.ACCEPTED, Status.DECLINED]
    TEXT_LIMIT = 2000

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.NEW, db_index=True
    )
    urgent = models.BooleanField(
        _("urgent"), default=False, help_text=_("Requests to hide or remove are urgent.")
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="submissions",
    )
    language = models.CharField(_("language"), max_length=10, default="en", editable=False)
    email = models.EmailField(
        _("email"),
        blank=True,
        help_text=_("Only to reply; deleted 90 days after the submission is closed."),
    )
    # A correction: which fact, what is wrong, and the evidence.
    about = models.CharField(_("about"), max_length=200, blank=True)
    message = models.TextField(_("message"), max_length=TEXT_LIMIT, blank=True)
    evidence = models.TextField(_("evidence"), max_length=1000, blank=True)
    # A request to hide: what, and (never public) the person's name.
    target = models.CharField(_("what to hide"), max_length=20, choices=Target.choices, blank=True)
    person_name = models.CharField(
        _("person named"), max_length=_limit(Person, "name"), blank=True
    )
    # A new organisation: its facts, held to the organisation's own limits...
    name = models.CharField(_("name"), max_length=_limit(Organisation, "name"), blank=True)
    name_original = models.CharField(
        _("original-language name"), max_length=_limit(Organisation, "name_original"), blank=True
    )
    acronym = models.CharField(
        _("acronym"), max_length=_limit(Organisation, "acronym"), blank=True
    )
    org_kind = models.CharField(
        _("kind of organisation"),
        max_length=_limit(Organisation, "kind"),
        choices=Organisation.Kind.choices,
        blank=True,
    )
    regions = models.ManyToManyField(Region, verbose_name=_("regions of work"), blank=True)
    focus_areas = models.ManyToManyField(FocusArea, verbose_name=_("focus areas"), blank=True)
    website = models.URLField(_("website"), max_length=_limit(Organisation, "website"), blank=True)
    contact = models.CharField(_("other public contact"), max_length=300, blank=True)
    # ...and the public source that says it exists, held to the source's and citation's.
    source_title = models.CharField(
        _("source title"), max_length=_limit(Source, "title"), blank=True
    )
    source_publisher = models.CharField(
        _("source publisher"), max_length=_limit(Source, "publisher"), blank=True
    )
    source_url = models.URLField(
        _("source web address"), max_length=_limit(Source, "url"), blank=True
    )
    source_locator = models.CharField(
        _("where in the source"), max_length=_limit(Citation, "locator"), blank=True
    )
    source_quote = models.TextField(
        _("what the source says"),
        max_length=Citation._meta.get_field("quote").max_length,
        blank=True,
    )
    # Curators' side.
    curator_note = models.TextField(
        _("curator's note"), blank=True, help_text=_("For curators only; never sent.")
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    draft = models.ForeignKey(
        Organisation,
        verbose_name=_("draft created"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created = models.DateTimeField(_("received"), auto_now_add=True, db_index=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)
    closed = models.DateTimeField(_("closed"), null=True, blank=True)
    curators_notified = models.DateTimeField(null=True, blank=True, editable=False)

    objects = SubmissionQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["email"])

    class Meta:
        ordering = ["-urgent", "-created"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="removal") | Q(urgent=True), name="submission_removal_urgent"
            ),
        ]

    def __str__(self):
        subject = self.organisation or self.name or "—"
        return f"{self.get_kind_display()}: {subject}"

    def save(self, *args, **kwargs):
        if self.kind == self.Kind.REMOVAL:
            self.urgent = True
        super().save(*args, **kwargs)

    @property
    def is_closed(self):
        return self.status in self.CLOSED


class ConfirmationLink(models.Model):
    """A one-time, expiring link a curator sends an organisation to confirm its record.

    The address carries a signed token (orgs/confirmation.py); this row is what makes
    it one-time: `used` is set by the first confirmation or correction.
    """

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="confirmation_links",
    )
    nonce = models.CharField(max_length=43, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    used = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("confirmation link")
        verbose_name_plural = _("confirmation links")

    def __str__(self):
        return f"{self.organisation} ({self.created:%Y-%m-%d})"


def value_bounds(field):
    """(lowest, highest) value a field's validators allow: the one home of a range."""
    low = max(v.limit_value for v in field.validators if isinstance(v, MinValueValidator))
    high = min(v.limit_value for v in field.validators if isinstance(v, MaxValueValidator))
    return low, high
