"""Users and personal access tokens."""
from __future__ import annotations

import secrets
import uuid

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import page_offset
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..models import OAuthClient, OAuthToken, User, token_hash
from ..principal import ROLE_SCOPES, Principal
from . import changes
from .records import society_by_code

_hasher = PasswordHasher()
PERSONAL_TOKEN_PREFIX = "atnp_"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(user: User, password: str) -> bool:
    if not user.password_hash:
        return False
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def create_user(session: Session, principal: Principal, *, email: str, name: str, role: str,
                society_code: str | None, password: str | None) -> User:
    _require_admin(principal)
    if role not in ROLE_SCOPES:
        raise Invalid("role", f"One of {', '.join(ROLE_SCOPES)}.")
    email = email.strip().lower()
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(f"A user with email {email} exists already.", {"json": {"email": ["Already in use."]}})
    society = society_by_code(session, society_code.upper()) if society_code else None
    if society is None and role == "member":
        raise Invalid("society", "A member belongs to a society.")
    user = User(id=uuid.uuid4(), email=email, name=name, role=role, society_id=society.id if society else None,
                password_hash=hash_password(password) if password else None)
    session.add(user)
    session.flush()
    changes.append(session, principal, record_type="user", record_id=user.id, action="created",
                   payload={"email": email, "role": role, "society": society_code}, society_id=user.society_id)
    return user


def user_by_email(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise NotFound(f"No user with email {email}.")
    return user


def set_disabled(session: Session, principal: Principal, user: User, disabled: bool = True) -> User:
    _require_admin(principal)
    user.disabled = disabled
    if disabled:  # a disabled user's tokens stop working at once
        for token in session.scalars(select(OAuthToken).where(OAuthToken.user_id == user.id)):
            token.revoked = True
    session.flush()
    changes.append(session, principal, record_type="user", record_id=user.id,
                   action="disabled" if disabled else "enabled", society_id=user.society_id)
    return user


def allowed_scopes(user: User, requested: str | None) -> set[str]:
    allowed = ROLE_SCOPES.get(user.role, set())
    wanted = set((requested or "").split()) or allowed
    unknown = wanted - set(ROLE_SCOPES["admin"])
    if unknown:
        raise Invalid("scope", f"Unknown scope(s): {', '.join(sorted(unknown))}.")
    too_much = wanted - allowed
    if too_much:
        raise Forbidden(f"A {user.role} may not hold: {', '.join(sorted(too_much))}.",
                        {"json": {"scope": ["Beyond what your role allows."]}})
    return wanted


def create_personal_token(session: Session, principal: Principal, user: User, *, scope: str | None,
                          name: str | None = None, expires_in_days: int | None = 90) -> tuple[OAuthToken, str]:
    """A personal access token (as on GitHub): shown once, stored as a hash, limited to the user's role."""
    if not (principal.is_admin or principal.user_id == user.id):
        raise Forbidden("You may create tokens for yourself only.")
    if user.disabled:
        raise Conflict("The user is disabled.")
    scopes = allowed_scopes(user, scope)
    secret = PERSONAL_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = OAuthToken(kind="personal", name=name, access_token_hash=token_hash(secret), user_id=user.id,
                       scope=" ".join(sorted(scopes)),
                       expires_in=expires_in_days * 86400 if expires_in_days else None)
    session.add(token)
    session.flush()
    changes.append(session, principal, record_type="token", record_id=token.id, action="created",
                   payload={"kind": "personal", "user": user.email, "scope": token.scope},
                   society_id=user.society_id)
    return token, secret


def list_personal_tokens(session: Session, principal: Principal) -> list[OAuthToken]:
    if principal.user_id is None:
        raise Forbidden("Personal tokens belong to users; this caller is a client.")
    return list(session.scalars(select(OAuthToken).where(OAuthToken.user_id == principal.user_id,
                                                         OAuthToken.kind == "personal")
                                .order_by(OAuthToken.issued_at.desc())))


def revoke_personal_token(session: Session, principal: Principal, token_id: uuid.UUID) -> None:
    token = session.get(OAuthToken, token_id)
    if token is None or token.kind != "personal" or (token.user_id != principal.user_id and not principal.is_admin):
        raise NotFound(f"No token with id {token_id}.")
    token.revoked = True
    session.flush()
    changes.append(session, principal, record_type="token", record_id=token.id, action="revoked")


def current_user(session: Session, principal: Principal) -> User:
    if principal.user_id is None:
        raise Forbidden("This operation is for users; this caller is a client.")
    return session.get(User, principal.user_id)


def list_users(session: Session, principal: Principal, page: int, page_size: int) -> tuple[list[User], int]:
    _require_admin(principal)
    from sqlalchemy import func

    total = session.scalar(select(func.count()).select_from(User)) or 0
    stmt = select(User).order_by(User.email).offset(page_offset(page, page_size)).limit(page_size)
    return list(session.scalars(stmt)), total


def get_user(session: Session, principal: Principal, user_id: uuid.UUID) -> User:
    _require_admin(principal)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"No user with id {user_id}.")
    return user


