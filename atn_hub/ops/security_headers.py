"""Security headers on every answer: no sniffing, no framing, no referrer, a strict CSP (the docs' a little
less so), HSTS over HTTPS, and API answers kept out of shared caches."""
from __future__ import annotations

from flask import Flask, Response, request

API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
DOCS_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            "frame-ancestors 'none'; base-uri 'none'")


def install(app: Flask) -> None:
    @app.after_request
    def _headers(response: Response):
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "no-referrer")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if "Content-Security-Policy" not in headers:
            headers["Content-Security-Policy"] = DOCS_CSP if request.path.startswith("/docs") else API_CSP
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.path.startswith(("/api/", "/oauth/")) and "Cache-Control" not in headers:
            headers["Cache-Control"] = "no-cache, private"  # revalidate (ETags), never in shared caches
        return response
