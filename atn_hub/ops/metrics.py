"""Prometheus metrics at ``/metrics``: request counts and latencies (summed over gunicorn's workers), and,
read at each scrape, this node's index lag and the lengths of its queues.

The trap: the lag and the queue lengths count private drafts and their edits, so ``/metrics`` is for the
bearer of ATN_METRICS_TOKEN or, with none set, for this machine only.
"""
from __future__ import annotations

import hmac
import ipaddress
import os

from flask import Flask, Response, request
from sqlalchemy import func, select

from ..access import public
from ..errors import error_response
from ..extensions import get_db, node_search

_METRICS: dict = {}


def reset_metrics() -> None:
    from prometheus_client import REGISTRY

    for metric in _METRICS.values():
        REGISTRY.unregister(metric)
    _METRICS.clear()


def observe(method: str, endpoint: str, status: int, seconds: float) -> None:
    if _METRICS:
        _METRICS["requests"].labels(method, endpoint, str(status)).inc()
        _METRICS["latency"].labels(method, endpoint).observe(seconds)


def _is_loopback(address: str | None) -> bool:
    try:
        return address is not None and ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def install(app: Flask, settings) -> None:
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
            search = node_search(app)
            gauges = {"index_lag": GaugeMetricFamily("atn_index_lag", "Change-log rows not yet in this node's index"),
                      "queue": GaugeMetricFamily("atn_queue_length", "Items waiting", labels=["queue"])}
            try:
                lag = search.indexer.last_logged_seq() - search.engine.applied_seq()
                gauges["index_lag"].add_metric([], max(0, lag))
                session = get_db(app).session_factory()
                try:
                    for name, count in _queue_lengths(session):
                        gauges["queue"].add_metric([name], count)
                finally:
                    session.close()
            except Exception:  # a scrape must not fail because the database is down
                pass
            yield from gauges.values()

    @app.get("/metrics")
    @public
    def metrics():
        """Prometheus metrics: for a bearer of ATN_METRICS_TOKEN or, with none set, for this machine only (the
        queue lengths and the index lag count private drafts and their edits)."""
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


def _queue_lengths(session):
    """Submissions awaiting review, files awaiting text extraction, webhook deliveries waiting to be sent (or
    retried)."""
    # The models are imported here, not with the module: every log line's formatter imports this package (for
    # ``request_id``), possibly before the models are.
    from ..models import MaterialFile, Submission, WebhookDelivery

    yield "moderation", session.scalar(select(func.count()).select_from(Submission)) or 0
    yield "extraction", session.scalar(select(func.count()).select_from(MaterialFile)
                                       .where(MaterialFile.text_status.in_(["pending", "extracting"]))) or 0
    yield "webhooks", session.scalar(select(func.count()).select_from(WebhookDelivery)
                                     .where(WebhookDelivery.status == "pending")) or 0
