"""Django's Redis cache backend, keeping one Redis client per connection pool.

`django.core.cache.backends.redis` builds a new `redis.Redis` for every cache operation, and
each one sets up its table of some 170 response callbacks: about a fifth of a millisecond per
access, more than the access itself takes on a nearby Redis. Sessions, rate limits and caches
all go through here, on every request.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:  # a redis.Redis is safe to share: it takes a connection per command
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
