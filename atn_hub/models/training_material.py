from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, json_list, text
from .base import RecordMixin

FORMATS = ["pdf", "e-learning", "video", "slides", "other"]


class TrainingMaterial(RecordMixin, Base):
    """A brochure, e-learning module, slide deck or video; the first of ``languages`` is its main one."""

    __tablename__ = "training_material"
    record_type = "training-material"
    translatable = ("title", "description")  # the fields a translation holds

    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[text] = mapped_column(default="")
    format: Mapped[str] = mapped_column(String(32))
    languages: Mapped[json_list]
    audience: Mapped[str | None] = mapped_column(String(300))
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    external_url: Mapped[str | None] = mapped_column(String(2000))
    licence: Mapped[str | None] = mapped_column(String(200))
    practices: Mapped[json_list]  # the ids of the practices it serves (``services.links``)

    # The attached files with their extracted pages, for the search document (read-only here).
    files = relationship("MaterialFile", viewonly=True, lazy="select", order_by="MaterialFile.created_at")

    @property
    def language(self) -> str | None:
        return self.languages[0] if self.languages else None
