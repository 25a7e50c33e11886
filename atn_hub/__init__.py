"""ATN Hub: the Action for Trafficked Persons Network's API to publish and search what works."""
from __future__ import annotations

import logging
import secrets
from pathlib import Path

from flask import Flask, g, request, send_from_directory
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from search_index.engine import IndexUnavailable

from .config import Settings
from .db import Database, reading, write_intent
from .errors import error_response, register_error_handlers
from .extensions import node_delivery, node_files, node_search
from .logs import configure_logging

__version__ = "0.1.0"

READ_METHODS = {"GET", "HEAD", "OPTIONS"}
BODY_METHODS = {"POST", "PUT", "PATCH"}
ACCEPTED_BODIES = {"application/json", "multipart/form-data"}


def _secret_key(settings: Settings) -> str:
    """The configured key, or one generated once and kept in the instance folder (never a fixed default)."""
    if settings.secret_key:
        return settings.secret_key
    path = settings.instance_dir / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def create_app(config: dict | Settings | None = None) -> Flask:
    settings = config if isinstance(config, Settings) else Settings.from_mapping(config)
    settings.instance_dir.mkdir(parents=True, exist_ok=True)
    configure_logging(settings.log_level)

    app = Flask(__name__, instance_path=str(settings.instance_dir))
    app.config.update(
        SECRET_KEY=_secret_key(settings),
        TESTING=settings.testing,
        MAX_CONTENT_LENGTH=settings.max_content_length,
        SESSION_COOKIE_NAME="atn_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        ATN_SETTINGS=settings,
        API_TITLE="ATN Hub",
        API_VERSION="1.0",
        OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="/docs",
        OPENAPI_SWAGGER_UI_URL="/docs/assets/",
        API_SPEC_OPTIONS={
            "info": {
                "description": (
                    "ATN Hub is where the Red Cross national societies of the Action for Trafficked Persons "
                    "Network (ATN) publish and search practices, contacts, training materials and projects against "
                    "human trafficking, across countries and languages."),
                "license": {"name": "MIT", "identifier": "MIT"},
            },
        },
    )
    from .openapi import HubApi as Api

    db = Database()
    db.configure(settings.database_url, settings.db_statement_timeout_ms)
    app.extensions["atn_db"] = db
    from .openapi import DocumentPlugin, register_fields

    api = Api(app, spec_kwargs={"extra_plugins": [DocumentPlugin()]})
    register_fields(api)
    app.extensions["atn_api"] = api
    from .api import register_blueprints
    from .oauth import routes as oauth_routes
    from .oauth.server import create_authorization_server
    from .openapi import document_api

    app.extensions["atn_oauth_server"] = create_authorization_server(app, settings)
    app.register_blueprint(oauth_routes.bp)
    from .indexing.node import NodeSearch

    app.extensions["atn_search"] = NodeSearch(app)
    from .files.node import NodeFiles

    app.extensions["atn_files"] = NodeFiles(app)
    from .delivery import NodeDelivery

    app.extensions["atn_delivery"] = NodeDelivery(app)
    register_blueprints(api)
    document_api(api, app)
    from . import console
    from .cors import init_cors, parse_origins

    app.register_blueprint(console.bp)
    from . import unsubscribe

    app.register_blueprint(unsubscribe.bp)
    init_cors(app, parse_origins(settings.cors_origins))
    register_error_handlers(app)
    from . import ops

    ops.install(app)  # request IDs, rate limits (before the principal is loaded), headers, health, metrics
    _register_request_cycle(app, db)
    from .api import locations

    locations.install(app)  # after the request cycle: its Location is set before a keyed response is kept
    _register_docs_assets(app)
    from .cli import register_commands

    register_commands(app)
    return app


