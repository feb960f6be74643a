"""Exports uploaded in the admin wait here between the dry run and the confirmation: under
var/imports (NEWSROOM_IMPORT_DIR), never under MEDIA_ROOT, which the web server serves to
anyone (an export holds drafts, private posts and authors' email addresses)."""

import re
import secrets
from pathlib import Path

from django.conf import settings

TOKEN = re.compile(r"[0-9a-f]{32}")


def folder():
    path = Path(settings.NEWSROOM_IMPORT_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def keep(uploaded):
    """Store an uploaded file; returns the token that names it."""
    token = secrets.token_hex(16)
    with (folder() / token).open("wb") as out:
        for chunk in uploaded.chunks():
            out.write(chunk)
    return token


def path_of(token):
    """The kept file of `token`, or None (a token is ours only if it has our shape)."""
    if not isinstance(token, str) or not TOKEN.fullmatch(token):
        return None
    path = folder() / token
    return path if path.is_file() else None
