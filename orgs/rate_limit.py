"""How many submissions one address may send in an hour, counted for every worker.

A fixed window per clock hour in the "limits" cache, a table in the database that
every gunicorn worker and server shares; the reader is told the time the window
ends, when they may send again. The address is kept only as a keyed hash, in the
cache key, for at most two hours. django-ratelimit would count the same way in the
same cache; this is the thirty lines we need, and tells us when the window ends.
"""

import datetime
import hashlib
import hmac

from django.conf import settings
from django.core.cache import caches
from django.utils import timezone

WINDOW = datetime.timedelta(hours=1)


def client_address(request):
    """The reader's address: REMOTE_ADDR, or the header a trusted proxy sets."""
    header = settings.CLIENT_ADDRESS_HEADER
    if header:
        meta_key = "HTTP_" + header.upper().replace("-", "_")
        value = request.META.get(meta_key, "").split(",")[-1].strip()
        if value:
            return value
    return request.META.get("REMOTE_ADDR", "")


class SubmissionLimit:
    """`limit.exceeded` is True once this address has sent its quota this hour."""

    def __init__(self, request, *, now=None):
        now = now or timezone.now()
        self.window_start = now.replace(minute=0, second=0, microsecond=0)
        self.retry_at = self.window_start + WINDOW
        address = hmac.new(
            settings.SECRET_KEY.encode(), client_address(request).encode(), hashlib.sha256
        ).hexdigest()[:32]
        self.key = f"submissions:{address}:{self.window_start:%Y%m%d%H}"
        self.cache = caches["limits"]
        self.allowed = settings.SUBMISSIONS_PER_HOUR

    @property
    def count(self):
        return self.cache.get(self.key, 0)

    @property
    def exceeded(self):
        return self.count >= self.allowed

    def record(self):
        """Count one submission from this address."""
        timeout = int(WINDOW.total_seconds()) * 2
        if not self.cache.add(self.key, 1, timeout):
            try:
                self.cache.incr(self.key)
            except ValueError:  # expired in between
                self.cache.set(self.key, 1, timeout)

    @property
    def retry_after_seconds(self):
        return max(1, int((self.retry_at - timezone.now()).total_seconds()))
