"""The signature on every delivery, and how a receiver checks it (README shows the same steps).

    Newsroom-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>." + body, keyed by the
    endpoint's secret>

The timestamp is signed with the body, so a receiver that refuses old timestamps cannot be
replayed a delivery it accepted before.
"""

import hashlib
import hmac
import time

HEADER = "Newsroom-Signature"
TOLERANCE_SECONDS = 300


def signature(secret, timestamp, body):
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secret, body, *, timestamp=None):
    timestamp = int(time.time()) if timestamp is None else timestamp
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def verify(secret, body, header, *, now=None, tolerance=TOLERANCE_SECONDS):
    """True when `header` signs `body` with `secret`, at a time within `tolerance` of `now`."""
    try:
        parts = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), parts.get("v1", ""))
