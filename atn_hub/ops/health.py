"""Health checks for the orchestrator: ``/health/live`` (the process answers) and ``/health/ready`` (the
database answers and the search index is readable). Statuses only: they are public."""
from __future__ import annotations

from flask import Flask, jsonify
from sqlalchemy import text

from ..access import public
from ..extensions import get_db, node_search


def install(app: Flask) -> None:
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
            with get_db(app).engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            checks["database"] = {"status": "ok"}
        except Exception as exc:  # any failure means not ready; say which
            checks["database"] = {"status": "down", "error": exc.__class__.__name__}
            ready = False
        try:
            search = node_search(app)
            documents = search.engine.doc_count()
            checks["index"] = {"status": "ok"}
            if ready and documents < 0 and search.indexer.last_logged_seq() > 0:
                checks["index"].update(status="missing", hint="atn-hub index rebuild")
                ready = False
        except Exception as exc:
            checks["index"] = {"status": "down", "error": exc.__class__.__name__,
                               "hint": "atn-hub index rebuild"}
            ready = False
        response = jsonify(status="ok" if ready else "unavailable", checks=checks)
        response.status_code = 200 if ready else 503
        if not ready:
            response.headers["Retry-After"] = "5"
        return response
