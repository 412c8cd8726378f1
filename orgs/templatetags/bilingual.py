"""`lang` attributes for text shown in the other language than the page's (orgs.bilingual)."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
def lang_attr(shown):
    """` lang="fr"` for a text in another language than the page's, else nothing."""
    lang = getattr(shown, "lang", "")
    return format_html(' lang="{}"', lang) if lang else ""
