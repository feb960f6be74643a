"""The content API's data is for holders of an API key (the schema and docs stay open)."""

from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import BasePermission

from api.authentication import HOW_TO_PASS_A_KEY
from api.models import ApiKey


class HasApiKey(BasePermission):
    def has_permission(self, request, view):
        if isinstance(request.auth, ApiKey):
            return True
        # Raised here rather than left to DRF, whose "credentials were not provided" does not
        # say how to provide them.
        raise NotAuthenticated(HOW_TO_PASS_A_KEY)
