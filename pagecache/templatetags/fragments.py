"""`{% versions_key "sections" "article:12" as key %}`: a key for `{% cache 300 menu key %}` that
changes whenever what the fragment shows does (pagecache.fragments)."""

import logging
import secrets

from django import template

from pagecache.fragments import fragment_version

register = template.Library()
logger = logging.getLogger(__name__)


@register.simple_tag
def versions_key(*names):
    try:
        return fragment_version(names)
    except Exception as exc:  # noqa: BLE001 (a cache outage must not take the page down)
        logger.warning("fragment versions unavailable (%s: %s)", type(exc).__name__, exc)
        # A key no fragment was stored under: the fragment is rendered afresh.
        return f"unversioned-{secrets.token_hex(8)}"
