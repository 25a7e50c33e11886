"""Cross-origin access for browser apps served from other origins: only the origins listed in
``ATN_CORS_ORIGINS`` (exact ``scheme://host[:port]``), only on the API and the OAuth token and revocation
endpoints. The web console at ``/`` is same-origin and needs none of this.

Tokens travel in the ``Authorization`` header, never in cookies, so credentials are not allowed.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask

EXPOSED = ["ETag", "X-Pagination", "Link", "Retry-After", "WWW-Authenticate", "X-Searchable"]
ALLOWED = ["Authorization", "Content-Type", "If-Match", "If-None-Match", "Accept", "Accept-Language"]


def parse_origins(raw: str | None) -> list[str]:
    """``"https://a.example, http://127.0.0.1:8080"`` -> the origins; anything that is not an exact origin
    (a wildcard, a path, a trailing slash) is refused at start-up rather than silently widened."""
    origins = []
    for item in (raw or "").split(","):
        origin = item.strip()
        if not origin:
            continue
        parts = urlsplit(origin)
        if (parts.scheme not in ("http", "https") or not parts.hostname or "*" in origin
                or parts.path or parts.query or parts.fragment or parts.username or parts.password):
            raise ValueError(f"ATN_CORS_ORIGINS: '{origin}' is not an exact origin (scheme://host[:port])")
        origins.append(origin.lower())
    return origins


def init_cors(app: Flask, origins: list[str]) -> None:
    if not origins:
        return  # no header at all: browsers keep other origins out
    from flask_cors import CORS

    options = {"origins": origins, "expose_headers": EXPOSED, "allow_headers": ALLOWED,
               "methods": ["GET", "HEAD", "POST", "PATCH", "PUT", "DELETE"], "supports_credentials": False,
               "max_age": 600, "vary_header": True}
    CORS(app, resources={r"/api/.*": options, r"/oauth/(token|revoke)$": options})
