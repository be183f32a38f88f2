"""A short cache of anonymous search responses, invalidated whenever public listings change.

Most searches are anonymous and repeat (a specialty, a state, "free"), and a page of ranked
results over 100,000 listings costs far more than serving it again. Responses are stored under
a key that holds the current listings version, which `listings_changed()` bumps on every
publication, return, archive and slot change; the timeout bounds what a change made outside the
services (say, in the Django admin) can leave stale. Logged-in users, whose pages carry their
own navigation, are never served from here.
"""

import hashlib
import time
from functools import wraps

from django.core.cache import caches
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.connection import ConnectionProxy

# Redis, or nothing while Redis is unreachable (then every search is served fresh).
cache = ConnectionProxy(caches, "search")
VERSION_KEY = "rotations:listings-version"
TIMEOUT = 60
# Each process remembers the version this long, saving a Redis round trip on most hits; another
# process's change reaches it within this delay (its own changes at once).
VERSION_MEMO_SECONDS = 1.0
_memo = {"version": None, "until": 0.0}


def listings_changed() -> None:
    """Make every cached search answer stale (call after anything public about listings changes)."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # no version yet: the first change starts the count
        cache.set(VERSION_KEY, 2, None)
    _memo["until"] = 0.0


def _version():
    now = time.monotonic()
    if now >= _memo["until"]:
        _memo["version"], _memo["until"] = cache.get_or_set(VERSION_KEY, 1, None), now + VERSION_MEMO_SECONDS
    return _memo["version"]


def wants_results_only(request) -> bool:
    """An HTMX search asks for the results fragment; a history restore after a cache miss needs
    the whole page though it comes from HTMX (the view and the cache key both decide by this)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def _key(request, version) -> str:
    query = "&".join(sorted(request.GET.urlencode().split("&")))
    kind = "htmx" if wants_results_only(request) else "full"
    digest = hashlib.sha256(f"{request.path}?{query}".encode()).hexdigest()
    return f"rotations:search:{version}:{kind}:{digest}"


def cache_anonymous_search(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method != "GET" or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        key = _key(request, _version())
        cached = cache.get(key)
        if cached is not None:
            content, content_type = cached
            response = HttpResponse(content, content_type=content_type)
            patch_vary_headers(response, ["HX-Request", "Cookie"])
            return response
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response.render()  # DRF responses render lazily
        if response.status_code == 200 and not response.cookies:
            cache.set(key, (response.content, response["Content-Type"]), TIMEOUT)
        patch_vary_headers(response, ["HX-Request", "Cookie"])
        return response

    return wrapped
