"""From the ``Authorization`` header to a ``Principal``: once per request, before any view runs.

Anonymous requests are allowed (they see public content); a header that is present but wrong is a 401
with an RFC 6750 ``WWW-Authenticate`` challenge, never a silent downgrade to anonymous.
"""
from __future__ import annotations

from flask import g, request
from sqlalchemy import select

from ..errors import Unauthorized
from ..models import OAuthClient, OAuthToken, Society, token_hash
from ..principal import ANONYMOUS, ROLE_SCOPES, Principal


def _challenge(description: str) -> Unauthorized:
    return Unauthorized(description, headers={
        "WWW-Authenticate": f'Bearer realm="atn-hub", error="invalid_token", error_description="{description}"'})


def principal_for_token(session, token: OAuthToken) -> Principal:
    scopes = frozenset(token.scope.split())
    if token.user_id is not None:
        user = token.user
        if user is None or user.disabled:
            raise _challenge("The token's user is disabled.")
        allowed = ROLE_SCOPES.get(user.role, set())
        return Principal(kind="user", scopes=scopes & allowed, role=user.role, society_id=user.society_id,
                         society_code=user.society.code if user.society else None, user_id=user.id,
                         client_id=token.client_id, name=user.name, token_family_id=token.family_id)
    client = session.scalar(select(OAuthClient).where(OAuthClient.client_id == token.client_id))
    if client is None or not client.is_active:
        raise _challenge("The token's client is revoked.")
    society = session.get(Society, client.society_id) if client.society_id else None
    return Principal(kind="client", scopes=scopes & ROLE_SCOPES["member"], role="member",
                     society_id=client.society_id, society_code=society.code if society else None,
                     client_id=client.client_id, name=client.name, token_family_id=token.family_id)


def load_principal(session) -> Principal:
    header = request.headers.get("Authorization")
    if not header:
        return ANONYMOUS
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise _challenge("Use a bearer token: 'Authorization: Bearer <token>'.")
    token = session.scalar(select(OAuthToken).where(OAuthToken.access_token_hash == token_hash(value.strip())))
    if token is None or token.is_revoked():
        raise _challenge("The access token is unknown or revoked.")
    if token.is_expired():
        raise _challenge("The access token has expired.")
    return principal_for_token(session, token)


def current_principal() -> Principal:
    principal = g.get("principal")
    return principal if principal is not None else ANONYMOUS
