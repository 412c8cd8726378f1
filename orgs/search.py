"""Text search over organisations: what a query matches, and in which order.

What a person notices, the same on both databases:

- Case and accents never matter: ``segou`` finds what ``Ségou`` finds. Text and
  queries both go through `normalise()` in Python, so both databases compare the
  same accent-free, lower-case words.
- Searched: names in both languages, the acronym, both descriptions, focus areas
  (English and French labels) and regions (official name, English name, other
  spellings) of the regions of work and of the headquarters region. Not searched:
  the headquarters town (hidden for sensitive organisations) and people, nor what
  the public-text rule withholds (orgs.search_upkeep keeps it out of the index).
- Every word must match (``women kayes`` narrows). A word of three characters or
  more matches as a prefix of a word (``peacebuild`` finds peacebuilding, ``add``
  finds additional); shorter words match whole words only. At most 32 distinct
  words count; a word over 60 characters can match nothing, so finds nothing.
  Single letters only (``A.J.E.C.``) are read as one acronym (``ajec``).
- Ranking, best first, in three tiers: 3 = the query is exactly the acronym
  (``AJEC`` puts AJEC first, above AJCET, which it does not even match); 2 = every
  word is in the acronym or a name; 1 = the rest. Within a tier, name order: the
  accent- and case-insensitive ``sort_name``, then the id.
- A query with no words (empty, punctuation, emoji) leaves the queryset as it
  was: unfiltered and unordered. User input never reaches FTS5 or tsquery syntax:
  only normalised words (letters and digits) do, each one quoted.

Two readers of the same rules:

- In SQL (`search_organisations`, for the admin, other orders and exports): the
  index finds the matches (FTS5 ``MATCH`` on SQLite, ``search_vector @@
  to_tsquery`` on PostgreSQL, orgs.search_schema), then an equality on
  search_acronym and LIKE ``'% word%'`` on search_names rank them.
- In memory, in rank order (orgs.facets, for the public listing, region pages and
  the API list): the database gives each query's matches once per data version
  (`matching_id_list`); the tiers are then bitmaps keyed by name rank, and a page is a
  slice of them, whatever the number of matches. Ranking every match in SQL and
  sorting it cost 48 of the 64 ms of a common word's first page at 100,000
  organisations, on every request.
"""

import re
import unicodedata

from django.db import connection
from django.db.models import BooleanField, Case, F, Func, IntegerField, Value, When

from .search_schema import FTS_TABLE, PG_COLUMN, PG_CONFIG

MAX_WORDS = 32
MAX_WORD_LENGTH = 60
PREFIX_MIN_LENGTH = 3

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


# --- Searching -------------------------------------------------


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
        self.patterns = [f"% {w}%" if is_prefix(w) else f"% {w} %" for w in words]

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


def is_prefix(word):
    return len(word) >= PREFIX_MIN_LENGTH


def _fts5_query(words):
    return " ".join(f'"{w}"*' if is_prefix(w) else f'"{w}"' for w in words)


def _tsquery(words):
    return " & ".join(f"'{w}':*" if is_prefix(w) else f"'{w}'" for w in words)


def search_organisations(queryset, query):
    """Organisations of `queryset` matching every word of `query`, best first.

    Annotates ``relevance`` (3 exact acronym, 2 every word in a name, 1 the rest)
    and orders by it, then by name (``sort_name``, then id): the order the facet
    index (orgs.facets) reads in memory for the public listing and API. A query
    without words returns `queryset` unchanged.

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
        .order_by("-relevance", "sort_name", "pk")
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


def matching_id_list(query):
    """Ids of every organisation (of any status) matching `query`, straight from the
    index, as a list; None for a query without words.

    The facet index's reader: one plain index read, without the table lookup and
    the ORM rows of `matching_ids` (a quarter of the time for a word found 50,000 times).
    """
    words = query_words(query)
    if not words:
        return None
    if any(len(w) > MAX_WORD_LENGTH for w in words):
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            sql = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"
            cursor.execute(sql, [_fts5_query(words)])
        else:
            sql = (
                f"SELECT id FROM orgs_organisation "
                f"WHERE {PG_COLUMN} @@ to_tsquery('{PG_CONFIG}'::regconfig, %s)"
            )
            cursor.execute(sql, [_tsquery(words)])
        return [pk for (pk,) in cursor.fetchall()]
