"""The language is in the address: `/fr/…` and `/en/…`.

A public page's language is its prefix, never a cookie, so each page has one
address per language that can be linked, shared, cached and indexed. An address
without a prefix (`/`, and every address the site had before, `/orgs/?region=mopti`)
redirects to the prefixed one in the reader's language, chosen by Accept-Language
alone: the first of French or English the browser names, and French when it names
neither, since most readers read French first. The redirect varies on
Accept-Language and on nothing else (no cookie is read).

The admin, the API, the exports, `/healthz` and the site files stay unprefixed;
there Django's usual choice (Accept-Language) applies.
"""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.middleware.locale import LocaleMiddleware
from django.urls import get_script_prefix, is_valid_path
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation.trans_real import parse_accept_lang_header

from . import caching

DEFAULT_FOR_READERS = "fr"
CODES = [code for code, _name in settings.LANGUAGES]
# Open Graph names locales as language_TERRITORY, from the list its readers know.
OG_LOCALES = {"fr": "fr_FR", "en": "en_GB"}


def reader_language(request):
    """The first of our languages that Accept-Language names, by preference; else French."""
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")[:500]
    for code, _quality in parse_accept_lang_header(header):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return DEFAULT_FOR_READERS


def address_language(path):
    """The language an address is in (`/fr/orgs/` is French), or None if unprefixed."""
    return translation.get_language_from_path(path)


def in_language(path, code):
    """The same address in language `code`: `/fr/orgs/?q=x` becomes `/en/orgs/?q=x`."""
    current = address_language(path)
    return f"/{code}/{path[len(current) + 2 :]}" if current else path


def without_language(path):
    """The unprefixed address, which redirects by Accept-Language (hreflang x-default)."""
    current = address_language(path)
    return path[len(current) + 1 :] if current else path


def prefixed_address(request, language):
    """The prefixed address this unprefixed request means, or None if there is none."""
    path = request.path_info
    if is_valid_path(path):  # the admin, the API, the exports, the site files
        return None
    with translation.override(language):
        target = f"/{language}{path}"
        if is_valid_path(target):
            slash = False
        elif settings.APPEND_SLASH and not path.endswith("/") and is_valid_path(target + "/"):
            slash = True
        else:
            return None
    prefix = get_script_prefix()
    full = request.get_full_path(force_append_slash=slash)
    return full.replace(prefix, f"{prefix}{language}/", 1)


class LanguageInAddressMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware, with the redirect chosen by Accept-Language alone."""

    def process_request(self, request):
        if address_language(request.path_info) is None:
            language = reader_language(request)
            target = prefixed_address(request, language)
            if target is not None:
                translation.activate(language)  # for Content-Language, as Django does
                redirect = HttpResponseRedirect(target)
                # The same for every reader whose browser names the same languages.
                patch_vary_headers(redirect, ("Accept-Language",))
                return caching.make_public(redirect)
        return super().process_request(request)

    def process_response(self, request, response):
        if address_language(request.path_info) is None:
            # The admin, the API and the exports follow Accept-Language.
            patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


def addresses(request):
    """Template context: this page's canonical address, its alternates, the switch.

    Only on pages whose address carries a language; absolute addresses, as search
    engines require for canonical and hreflang links.
    """
    path = request.get_full_path()
    current = address_language(request.path_info)
    if current is None:
        return {}
    absolute = request.build_absolute_uri
    return {
        "canonical_url": absolute(path),
        "alternate_urls": [(code, absolute(in_language(path, code))) for code in CODES],
        "x_default_url": absolute(without_language(path)),
        "og_locale": OG_LOCALES[current],
        "og_locale_alternates": [OG_LOCALES[code] for code in CODES if code != current],
        "other_languages": [
            (code, translation.get_language_info(code)["name_local"], in_language(path, code))
            for code in CODES
            if code != current
        ],
    }
