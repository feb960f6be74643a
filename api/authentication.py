"""Who is calling the content API: an API key (api.models.ApiKey), given in the Authorization
header or, for clients that cannot set headers, in the `key` query parameter."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed

from api.models import ApiKey

KEYWORD = "Api-Key"
QUERY_PARAMETER = "key"
HOW_TO_PASS_A_KEY = _(
    "Pass an API key in the header “Authorization: Api-Key <key>” or in the query string "
    "as ?key=<key>. Administrators create keys in the admin."
)


def given_key(request):
    """The key the request offers, or None when it offers none (another Authorization scheme,
    such as a proxy's Basic credentials, is not an API key)."""
    scheme, _space, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == KEYWORD.lower():
        return credentials.strip()
    return request.query_params.get(QUERY_PARAMETER)


class ApiKeyAuthentication(BaseAuthentication):
    """Returns (None, the ApiKey): a key stands for an application, not for a user."""

    def authenticate(self, request):
        key = given_key(request)
        if key is None:
            return None
        api_key = ApiKey.objects.matching(key)
        if api_key is None:
            raise AuthenticationFailed(_("This API key is not valid."))
        if not api_key.is_active:
            raise AuthenticationFailed(_("This API key has been revoked."))
        api_key.note_use()
        return (None, api_key)

    def authenticate_header(self, request):
        # Makes DRF answer 401 (with this challenge), not 403, when no valid key was given.
        return f'{KEYWORD} realm="api"'


class ApiKeyScheme(OpenApiAuthenticationExtension):
    """The two ways of passing a key, as OpenAPI security schemes (either will do), so Swagger
    UI's "Authorize" button can send one."""

    target_class = ApiKeyAuthentication
    name = ["ApiKeyHeader", "ApiKeyQuery"]

    def get_security_requirement(self, auto_schema):
        return [{name: []} for name in self.name]

    def get_security_definition(self, auto_schema):
        return [
            {
                "type": "apiKey",
                "in": "header",
                "name": "Authorization",
                "description": f'The key with its keyword: "{KEYWORD} nr_…".',
            },
            {
                "type": "apiKey",
                "in": "query",
                "name": QUERY_PARAMETER,
                "description": "The key alone, for clients that cannot set headers.",
            },
        ]
