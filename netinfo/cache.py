"""
Django's Redis cache backend, keeping one redis-py client per connection pool.

Django's RedisCacheClient builds a new redis.Redis object for every cache operation. The
connection pool is shared either way, but building the client (its response callbacks and
event dispatcher) costs about as much as the Redis round trip itself, which doubles the cost
of serving a page from the page cache. redis-py clients are thread-safe, and Django keeps one
cache object per thread anyway.
"""

from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        if index not in self._clients:
            self._clients[index] = super().get_client(key, write=write)
        return self._clients[index]


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
