from __future__ import annotations

import uuid

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, timestamp, uuid_pk

DECISIONS = ["approve", "request_changes", "reject"]


class ReviewComment(Base):
    """The discussion of a submission: coordinators' decisions with their comments, and societies' replies."""

    __tablename__ = "review_comment"

    id: Mapped[uuid_pk]
    record_type: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[uuid.UUID]
    decision: Mapped[str | None] = mapped_column(String(32))  # None: a comment without a decision
    comment: Mapped[str] = mapped_column(Text, default="")
    author_user_id: Mapped[uuid.UUID | None]
    author_client_id: Mapped[str | None] = mapped_column(String(64))
    author_name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[timestamp]

    __table_args__ = (Index("ix_review_comment_record", "record_type", "record_id"),)
