"""Who is calling: one small immutable value handed to every service."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field

SCOPES = {
    "read": "Read network-only content (published records of the whole network, your society's drafts).",
    "write": "Create, edit and submit your own society's records.",
    "contacts:read": "Read contacts' personal fields (name, email, phone).",
    "moderate": "Review submissions: publish, request changes, reject (coordinators).",
    "admin": "Manage societies, topics, users and clients (administrators).",
}

# The scopes each role may hold; a token never carries more than its user's role allows.
ROLE_SCOPES = {
    "member": {"read", "write", "contacts:read"},
    "coordinator": {"read", "write", "contacts:read", "moderate"},
    "admin": {"read", "write", "contacts:read", "moderate", "admin"},
}


@dataclass(frozen=True)
class Principal:
    kind: str  # "anonymous", "user", "client" or "system" (the command line)
    scopes: frozenset[str] = field(default_factory=frozenset)
    role: str | None = None  # "member", "coordinator", "admin"; a society's client acts as a member
    society_id: uuid.UUID | None = None
    society_code: str | None = None
    user_id: uuid.UUID | None = None
    client_id: str | None = None
    name: str | None = None
    token_family_id: uuid.UUID | None = None  # the grant the calling token belongs to (None: no token)

    @property
    def is_authenticated(self) -> bool:
        return self.kind != "anonymous"

    def has(self, scope: str) -> bool:
        return scope in self.scopes

    @property
    def is_admin(self) -> bool:
        return self.role == "admin" and self.has("admin")

    @property
    def is_coordinator(self) -> bool:
        return self.role in ("coordinator", "admin") and self.has("moderate")


def grantable(role: str | None, requested: str | None) -> list[str]:
    """The requested scopes that a role may hold, in the order asked (a token never carries more)."""
    allowed = ROLE_SCOPES.get(role or "", set())
    return [scope for scope in (requested or "").split() if scope in allowed]


ANONYMOUS = Principal(kind="anonymous")
SYSTEM = Principal(kind="system", role="admin", scopes=frozenset(SCOPES), name="atn-hub command line")
