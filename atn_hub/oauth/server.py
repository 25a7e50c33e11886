"""The OAuth 2.0 authorization server (Authlib), following RFC 9700:

- ``client_credentials`` for societies' confidential machine clients (secret by Basic auth or in the body);
- ``authorization_code`` with PKCE, S256 only, required at the authorization step (public clients: the web
  frontend); redirect URIs match exactly; ``state`` is passed through;
- ``refresh_token`` with rotation: a used refresh token stops working, and presenting it again revokes its
  whole family (every token descended from the same authorization);
- no implicit and no password grant; revocation (RFC 7009), introspection (RFC 7662), metadata (RFC 8414).

Tokens, codes and client secrets are stored as SHA-256 hashes only.
"""
from __future__ import annotations

import time

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import InvalidRequestError, InvalidScopeError, grants
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oauth2.rfc7662 import IntrospectionEndpoint
from flask import Flask, current_app
from sqlalchemy import delete, select

from ..db import utcnow
from ..extensions import get_db
from ..models import AuthorizationCode, OAuthClient, OAuthToken, User, token_hash
from ..principal import SCOPES, grantable
from ..services import accounts
from . import first_party

CODE_KEPT = 3600  # seconds a code, used or not, stays in the table (it is valid for 300)


def _session():
    return get_db().session


def query_client(client_id: str) -> OAuthClient | None:
    client = _session().scalar(select(OAuthClient).where(OAuthClient.client_id == client_id))
    return client if client is not None and client.is_active else None


def save_token(token: dict, request) -> None:
    session = _session()
    refresh_lifetime = current_app.config["ATN_SETTINGS"].refresh_token_lifetime
    previous = getattr(request, "refresh_token", None)  # set by the refresh grant: the token being rotated
    user = request.user
    row = OAuthToken(
        kind="oauth",
        access_token_hash=token_hash(token["access_token"]),
        refresh_token_hash=token_hash(token["refresh_token"]) if token.get("refresh_token") else None,
        client_id=request.client.client_id,
        user_id=user.id if user is not None else None,
        scope=token.get("scope", ""),
        issued_at=int(time.time()),
        expires_in=int(token["expires_in"]),
        refresh_expires_at=int(time.time()) + refresh_lifetime if token.get("refresh_token") else None,
    )
    if previous is not None:
        row.family_id = previous.family_id
    session.add(row)
    session.flush()
    code = getattr(request, "authorization_code", None)  # set by the code grant: remember what it gave
    if code is not None:
        code.token_family_id = row.family_id


def _check_requested_scope(client: OAuthClient, scope: str | None) -> None:
    """A client asking for a scope it may not have gets ``invalid_scope``, not a token with fewer scopes."""
    requested = set((scope or "").split())
    allowed = set(client.scope.split())
    unknown = requested - set(SCOPES)
    if unknown or not requested <= allowed:
        # Only names of real scopes are echoed: the rest may hold anything (Authlib refuses '"' in a description).
        named = sorted(s for s in requested - allowed if s in SCOPES)
        raise InvalidScopeError(description=f"Scope not allowed: {' '.join(named) or 'unknown scope'}")


class ClientCredentialsGrant(grants.ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def validate_token_request(self):
        super().validate_token_request()
        _check_requested_scope(self.request.client, self.request.payload.scope)


class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]

    def validate_authorization_redirect_uri(self, request, client):
        """The client's registered URIs, and for the hub's own client the hub's own pages at ATN_PUBLIC_URL:
        each compared exactly (see first_party)."""
        uri = request.payload.redirect_uri
        if first_party.redirects_home(client, uri, current_app.config["ATN_SETTINGS"].public_url):
            return uri
        return super().validate_authorization_redirect_uri(request, client)

    def validate_authorization_request(self):
        redirect_uri = super().validate_authorization_request()
        try:
            _check_requested_scope(self.request.client, self.request.payload.scope)
        except InvalidScopeError as error:
            error.redirect_uri = redirect_uri
            raise
        return redirect_uri

    def save_authorization_code(self, code: str, request) -> None:
        data = request.payload.data
        # The user grants only what their role allows, whatever the client asked for.
        scope = " ".join(grantable(request.user.role, request.scope))
        # Codes live 5 minutes; used ones are kept that long to catch a replay, then go.
        _session().execute(delete(AuthorizationCode).where(AuthorizationCode.auth_time < time.time() - CODE_KEPT))
        _session().add(AuthorizationCode(
            code_hash=token_hash(code), client_id=request.client.client_id, user_id=request.user.id,
            redirect_uri=request.payload.redirect_uri or "", scope=scope,
            nonce=data.get("nonce"), code_challenge=data.get("code_challenge"),
            code_challenge_method=data.get("code_challenge_method")))
        _session().flush()

    def query_authorization_code(self, code: str, client) -> AuthorizationCode | None:
        session = _session()
        # Locked: of two redemptions at once, the second waits and then finds the code used.
        item = session.scalar(select(AuthorizationCode)
                              .where(AuthorizationCode.code_hash == token_hash(code),
                                     AuthorizationCode.client_id == client.client_id)
                              .with_for_update(of=AuthorizationCode))
        if item is not None and item.used_at is not None:
            # A code redeemed twice was intercepted or replayed: the tokens it gave are revoked (RFC 6749
            # 10.5), and that stays although this request fails.
            if item.token_family_id is not None:
                accounts.revoke_families(session, {item.token_family_id})
            session.commit()
            return None
        return item if item is not None and not item.is_expired() else None

    def delete_authorization_code(self, authorization_code: AuthorizationCode) -> None:
        """Kept as used, not deleted, until it expires: a second redemption must find it."""
        authorization_code.used_at = utcnow()
        _session().flush()

    def authenticate_user(self, authorization_code: AuthorizationCode) -> User | None:
        user = _session().get(User, authorization_code.user_id)
        return user if user is not None and not user.disabled else None


