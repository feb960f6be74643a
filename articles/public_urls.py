"""Public URLs of sections, authors and articles, reversed once per slug and process.

A list page links dozens of pieces, each to its section and authors too; reverse() walks the
resolver every time, about a millisecond per page in all. The URLconf does not change while a
process runs; a test that swaps it clears this cache (setting_changed).
"""

from functools import lru_cache

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, reverse


@lru_cache(maxsize=8192)
def _reverse(script_prefix, name, kwargs):
    return reverse(name, kwargs=dict(kwargs))


def public_url(name, **kwargs):
    # The script prefix is part of the key: reverse() puts it in front of every path.
    return _reverse(get_script_prefix(), name, tuple(kwargs.items()))


@receiver(setting_changed)
def forget_urls(setting, **kwargs):
    if setting in ("ROOT_URLCONF", "FORCE_SCRIPT_NAME"):
        _reverse.cache_clear()
