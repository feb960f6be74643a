"""The shared cache's settings when REDIS_URL is set, in one place for settings and tests.

django-redis, not Django's own RedisCache: Django's makes a new client object for every
operation (a fifth of a millisecond each here, more than the round trip itself), and a page
with the page cache off makes several; django-redis keeps one per process.
"""

REDIS_BACKEND = "django_redis.cache.RedisCache"


def redis_cache(location, **options):
    return {"BACKEND": REDIS_BACKEND, "LOCATION": location, **options}
