"""Texts kept in French and English: which one a reader gets, and in what language it is.

A page in one language shows the text in that language when there is one, else the
other with its language, so the template can give it a `lang` attribute and a screen
reader or a translation tool knows what it reads. Organisation names follow the same
rule: `name` is the English (common) name and `name_original` the French (original)
one; a page leads with the name in its own language and shows the other beneath.
"""

from typing import NamedTuple

from django.utils.translation import get_language

LANGUAGES = ("fr", "en")


class Shown(NamedTuple):
    """A text as a page shows it: `lang` is its language when it is not the page's, else ""."""

    text: str
    lang: str = ""

    def __str__(self):
        return self.text

    def __bool__(self):
        return bool(self.text)


def site_language(code):
    """The site's language, "fr" or "en", for a language code ("fr", "fr-ml", None)."""
    return "fr" if (code or "en").startswith("fr") else "en"


def reader_language():
    """The language of the page being written: "fr" or "en"."""
    return site_language(get_language())


def other_language(language):
    return "en" if language == "fr" else "fr"


def pick(en, fr):
    """The text in the reader's language, or else the other one marked with its language."""
    here = reader_language()
    texts = {"en": en or "", "fr": fr or ""}
    if texts[here]:
        return Shown(texts[here])
    there = other_language(here)
    return Shown(texts[there], there) if texts[there] else Shown("")


class Names(NamedTuple):
    """An organisation's names on a page: the one to lead with, and the other (or None)."""

    first: Shown
    other: Shown | None


def names(name, name_original):
    """The name in the reader's language first, the other beneath when it differs.

    `name` is English unless it is the original itself (some organisations are known
    in English by their French name: Aide au Développement Durable).
    """
    here = reader_language()
    name_lang = "fr" if name_original and name == name_original else "en"
    by_language = {"en": "", "fr": name_original or ""}
    by_language[name_lang] = by_language[name_lang] or name

    def shown(language):
        return Shown(by_language[language], "" if language == here else language)

    if not by_language[here]:
        return Names(shown(other_language(here)), None)
    there = other_language(here)
    other = by_language[there]
    return Names(shown(here), shown(there) if other and other != by_language[here] else None)
