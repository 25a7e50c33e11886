"""What awaits a coordinator: a pending revision of a published record, and the queue of submissions."""
from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, JSONType, UTCDateTime, timestamp, uuid_pk
from .base import Timestamped

PENDING_STATUSES = ["draft", "submitted", "changes_requested"]


class PendingRevision(Timestamped, Base):
    """The working copy of a published record: edits go here and through review while the published version
    stays what the network sees; approval copies it onto the record in one transaction. At most one per
    record; every saved state of it is also in the change log (the record's revision history)."""

    __tablename__ = "pending_revision"

    id: Mapped[uuid_pk]
    record_type: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[uuid.UUID]
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)  # the record's content fields, as JSON
    status: Mapped[str] = mapped_column(String(32), default="draft")
    base_version: Mapped[int]  # the record's version it was started from
    author_user_id: Mapped[uuid.UUID | None]
    author_client_id: Mapped[str | None] = mapped_column(String(64))
    author_name: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (UniqueConstraint("record_type", "record_id"),)


class Submission(Timestamped, Base):
    """One entry of the coordinators' queue: a record (``new``) or a pending revision (``revision``) that
    its society submitted, until a coordinator decides."""

    __tablename__ = "submission"

    id: Mapped[uuid_pk]
    record_type: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(16))  # "new" or "revision"
    society_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("society.id", ondelete="CASCADE"), index=True)
    submitted_at: Mapped[timestamp]
    submitted_by_user_id: Mapped[uuid.UUID | None]
    submitted_by_client_id: Mapped[str | None] = mapped_column(String(64))
    submitted_by_name: Mapped[str | None] = mapped_column(String(200))
    assignee_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("record_type", "record_id"),)
