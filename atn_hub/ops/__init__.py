"""Running in production: request IDs and access logs, rate limits, security headers, health checks and
Prometheus metrics, each installed on the app by its module here."""
from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import health, metrics, rate_limits, request_ids, security_headers
from .metrics import reset_metrics
from .request_ids import request_id

__all__ = ["install", "request_id", "reset_metrics"]


def install(app: Flask) -> None:
    settings = app.config["ATN_SETTINGS"]
    if settings.proxy_fix:
        n = settings.proxy_fix
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n)
    request_ids.install(app)
    rate_limits.install(app, settings)  # before the principal is loaded: floods of bad tokens are limited too
    security_headers.install(app)
    health.install(app)
    metrics.install(app, settings)
