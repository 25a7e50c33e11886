"""The authorization server's endpoints: /oauth/authorize (a server-rendered sign-in and consent page),
/oauth/token, /oauth/revoke, /oauth/introspect, /oauth/logout (ends the sign-in page's session) and
/.well-known/oauth-authorization-server.

They answer in OAuth's own shapes (RFC 6749 error bodies), not the API's, as clients expect.
"""
from __future__ import annotations

import base64
import hmac
import json
import secrets
import uuid
from urllib.parse import unquote, urlsplit

from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc8414 import AuthorizationServerMetadata
from flask import Blueprint, Response, current_app, redirect, render_template, request, session, url_for

from ..access import public
from ..db import utcnow, write_intent
from ..errors import TooManyRequests, error_response
from ..extensions import get_db, oauth_server
from ..i18n import message, negotiate, translator
from ..models import User
from ..principal import SCOPES
from ..services import accounts, throttle
from . import first_party

bp = Blueprint("oauth", __name__)

SESSION_USER = "oauth_user_id"
CSRF_KEY = "csrf_token"


def _db():
    return get_db().session


def _public_url() -> str:
    return current_app.config["ATN_SETTINGS"].public_url


def _client_ip() -> str:
    return request.remote_addr or "unknown"


def _csrf_token() -> str:
    if CSRF_KEY not in session:
        session[CSRF_KEY] = secrets.token_urlsafe(32)
    return session[CSRF_KEY]


def _csrf_valid() -> bool:
    sent = request.form.get("csrf_token", "")
    return bool(sent) and CSRF_KEY in session and hmac.compare_digest(sent, session[CSRF_KEY])


def _signed_in_user() -> User | None:
    user_id = session.get(SESSION_USER)
    if not user_id:
        return None
    user = _db().get(User, uuid.UUID(user_id))
    return user if user is not None and not user.disabled else None


def _language() -> str:
    """The page's language: the client's ui_locales (the console sends its own), else Accept-Language. The
    form posts back to the same address, so the choice holds through sign-in and consent."""
    return negotiate(request.args.get("ui_locales"), request.headers.get("Accept-Language"))


def _text(key: str, **params) -> str:
    return message(_language(), key, **params)


def _page(template: str, status: int = 200, **context) -> Response:
    language = _language()
    response = Response(render_template(template, csrf_token=_csrf_token(), lang=language,
                                        t=translator(language), **context),
                        status=status, mimetype="text/html")
    response.headers["Content-Language"] = language
    response.headers["Vary"] = "Accept-Language"
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; "
        "base-uri 'none'")
    return response


def _client_id_from_request() -> str | None:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(header[6:]).decode("utf-8")
            return unquote(decoded.split(":", 1)[0])
        except (ValueError, UnicodeDecodeError):
            return None
    return request.form.get("client_id")


@bp.route("/oauth/authorize", methods=["GET", "POST"])
@public
def authorize():
    """Sign in (if needed), then ask the user to allow the client the scopes it asks for."""
    srv = oauth_server()
    try:
        grant = srv.get_consent_grant(end_user=None)
    except OAuth2Error as error:
        if getattr(error, "redirect_uri", None):  # the client is known and its URI valid: tell it (RFC 6749 4.1.2.1)
            return srv.handle_error_response(None, error)
        return _page("oauth_error.html", status=400, error=error.error, description=error.get_error_description())
    except ValueError:  # Authlib refuses to echo a parameter holding '"' or '\\' into its error description
        return _page("oauth_error.html", status=400, error="invalid_request",
                     description=_text("oauth.error.bad_characters"))
    user = _signed_in_user()

    def page(status=200, error=None):
        return _page("authorize.html", status=status, client=grant.client, user=user, error=error,
                     granted=_granted_scopes(grant, user))

    if request.method == "GET":
        if user is not None and first_party.redirects_home(grant.client, grant.redirect_uri, _public_url()):
            return _allow_without_consent(srv, grant, user)
        return page()
    if not _csrf_valid():
        return page(400, _text("oauth.error.form_expired"))
    action = request.form.get("action")
    if action == "sign-in":
        return _sign_in(page)
    if action == "switch-user":  # "Not you?": forget who signed in here (a shared computer), ask again
        session.clear()
        return redirect(request.url, code=303)
    if user is None:
        return page(401, _text("oauth.error.sign_in_first"))
    if action == "allow":
        return srv.create_authorization_response(grant=grant, grant_user=user)
    return srv.create_authorization_response(grant=grant, grant_user=None)  # denied: access_denied


