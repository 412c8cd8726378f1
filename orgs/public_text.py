"""What the public may read of text a curator or a seed file wrote: the withholding rule.

Quotes, locators, descriptions, programme names and source titles are copied from
documents that name people the directory hides, and the towns of organisations it
marks sensitive. Stored text is never changed (curators, history and backups keep
it verbatim); everything the public reads passes through `PublicText.withhold`,
which replaces, in any string:

- the name of every person who is not public (their switch is off, their
  organisation is sensitive, or it is not published): the full name, and each
  distinctive part of it, since sources write "Kola explains" or "Hawa with a
  friend";
- the headquarters town of every sensitive organisation, in every spelling the
  directory knows (accents and case never matter; when the town is also a region's
  name, the region's other spellings too: "Timbuktu" and "Tombouctou"). A town is
  withheld in every text, not only its organisation's: a partner's quote that
  names the town would tell it as well as the organisation's own.

- every contact not shown to the public (its switch is off, or its organisation
  is sensitive or unpublished; orgs.contacts): an email address, the web address
  of a social page (with or without its scheme), and a phone number as written,
  as its digits run together, and as its last eight digits (Mali's numbers) run
  together or in pairs ("76 12 34 56"). The postal address is withheld where it
  is stored only: its words are too common to find in other texts.

with a visible marker in the reader's language: "[name withheld]", "[place withheld]",
"[contact withheld]".

Matching is by whole words, case- and accent-insensitive: "KOLA", "Kolà" and
"Kola's" match Kola; "Kolanut" does not. A full name matches with any punctuation
or spacing between its parts ("Amadou ‘Samba’ Cissé", "Amadou Samba Cisse") and
becomes one marker.

Distinctive parts of a name: every word of it except particles and titles (Ag,
Ould, Ben, El, Al, de, Dr, Mme, ...) and words of fewer than three letters, which
are too often ordinary French or English words ("Ba", "Sy" are withheld only
inside the full name).

The table of withheld terms depends on people and on organisations' status,
sensitivity, town and contacts. It is built once per change of those: `current()`
keeps one per process, keyed by the database's public-text token
(orgs.public_text_version), whose triggers watch exactly those columns, and a
process that builds it stores it for the others (orgs.public_text_snapshot).
"""

import functools
import re
import threading
import unicodedata
from dataclasses import dataclass

from django.db import connection
from django.utils.translation import gettext

from . import public_text_version
from .contacts import FIELDS as CONTACT_FIELDS
from .contacts import hide_private, social_link_list

# Lower-case, accent-free; never withheld on their own.
PARTICLES = frozenset(
    "ag al el ould ben bin ibn bint mint ou wa "
    "de da di do du des del della la le les van von der den dos das "
    "dr mr mrs ms mme mlle m prof sir hadj hadja hadji elhadj".split()
)
MIN_PART_LENGTH = 3

NAME, PLACE, CONTACT = "name", "place", "contact"
# Contacts found in other texts, with their switches: not the postal address (see
# the docstring).
CONTACTS_IN_TEXT = {
    field: switch
    for field, switch in CONTACT_FIELDS
    if field in ("contact_email", "contact_phone", "social_links")
}


def gives_withheld_terms():
    """The organisations whose own fields give terms to withhold: a sensitive one with a
    town, and one with a contact written in text. Few among many: a partial index of
    them (orgs.models) spares reading every organisation to build the table."""
    from django.db.models import Q

    condition = Q(sensitive=True) & ~Q(hq_town="")
    for field in CONTACTS_IN_TEXT:
        condition |= ~Q(**{field: ""})
    return condition


def organisation_gives_withheld_terms(organisation):
    """`gives_withheld_terms()` of one organisation in memory, for a write that adds or
    deletes it (a test holds the two to the same answer)."""
    return bool(organisation.sensitive and organisation.hq_town) or any(
        getattr(organisation, field) for field in CONTACTS_IN_TEXT
    )


