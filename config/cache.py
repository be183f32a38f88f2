"""The site's cache: Redis, and PostgreSQL in its place while Redis is unreachable.

Redis is a cache and a broker here, never the store of record, so an unreachable Redis must
cost a request a fraction of a second, not an error. Its client gives up after a short socket
timeout (see CACHES in the settings); after one failure this process leaves Redis alone for
`RETRY_AFTER` seconds, so a hung server costs one timeout per process per interval rather than
one per cache call. Meanwhile every call goes to the fallback cache. For the default cache that
is Django's database cache, which every process and host shares, so allauth's rate limits and
DRF's throttles keep their stated numbers (a per-process memory cache would multiply them by
the number of workers). The search cache falls back to no cache at all: searches are served
fresh, as they are to logged-in users.

Nothing is copied between the two: on failover the rate-limit counters start again in
PostgreSQL, and on recovery Redis answers with what it held (cached searches expire within
their 60-second timeout).
"""

import logging
import time

from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# Only "cannot reach it": a wrong-type reply or incr() of a missing key (ValueError) are answers.
UNREACHABLE = (RedisConnectionError, RedisTimeoutError)

# monotonic time until which each primary alias is left alone, per process; module-level because
# Django builds cache objects per thread, and the live server's threads are per request.
_down_until: dict[str, float] = {}


def _delegated(name: str):
    def method(self, *args, **kwargs):
        return self._call(name, *args, **kwargs)

    method.__name__ = name
    return method


class FailoverCache(BaseCache):
    """OPTIONS: PRIMARY and FALLBACK (cache aliases), RETRY_AFTER (seconds, default 5).

    Key prefixes, versions and timeouts are those of the two caches it delegates to.
    """

    def __init__(self, location, params):
        super().__init__(params)
        options = params.get("OPTIONS", {})
        self.primary_alias = options["PRIMARY"]
        self.fallback_alias = options["FALLBACK"]
        self.retry_after = float(options.get("RETRY_AFTER", 5))

    def primary_reachable(self) -> bool:
        """False while this process is leaving the primary alone after a failure."""
        return time.monotonic() >= _down_until.get(self.primary_alias, 0.0)

    def _call(self, name, *args, **kwargs):
        if self.primary_reachable():
            try:
                return getattr(caches[self.primary_alias], name)(*args, **kwargs)
            except UNREACHABLE as error:
                _down_until[self.primary_alias] = time.monotonic() + self.retry_after
                logger.warning("Cache %r unreachable (%s); using %r for the next %.0f s",
                               self.primary_alias, error, self.fallback_alias, self.retry_after)
        return getattr(caches[self.fallback_alias], name)(*args, **kwargs)

    add = _delegated("add")
    get = _delegated("get")
    set = _delegated("set")
    touch = _delegated("touch")
    delete = _delegated("delete")
    get_many = _delegated("get_many")
    set_many = _delegated("set_many")
    delete_many = _delegated("delete_many")
    has_key = _delegated("has_key")
    incr = _delegated("incr")
    decr = _delegated("decr")
    clear = _delegated("clear")

    def close(self, **kwargs):
        """The delegates are closed by Django themselves (each is a cache of its own)."""


class ReusedRedisClient(RedisCacheClient):
    """Django's Redis cache client, keeping one redis-py client per connection pool.

    Django builds a new redis-py client for every cache call, and building one (its table of
    170 reply parsers) took 0.15 ms, more than the call itself on loopback; the client holds no
    connection of its own (it borrows one from the pool for each command), so one serves every
    call and thread.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    """django.core.cache.backends.redis.RedisCache with ReusedRedisClient."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedRedisClient
