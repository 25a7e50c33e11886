"""Running in production: request IDs and access logs, security headers, rate limits, health checks and
Prometheus metrics."""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import os
import re
import time
import uuid
from contextvars import ContextVar

from flask import Flask, Response, g, jsonify, request

from .access import public
from .extensions import get_db, node_search

request_id: ContextVar[str | None] = ContextVar("atn_request_id", default=None)
REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
access_log = logging.getLogger("atn_hub.access")
UNLIMITED_PATHS = ("/health/", "/metrics", "/docs/assets/", "/console/", "/static/")


def install(app: Flask) -> None:
    settings = app.config["ATN_SETTINGS"]
    if settings.proxy_fix:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = settings.proxy_fix
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n)
    _request_ids(app)
    _rate_limits(app, settings)
    _security_headers(app)
    _health(app)
    _metrics(app, settings)


# --- request IDs and the access log -----------------------------------------------------------------------
def _request_ids(app: Flask) -> None:
    @app.before_request
    def _start():
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if REQUEST_ID.match(given) else uuid.uuid4().hex
        g.request_id_token = request_id.set(g.request_id)
        g.started = time.perf_counter()

    @app.after_request
    def _finish(response: Response):
        rid = g.get("request_id")
        if rid:
            response.headers["X-Request-ID"] = rid
        started = g.get("started")
        if started is not None:
            seconds = time.perf_counter() - started
            endpoint = request.url_rule.rule if request.url_rule else "unmatched"
            _observe(request.method, endpoint, response.status_code, seconds)
            principal = g.get("principal")
            access_log.info("request", extra={
                "method": request.method, "path": request.path, "status": response.status_code,
                "duration_ms": round(seconds * 1000, 2), "client_id": getattr(principal, "client_id", None),
                "user_id": str(getattr(principal, "user_id", None) or "") or None,
                "remote_addr": request.remote_addr})
        return response

    @app.teardown_request
    def _reset(exc):
        token = g.pop("request_id_token", None)
        if token is not None:
            request_id.reset(token)


# --- security headers -------------------------------------------------------------------------------------
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
DOCS_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            "frame-ancestors 'none'; base-uri 'none'")


def _security_headers(app: Flask) -> None:
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


# --- rate limits ------------------------------------------------------------------------------------------
def _caller_key() -> str:
    """Per client: the bearer token's hash (no database needed, so floods of bad tokens count too)."""
    auth = request.headers.get("Authorization", "")
    if auth[:7].lower() == "bearer " and len(auth) > 7:
        return "token:" + hashlib.sha256(auth[7:].strip().encode()).hexdigest()[:32]
    return "ip:" + (request.remote_addr or "unknown")


def _rate_limits(app: Flask, settings) -> None:
    from flask_limiter import ApplicationLimit, Limiter, RateLimitExceeded

    def exempt() -> bool:
        return request.path.startswith(UNLIMITED_PATHS) or request.method == "OPTIONS"

    limits = [ApplicationLimit(settings.rate_limit_ip, key_function=lambda: request.remote_addr or "unknown",
                               scope="ip", exempt_when=exempt),
              ApplicationLimit(settings.rate_limit_client, key_function=_caller_key, scope="client",
                               exempt_when=exempt)]
    limiter = Limiter(key_func=_caller_key, app=app, application_limits=limits, default_limits=[],
                      storage_uri=settings.rate_limit_storage, headers_enabled=True, strategy="moving-window",
                      enabled=settings.rate_limits_enabled, key_prefix="atn", swallow_errors=True,
                      in_memory_fallback_enabled=True)
    app.extensions["atn_limiter"] = limiter

    @app.errorhandler(RateLimitExceeded)
    def _too_many(exc: RateLimitExceeded):
        from .errors import error_response

        response = error_response(429, f"Too many requests ({exc.limit.limit}); retry after the time in "
                                       f"Retry-After.")
        retry = exc.retry_after if hasattr(exc, "retry_after") else None
        response.headers["Retry-After"] = str(int(retry) if retry else 60)
        return response