NATIONAL_DIGITS = 8
# Each model's fields the public reads only withheld (see `present`), and an
# organisation's fields the rule reads to decide.
ORGANISATION_PRESENTED = (
    "description_en",
    "description_fr",
    "hq_town",
    *(name for pair in CONTACT_FIELDS for name in pair),
    "sensitive",
)
PRESENTED_FIELDS = {
    "Organisation": frozenset(ORGANISATION_PRESENTED) - {"sensitive"},
    "Source": frozenset({"title", "publisher", "description_en", "description_fr"}),
    "Citation": frozenset({"quote", "locator"}),
    "Partnership": frozenset({"programme"}),
    # A public person's name is public; their role may name someone who is not.
    "Person": frozenset({"role"}),
}

# Letters NFKD does not take apart (the same folding orgs.search uses).
_FOLD = str.maketrans(
    {"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i", "ß": "ss"}
)
_WORD = re.compile(r"[^\W_]+")


_ASCII_LOWER = {ord(ch): ch.lower() for ch in map(chr, range(128)) if ch != ch.lower()}


@functools.lru_cache(maxsize=4096)
def _fold_char(ch):
    if ch.isascii():
        return ch.lower()
    decomposed = unicodedata.normalize("NFKD", ch)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return plain.casefold().translate(_FOLD)


class _Folding(dict):
    """{code point: its folded text}, filled as characters are met, for str.translate."""

    def __missing__(self, code):
        self[code] = folded = _fold_char(chr(code))
        return folded


_FOLDING = _Folding()


def folded_only(text):
    """`fold(text)` without the indexes: what most texts need, to learn they hold no term."""
    return text.lower() if text.isascii() else text.translate(_FOLDING)


@functools.lru_cache(maxsize=65536)
def _token_words(token):
    return _WORD.findall(folded_only(token))


def folded_words(text):
    """The set of `text`'s folded words, as `_WORD.findall(folded_only(text))` finds them.

    Folding goes character by character and spaces stay spaces, so the words are
    those of each space-separated token, and a long text of many texts repeats its
    tokens: each distinct one is folded once.
    """
    if text.isascii():
        return set(_WORD.findall(text.lower()))
    found = set()
    for token in set(text.split()):
        found.update(_token_words(token))
    return found


def fold(text):
    """Lower-case and accent-free, with each folded character's index in `text`.

    Every page, API answer and export row folds its texts: when each character
    folds to one (ASCII, and most accented letters), the indexes are the
    positions themselves, with no list built character by character.
    """
    if text.isascii():
        return text.lower(), range(len(text))
    others = {ord(ch): _fold_char(ch) for ch in set(text) if not ch.isascii()}
    if all(len(folded) == 1 for folded in others.values()):
        return text.translate(_ASCII_LOWER | others), range(len(text))
    pieces = [_fold_char(ch) for ch in text]
    folded = "".join(pieces)
    origin = []
    for i, piece in enumerate(pieces):
        origin.extend([i] * len(piece))
    return folded, origin


def words(text):
    """The folded words of `text`."""
    return _WORD.findall(fold(str(text or ""))[0])


def name_terms(name):
    """The full name and its distinctive parts, as tuples of folded words."""
    parts = words(name)
    if not parts:
        return []
    terms = [tuple(parts)]
    for part in parts:
        if len(part) >= MIN_PART_LENGTH and part not in PARTICLES:
            terms.append((part,))
    return terms


def place_terms(town, region_spellings=()):
    """The town, and its region's spellings when the town is that region's name."""
    town_words = tuple(words(town))
    if not town_words:
        return []
    spellings = {tuple(words(s)) for s in region_spellings if s}
    terms = [town_words]
    if town_words in spellings:
        terms.extend(s for s in spellings if s)
    return terms


def contact_terms(field, value):
    """The ways a hidden contact may be written in another text (see the docstring)."""
    if field == "contact_phone":
        digits = re.sub(r"\D", "", value)
        national = digits[-NATIONAL_DIGITS:]
        pairs = tuple(national[i : i + 2] for i in range(0, len(national), 2))
        candidates = [tuple(words(value)), (digits,), (national,), pairs]
    elif field == "social_links":
        links = social_link_list(value)
        bare = [re.sub(r"^[a-z]+://(www\.)?", "", link, flags=re.I) for link in links]
        candidates = [tuple(words(link)) for link in [*links, *bare]]
    else:
        candidates = [tuple(words(value))]
    return [term for term in dict.fromkeys(candidates) if term]


