"""Text search over organisations.

PLACEHOLDER: a naive implementation so other work can call the interface.
The search work replaces it with index-backed search on SQLite and PostgreSQL.
"""

import re
import unicodedata

from django.db.models import Q


def normalise(text):
    """Lower-case, accent-free, punctuation-free: what search compares."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return " ".join(re.findall(r"\w+", text))


def search_organisations(queryset, query):
    words = normalise(query).split()
    for word in words:
        queryset = queryset.filter(Q(search_text__contains=word))
    return queryset


def update_search_text(organisations):
    """Recompute search_text for these organisations (a queryset or iterable)."""
    for org in organisations:
        parts = [org.name, org.name_original, org.acronym, org.description]
        parts += [f.label_en + " " + f.label_fr for f in org.focus_areas.all()]
        for region in org.regions.all():
            parts += region.spellings()
        org.search_text = normalise(" ".join(parts))
        org.save(update_fields=["search_text"])
