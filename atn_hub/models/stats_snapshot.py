"""The statistics' counted figures, kept per visibility class and filters (``services.stats``)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, JSONType, UTCDateTime, utcnow


class StatsSnapshot(Base):
    __tablename__ = "stats_snapshot"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of ``request``
    # what was asked, as the refresh needs it: visibility class, society, review figures, language, filters
    request: Mapped[dict[str, Any]] = mapped_column(JSONType)
    filtered: Mapped[bool] = mapped_column(Boolean, default=False)  # with filters: counted by callers only
    figures: Mapped[dict[str, Any]] = mapped_column(JSONType)
    through_seq: Mapped[int] = mapped_column(BigInteger)  # the change log's end when counting began
    counted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # a refresh is counting (since)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
