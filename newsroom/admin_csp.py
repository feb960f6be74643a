"""The Content-Security-Policy: django-csp's middleware, with what the admin needs on top.

The public site's policy is in settings (CONTENT_SECURITY_POLICY): no script at all. The admin
runs its own script files and one inline import map, the rich-text editor's, which carries the
request's nonce (articles.admin.articles); Django's admin templates use inline style attributes.
"""

from csp.constants import NONCE, SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware

ADMIN_DIRECTIVES = {"script-src": [SELF, NONCE], "style-src": [SELF, UNSAFE_INLINE]}


def is_admin(request):
    match = getattr(request, "resolver_match", None)
    return match is not None and "admin" in match.namespaces


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if is_admin(request):
            # A view's own csp_replace still has the last word.
            parts.replace = ADMIN_DIRECTIVES | (parts.replace or {})
        return parts
