"""Idempotency keys: the first response to a caller's POST sent with an ``Idempotency-Key``, kept so that a
retry of the same request gets that response again instead of doing the work twice
(``services.idempotency``)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, JSONType, UTCDateTime, utcnow


class IdempotencyKey(Base):
    """One caller's key. ``status`` None: the first request holding the key is still running."""

    __tablename__ = "idempotency_key"

    # "user:<uuid>:<scopes' hash>" or "client:<client id>:<scopes' hash>" (services.idempotency.caller_of)
    caller: Mapped[str] = mapped_column(String(80), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))  # sha256 of method, path, query and body
    status: Mapped[int | None] = mapped_column(Integer)
    headers: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)  # those worth replaying
    body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
