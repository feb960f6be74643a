"""The one spelling of an address that the redirect table stores and looks up.

A path is kept as an IRI: percent-decoded wherever that is unambiguous (letters, digits and
every non-ASCII character, so "/2020/01/02/été/" reads as an editor types it and as WordPress's
"/2020/01/02/%c3%a9t%c3%a9/" means it), percent-encoded (upper case) where decoding would
change its meaning or hide it: "%" itself, "?", "#", spaces, control characters, NUL. Django
hands the middleware the request's path fully decoded (request.path), so spelling both sides
this way makes a lookup one equality on the unique index. A query string's parameters are
sorted ("?b=2&a=1" is "?a=1&b=2"). Browsers never send a fragment: an old path has none.

Every function here is idempotent: a stored spelling, spelt again, is itself.
"""

import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.encoding import uri_to_iri
from django.utils.translation import gettext_lazy as _

MAX_LENGTH = 500
# RFC 3986's delimiters that a path segment may hold as they are: kept as typed.
SAFE_IN_PATH = "/!$&'()*+,;=:@"
# WordPress's plain links: the home page with a post's or a page's id. The home page answers
# every query itself, so these are the only old addresses on "/" that can redirect.
HOME_KEYS = ("p", "page_id")
DIGITS = re.compile(r"[0-9]{1,18}")
# Raw spaces and control characters in a typed address: browsers drop some of them
# ("java\tscript:" is "javascript:" to them), so such an address is refused, not guessed at.
BLANKS = re.compile(r"[\x00-\x20\x7f]")
# The desk, files, previews, the language switch and the API are never redirected from.
RESERVED_PREFIXES = ("/admin/", "/api/", "/preview/", "/i18n/")


def canonical_path(path):
    """A decoded path (request.path, or a typed one once unquoted), spelt as stored."""
    return uri_to_iri(quote(path, safe=SAFE_IN_PATH))


def canonical_query(query):
    """A raw query string (as sent, percent-encoded), spelt as stored; "" for none."""
    return uri_to_iri(urlencode(sorted(parse_qsl(query, keep_blank_values=True))))


def joined(path, query):
    return f"{path}?{query}" if query else path


def split_stored(address):
    """(path, query) of a stored spelling; a target's fragment is dropped."""
    path, _, query = address.partition("#")[0].partition("?")
    return path, query


def without_slash(path):
    return path.rstrip("/") or "/"


def same_page(first, second):
    """Whether two stored spellings name one page: the middleware tries a path with and
    without its trailing slash, so "/a" and "/a/" are one old address."""
    (path_1, query_1), (path_2, query_2) = split_stored(first), split_stored(second)
    return (without_slash(path_1), query_1) == (without_slash(path_2), query_2)


def candidates(path, query=""):
    """The stored spellings a request for `path`?`query` (both spelt as stored) may match,
    best first: as asked, with or without its trailing slash, then without the query (campaign
    parameters added to an old link)."""
    other = path[:-1] if path.endswith("/") else f"{path}/"
    paths = [path] if path == "/" else [path, other]
    found = [joined(each, query) for each in paths] if query else []
    return [each for each in [*found, *paths] if len(each) <= MAX_LENGTH]


def home_candidates(query_dict):
    """The stored spellings of a request for "/" with WordPress's ?p= or ?page_id=, or []."""
    found = []
    for key in HOME_KEYS:
        value = query_dict.get(key, "")
        if DIGITS.fullmatch(value):
            found.append(joined("/", urlencode({key: int(value)})))
    return found


def is_reserved(path):
    prefixes = [*RESERVED_PREFIXES, settings.STATIC_URL, settings.MEDIA_URL]
    path = f"{split_stored(path)[0]}/"
    return any(prefix.startswith("/") and path.startswith(prefix) for prefix in prefixes)


def typed_parts(value):
    """urlsplit() of an address an editor or an importer gave, refused if it cannot be one."""
    value = str(value).strip()
    if not value:
        raise ValidationError(_("Give a path starting with “/”."), code="empty")
    if BLANKS.search(value):
        raise ValidationError(
            _("Spaces and control characters must be percent-encoded."),
            code="blank",
        )
    try:
        return urlsplit(value)
    except ValueError:
        raise ValidationError(_("This is not a valid address."), code="invalid") from None


def decoded(part):
    try:
        return unquote(part, errors="strict")
    except UnicodeDecodeError:
        # Not text: WordPress and Ghost only make UTF-8 addresses.
        raise ValidationError(_("This is not a valid address."), code="invalid") from None


def spelt(path):
    """canonical_path() of a typed path, which must start with one "/"."""
    if not path.startswith("/"):
        raise ValidationError(_("Give a path starting with “/”."), code="relative")
    try:
        path = canonical_path(path)
    except UnicodeEncodeError:
        raise ValidationError(_("This is not a valid address."), code="invalid") from None
    # "//host" is another site to a browser, however it was spelt ("/%2Fhost").
    if path.startswith("//"):
        raise ValidationError(_("Give a path starting with one “/”."), code="scheme_relative")
    return path


def checked_length(address):
    if len(address) > MAX_LENGTH:
        raise ValidationError(
            _("At most %(max)d characters, as stored."), code="too_long", params={"max": MAX_LENGTH}
        )
    return address


def normalise_old_path(value):
    """The stored spelling of an old address: a path ("/2020/01/02/été/", "/?p=12") or a whole
    http(s) URL of the old site, whose host is dropped (the old site's name now points here)."""
    parts = typed_parts(value)
    if parts.scheme not in ("", "http", "https") or (parts.netloc and not parts.scheme):
        raise ValidationError(
            _("Give a path starting with “/”, or the old page's http(s) address."),
            code="scheme",
        )
    path = spelt(decoded(parts.path) or "/")
    query = canonical_query(parts.query) if parts.query else ""
    if path == "/":
        keys = dict(parse_qsl(query))
        wanted = home_candidates(keys) if len(keys) == 1 else []
        if not wanted:
            raise ValidationError(
                _(
                    "The home page answers every address on “/” itself, except WordPress's "
                    "plain links: /?p=<id> or /?page_id=<id>."
                ),
                code="home",
            )
        return wanted[0]
    address = checked_length(joined(path, query))
    if is_reserved(address):
        raise ValidationError(
            _("Addresses of the desk, of files and of the API cannot redirect."),
            code="reserved",
        )
    return address


def own_hosts():
    return {urlsplit(settings.NEWSROOM_BASE_URL).netloc.lower()}


def normalise_new_path(value):
    """The stored spelling of a target: a path on this site (with a query or a fragment if
    need be). Off-site targets are refused: a redirect table that can send readers anywhere
    is an open redirect, with the site's name on it, one stolen desk account away from
    phishing. A whole URL of this very site is kept as its path."""
    parts = typed_parts(value)
    if (parts.scheme or parts.netloc) and (
        parts.scheme not in ("http", "https") or parts.netloc.lower() not in own_hosts()
    ):
        raise ValidationError(
            _("Redirects stay on this site: give a path starting with “/”."),
            code="off_site",
        )
    # "https://this.site" alone is its home page.
    path = decoded(parts.path) or ("/" if parts.netloc else "")
    address = joined(spelt(path), canonical_query(parts.query))
    if parts.fragment:
        address = f"{address}#{canonical_path(decoded(parts.fragment))}"
    return checked_length(address)
