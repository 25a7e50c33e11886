"""Request IDs (the caller's ``X-Request-ID`` when well-formed, else a new one; echoed, and on every log line
of the request) and the access log: one line per request."""
from __future__ import annotations

import logging
import re
import time
import uuid
from contextvars import ContextVar

from flask import Flask, Response, g, request

from .metrics import observe

request_id: ContextVar[str | None] = ContextVar("atn_request_id", default=None)  # read by logs.JSONFormatter
REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
access_log = logging.getLogger("atn_hub.access")


def install(app: Flask) -> None:
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
            observe(request.method, endpoint, response.status_code, seconds)
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
