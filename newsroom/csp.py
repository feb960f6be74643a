"""Content-Security-Policy on every response.

The public site runs no script at all, so its policy allows none (JSON-LD blocks are data,
not script). The admin's own scripts are files; its rich-text editor needs one inline import
map, which is allowed by its hash, computed from the page that carries it. Inline style
attributes stay allowed in the admin only, where Django's own templates use them.
"""

import base64
import hashlib
import re
from urllib.parse import urlsplit

from django.conf import settings

INLINE_SCRIPT = re.compile(
    rb'<script(?![^>]*\bsrc=)(?![^>]*type="application/(?:ld\+)?json")[^>]*>(.*?)</script>',
    re.DOTALL,
)


def media_origin():
    """Where pictures come from when they are not served by this site (S3, a CDN)."""
    options = settings.STORAGES["default"].get("OPTIONS", {})
    if options.get("custom_domain"):
        return f"https://{options['custom_domain']}"
    if options.get("endpoint_url"):
        parts = urlsplit(options["endpoint_url"])
        return f"{parts.scheme}://{parts.netloc}"
    if "S3" in settings.STORAGES["default"]["BACKEND"]:
        return "https://*.amazonaws.com"
    return ""


def script_hashes(content):
    return [
        f"'sha256-{base64.b64encode(hashlib.sha256(body).digest()).decode()}'"
        for body in INLINE_SCRIPT.findall(content)
    ]


def policy(request, response):
    images = " ".join(filter(None, ["'self'", "data:", media_origin()]))
    common = [
        "default-src 'self'",
        f"img-src {images}",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
    if request.path.startswith("/admin/"):
        content = b"" if response.streaming else response.content
        scripts = " ".join(["'self'", *script_hashes(content)])
        common += [f"script-src {scripts}", "style-src 'self' 'unsafe-inline'"]
    else:
        common += ["script-src 'none'", "style-src 'self'"]
    if settings.HTTPS:
        common.append("upgrade-insecure-requests")
    return "; ".join(common)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        header = (
            "Content-Security-Policy-Report-Only"
            if settings.CSP_REPORT_ONLY
            else "Content-Security-Policy"
        )
        if header not in response and "text/html" in response.get("Content-Type", ""):
            response[header] = policy(request, response)
        return response
