from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, BigIntPK, JSONType, timestamp


class ChangeLog(Base):
    """The append-only log of every write. Its ``seq`` order is its commit order (see services.change_log).

    It feeds the search indexer, the changes feed, webhooks and the audit trail.
    """

    __tablename__ = "change_log"

    seq: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    at: Mapped[timestamp]
    actor_user_id: Mapped[uuid.UUID | None]
    actor_client_id: Mapped[str | None] = mapped_column(String(64))
    society_id: Mapped[uuid.UUID | None]
    record_type: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)

    __table_args__ = (
        Index("ix_change_log_record", "record_type", "record_id"),
        # The statistics' submissions and review times read only these columns of the rows of a few actions:
        # answered from the index, never from the rows (whose payloads hold whole records).
        Index("ix_change_log_action", "action", "record_type", "record_id", "seq", "at", "society_id"),
    )
