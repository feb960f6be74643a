"""How each kind of CDN is told to drop URLs (NEWSROOM_CDN_PURGE).

- "purge": Varnish's convention, one `PURGE <path>` request per URL, sent to Varnish's own
  address (NEWSROOM_CDN_VARNISH_URL) with the public host in the Host header, so it finds the
  object it stored for readers. A PURGE drops every variant (language, encoding) of the URL.
- "ban": one `BAN /` request per host and batch, whose X-Ban-Url header is a regex matching
  exactly the batch's paths (README, "CDN purge", has the VCL that expects it). Fewer requests
  than "purge", at the price of a ban list Varnish works through.
- "cloudflare": `POST /zones/<zone>/purge_cache` on Cloudflare's API with `{"files": [...]}`,
  at most 30 URLs a call (what every plan accepts), authorised by an API token.

Any answer but a 2xx, a timeout or a refused connection raises, and the task tries again later
(cdn.tasks). Requests to Varnish go straight to it, whatever proxy the environment names: its
ACL must see this server's address, and its address is an internal one.
"""

import json
from urllib.parse import quote, urlsplit
from urllib.request import ProxyHandler, Request, build_opener, urlopen

from django.conf import settings

# Cloudflare's purge by URL takes 30 files a call on every plan.
CLOUDFLARE_BATCH = 30
# Varnish refuses request headers past 8 kB by default (http_req_hdr_len): a regex longer than
# this is split over several BANs.
BAN_HEADER_CHARS = 4000
BAN_HEADER = "X-Ban-Url"
# Characters that a reversed path may hold and that mean nothing in a regex. Any other one is
# written as a one-character class ("[.]"), which needs no backslash: Varnish's ban expressions
# and PCRE then read the same regex as Python does.
LITERAL = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/-_~%,;:@=&'!")

direct = build_opener(ProxyHandler({}))


class PurgeRefused(Exception):
    """The CDN answered, but did not purge."""


def purge(urls):
    """Purge `urls` from the configured CDN; returns how many requests that took (0 when no CDN
    is configured any more)."""
    sender = SENDERS.get(settings.NEWSROOM_CDN_PURGE)
    return sender(list(dict.fromkeys(urls))) if sender and urls else 0


def send(request, *, opener=None):
    """Send `request`; its answer's body, or an exception when it was not a 2xx in time."""
    with (opener.open if opener else urlopen)(
        request, timeout=settings.NEWSROOM_CDN_TIMEOUT
    ) as response:
        body = response.read()
        if not 200 <= response.status < 300:  # urllib raises for 4xx and 5xx, not for 1xx/3xx
            raise PurgeRefused(f"{request.get_method()} {request.full_url}: {response.status}")
        return body


def on_varnish(url, method, headers=None):
    """A request for `url`'s path, addressed to Varnish, naming `url`'s host."""
    parts = urlsplit(url)
    path = parts._replace(scheme="", netloc="").geturl() or "/"
    return Request(
        settings.NEWSROOM_CDN_VARNISH_URL + path,
        method=method,
        headers={"Host": parts.netloc, **(headers or {})},
    )


def varnish_purge(urls):
    for url in urls:
        send(on_varnish(url, "PURGE"), opener=direct)
    return len(urls)


def path_regex(paths):
    """A regex that matches exactly `paths`, whole."""
    alternatives = ("".join(c if c in LITERAL else f"[{c}]" for c in path) for path in paths)
    return "^(" + "|".join(alternatives) + ")$"


def ban_batches(urls):
    """(host, regex) pairs covering `urls`, each regex short enough for one header."""
    by_host = {}
    for url in urls:
        parts = urlsplit(url)
        by_host.setdefault(parts.netloc, []).append(
            parts._replace(scheme="", netloc="").geturl() or "/"
        )
    for host, paths in by_host.items():
        batch = []
        for path in paths:
            if batch and len(path_regex([*batch, path])) > BAN_HEADER_CHARS:
                yield host, path_regex(batch)
                batch = []
            batch.append(path)
        yield host, path_regex(batch)


def varnish_ban(urls):
    requests = 0
    for host, regex in ban_batches(urls):
        send(on_varnish(f"http://{host}/", "BAN", {BAN_HEADER: regex}), opener=direct)
        requests += 1
    return requests


def cloudflare_purge(urls):
    zone = quote(settings.NEWSROOM_CDN_CLOUDFLARE_ZONE, safe="")
    endpoint = f"{settings.NEWSROOM_CDN_CLOUDFLARE_API_URL}/zones/{zone}/purge_cache"
    requests = 0
    for start in range(0, len(urls), CLOUDFLARE_BATCH):
        request = Request(
            endpoint,
            method="POST",
            data=json.dumps({"files": urls[start : start + CLOUDFLARE_BATCH]}).encode(),
            headers={
                "Authorization": f"Bearer {settings.NEWSROOM_CDN_CLOUDFLARE_TOKEN}",
                "Content-Type": "application/json",
            },
        )
        answer = json.loads(send(request) or b"{}")
        # A 200 can still say no ({"success": false, "errors": [...]}).
        if answer.get("success") is not True:
            raise PurgeRefused(f"Cloudflare did not purge: {answer.get('errors')!r}")
        requests += 1
    return requests


SENDERS = {"purge": varnish_purge, "ban": varnish_ban, "cloudflare": cloudflare_purge}
