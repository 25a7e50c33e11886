from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, UTCDateTime, str200, uuid_pk
from .base import Timestamped

ROLES = ["member", "coordinator", "admin"]


class User(Timestamped, Base):
    """A person: a society's member, a network coordinator, or an administrator."""

    __tablename__ = "user_account"

    id: Mapped[uuid_pk]
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str200]
    society_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("society.id", ondelete="RESTRICT"))
    role: Mapped[str] = mapped_column(String(16), default="member")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    society = relationship("Society", lazy="joined")
