"""Domain exceptions, and the one place that maps them (and Authlib's errors) to HTTP.

Every error leaves the API in flask-smorest's shape: ``{"code", "status", "message", "errors"}``, where
``errors`` names the offending field as webargs does (``{"json": {"field": ["message"]}}``).
"""
from __future__ import annotations

from http import HTTPStatus

from flask import Flask, jsonify
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError


class DomainError(Exception):
    status = 400

    def __init__(self, message: str, errors: dict | None = None, headers: dict | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors
        self.headers = headers or {}


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


class Invalid(DomainError):
    """Bad input found by a service (after the schema): names the field in ``errors``."""

    status = 422

    def __init__(self, field: str, message: str, location: str = "json"):
        super().__init__(f"Invalid value for '{field}': {message}", {location: {field: [message]}})


class RefusedFile(DomainError):
    """An upload refused for what it is (415), its size (413) or its structure (422); names the ``file`` field."""

    def __init__(self, status: int, message: str):
        super().__init__(message, {"files": {"file": [message]}})
        self.status = status


class TooManyRequests(DomainError):
    status = 429


class ServiceUnavailable(DomainError):
    status = 503


def error_body(status: int, message: str | None = None, errors: dict | None = None) -> dict:
    body: dict = {"code": status, "status": HTTPStatus(status).phrase}
    if message:
        body["message"] = message
    if errors:
        body["errors"] = errors
    return body


def error_response(status: int, message: str | None = None, errors: dict | None = None, headers=None):
    response = jsonify(error_body(status, message, errors))
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

    @app.errorhandler(DomainError)
    def _domain_error(exc: DomainError):
        return error_response(exc.status, exc.message, exc.errors, exc.headers)