@dataclass(frozen=True)
class Term:
    words: tuple
    kind: str


class PublicText:
    """A compiled table of withheld terms. Cheap to apply; build it once per data change.

    A text is matched word by word: each of its folded words that starts a term is
    tried against the terms it starts, most words first, and a match resumes after
    its last word. One regular expression of every term, tried at each position, cost
    1.3 s to compile and 7 ms for a 30-word text at 10,000 hidden names (5.8 s and
    156 ms at 50,000); this costs a dictionary lookup per word.
    """

    def __init__(self, names=(), places=(), contacts=()):
        table = {}
        for term in places:
            table[term] = PLACE
        for term in contacts:
            table[term] = CONTACT
        for term in names:  # a word that is both is a name: the stronger protection
            table[term] = NAME
        self._file(table)

    @classmethod
    def of_terms(cls, table):
        """The PublicText of `table`, {(folded words): kind}, as `terms()` gives it."""
        rule = cls.__new__(cls)
        rule._file(dict(table))
        return rule

    def _file(self, table):
        self.table = table
        # {first word: the terms it starts, most words first}, so that a full name
        # wins over its parts and becomes one marker. A text with none of these words,
        # whole, holds no term, which a set intersection says at once.
        starting = {}
        for term in sorted(table, key=len, reverse=True):
            starting.setdefault(term[0], []).append(term)
        self.starting = starting
        self.first_words = frozenset(starting)

    @classmethod
    def from_database(cls):
        """The table for the data as it is now: two queries (each hidden name once:
        people's names repeat)."""
        from .models import Organisation, Person

        names = []
        hidden = Person.objects.hidden().order_by().values_list("name", flat=True)
        for name in hidden.distinct():
            names.extend(name_terms(name))
        # The organisations with a sensitive town or a contact, in one query.
        rows = (
            Organisation.objects.filter(gives_withheld_terms())
            .order_by("pk")
            .values(
                "status",
                "sensitive",
                "hq_town",
                "hq_region__name",
                "hq_region__name_en",
                "hq_region__aliases",
                *CONTACTS_IN_TEXT,
                *CONTACTS_IN_TEXT.values(),
            )
        )
        places, contacts = [], []
        for row in rows:
            if row["sensitive"] and row["hq_town"]:
                aliases = [a for a in row["hq_region__aliases"] or [] if isinstance(a, str)]
                spellings = [row["hq_region__name"], row["hq_region__name_en"], *aliases]
                places.extend(place_terms(row["hq_town"], spellings))
            contacts.extend(hidden_contact_terms(row))
        return cls(names, places, contacts)

    def __bool__(self):
        return bool(self.table)

    def holds_none(self, texts):
        """Whether no text of `texts` holds a withheld term: for many short texts, one
        look at all their words at once rather than one per text."""
        if not self.table:
            return True
        return self.first_words.isdisjoint(folded_words("\n".join([t for t in texts if t])))

    def terms(self):
        """{(folded words): "name" or "place"}: what this table withholds."""
        return dict(self.table)

    def kinds_in(self, text):
        """The kinds of withheld term in `text` (empty when it is all public)."""
        return {kind for _start, _end, kind in self._matches(text)}

    def _matches(self, text):
        """[(start, end, kind)] of each withheld term in `text`, in order: whole words,
        with anything but letters and digits between them."""
        if not self.table or not text:
            return []
        if self.first_words.isdisjoint(_WORD.findall(folded_only(text))):
            return []
        folded, origin = fold(text)
        spans = [(m.group(), m.start(), m.end()) for m in _WORD.finditer(folded)]
        words = [word for word, _start, _end in spans]
        found, i = [], 0
        while i < len(words):
            for term in self.starting.get(words[i], ()):
                last = i + len(term) - 1
                if tuple(words[i : last + 1]) == term:
                    start, end = origin[spans[i][1]], origin[spans[last][2] - 1] + 1
                    found.append((start, end, self.table[term]))
                    i = last
                    break
            i += 1
        return found

    def withhold(self, text):
        """`text` with every withheld term replaced by a marker in the reader's language."""
        if text is None:
            return text
        text = str(text)
        matches = self._matches(text)
        if not matches:
            return text
        markers = {
            NAME: gettext("[name withheld]"),
            PLACE: gettext("[place withheld]"),
            CONTACT: gettext("[contact withheld]"),
        }
        pieces, last = [], 0
        for start, end, kind in matches:
            pieces.append(text[last:start])
            pieces.append(markers[kind])
            last = end
        pieces.append(text[last:])
        return "".join(pieces)

    def searchable(self, text):
        """`text` with withheld terms removed, for the search index."""
        if text is None:
            return ""
        text = str(text)
        matches = self._matches(text)
        pieces, last = [], 0
        for start, end, _kind in matches:
            pieces.append(text[last:start])
            pieces.append(" ")
            last = end
        pieces.append(text[last:])
        return "".join(pieces)


