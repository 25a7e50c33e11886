from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, json_list, text
from .base import RecordMixin

KINDS = ["good_practice", "lesson_learned", "challenge"]
AREAS = ["prevention", "protection", "prosecution", "partnership"]
SERVICES = ["legal_aid", "psychosocial_support", "shelter", "medical_care", "information", "referral",
            "interpretation", "family_tracing", "material_assistance", "return_reintegration", "training",
            "outreach", "helpline"]


class Practice(RecordMixin, Base):
    """An approach that works (or a lesson learned, or a challenge), shared by a society."""

    __tablename__ = "practice"
    record_type = "practice"
    translatable = ("title", "summary", "body", "results", "evaluation")  # the fields a translation holds

    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[text]
    body: Mapped[text] = mapped_column(default="")
    language: Mapped[str] = mapped_column(String(8), index=True)
    countries: Mapped[json_list]
    kind: Mapped[str] = mapped_column(String(32), default="good_practice")
    target_groups: Mapped[json_list]
    forms_of_exploitation: Mapped[json_list]
    areas: Mapped[json_list]
    services: Mapped[json_list]
    results: Mapped[str | None] = mapped_column(default=None)
    evaluation: Mapped[str | None] = mapped_column(default=None)
    start_year: Mapped[int | None] = mapped_column(Integer)
    end_year: Mapped[int | None] = mapped_column(Integer)
    links: Mapped[json_list]
    # Links to other records (``services.links``): [{"id", "role"}] of contacts, and training materials' ids.
    contacts: Mapped[json_list]
    training_materials: Mapped[json_list]

    # The attached files with their extracted pages, for the search document (read-only here).
    files = relationship("MaterialFile", viewonly=True, lazy="select", order_by="MaterialFile.created_at")
