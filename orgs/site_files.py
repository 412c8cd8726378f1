"""The files crawlers and browsers ask every site for: /robots.txt and /favicon.ico."""

from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

# Crawlers may read every public page; the admin and the machine-readable copies of
# the same data are not pages to index.
ROBOTS = """User-agent: *
Disallow: /admin/
Disallow: /api/
Disallow: /export/
Disallow: /data/mali-cso-directory-

Sitemap: {sitemap}
"""

# The same mark the pages carry inline (templates/base.html), for clients that ask
# for /favicon.ico without reading the page.
FAVICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
    '<rect width="32" height="32" rx="6" fill="#0b5394"/>'
    '<path d="M8 22V10l8 7 8-7v12" fill="none" stroke="#fff" stroke-width="3" '
    'stroke-linejoin="round"/></svg>'
)


@require_safe
@cache_control(max_age=86400, public=True)
def robots_txt(request):
    # The sitemap's address must be absolute.
    text = ROBOTS.format(sitemap=request.build_absolute_uri(reverse("sitemap")))
    return HttpResponse(text, content_type="text/plain; charset=utf-8")


@require_safe
@cache_control(max_age=604800, public=True)
def favicon(request):
    return HttpResponse(FAVICON, content_type="image/svg+xml")