def _require_admin(principal: Principal) -> None:
    from ..permissions import require_admin

    require_admin(principal, "Managing users and clients")


# --- OAuth clients ---------------------------------------------------------------------------------------
def create_client(session: Session, principal: Principal, *, name: str, society_code: str | None, grant: str,
                  scope: str, redirect_uris: list[str] | None = None, public: bool = False,
                  can_introspect: bool = False, client_id: str | None = None) -> tuple[OAuthClient, str | None]:
    """Register a client; returns it and its secret (None for public clients), shown once only."""
    _require_admin(principal)
    scopes = scope.split()
    unknown = set(scopes) - set(ROLE_SCOPES["admin"])
    if unknown:
        raise Invalid("scope", f"Unknown scope(s): {', '.join(sorted(unknown))}.")
    society = society_by_code(session, society_code.upper()) if society_code else None
    if grant == "client_credentials":
        if public:
            raise Invalid("public", "A client_credentials client is confidential by definition.")
        if society is None:
            raise Invalid("society", "A machine client acts as a society: name it.")
        if set(scopes) - ROLE_SCOPES["member"]:
            raise Invalid("scope", "A society's client may hold read, write and contacts:read only.")
        grant_types = ["client_credentials"]
    elif grant == "authorization_code":
        if not redirect_uris:
            raise Invalid("redirect_uris", "An authorization_code client needs at least one redirect URI.")
        grant_types = ["authorization_code", "refresh_token"]
    else:
        raise Invalid("grant", "client_credentials or authorization_code.")
    for uri in redirect_uris or []:
        if uri.startswith("http://") and not uri.split("/")[2].split(":")[0] in ("127.0.0.1", "localhost", "[::1]"):
            raise Invalid("redirect_uris", f"Plain http only for loopback addresses: {uri}")
    client_id = client_id or secrets.token_hex(12)  # hex: never starts with "-" (a command-line option)
    if session.scalar(select(OAuthClient.id).where(OAuthClient.client_id == client_id)) is not None:
        raise Conflict(f"A client with id {client_id} exists already.", {"json": {"client_id": ["Already in use."]}})
    secret = None if public else secrets.token_urlsafe(32)
    client = OAuthClient(client_id=client_id, client_secret_hash=token_hash(secret) if secret else None,
                         name=name, society_id=society.id if society else None, grant_types=grant_types,
                         redirect_uris=list(redirect_uris or []), scope=" ".join(scopes),
                         token_endpoint_auth_method="none" if public else "client_secret_basic",
                         can_introspect=can_introspect)
    session.add(client)
    session.flush()
    changes.append(session, principal, record_type="client", record_id=client.client_id, action="created",
                   payload={"name": name, "grant_types": grant_types, "scope": client.scope},
                   society_id=client.society_id)
    return client, secret


def list_clients(session: Session, principal: Principal) -> list[OAuthClient]:
    _require_admin(principal)
    return list(session.scalars(select(OAuthClient).order_by(OAuthClient.created_at)))


def get_client(session: Session, principal: Principal, client_id: str) -> OAuthClient:
    _require_admin(principal)
    client = session.scalar(select(OAuthClient).where(OAuthClient.client_id == client_id))
    if client is None:
        raise NotFound(f"No client {client_id}.")
    return client


def revoke_client(session: Session, principal: Principal, client: OAuthClient) -> OAuthClient:
    """A revoked client can get no more tokens, and its tokens stop working at once."""
    from sqlalchemy import update

    from ..db import utcnow

    _require_admin(principal)
    if client.revoked_at is None:
        client.revoked_at = utcnow()
        session.execute(update(OAuthToken).where(OAuthToken.client_id == client.client_id).values(revoked=True))
        session.flush()
        changes.append(session, principal, record_type="client", record_id=client.client_id, action="revoked",
                       society_id=client.society_id)
    return client
