"""Users and personal access tokens."""
from __future__ import annotations

import secrets
import uuid

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..db import execute_update, page_offset
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..models import OAuthClient, OAuthToken, User, token_hash
from ..principal import ROLE_SCOPES, Principal
from . import change_log
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


_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(24))  # verified against when nobody can sign in with the email


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The user with this email and password, or None. Every attempt costs one password hash, also for an
    unknown email, a disabled user or one without a password, so the answer's timing tells nothing."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or user.disabled or not user.password_hash:
        try:
            _hasher.verify(_DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            pass
        return None
    return user if verify_password(user, password) else None


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
    change_log.append(session, principal, record_type="user", record_id=user.id, action="created",
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
        session.execute(update(OAuthToken).where(OAuthToken.user_id == user.id).values(revoked=True))
    session.flush()
    change_log.append(session, principal, record_type="user", record_id=user.id,
                      action="disabled" if disabled else "enabled", society_id=user.society_id)
    return user


def allowed_scopes(user: User, requested: str | None, holder: Principal | None = None) -> set[str]:
    """The scopes a new token of ``user`` may carry: what the role allows and, when a token asks (``holder``),
    no more than that token holds itself."""
    allowed = ROLE_SCOPES.get(user.role, set())
    wanted = set((requested or "").split()) or allowed
    unknown = wanted - set(ROLE_SCOPES["admin"])
    if unknown:
        raise Invalid("scope", f"Unknown scope(s): {', '.join(sorted(unknown))}.")
    too_much = wanted - allowed
    if too_much:
        raise Forbidden(f"A {user.role} may not hold: {', '.join(sorted(too_much))}.",
                        {"json": {"scope": ["Beyond what your role allows."]}})
    if holder is not None and holder.kind != "system":
        beyond_token = wanted - holder.scopes
        if beyond_token:
            raise Forbidden(f"The token you call with does not hold: {', '.join(sorted(beyond_token))}; a token "
                            "can only create tokens with scopes it holds itself.",
                            {"json": {"scope": ["Beyond what the calling token holds."]}})
    return wanted


def create_personal_token(session: Session, principal: Principal, user: User, *, scope: str | None,
                          name: str | None = None, expires_in_days: int | None = None, default_days: int = 90,
                          max_days: int = 366) -> tuple[OAuthToken, str]:
    """A personal access token (as on GitHub): shown once, stored as a hash, never more than the role allows
    nor than the calling token holds, and always expiring (``default_days`` unless asked, at most
    ``max_days``). A token made with another token belongs to that token's grant: revoking the grant revokes
    it too."""
    if principal.kind == "client":
        raise Forbidden("A machine client's token creates no personal tokens.")
    if not (principal.kind == "system" or principal.user_id == user.id):
        raise Forbidden("You may create tokens for yourself only.")
    if user.disabled:
        raise Conflict("The user is disabled.")
    days = default_days if expires_in_days is None else expires_in_days
    if not 1 <= days <= max_days:
        raise Invalid("expires_in_days", f"Personal tokens expire within 1 to {max_days} days.")
    scopes = allowed_scopes(user, scope, holder=principal)
    secret = PERSONAL_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = OAuthToken(kind="personal", name=name, access_token_hash=token_hash(secret), user_id=user.id,
                       scope=" ".join(sorted(scopes)), expires_in=days * 86400,
                       parent_family_id=principal.token_family_id)
    session.add(token)
    session.flush()
    change_log.append(session, principal, record_type="token", record_id=token.id, action="created",
                      payload={"kind": "personal", "user": user.email, "scope": token.scope},
                      society_id=user.society_id)
    return token, secret


def revoke_families(session: Session, family_ids: set[uuid.UUID]) -> int:
    """Revoke every token of these grants (an access token with its refresh tokens) and, transitively, the
    personal tokens made with any of them (RFC 7009 2.1: tokens based on the same grant). Returns how many
    tokens were revoked."""
    revoked, pending = set(), set(family_ids)
    count = 0
    while pending:
        count += execute_update(session, update(OAuthToken).where(OAuthToken.family_id.in_(pending),
                                                                  OAuthToken.revoked.is_(False))
                                .values(revoked=True)).rowcount or 0
        revoked |= pending
        children = set(session.scalars(select(OAuthToken.family_id)
                                       .where(OAuthToken.parent_family_id.in_(pending))))
        pending = children - revoked
    session.flush()
    return count


def sign_out_everywhere(session: Session, principal: Principal, *, personal_tokens: bool) -> int:
    """End every session of the calling person (the OAuth grants of every client) and, if asked, their
    personal tokens too. Returns how many tokens were revoked."""
    user = current_user(session, principal)
    kinds = ["oauth", "personal"] if personal_tokens else ["oauth"]
    families = set(session.scalars(select(OAuthToken.family_id).where(OAuthToken.user_id == user.id,
                                                                       OAuthToken.kind.in_(kinds),
                                                                       OAuthToken.revoked.is_(False))))
    count = revoke_families(session, families) if families else 0
    change_log.append(session, principal, record_type="user", record_id=user.id, action="signed-out-everywhere",
                      payload={"personal_tokens": personal_tokens, "tokens_revoked": count},
                      society_id=user.society_id)
    return count


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
    revoke_families(session, {token.family_id})
    change_log.append(session, principal, record_type="token", record_id=token.id, action="revoked")


def current_user(session: Session, principal: Principal) -> User:
    if principal.user_id is None:
        raise Forbidden("This operation is for users; this caller is a client.")
    user = session.get(User, principal.user_id)
    if user is None:  # read with the caller's token moments ago; users are disabled, not deleted
        raise NotFound(f"No user with id {principal.user_id}.")
    return user


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
    society = society_by_code(session, society_code.upper()) if society_code else None
    if grant == "client_credentials":
        if public:
            raise Invalid("public", "A client_credentials client is confidential by definition.")
        if society is None:
            raise Invalid("society", "A machine client acts as a society: name it.")
        grant_types = ["client_credentials"]
    elif grant == "authorization_code":
        grant_types = ["authorization_code", "refresh_token"]
    else:
        raise Invalid("grant", "client_credentials or authorization_code.")
    scopes = _client_scopes(scope, grant_types)
    _check_redirect_uris(redirect_uris or [], grant_types)
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
    change_log.append(session, principal, record_type="client", record_id=client.client_id, action="created",
                      payload={"name": name, "grant_types": grant_types, "scope": client.scope},
                      society_id=client.society_id)
    return client, secret


def _client_scopes(scope: str, grant_types: list[str]) -> list[str]:
    """The scopes a client of this kind may hold: a society's machine client no more than a member's."""
    scopes = scope.split()
    unknown = set(scopes) - set(ROLE_SCOPES["admin"])
    if unknown:
        raise Invalid("scope", f"Unknown scope(s): {', '.join(sorted(unknown))}.")
    if "client_credentials" in grant_types and set(scopes) - ROLE_SCOPES["member"]:
        raise Invalid("scope", "A society's client may hold read, write and contacts:read only.")
    return scopes


def _check_redirect_uris(redirect_uris: list[str], grant_types: list[str]) -> None:
    if "authorization_code" in grant_types and not redirect_uris:
        raise Invalid("redirect_uris", "An authorization_code client needs at least one redirect URI.")
    for uri in redirect_uris:
        if uri.startswith("http://") and uri.split("/")[2].split(":")[0] not in ("127.0.0.1", "localhost", "[::1]"):
            raise Invalid("redirect_uris", f"Plain http only for loopback addresses: {uri}")


def update_client(session: Session, principal: Principal, client: OAuthClient, *, name: str | None = None,
                  redirect_uris: list[str] | None = None, scope: str | None = None) -> int:
    """Change what is given of a client's name, redirect URIs (replaced as a whole) and scopes, within what its
    kind allows. Tokens holding a scope the client no longer has are revoked (with their grants), or a refresh
    would keep it alive; returns how many tokens were revoked. A revoked client stays revoked: nothing to
    change."""
    _require_admin(principal)
    if client.revoked_at is not None:
        raise Conflict(f"Client {client.client_id} is revoked.")
    changed: dict = {}
    if name is not None:
        if not name.strip() or len(name) > 200:
            raise Invalid("name", "1 to 200 characters.")
        if name != client.name:
            client.name = changed["name"] = name
    if redirect_uris is not None:
        if "authorization_code" not in client.grant_types:
            raise Invalid("redirect_uris", "A client_credentials client is never redirected to.")
        _check_redirect_uris(redirect_uris, client.grant_types)
        if redirect_uris != client.redirect_uris:
            client.redirect_uris = changed["redirect_uris"] = list(redirect_uris)
    revoked = 0
    if scope is not None:
        scopes = _client_scopes(scope, client.grant_types)
        if scopes != client.scope.split():
            client.scope = changed["scope"] = " ".join(scopes)
            tokens = session.scalars(select(OAuthToken).where(OAuthToken.client_id == client.client_id,
                                                              OAuthToken.revoked.is_(False)))
            wider = {token.family_id for token in tokens if set(token.scope.split()) - set(scopes)}
            revoked = revoke_families(session, wider) if wider else 0
    if changed:
        session.flush()
        change_log.append(session, principal, record_type="client", record_id=client.client_id, action="updated",
                          payload={**changed, **({"tokens_revoked": revoked} if revoked else {})},
                          society_id=client.society_id)
    return revoked


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
    """A revoked client can get no more tokens, and its tokens stop working at once (with the personal tokens
    made with them)."""
    from ..db import utcnow

    _require_admin(principal)
    if client.revoked_at is None:
        client.revoked_at = utcnow()
        revoke_families(session, set(session.scalars(select(OAuthToken.family_id)
                                                     .where(OAuthToken.client_id == client.client_id))))
        change_log.append(session, principal, record_type="client", record_id=client.client_id, action="revoked",
                          society_id=client.society_id)
    return client
