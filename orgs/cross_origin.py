"""The public forms refuse posts sent from other sites, without a CSRF cookie.

Django's CSRF protection pairs a cookie with a token in the form, so every page
holding a form would set a cookie on an anonymous GET, which a reading page must
not do (it could not be kept by a shared cache, nor compressed safely). The
public forms carry no reader's credentials; what a forged post could still do is
file submissions from readers' browsers, in their names and around the hourly
limit per address. Browsers say where a post comes from, so the forms check
that instead, as Go's `net/http.CrossOriginProtection` does:

1. `Sec-Fetch-Site` (sent by every current browser): only `same-origin`, or
   `none` (the reader typed or bookmarked the address), may post.
2. Without it, `Origin` (sent by every browser with a cross-site post) must name
   this site, or one of CSRF_TRUSTED_ORIGINS.
3. With neither header, the request is not from a browser (curl, a script): no
   reader's browser can be made to send it, so it is let through, to the same
   validation and limit as any other.

The admin and the organisations' confirmation page (private, behind its secret
link) keep Django's token: they are not reading pages.
"""

from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import get_callable
from django.views.decorators.csrf import csrf_exempt

ALLOWED_FETCH_SITES = ("same-origin", "none")
REASON = "The form was sent from another site (Origin or Sec-Fetch-Site)."


def sent_from_this_site(request):
    """Whether a browser sent this request from one of this site's own pages."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site in ALLOWED_FETCH_SITES
    origin = request.headers.get("Origin")
    if origin is None:
        return True  # not a browser: nobody's browser was made to send it
    if origin in settings.CSRF_TRUSTED_ORIGINS:
        return True
    return urlsplit(origin).netloc == request.get_host()


def refuse_cross_origin_posts(view):
    """A public form's view: posts from other sites get Django's CSRF 403 page."""

    @wraps(view)
    def checked(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD", "OPTIONS") and not sent_from_this_site(request):
            return get_callable(settings.CSRF_FAILURE_VIEW)(request, reason=REASON)
        return view(request, *args, **kwargs)

    return csrf_exempt(checked)
