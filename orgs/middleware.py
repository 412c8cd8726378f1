"""A database outage is a clean, translated 503 page that tells clients when to retry,
never a traceback. The failed connection is closed, so the next request connects
afresh and the site recovers as soon as the database is back (PostgreSQL's
CONN_HEALTH_CHECKS cannot see a SQLite file that came back; closing can).

A form whose save failed must not lose what was typed: the page says the change
was not saved, shows the values sent, and offers to send them again.
"""

import logging

from django.db import InterfaceError, OperationalError, connections
from django.shortcuts import render

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
# Never written back into a page, not even the sender's own.
SECRET_FIELDS = ("password", "csrfmiddlewaretoken")


def typed_values(request):
    """(name, value) of every field the failed form sent, secrets left out."""
    return [
        (name, value)
        for name, values in request.POST.lists()
        if not any(secret in name.lower() for secret in SECRET_FIELDS)
        for value in values
    ]


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        # OperationalError and InterfaceError are the connection-level failures
        # (server down, connection lost, SQLite file missing or locked too long);
        # other database errors stay 500s: bugs.
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error("Database unavailable: %s", exception)
        for connection in connections.all(initialized_only=True):
            if not connection.in_atomic_block:
                connection.close()
        context = {}
        if request.method == "POST":
            context = {
                "not_saved": True,
                "typed": typed_values(request),
                "csrf_value": request.POST.get("csrfmiddlewaretoken", ""),
            }
        response = render(request, "503.html", context, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
