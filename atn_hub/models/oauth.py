"""OAuth clients, tokens (OAuth-issued and personal) and authorization codes. Secrets are stored hashed."""
from __future__ import annotations

import hashlib
import hmac
import time
import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, UTCDateTime, json_list, timestamp, utcnow, uuid_pk


def token_hash(value: str) -> str:
    """Tokens are long random strings: a plain SHA-256 is the right hash (no salt or stretching needed)."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


class OAuthClient(Base):
    __tablename__ = "oauth_client"

    id: Mapped[uuid_pk]
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    client_secret_hash: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    society_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("society.id", ondelete="RESTRICT"))
    grant_types: Mapped[json_list]
    redirect_uris: Mapped[json_list]
    scope: Mapped[str] = mapped_column(Text, default="")
    token_endpoint_auth_method: Mapped[str] = mapped_column(String(32), default="client_secret_basic")
    can_introspect: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[timestamp]
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    society = relationship("Society", lazy="joined")

    # --- Authlib's ClientMixin -------------------------------------------------------------------------
    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        return self.redirect_uris[0] if self.redirect_uris else None

    def get_allowed_scope(self, scope: str | None) -> str:
        if not scope:
            return ""
        allowed = set(self.scope.split())
        return " ".join(s for s in scope.split() if s in allowed)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in (self.redirect_uris or [])  # exact match only (RFC 9700 4.1.3)

    def check_client_secret(self, client_secret: str) -> bool:
        if not self.client_secret_hash or not client_secret:
            return False
        return hmac.compare_digest(self.client_secret_hash, token_hash(client_secret))

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        if self.is_public:
            return method == "none"
        if endpoint == "token":
            return method in ("client_secret_basic", "client_secret_post")
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code" and "authorization_code" in self.grant_types

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in self.grant_types

    @property
    def is_public(self) -> bool:
        return self.token_endpoint_auth_method == "none"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class OAuthToken(Base):
    """An access token (with its refresh token), issued by the OAuth server or created as a personal token."""

    __tablename__ = "oauth_token"

    id: Mapped[uuid_pk]
    kind: Mapped[str] = mapped_column(String(16), default="oauth")  # "oauth" or "personal"
    name: Mapped[str | None] = mapped_column(String(200))
    access_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    refresh_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    family_id: Mapped[uuid.UUID] = mapped_column(default=uuid.uuid4, index=True)
    # The family of the token that created this personal token: revoking that grant revokes this one too.
    parent_family_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    client_id: Mapped[str | None] = mapped_column(String(64), index=True)
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    scope: Mapped[str] = mapped_column(Text, default="")
    issued_at: Mapped[int] = mapped_column(Integer, default=lambda: int(time.time()))
    expires_in: Mapped[int | None] = mapped_column(Integer)  # seconds; None: never (personal tokens only)
    refresh_expires_at: Mapped[int | None] = mapped_column(Integer)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    refresh_used: Mapped[bool] = mapped_column(Boolean, default=False)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user = relationship("User", lazy="joined")

    # --- Authlib's TokenMixin --------------------------------------------------------------------------
    def check_client(self, client) -> bool:
        return self.client_id == client.get_client_id()

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return self.expires_in or 0

    def get_expires_at(self) -> int | None:
        return None if self.expires_in is None else self.issued_at + self.expires_in

    def is_expired(self) -> bool:
        expires_at = self.get_expires_at()
        return expires_at is not None and expires_at < time.time()

    def is_revoked(self) -> bool:
        return self.revoked

    def is_refresh_token_valid(self) -> bool:
        return (not self.revoked and not self.refresh_used and self.refresh_expires_at is not None
                and self.refresh_expires_at > time.time())

    def get_user(self):
        return self.user


class AuthorizationCode(Base):
    __tablename__ = "oauth_authorization_code"

    id: Mapped[uuid_pk]
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    client_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    redirect_uri: Mapped[str] = mapped_column(Text, default="")
    response_type: Mapped[str] = mapped_column(Text, default="code")
    scope: Mapped[str] = mapped_column(Text, default="")
    nonce: Mapped[str | None] = mapped_column(Text)
    code_challenge: Mapped[str | None] = mapped_column(Text)
    code_challenge_method: Mapped[str | None] = mapped_column(String(16))
    auth_time: Mapped[int] = mapped_column(Integer, default=lambda: int(time.time()))
    created_at: Mapped[timestamp]
    # A redeemed code is kept (until it expires) with the family of the tokens it gave: redeeming it again
    # revokes them (RFC 6749 10.5).
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    token_family_id: Mapped[uuid.UUID | None] = mapped_column()

    user = relationship("User", lazy="joined")

    def is_expired(self) -> bool:
        return self.auth_time + 300 < time.time()

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_nonce(self) -> str | None:
        return self.nonce


class AuthThrottle(Base):
    """Failed sign-ins and client authentications per key (an email, a client id, an address): after too many
    in a window the key is locked for a while (429), and the lock expires on its own."""

    __tablename__ = "auth_throttle"

    key: Mapped[str] = mapped_column(String(400), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