def hidden_contact_terms(row):
    """The terms of the contacts of an organisation (a `values()` row) the public may
    not see: its switch off, or the organisation sensitive or unpublished."""
    from .models import Organisation

    shown = row["status"] == Organisation.Status.PUBLISHED and not row["sensitive"]
    terms = []
    for field, switch in CONTACTS_IN_TEXT.items():
        if row[field] and not (shown and row[switch]):
            terms.extend(contact_terms(field, row[field]))
    return terms


NOTHING_WITHHELD = PublicText()

_current = None
# Re-entrant, so that a read of the table made while this thread builds it (a public
# read inside `from_database`) fails at once with a RecursionError instead of
# waiting on itself for ever: a worker frozen, and a test run that hangs, not fails.
_lock = threading.RLock()


def current():
    """The PublicText of the data as it is now (one query to read the data version)."""
    global _current
    token = public_text_version.current()
    cached = _current
    if cached is not None and token is not None and cached[0] == token:
        return cached[1]
    with _lock:
        cached = _current
        if cached is None or token is None or cached[0] != token:
            cached = _current = (token, _loaded_or_built(token))
    return cached[1]


def _loaded_or_built(token):
    """The table at `token`: loaded if another process stored it, or built and stored
    (orgs.public_text_snapshot). Inside a transaction, whose writes may be rolled back
    and whose reads may not be what others see, it is built and kept to itself."""
    from . import public_text_snapshot

    if token is None or connection.in_atomic_block:
        return PublicText.from_database()
    table = public_text_snapshot.stored(token)
    if table is not None:
        return PublicText.of_terms(table)
    rule = PublicText.from_database()
    public_text_snapshot.store(token, rule.table)
    return rule


def withhold(text):
    """`text` as the public may read it (see PublicText.withhold)."""
    return current().withhold(text)


# --- Records as the public reads them ---------------------------------------------


def present(records, table=None, lists=()):
    """Withhold, in memory, the text of records read for the public (see PublicQuerySet).

    Each record, and every record reachable from it that was read with it (through
    `select_related`, `prefetch_related`, or a `Prefetch` into one of the attributes
    `lists` names), gets its model's rule: an organisation's descriptions, postal
    address, contacts not marked public (dropped, orgs.contacts) and the town of a
    sensitive one (dropped); a source's title, publisher and descriptions; a
    citation's quote and locator; a partnership's programme. A partner, a cited
    source or a citation's subject is thus withheld however it was reached. Each is
    marked as a public copy, which refuses to be saved.
    """
    table = table if table is not None else current()
    for record in records:
        _present(record, table, lists)


def _present(record, table, lists):
    rule = _RULES.get(type(record).__name__)
    if rule is None or not _mark(record):
        return
    rule(record, table)
    for related in _read_with(record, lists):
        if related is not None:
            _present(related, table, lists)


def _read_with(record, lists):
    """The records read along with `record`: its cached relations and prefetches."""
    yield from record._state.fields_cache.values()
    for prefetched in getattr(record, "_prefetched_objects_cache", {}).values():
        yield from prefetched
    for name in lists:
        yield from getattr(record, name, ())