# --- health -----------------------------------------------------------------------------------------------
def _health(app: Flask) -> None:
    @app.get("/health/live")
    @public
    def health_live():
        """The process answers (for restarts by the orchestrator)."""
        return jsonify(status="ok")

    @app.get("/health/ready")
    @public
    def health_ready():
        """The node can serve: its database answers and its search index is readable.

        Statuses only, for anyone: the index's document count, the change log's length and the index lag
        counted private drafts and their edits (an anonymous caller watched them grow). Operators read the
        lag at /metrics (``atn_index_lag``, behind ATN_METRICS_TOKEN) and counts from ``atn-hub index verify``."""
        checks, ready = {}, True
        try:
            from sqlalchemy import text

            with get_db(app).engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            checks["database"] = {"status": "ok"}
        except Exception as exc:  # noqa: BLE001 - any failure means not ready; say which
            checks["database"] = {"status": "down", "error": exc.__class__.__name__}
            ready = False
        try:
            search = node_search(app)
            documents = search.engine.doc_count()
            checks["index"] = {"status": "ok"}
            if ready and documents < 0 and search.indexer.last_logged_seq() > 0:
                checks["index"].update(status="missing", hint="atn-hub index rebuild")
                ready = False
        except Exception as exc:  # noqa: BLE001
            checks["index"] = {"status": "down", "error": exc.__class__.__name__,
                               "hint": "atn-hub index rebuild"}
            ready = False
        response = jsonify(status="ok" if ready else "unavailable", checks=checks)
        response.status_code = 200 if ready else 503
        if not ready:
            response.headers["Retry-After"] = "5"
        return response


# --- metrics ----------------------------------------------------------------------------------------------
def _is_loopback(address: str | None) -> bool:
    try:
        return address is not None and ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


_METRICS: dict = {}


def reset_metrics() -> None:
    from prometheus_client import REGISTRY

    for metric in _METRICS.values():
        REGISTRY.unregister(metric)
    _METRICS.clear()


def _observe(method: str, endpoint: str, status: int, seconds: float) -> None:
    if _METRICS:
        _METRICS["requests"].labels(method, endpoint, str(status)).inc()
        _METRICS["latency"].labels(method, endpoint).observe(seconds)


def _metrics(app: Flask, settings) -> None:
    from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
    from prometheus_client.core import GaugeMetricFamily

    if not _METRICS:
        _METRICS["requests"] = Counter("atn_http_requests", "HTTP requests", ["method", "endpoint", "status"])
        _METRICS["latency"] = Histogram("atn_http_request_duration_seconds", "HTTP request latency",
                                        ["method", "endpoint"],
                                        buckets=(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10))

    class NodeCollector:
        """Read at each scrape: index lag and the lengths of the queues."""

        def collect(self):
            from sqlalchemy import func, select

            from .models import MaterialFile, Submission

            search = node_search(app)
            gauges = {"index_lag": GaugeMetricFamily("atn_index_lag", "Change-log rows not yet in this node's index"),
                      "queue": GaugeMetricFamily("atn_queue_length", "Items waiting", labels=["queue"])}
            try:
                gauges["index_lag"].add_metric([], max(0, search.indexer.last_logged_seq() - search.engine.applied_seq()))
                session = get_db(app).session_factory()
                try:
                    gauges["queue"].add_metric(["moderation"], session.scalar(
                        select(func.count()).select_from(Submission)) or 0)
                    gauges["queue"].add_metric(["extraction"], session.scalar(
                        select(func.count()).select_from(MaterialFile)
                        .where(MaterialFile.text_status.in_(["pending", "extracting"]))) or 0)
                    for name, count in _extra_queues(session):
                        gauges["queue"].add_metric([name], count)
                finally:
                    session.close()
            except Exception:  # noqa: BLE001 - a scrape must not fail because the database is down
                pass
            yield from gauges.values()

    @app.get("/metrics")
    @public
    def metrics():
        """Prometheus metrics: for a bearer of ATN_METRICS_TOKEN or, with none set, for this machine only (the
        queue lengths and the index lag count private drafts and their edits)."""
        from .errors import error_response

        token = settings.metrics_token
        if token:
            if not hmac.compare_digest(request.headers.get("Authorization", "").encode(), f"Bearer {token}".encode()):
                return error_response(401, "The metrics need the metrics token (ATN_METRICS_TOKEN).")
        elif not _is_loopback(request.remote_addr):
            return error_response(403, "The metrics are for this machine only; set ATN_METRICS_TOKEN to scrape "
                                       "them from elsewhere.")
        registry = CollectorRegistry()
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            from prometheus_client import multiprocess

            multiprocess.MultiProcessCollector(registry)  # every gunicorn worker's counters
        else:
            from prometheus_client import REGISTRY

            registry = REGISTRY
        body = generate_latest(registry) + generate_latest(_node_registry(NodeCollector()))
        return Response(body, mimetype="text/plain; version=0.0.4")


def _node_registry(collector):
    from prometheus_client import CollectorRegistry

    registry = CollectorRegistry(auto_describe=False)
    registry.register(collector)
    return registry


def _extra_queues(session):
    """Webhook deliveries waiting to be sent (or retried)."""
    from sqlalchemy import func, select

    from .models.webhook import WebhookDelivery

    yield "webhooks", session.scalar(select(func.count()).select_from(WebhookDelivery)
                                     .where(WebhookDelivery.status == "pending")) or 0
