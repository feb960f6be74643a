"""Deploy checks of the project's own settings (`manage.py check --deploy`).

The settings already refuse to start without NEWSROOM_BASE_URL when DEBUG is off; these catch a
value that is set but would still send search engines and readers somewhere they cannot go.
"""

from ipaddress import ip_address
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

SET_IT = "Set NEWSROOM_BASE_URL to the site's public address, e.g. https://news.example.org."


def is_local(host):
    """True for a host only this machine can reach: localhost, a loopback or unspecified IP."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


@register(Tags.security, deploy=True)
def check_base_url(app_configs, **kwargs):
    base_url = settings.NEWSROOM_BASE_URL
    parts = urlsplit(base_url)
    if parts.scheme not in {"http", "https"} or not parts.hostname or is_local(parts.hostname):
        return [
            Error(
                f"NEWSROOM_BASE_URL is {base_url!r}: canonical links, Open Graph URLs, "
                "sitemaps, feeds and JSON-LD would announce an address readers and search "
                "engines cannot reach.",
                hint=SET_IT,
                id="newsroom.E001",
            )
        ]
    if parts.scheme == "http" and settings.HTTPS:
        return [
            Warning(
                f"NEWSROOM_BASE_URL is {base_url!r} while the site redirects to HTTPS: "
                "canonical links and feeds would point at the insecure address.",
                hint="Use https:// in NEWSROOM_BASE_URL.",
                id="newsroom.W001",
            )
        ]
    return []
