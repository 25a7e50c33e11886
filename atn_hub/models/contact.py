from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime, json_list, str200
from .base import RecordMixin

PERSONAL_FIELDS = ("name", "email", "phone")


class Contact(RecordMixin, Base):
    """A focal point: a person or a desk of a society. Its name, email and phone are personal data."""

    __tablename__ = "contact"
    record_type = "contact"
    translatable = ("role",)  # the fields a translation holds

    name: Mapped[str200]
    role: Mapped[str | None] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2), index=True)
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(64))
    languages: Mapped[json_list]
    consent_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    review_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def language(self) -> str | None:
        return self.languages[0] if self.languages else None
