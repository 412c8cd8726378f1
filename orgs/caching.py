"""Public pages may be kept by shared caches; pages with a form or a session may not.

One rule, applied to every response on its way out: a page in a language
(`/fr/…`, `/en/…`) answered to a GET or HEAD with 200 or a redirect, that set no
cookie (a page with a CSRF token sets its cookie) and does not vary on one, is
the same bytes for every reader, so it says
`Cache-Control: public, max-age=0, s-maxage=300`. A shared cache (a proxy, a CDN,
an office's cache on a costly link) may keep it five minutes: that takes the load
off a slow server while bounding how long a cache may still show what a curator
has just unpublished or hidden (a person hidden at an organisation's request
must disappear soon, not tomorrow). A browser checks again at each visit, so a
reader or a curator who has just published sees the change at once; with the
page's ETag that check costs a 304 of a few hundred bytes, not the page. A view
that set its own Cache-Control keeps it: the forms and the confirmation page say
`no-store` (`never_cache`), as does the admin.
"""

from django.utils import translation
from django.utils.cache import patch_cache_control

PUBLIC_MAX_AGE = 300
CACHEABLE_STATUS = {200, 301, 302}


def make_public(response):
    patch_cache_control(response, public=True, max_age=0, s_maxage=PUBLIC_MAX_AGE)
    return response


def same_for_everyone(request, response):
    """Whether nothing in this response belongs to one reader."""
    return (
        request.method in ("GET", "HEAD")
        and response.status_code in CACHEABLE_STATUS
        and not response.cookies
        and not response.has_header("Set-Cookie")
        and "Cookie" not in response.get("Vary", "")
    )


class PublicCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            translation.get_language_from_path(request.path_info)
            and not response.has_header("Cache-Control")
            and same_for_everyone(request, response)
        ):
            make_public(response)
        return response
