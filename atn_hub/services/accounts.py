"""Users and personal access tokens."""
from __future__ import annotations

import secrets
import uuid
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..models import OAuthToken, Society, User, token_hash
from ..principal import ROLE_SCOPES, Principal
from . import changes

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
    if not principal.is_admin:
        raise Forbidden("Managing users needs the 'admin' scope.", scope="admin")
    if role not in ROLE_SCOPES:
        raise Invalid("role", f"One of {', '.join(ROLE_SCOPES)}.")
    email = email.strip().lower()
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(f"A user with email {email} exists already.", {"json": {"email": ["Already in use."]}})
    society = None
    if society_code:
        society = session.scalar(select(Society).where(Society.code == society_code.upper()))
        if society is None:
            raise Invalid("society", f"No society with code '{society_code}'.")
    elif role == "member":
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
    if not principal.is_admin:
        raise Forbidden("Managing users needs the 'admin' scope.", scope="admin")
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
