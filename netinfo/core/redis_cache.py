"""
The shared cache in Redis (django-redis), and the site going on without it while Redis cannot
be reached.

Everything the site keeps in the cache can be rebuilt from the database, so a Redis outage
must not take the site down with it: while Redis cannot be reached, reads find nothing and
writes are dropped (pages are rendered afresh, edits still save). django-redis can ignore
connection errors itself (IGNORE_EXCEPTIONS), but every call would still wait for the socket
timeout, which for a Redis that accepts connections and never answers is the whole timeout on
every cache call of every page. So a failure opens a circuit breaker instead: for
RETRY_AFTER_SECONDS the cache is skipped without asking Redis, then one call tries again. The
outage is logged once when it starts and once when Redis answers again.
"""

import functools
import logging
import threading
import time

from django_redis.cache import RedisCache as DjangoRedisCache
from redis.exceptions import ConnectionError, TimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (ConnectionError, TimeoutError)
RETRY_AFTER_SECONDS = 5.0


class Breaker:
    """What this process knows about one Redis server: reachable, or skipped until a time."""

    def __init__(self, location):
        self.location = location
        self.retry_at = 0.0
        self.down_since = None

    def allows(self):
        return time.monotonic() >= self.retry_at

    def failed(self, operation, error):
        now = time.monotonic()
        self.retry_at = now + RETRY_AFTER_SECONDS
        if self.down_since is None:
            self.down_since = now
            logger.warning(
                "The cache server is unreachable (%s: %s); going on without it and trying "
                "again every %.0f seconds.",
                operation,
                error,
                RETRY_AFTER_SECONDS,
            )

    def succeeded(self):
        if self.down_since is not None:
            logger.warning(
                "The cache server answers again after %.0f seconds.",
                time.monotonic() - self.down_since,
            )
            self.down_since = None


# One breaker per server and process: Django makes a cache object per thread, and what one
# thread learns about the server holds for all of them.
BREAKERS = {}
BREAKERS_LOCK = threading.Lock()


def breaker_for(location):
    with BREAKERS_LOCK:
        if location not in BREAKERS:
            BREAKERS[location] = Breaker(location)
        return BREAKERS[location]


def fails_soft(method, fallback):
    """`method`, answering `fallback(*args)` instead while Redis cannot be reached."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        breaker = breaker_for(self.location)
        if not breaker.allows():
            return fallback(*args, **kwargs)
        try:
            result = method(self, *args, **kwargs)
        except UNREACHABLE as error:
            breaker.failed(method.__name__, error)
            return fallback(*args, **kwargs)
        breaker.succeeded()
        return result

    return wrapper


def nothing(*args, **kwargs):
    return None


def false(*args, **kwargs):
    return False


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self.location = server

    # What each operation answers when Redis cannot be reached: a miss, or a write not made.
    get = fails_soft(DjangoRedisCache.get, lambda key, default=None, *args, **kwargs: default)
    get_many = fails_soft(DjangoRedisCache.get_many, lambda *args, **kwargs: {})
    has_key = fails_soft(DjangoRedisCache.has_key, false)
    add = fails_soft(DjangoRedisCache.add, false)
    set = fails_soft(DjangoRedisCache.set, false)
    set_many = fails_soft(DjangoRedisCache.set_many, lambda data, *args, **kwargs: list(data))
    touch = fails_soft(DjangoRedisCache.touch, false)
    delete = fails_soft(DjangoRedisCache.delete, false)
    delete_many = fails_soft(DjangoRedisCache.delete_many, nothing)
    clear = fails_soft(DjangoRedisCache.clear, false)
    # A count Redis cannot give is 0: a limit counted in the cache (netinfo.core.public_forms)
    # lets requests through while Redis is out of reach.
    incr = fails_soft(DjangoRedisCache.incr, lambda key, delta=1, *args, **kwargs: 0)
