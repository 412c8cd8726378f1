"""Public pages served again from memory while their data has not changed, with an
ETag, and 304 to a reader who already holds them.

Rendering a listing costs many times what serving its bytes does, and most requests
ask for a page someone asked for a moment ago. So each server process keeps the
finished responses of public reading pages (the home, the listing, organisation,
region and source pages, in `/fr/` or `/en/`) under a key of:

- the page version (orgs.page_version), which the database changes on every write
  to anything a public page shows: an entry is never served once its data changed;
- the scheme, host and address with its query string: the language is in the
  address (`/fr/orgs/`), and pages hold absolute links built from the host;
- the encoding the page is compressed in for this reader (orgs.compression): this
  middleware sits outside the compression middleware and keeps the bytes sent,
  with every header the inner layers set (Vary, Cache-Control, the
  Content-Security-Policy, which names no per-request nonce, so it fits the
  stored page as it did the first).

The ETag is a digest of the bytes, so it differs by language and by encoding;
`If-None-Match` with it answers 304 without a body.

Only anonymous readers: a request with a session cookie (a curator) or a messages
cookie (a message waiting to be shown) is never served from the cache nor stored.
Only pages the same for everyone are kept: what orgs.caching marked public (a GET
answered 200 that set no cookie), not streamed. A reader who asks for a fresh copy
(`Cache-Control: no-cache`, a forced reload) gets one rendered, which is kept.
When the database cannot be read, nothing is served from here: the request goes on
to the layers that answer 503. At most MAX_BYTES per process; the least recently
used entries go first.
"""

import hashlib
import threading
from collections import OrderedDict

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import DatabaseError
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import get_conditional_response

from . import page_version
from .compression import chosen_encoding
from .language import address_language

CACHED_VIEWS = {
    "orgs:home",
    "orgs:org_list",
    "orgs:org_detail",
    "orgs:region_list",
    "orgs:region_detail",
    "orgs:source_list",
    "orgs:source_detail",
}
MAX_BYTES = 32 * 1024 * 1024
# What a 304 repeats of the page it stands for (RFC 9110, 15.4.5).
KEPT_IN_304 = ("ETag", "Cache-Control", "Vary", "Content-Language", "Expires")


class PageStore:
    """A bounded, thread-safe map of keys to (headers, body, etag)."""

    def __init__(self, max_bytes=MAX_BYTES):
        self.max_bytes = max_bytes
        self.entries = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None:
                self.entries.move_to_end(key)
            return entry

    def put(self, key, entry):
        body = entry[1]
        if len(body) > self.max_bytes // 8:
            return
        with self.lock:
            old = self.entries.pop(key, None)
            if old is not None:
                self.size -= len(old[1])
            self.entries[key] = entry
            self.size += len(body)
            while self.size > self.max_bytes and self.entries:
                _key, dropped = self.entries.popitem(last=False)
                self.size -= len(dropped[1])

    def clear(self):
        with self.lock:
            self.entries.clear()
            self.size = 0


store = PageStore()


def forget_on_setting_change(**kwargs):
    """A page rendered under other settings is another page (tests override them)."""
    store.clear()


def anonymous(request):
    """No session (a curator) and no message waiting: the page is everyone's."""
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and CookieStorage.cookie_name not in cookies


def wants_fresh(request):
    return "no-cache" in request.headers.get("Cache-Control", "") or "no-cache" in (
        request.headers.get("Pragma", "")
    )


def keepable(request, response):
    """A public reading page, the same for everyone (orgs.caching marked it public)."""
    match = getattr(request, "resolver_match", None)
    return (
        request.method == "GET"
        and match is not None
        and match.view_name in CACHED_VIEWS
        and response.status_code == 200
        and not response.streaming
        and "public" in response.get("Cache-Control", "")
        and not response.cookies
        and not response.has_header("Set-Cookie")
    )


def etag_of(body):
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


def replay(request, entry):
    headers, body, etag = entry
    response = HttpResponse(body)
    for name, value in headers:
        response[name] = value
    return conditional(request, response, etag)


def conditional(request, response, etag):
    """The response, or a 304 when the reader already holds these bytes."""
    response["ETag"] = etag
    not_modified = get_conditional_response(request, etag=etag, response=response)
    if isinstance(not_modified, HttpResponseNotModified):
        for name in KEPT_IN_304:
            if name in response:
                not_modified[name] = response[name]
        return not_modified
    return response


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method not in ("GET", "HEAD")
            or not address_language(request.path_info)
            or not anonymous(request)
        ):
            return self.get_response(request)
        try:
            token = page_version.current()
        except DatabaseError:
            token = None  # the inner layers answer 503
        if token is None:
            return self.get_response(request)
        # get_host() checks ALLOWED_HOSTS: an unknown host is a 400, never a page.
        key = (
            token,
            request.scheme,
            request.get_host(),
            request.get_full_path(),
            chosen_encoding(request),
        )
        if not wants_fresh(request) and (entry := store.get(key)) is not None:
            return replay(request, entry)
        response = self.get_response(request)
        if keepable(request, response):
            body = response.content
            etag = etag_of(body)
            store.put(key, (list(response.items()), body, etag))
            return conditional(request, response, etag)
        return response
