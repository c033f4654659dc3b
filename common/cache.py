"""A Redis cache that a Redis outage does not turn into error pages.

What kongchuo caches (presets, an import's progress) can always be read
again from the database: while Redis is down a read is a miss and a write is
skipped, with a warning in the log, instead of a 500 on every page.
"""

import functools
import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError, TimeoutError

log = logging.getLogger(__name__)
UNAVAILABLE = (ConnectionError, TimeoutError)


def _tolerant(default):
    def wrap(method):
        @functools.wraps(method)
        def inner(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except UNAVAILABLE as e:
                log.warning("cache unavailable (%s): %s skipped", e, method.__name__)
                fallback = kwargs.get("default", default)
                if method.__name__ == "get" and len(args) > 1:
                    fallback = args[1]
                return fallback

        return inner

    return wrap


class TolerantRedisCache(RedisCache):
    get = _tolerant(None)(RedisCache.get)
    get_many = _tolerant({})(RedisCache.get_many)
    set = _tolerant(None)(RedisCache.set)
    set_many = _tolerant([])(RedisCache.set_many)
    add = _tolerant(False)(RedisCache.add)
    delete = _tolerant(False)(RedisCache.delete)
    delete_many = _tolerant(None)(RedisCache.delete_many)
    touch = _tolerant(False)(RedisCache.touch)
    has_key = _tolerant(False)(RedisCache.has_key)
    clear = _tolerant(False)(RedisCache.clear)