def _allow_without_consent(srv, grant, user: User) -> Response:
    """The hub's own console or Swagger UI, back to the hub's own page: no consent to ask for. This GET writes
    (the authorization code), so its reading transaction ends and a writing one begins (SQLite: BEGIN
    IMMEDIATE): SQLite cannot turn a reader into a writer once another writer (the indexer, the outbox) has
    committed since the read began, and would fail the sign-in."""
    _db().rollback()
    write_intent.set(True)  # for the rest of this request: its end resets the request's own setting
    return srv.create_authorization_response(grant=grant, grant_user=user)


def _sign_in(page) -> Response:
    email = request.form.get("email", "").strip().lower()
    budgets = throttle.budgets("login", email, _client_ip())
    try:
        throttle.check(_db(), *budgets)
    except TooManyRequests as exc:
        response = page(429, _text("oauth.error.too_many"))
        response.headers.update(exc.headers)
        return response
    user = accounts.authenticate(_db(), email, request.form.get("password", ""))
    if user is None:
        _db().rollback()
        throttle.record_failure(_db(), *budgets)
        return page(401, _text("oauth.error.wrong_password"))
    throttle.record_success(_db(), budgets[0])
    user.last_login_at = utcnow()
    session.clear()  # a fresh session on sign-in: no fixation
    session[SESSION_USER] = str(user.id)
    return redirect(request.url, code=303)  # back to the consent page, as a GET


@bp.post("/oauth/logout")
@public
def sign_out():
    """End the hub's sign-in session (the sign-in page's cookie): the next sign-in, whatever the client, asks
    for the e-mail and password again, not "Allow" as the person before (a shared computer). The console calls
    it on "Sign out", after revoking its tokens at /oauth/revoke. Only pages of the hub's own origin may: the
    browser's Origin header must be the hub's, so no other site (nor a page of the same site on another port,
    which SameSite=Lax lets the cookie reach) signs a person out."""
    if request.headers.get("Origin") not in _own_origins():
        return error_response(403, "Sign out from the hub's own pages: this request's Origin is not the hub's.")
    session.clear()  # an empty session: Flask deletes the cookie
    return Response(status=204, headers={"Cache-Control": "no-store"})


def _own_origins() -> set[str]:
    """The configured address and the one this request reached (a browser's Host: the same origin)."""
    def origin(url: str) -> str:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}".lower()

    return {origin(_public_url()), origin(request.host_url)}


def _granted_scopes(grant, user: User | None) -> list[str]:
    """What the user can actually grant: the requested scopes that the user's role allows."""
    from ..principal import grantable

    return (grant.request.scope or "").split() if user is None else grantable(user.role, grant.request.scope)


@bp.post("/oauth/token")
@public
def issue_token():
    budgets = throttle.budgets("client", _client_id_from_request() or "-", _client_ip())
    try:
        throttle.check(_db(), *budgets)
    except TooManyRequests as exc:
        return Response(json.dumps({"error": "slow_down", "error_description": exc.message}), status=429,
                        mimetype="application/json", headers={**exc.headers, "Cache-Control": "no-store"})
    response = oauth_server().create_token_response()
    if response.status_code == 401 or (response.status_code == 400 and b'"invalid_client"' in response.get_data()):
        _db().rollback()
        throttle.record_failure(_db(), *budgets)
    elif response.status_code == 200:
        throttle.record_success(_db(), budgets[0])
    return response


@bp.post("/oauth/revoke")
@public
def revoke_token():
    return oauth_server().create_endpoint_response("revocation")


@bp.post("/oauth/introspect")
@public
def introspect_token():
    return oauth_server().create_endpoint_response("introspection")


@bp.get("/.well-known/oauth-authorization-server")
@public
def metadata():
    # The issuer is the configured public address, never the request's Host header (RFC 8414 3.3: the
    # issuer must match what the client expects; a forged Host would make the document lie).
    base = _public_url()
    document = AuthorizationServerMetadata({
        "issuer": base,
        "authorization_endpoint": base + url_for("oauth.authorize"),
        "token_endpoint": base + url_for("oauth.issue_token"),
        "revocation_endpoint": base + url_for("oauth.revoke_token"),
        "introspection_endpoint": base + url_for("oauth.introspect_token"),
        "scopes_supported": list(SCOPES),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "client_credentials", "refresh_token"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "service_documentation": base + "/docs",
    })
    document.validate()
    return Response(json.dumps(dict(document)), mimetype="application/json")
