"""Files attached to training materials and practices, and the text extracted from them, page by page."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, UTCDateTime, timestamp, uuid_pk

TEXT_STATUSES = ["pending", "extracting", "done", "failed", "none"]  # none: a file without text (an image)
# A file's part in its published material's pending revision: "added" (it joins the material when the revision
# is approved; until then only those who see the revision see it), "removed" (it leaves at approval; until then
# it stays served). None: the file is as the material shows it (also every file of an unpublished material).
PENDING_CHANGES = ["added", "removed"]


ONE_OWNER = ("(CASE WHEN material_id IS NULL THEN 0 ELSE 1 END + CASE WHEN practice_id IS NULL THEN 0 ELSE 1 END"
             " + CASE WHEN project_id IS NULL THEN 0 ELSE 1 END) = 1")


class MaterialFile(Base):
    """A file of one record: a training material's (``material_id``), a practice's (``practice_id``) or a
    project's (``project_id``)."""

    __tablename__ = "material_file"
    # Exactly one owner (the count of non-null owner columns is 1).
    __table_args__ = (CheckConstraint(ONE_OWNER, name="one_record"),)

    id: Mapped[uuid_pk]
    material_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("training_material.id", ondelete="CASCADE"),
                                                          index=True)
    practice_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("practice.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(128))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    page_count: Mapped[int | None] = mapped_column(Integer)
    language: Mapped[str | None] = mapped_column(String(8))
    text_status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    text_error: Mapped[str | None] = mapped_column(String(500))
    pending_change: Mapped[str | None] = mapped_column(String(16))  # one of PENDING_CHANGES, or None
    uploaded_by_user_id: Mapped[uuid.UUID | None]
    uploaded_by_name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[timestamp]
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    extracted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    pages = relationship("FilePage", order_by="FilePage.page", cascade="all, delete-orphan", lazy="selectin",
                         passive_deletes=True)

    def summary(self) -> dict:
        """What names the file in the change log, the feed and webhooks."""
        return {"id": str(self.id), "filename": self.filename, "content_type": self.content_type,
                "size": self.size, "sha256": self.sha256}

    @property
    def record_id(self) -> uuid.UUID:
        return self.material_id or self.practice_id or self.project_id  # type: ignore[return-value]  (one_record)

    @property
    def record_type(self) -> str:
        return "training-material" if self.material_id else "practice" if self.practice_id else "project"

    SHOWN = ("id", "material_id", "practice_id", "project_id", "filename", "content_type", "size", "sha256",
             "page_count", "language", "text_status", "text_error", "pending_change", "uploaded_by_name", "created_at",
             "extracted_at")

    def shown(self) -> dict:
        """What the record's list of files shows of it (to those who see the pending revision): the feed's
        snapshot of it."""
        return {name: getattr(self, name) for name in self.SHOWN}


class FilePage(Base):
    __tablename__ = "file_page"

    file_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("material_file.id", ondelete="CASCADE"), primary_key=True)
    page: Mapped[int] = mapped_column(Integer, primary_key=True)  # 1-based
    text: Mapped[str] = mapped_column(Text)
