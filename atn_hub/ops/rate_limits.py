"""Rate limits per address and per client (flask-limiter, moving window): a 429 in the app's error shape, with
Retry-After. Health checks, metrics and static files are not limited. Every limited answer says, in
X-RateLimit-Limit/Remaining/Reset, the limit that binds the caller now (the one with the fewest requests left:
their token's, or their address's when others share it); Retry-After is on 429s only."""
from __future__ import annotations

import hashlib

from flask import Flask, request

from ..errors import error_response

UNLIMITED_PATHS = ("/health/", "/metrics", "/docs/assets/", "/console/", "/static/")


def _caller_key() -> str:
    """Per client: the bearer token's hash (no database needed, so floods of bad tokens count too)."""
    auth = request.headers.get("Authorization", "")
    if auth[:7].lower() == "bearer " and len(auth) > 7:
        return "token:" + hashlib.sha256(auth[7:].strip().encode()).hexdigest()[:32]
    return "ip:" + (request.remote_addr or "unknown")


def install(app: Flask, settings) -> None:
    from flask_limiter import ApplicationLimit, Limiter, RateLimitExceeded

    def exempt() -> bool:
        return request.path.startswith(UNLIMITED_PATHS) or request.method == "OPTIONS"

    limits = [ApplicationLimit(settings.rate_limit_ip, key_function=lambda: request.remote_addr or "unknown",
                               scope="ip", exempt_when=exempt),
              ApplicationLimit(settings.rate_limit_client, key_function=_caller_key, scope="client",
                               exempt_when=exempt)]
    limiter = Limiter(key_func=_caller_key, app=app, application_limits=limits, default_limits=[],
                      storage_uri=settings.rate_limit_storage, headers_enabled=False, strategy="moving-window",
                      enabled=settings.rate_limits_enabled, key_prefix="atn", swallow_errors=True,
                      in_memory_fallback_enabled=True)
    app.extensions["atn_limiter"] = limiter

    @app.after_request
    def _limit_headers(response):
        limits = limiter.current_limits if limiter.enabled else []
        if limits:
            binding = min(limits, key=lambda limit: (limit.remaining / max(limit.limit.amount, 1), limit.remaining))
            response.headers["X-RateLimit-Limit"] = str(binding.limit.amount)
            response.headers["X-RateLimit-Remaining"] = str(max(binding.remaining, 0))
            response.headers["X-RateLimit-Reset"] = str(int(binding.reset_at))
        return response

    @app.errorhandler(RateLimitExceeded)
    def _too_many(exc: RateLimitExceeded):
        response = error_response(429, f"Too many requests ({exc.limit.limit}); retry after the time in "
                                       f"Retry-After.")
        retry = exc.retry_after if hasattr(exc, "retry_after") else None
        response.headers["Retry-After"] = str(int(retry) if retry else 60)
        return response
