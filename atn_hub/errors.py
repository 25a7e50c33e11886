"""Domain exceptions, and the one place that maps them (and Authlib's errors) to HTTP.

Every error leaves the API as RFC 9457 problem details (``application/problem+json``): ``type``, ``title``,
``status`` (the number), ``detail``, ``instance`` (the path asked for) and ``request_id`` (the request's
``X-Request-ID``, to quote to an administrator); ``errors`` names the offending field as webargs does
(``{"json": {"field": ["message"]}}``), and ``code``/``message`` repeat ``status``/``detail`` for clients
written against the earlier shape. The OAuth endpoints answer in RFC 6749's shape, as OAuth clients expect.
"""
from __future__ import annotations

from http import HTTPStatus

from flask import Flask, g, has_request_context, jsonify, request
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm.exc import StaleDataError


class DomainError(Exception):
    """``extensions``: RFC 9457 extension members of the problem (``existing_id`` of a duplicate)."""

    status = 400

    def __init__(self, message: str, errors: dict | None = None, headers: dict | None = None,
                 extensions: dict | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors
        self.headers = headers or {}
        self.extensions = extensions or {}


class NotFound(DomainError):
    status = 404


class Unauthorized(DomainError):
    status = 401


class Forbidden(DomainError):
    """403; with ``scope``, the RFC 6750 challenge names the scope the caller lacks."""

    status = 403

    def __init__(self, message: str, errors: dict | None = None, headers: dict | None = None,
                 scope: str | None = None):
        if scope:
            headers = {**(headers or {}), "WWW-Authenticate": (
                f'Bearer realm="atn-hub", error="insufficient_scope", scope="{scope}"')}
        super().__init__(message, errors, headers)


class Conflict(DomainError):
    status = 409


class Duplicate(Conflict):
    """409: what the request would create exists already; the problem names it (``existing_id``)."""

    def __init__(self, message: str, field: str, existing_id):
        super().__init__(f"{message} Its id is {existing_id}.", {"json": {field: ["Already in use."]}},
                         extensions={"existing_id": str(existing_id)})


class StaleCopy(DomainError):
    """412 on a record's write: the record changed since the caller's ETag; says (and sends) the current one."""

    status = 412

    def __init__(self, current_etag: str):
        super().__init__(
            f'The record changed since the ETag you sent in If-Match (a record\'s write never takes "*"). Its '
            f'current ETag is "{current_etag}" (also in the ETag header): GET it again, apply your change to that '
            f"copy, and send it with the current ETag.", headers={"ETag": f'"{current_etag}"'})


class NothingToMatch(DomainError):
    """412: If-Match sent for a resource that does not exist (RFC 9110, 13.1.1): the caller's copy is of
    something gone, or never there."""

    status = 412


class Invalid(DomainError):
    """Bad input found by a service (after the schema): names the field in ``errors``."""

    status = 422

    def __init__(self, field: str, message: str, location: str = "json"):
        super().__init__(f"Invalid value for '{field}': {message}", {location: {field: [message]}})


class BadRequest(DomainError):
    """Input well formed but not one this server gave or can use (a changes cursor past the end of its log);
    names the field in ``errors``."""

    status = 400

    def __init__(self, field: str, message: str, location: str = "query"):
        super().__init__(message, {location: {field: [message]}})


class RefusedFile(DomainError):
    """An upload refused for what it is (415), its size (413) or its structure (422); names the ``file`` field."""

    def __init__(self, status: int, message: str):
        super().__init__(message, {"files": {"file": [message]}})
        self.status = status


class TooManyRequests(DomainError):
    status = 429


class ServiceUnavailable(DomainError):
    status = 503


PROBLEM_JSON = "application/problem+json"
# What an error without its own message says (flask-smorest's, werkzeug's)
DETAILS = {
    412: "The resource changed since the ETag you sent in If-Match: GET it again (its ETag header is the current "
         "one), apply your change to that copy, and send it with the new ETag.",
    428: "Send If-Match with the ETag of your copy: the ETag header of a GET of this resource.",
    405: "This method is not allowed on this path (the Allow header lists those that are).",
}


def _fields_detail(errors: dict) -> str:
    """The offending fields, named: "Invalid input: title (json): Field may not be null.; ..."."""
    named = []
    for location, problems in errors.items():
        if not isinstance(problems, dict):
            continue
        for field, messages in problems.items():
            while isinstance(messages, dict):  # nested (a translation's field, a list's item): its first message
                messages = next(iter(messages.values()), "")
            first = messages[0] if isinstance(messages, list) and messages else messages
            while isinstance(first, dict):
                first = next(iter(first.values()), "")
                first = first[0] if isinstance(first, list) and first else first
            named.append(f"{field} ({location}): {first}")
    return "Invalid input: " + "; ".join(named) if named else "Invalid input."


def error_body(status: int, message: str | None = None, errors: dict | None = None,
               extensions: dict | None = None) -> dict:
    title = HTTPStatus(status).phrase
    detail = message or (_fields_detail(errors) if errors else DETAILS.get(status, f"{title}."))
    body: dict = {"type": "about:blank", "title": title, "status": status, "detail": detail,
                  "code": status, "message": detail, **(extensions or {})}
    if has_request_context():
        body["instance"] = request.path
        if g.get("request_id"):
            body["request_id"] = g.request_id
    if errors:
        body["errors"] = errors
    return body


def error_response(status: int, message: str | None = None, errors: dict | None = None, headers=None,
                   extensions: dict | None = None):
    response = jsonify(error_body(status, message, errors, extensions))
    response.mimetype = PROBLEM_JSON
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(404)
    def _no_such_url(exc):
        return error_response(404, "Nothing here: check the URL (record ids are UUIDs).")

    @app.errorhandler(StaleDataError)
    def _concurrent_change(exc):
        return error_response(409, "Someone else changed this record meanwhile; reload it and try again.")

    @app.errorhandler(IntegrityError)
    def _constraint(exc):
        # A uniqueness race the services' checks could not see (two writers at once): nothing was saved.
        return error_response(409, "The change conflicts with another one made meanwhile; reload and retry.")

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def _database_unavailable(exc):
        # The database is down, restarting or (SQLite) locked for too long: retryable, never a 500.
        import logging

        logging.getLogger("atn_hub").warning("database unavailable", extra={"error": exc.__class__.__name__})
        return error_response(503, "The database is unavailable for a moment; retry after the time in "
                                   "Retry-After.", headers={"Retry-After": "5"})

    @app.errorhandler(DomainError)
    def _domain_error(exc: DomainError):
        return error_response(exc.status, exc.message, exc.errors, exc.headers, exc.extensions)
