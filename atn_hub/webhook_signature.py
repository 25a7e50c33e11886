"""Signing ATN Hub webhook deliveries, and verifying them: standard library only, so that a receiver can copy
this file as it is.

A delivery is a POST whose body is JSON, with the headers:

- ``X-ATN-Delivery``: the delivery's id (the same on every retry: deduplicate by it),
- ``X-ATN-Event``: the event type, e.g. ``practice.published``,
- ``X-ATN-Timestamp``: when this attempt was signed, in unix seconds,
- ``X-ATN-Signature``: ``t=<timestamp>,v1=<hex HMAC-SHA256 of "<timestamp>.<body>" with the endpoint's secret>``.

A receiver recomputes the HMAC over the raw body bytes (before any JSON parsing), compares in constant time,
and rejects timestamps outside its replay window (5 minutes by default).
"""
from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping

SIGNATURE_HEADER = "X-ATN-Signature"
TIMESTAMP_HEADER = "X-ATN-Timestamp"
DELIVERY_HEADER = "X-ATN-Delivery"
EVENT_HEADER = "X-ATN-Event"
DEFAULT_TOLERANCE = 300  # seconds: the replay window


class SignatureError(ValueError):
    """The delivery is not signed with this secret, or not within the replay window."""


def _as_bytes(value: str | bytes) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else value


def compute(secret: str | bytes, timestamp: int, body: str | bytes) -> str:
    """The hex HMAC-SHA256 of ``"<timestamp>.<body>"``."""
    message = str(int(timestamp)).encode("ascii") + b"." + _as_bytes(body)
    return hmac.new(_as_bytes(secret), message, hashlib.sha256).hexdigest()


def sign(secret: str | bytes, body: str | bytes, timestamp: int | None = None) -> dict[str, str]:
    """The timestamp and signature headers of one attempt to deliver ``body``."""
    timestamp = int(time.time()) if timestamp is None else int(timestamp)
    return {TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: f"t={timestamp},v1={compute(secret, timestamp, body)}"}


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():  # header names are case-insensitive
        if key.lower() == name.lower():
            return value
    return None


def verify(secret: str | bytes, headers: Mapping[str, str], body: str | bytes,
           tolerance: int = DEFAULT_TOLERANCE, now: float | None = None) -> int:
    """Check a delivery's signature; returns its timestamp, or raises ``SignatureError``.

    ``body``: the raw request body, exactly as received. Several ``v1=`` values are accepted (any may match),
    so that a sender may sign with an old and a new secret while a secret is being rotated.
    """
    header = _header(headers, SIGNATURE_HEADER)
    if not header:
        raise SignatureError(f"No {SIGNATURE_HEADER} header.")
    parts = [part.strip().partition("=") for part in header.split(",")]
    timestamps = [value for key, _, value in parts if key == "t"]
    signatures = [value for key, _, value in parts if key == "v1"]
    if len(timestamps) != 1 or not timestamps[0].isdigit() or not signatures:
        raise SignatureError(f"Malformed {SIGNATURE_HEADER} header.")
    timestamp = int(timestamps[0])
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance:
        raise SignatureError("The timestamp is outside the replay window.")
    expected = compute(secret, timestamp, body)
    if not any(hmac.compare_digest(expected, candidate) for candidate in signatures):
        raise SignatureError("The signature does not match.")
    return timestamp
