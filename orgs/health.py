"""Health check for load balancers: is this process up and can it read the database?

It reads a real table (the one-row facet version), not `SELECT 1`, which SQLite
answers without looking at its file: a missing, emptied or unreadable database is
a 503 here, as it is for every page.

Served by a middleware at the top of the stack as well as by the URL, because a load
balancer probes each backend by its IP address over plain HTTP, with no cookie: the
answer must not depend on ALLOWED_HOSTS, the HTTPS redirect or sessions. It is
tiny, uncached and sets no cookie.
"""

from django.db import DatabaseError
from django.http import HttpResponse
from django.views.decorators.cache import never_cache

from . import facet_version

HEALTH_PATH = "/healthz"


@never_cache
def healthz(request):
    try:
        token = facet_version.current()
    except DatabaseError:
        token = None
    if token is None:
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


class HealthCheckMiddleware:
    """Answers /healthz before any other middleware sees the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == HEALTH_PATH and request.method in ("GET", "HEAD"):
            return healthz(request)
        return self.get_response(request)
