"""
Django's Redis cache backend, keeping one redis-py client per connection pool, and going on
without the cache while Redis is unreachable.

Django's RedisCacheClient builds a new redis.Redis object for every cache operation. The
connection pool is shared either way, but building the client (its response callbacks and
event dispatcher) costs about as much as the Redis round trip itself, which doubles the cost
of serving a page from the page cache. redis-py clients are thread-safe, and Django keeps one
cache object per thread anyway.

Everything the site keeps in the cache can be rebuilt from the database, so a Redis outage
must not take the site down with it: while Redis cannot be reached, reads find nothing and
writes are dropped (pages are rendered afresh, edits still save), and each failure is logged.
Pages stored before an outage expire after NETINFO_PAGE_CACHE_SECONDS at the latest.
"""

import functools
import logging

from django.core.cache.backends import redis as django_redis
from redis.exceptions import ConnectionError, TimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (ConnectionError, TimeoutError)


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        if index not in self._clients:
            self._clients[index] = super().get_client(key, write=write)
        return self._clients[index]


def fails_soft(method, fallback):
    """`method`, returning `fallback(*args)` and logging instead of raising while Redis is down."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except UNREACHABLE as error:
            logger.warning(
                "The cache server is unreachable (%s: %s); going on without it.",
                method.__name__,
                error,
            )
            return fallback(*args, **kwargs)

    return wrapper


def nothing(*args, **kwargs):
    return None


def false(*args, **kwargs):
    return False


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient

    # What each operation answers when Redis cannot be reached: a miss, or a write not made.
    get = fails_soft(django_redis.RedisCache.get, lambda key, default=None, version=None: default)
    get_many = fails_soft(django_redis.RedisCache.get_many, lambda *args, **kwargs: {})
    has_key = fails_soft(django_redis.RedisCache.has_key, false)
    add = fails_soft(django_redis.RedisCache.add, false)
    set = fails_soft(django_redis.RedisCache.set, nothing)
    set_many = fails_soft(
        django_redis.RedisCache.set_many, lambda data, *args, **kwargs: list(data)
    )
    touch = fails_soft(django_redis.RedisCache.touch, false)
    delete = fails_soft(django_redis.RedisCache.delete, false)
    delete_many = fails_soft(django_redis.RedisCache.delete_many, nothing)
    clear = fails_soft(django_redis.RedisCache.clear, false)