class RefreshTokenGrant(grants.RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]
    INCLUDE_NEW_REFRESH_TOKEN = True  # rotation

    def authenticate_refresh_token(self, refresh_token: str) -> OAuthToken | None:
        session = _session()
        # Locked: of two refreshes with one token at once, the second waits and then finds it used.
        token = session.scalar(select(OAuthToken).where(OAuthToken.refresh_token_hash == token_hash(refresh_token))
                               .with_for_update(of=OAuthToken))
        if token is None:
            return None
        if token.refresh_used or token.revoked:
            # A rotated-away refresh token came back: it was stolen, or the client is confused. Revoke every
            # token of the family, and keep that even though this request fails.
            accounts.revoke_families(session, {token.family_id})
            session.commit()
            return None
        return token if token.is_refresh_token_valid() else None

    def authenticate_user(self, refresh_token: OAuthToken) -> User | None:
        if refresh_token.user_id is None:
            return None
        user = _session().get(User, refresh_token.user_id)
        return user if user is not None and not user.disabled else None

    def revoke_old_credential(self, refresh_token: OAuthToken) -> None:
        refresh_token.refresh_used = True
        _session().flush()


class S256CodeChallenge(CodeChallenge):
    """PKCE with S256 only, required at the authorization step (Authlib's ``required`` alone lets a code be
    issued without a challenge and allows ``plain``)."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]
    DEFAULT_CODE_CHALLENGE_METHOD = "S256"

    def validate_code_challenge(self, grant, redirect_uri):
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("PKCE is required: send code_challenge and code_challenge_method=S256.")
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("Only code_challenge_method=S256 is supported.")
        super().validate_code_challenge(grant, redirect_uri)


def find_token(token_string: str, token_type_hint: str | None) -> OAuthToken | None:
    session = _session()
    digest = token_hash(token_string)
    if token_type_hint != "refresh_token":
        token = session.scalar(select(OAuthToken).where(OAuthToken.access_token_hash == digest))
        if token is not None:
            return token
    return session.scalar(select(OAuthToken).where(OAuthToken.refresh_token_hash == digest))


class Revocation(RevocationEndpoint):
    CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]

    def query_token(self, token_string: str, token_type_hint: str | None):
        return find_token(token_string, token_type_hint)

    def revoke_token(self, token: OAuthToken, request) -> None:
        # Revoking either token of a grant ends the whole family, with the personal tokens made with it
        # (RFC 7009 2.1: tokens based on the same grant).
        accounts.revoke_families(_session(), {token.family_id})


class Introspection(IntrospectionEndpoint):
    CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def query_token(self, token_string: str, token_type_hint: str | None):
        return find_token(token_string, token_type_hint)

    def check_permission(self, token: OAuthToken, client: OAuthClient, request) -> bool:
        return bool(client.can_introspect)

    def introspect_token(self, token: OAuthToken) -> dict:
        if token.is_revoked() or token.is_expired():
            return {"active": False}
        user = token.user
        return {
            "active": True,
            "client_id": token.client_id,
            "token_type": "Bearer",
            "scope": token.scope,
            "sub": str(user.id) if user else token.client_id,
            "username": user.email if user else None,
            "society": (user.society.code if user and user.society else None),
            "iat": token.issued_at,
            "exp": token.get_expires_at(),
        }


def create_authorization_server(app: Flask, settings) -> AuthorizationServer:
    app.config.update(
        OAUTH2_REFRESH_TOKEN_GENERATOR=True,
        OAUTH2_TOKEN_EXPIRES_IN={grant: settings.access_token_lifetime
                                 for grant in ("authorization_code", "client_credentials", "refresh_token")},
        OAUTH2_SCOPES_SUPPORTED=list(SCOPES),
    )
    server = AuthorizationServer()
    server.init_app(app, query_client=query_client, save_token=save_token)
    server.register_grant(ClientCredentialsGrant)
    server.register_grant(AuthorizationCodeGrant, [S256CodeChallenge(required=True)])
    server.register_grant(RefreshTokenGrant)
    server.register_endpoint(Revocation)
    server.register_endpoint(Introspection)
    return server