def _mark(record):
    if getattr(record, "_public_copy", False):
        return False
    record._public_copy = True
    return True


def _withhold_fields(record, table, model):
    for name in PRESENTED_FIELDS[model]:
        setattr(record, name, table.withhold(getattr(record, name)))


# An organisation's texts the rule withholds terms in (a hidden address is then
# blanked whole, orgs.contacts).
ORGANISATION_TEXTS = ("description_en", "description_fr", "contact_address")


def present_organisation_fields(fields, table):
    """The withholding rule for one organisation's own fields.

    `fields` holds stored values by field name (a `values()` row, or a record's
    fields) and is changed in place: both descriptions and the postal address
    withheld, the contacts not marked public blanked (orgs.contacts), and the town
    of a sensitive organisation dropped. A field that is not there is left out; a
    contact or town that is there needs `sensitive` and its switch beside it.
    """
    if table:  # an empty table leaves every text as it is
        for name in ORGANISATION_TEXTS:
            if name in fields:
                fields[name] = table.withhold(fields[name])
    hide_private(fields)
    if "hq_town" in fields and fields["sensitive"]:
        fields["hq_town"] = ""


def present_rows(model, rows, table=None):
    """Withhold, in place, the text of `values()` rows of `model` read for the public.

    Organisations' rows get the rule their records get; the other models'
    withheld text cannot be read as rows (PublicQuerySet refuses it).
    """
    from .models import Organisation

    if model is Organisation:
        table = table if table is not None else current()
        texts = [row[name] for row in rows for name in ORGANISATION_TEXTS if name in row]
        if table.holds_none(texts):
            table = NOTHING_WITHHELD  # the same result, without a look per text
        for row in rows:
            present_organisation_fields(row, table)


def _present_organisation(org, table):
    fields = {name: getattr(org, name) for name in ORGANISATION_PRESENTED}
    present_organisation_fields(fields, table)
    for name, value in fields.items():
        setattr(org, name, value)


# Each presented model's rule, by model name; a record of any other model read
# along (a region, a focus area) has no withheld text.
_RULES = {
    "Organisation": _present_organisation,
    "Source": functools.partial(_withhold_fields, model="Source"),
    "Citation": functools.partial(_withhold_fields, model="Citation"),
    "Partnership": functools.partial(_withhold_fields, model="Partnership"),
    "Person": functools.partial(_withhold_fields, model="Person"),
}


# --- What curators are told ----------------------------------------------------------


def seed_notices(seeds):
    """Notices for `load_seeds`: each seed text the public will see with something withheld.

    `seeds` is orgs.seed_references' parsed SeedSet; read after writing, so the people the
    files add count. Not errors: withholding is how such a quote is shown.
    """
    table = current()
    if not table:
        return []
    texts = []
    for values, where in seeds.sources.values():
        for key in ("title", "publisher", "description_en", "description_fr"):
            texts.append((f"{where}: source", key, values.get(key)))
    # A hidden person's own citations are never shown: nothing to say about them.
    shown_people = [p for p in seeds.people.values() if p.values.get("is_public", (False,))[0]]
    for entity in [*seeds.organisations.values(), *shown_people]:
        for key in ("description_en", "description_fr"):
            if key in entity.values:
                text, where = entity.values[key]
                texts.append((where, key, text))
        for _fact, _subject, cited in entity.citations:
            texts += [(cited.where, "quote", cited.quote), (cited.where, "locator", cited.locator)]
    for (_org, _relation, _partner, programme), entity in seeds.partnerships.items():
        texts.append((entity.where, "programme", programme))
        for _fact, _subject, cited in entity.citations:
            texts += [(cited.where, "quote", cited.quote), (cited.where, "locator", cited.locator)]
    notices = []
    for where, key, text in texts:
        if text and table.kinds_in(text):
            with_markers = table.withhold(text)
            notices.append(f"{where}: {key} is shown to the public as “{with_markers}”")
    return list(dict.fromkeys(notices))
