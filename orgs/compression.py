"""HTML and data compressed on the way out: brotli, zstd or gzip, as the client accepts.

django-compression-middleware does the work (Django's GZipMiddleware extended to
brotli and zstd). Against BREACH, which recovers a secret from the compressed size
of a page that holds it next to text an attacker can inject, three kinds of answer
are sent uncompressed: a page that holds a CSRF token (the organisations'
confirmation page), every admin page (a signed-in curator's session and tokens)
and every answer to a post (it may show what was typed). Public reading pages,
the forms' pages among them, hold no secret, so compressing them is safe.
"""

from compression_middleware.middleware import CompressionMiddleware
from django.conf import settings


def holds_a_secret(request, response):
    """A CSRF token, the admin, or an answer to a post (which may echo what was sent).

    Django sends the CSRF cookie with every response whose page used the token, so
    the cookie tells which pages hold one.
    """
    return (
        settings.CSRF_COOKIE_NAME in response.cookies
        or request.method not in ("GET", "HEAD")
        or request.path_info.startswith("/admin/")
    )


class SafeCompressionMiddleware(CompressionMiddleware):
    def process_response(self, request, response):
        if holds_a_secret(request, response):
            return response
        return super().process_response(request, response)