def _register_request_cycle(app: Flask, db: Database) -> None:
    """One session and one commit per request; the caller's principal resolved before any view."""
    from .oauth.protector import load_principal
    from .openapi import unknown_query_parameters
    from .principal import ANONYMOUS
    from .services import idempotency

    @app.before_request
    def _begin():
        g.write_intent_token = write_intent.set(request.method not in READ_METHODS)
        if request.path.startswith("/api/") and (strange := unknown_query_parameters(app)):
            unknown, allowed = strange
            return error_response(400, f"Unknown query parameter(s): {', '.join(unknown)}. This operation takes: "
                                       f"{', '.join(sorted(allowed)) or 'none'}.",
                                  {"query": {name: ["Unknown parameter."] for name in unknown}})
        view = getattr(app.view_functions.get(request.endpoint), "view_class", None)
        if getattr(view, "accepts_uploads", False) and request.method == "POST":
            # File uploads: multipart, up to the upload limit (streamed to disk by the form parser).
            request.max_content_length = node_files(app).settings.max_upload_bytes + 1024 * 1024
            if request.mimetype != "multipart/form-data":
                return error_response(415, f"Send the file as multipart/form-data (field 'file'), not "
                                           f"'{request.mimetype}'.")
        elif (request.method in BODY_METHODS and request.path.startswith("/api/") and request.content_length
                and request.mimetype not in ACCEPTED_BODIES):
            return error_response(415, f"Send JSON (Content-Type: application/json), not '{request.mimetype}'.")
        node_search(app).ensure_indexer_thread()
        node_files(app).ensure_thread()
        node_delivery(app).ensure_thread()
        # The API reads bearer tokens; the OAuth endpoints authenticate clients their own way. The lookup is a
        # read of its own: a write request's transaction (SQLite's write lock) begins with its first write
        # statement, not while its body is still arriving.
        g.principal = ANONYMOUS
        if request.path.startswith("/api/"):
            with reading():
                g.principal = load_principal(db.session)
            db.session.rollback()

    @app.before_request
    def _claim_idempotency_key():
        """A keyed POST: taken for this request, or answered from the key (``services.idempotency``)."""
        key = request.headers.get(idempotency.HEADER)
        caller = idempotency.caller_of(g.principal)
        if key is None or caller is None or not idempotency.applies(request.method, request.path):
            return None
        session = db.new_session()
        try:
            found = idempotency.claim(session, caller, idempotency.checked_key(key), idempotency.fingerprint(request),
                                      app.config["ATN_SETTINGS"].idempotency_hours)
        finally:
            session.close()
        if isinstance(found, idempotency.Replay):
            response = app.response_class(found.body, status=found.status, headers=found.headers)
            response.headers["Idempotent-Replayed"] = "true"
            return response
        g.idempotency_claim = found
        return None

    # after_request functions run last-registered first: _keep_response, then _commit, then _settle_key.
    @app.after_request
    def _settle_key(response):
        """After the commit: an error response is kept on its own; a 409 or 5xx gives the key up."""
        claim = g.get("idempotency_claim")
        if claim is None or claim.settled:
            return response
        session = db.new_session()
        try:
            if 200 <= response.status_code < 300 and claim.stored:
                pass  # committed with the change
            elif 400 <= response.status_code < 500 and idempotency.keeps(response.status_code):
                idempotency.store(session, claim, response)
                session.commit()
            else:
                idempotency.release(session, claim)
        finally:
            session.close()
        claim.settled = True
        return response

    @app.after_request
    def _commit(response):
        if response.status_code >= 400:
            db.session.rollback()
            return response
        last_seq = db.session.info.get("last_seq")
        try:
            db.session.commit()
        except (IntegrityError, StaleDataError) as exc:
            db.session.rollback()
            logging.getLogger("atn_hub").warning("commit conflict", extra={"error": str(exc.__class__.__name__)})
            return error_response(409, "The change conflicts with another one made meanwhile; reload and retry.")
        if last_seq is not None and request.args.get("refresh") == "wait_for":
            # Elasticsearch's refresh=wait_for: answer once this write is searchable on this node.
            search = node_search(app)
            try:
                searchable = "true" if search.indexer.wait_for(last_seq, search.wait_timeout) else "timeout"
            except IndexUnavailable:  # the write is saved; only this node's index cannot show it yet
                logging.getLogger("atn_hub").warning("index unavailable for wait_for", extra={"seq": last_seq})
                searchable = "unavailable"
            response.headers["X-Searchable"] = searchable
        return response

    @app.after_request
    def _keep_response(response):
        """A success is kept in the transaction of the change it answers (see ``services.idempotency``)."""
        claim = g.get("idempotency_claim")
        if claim is not None and 200 <= response.status_code < 300:
            idempotency.store(db.session, claim, response)
        return response

    @app.teardown_request
    def _end(exc):
        db.session.remove()
        claim = g.pop("idempotency_claim", None)
        if claim is not None and not claim.settled:  # the request failed before its response: let a retry run
            session = db.new_session()
            try:
                idempotency.release(session, claim)
            finally:
                session.close()
        token = g.pop("write_intent_token", None)
        if token is not None:
            write_intent.reset(token)


def _register_docs_assets(app: Flask) -> None:
    """Swagger UI's files, served from the installed package: the docs need no network."""
    from swagger_ui_bundle import swagger_ui_path

    from .access import public

    @app.get("/docs/assets/<path:filename>")
    @public
    def swagger_ui_assets(filename):
        return send_from_directory(Path(swagger_ui_path), filename)
