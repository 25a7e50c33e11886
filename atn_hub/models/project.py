from __future__ import annotations

from datetime import date

from sqlalchemy import Date, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, json_list, text
from .base import RecordMixin

PARTNER_KINDS = ["red_cross_society", "government_agency", "ngo", "international_organisation", "other"]


class Project(RecordMixin, Base):
    """A project run by one or more societies with partner organisations, under which practices and training
    materials were made (e.g. an EU-funded project with the national reception agency and NGOs)."""

    __tablename__ = "project"
    record_type = "project"
    translatable = ("title", "summary", "description")  # the fields a translation holds

    title: Mapped[str] = mapped_column(String(300))  # the project's name
    acronym: Mapped[str | None] = mapped_column(String(50))
    summary: Mapped[text]
    description: Mapped[text] = mapped_column(default="")
    language: Mapped[str] = mapped_column(String(8), index=True)
    countries: Mapped[json_list]
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    funders: Mapped[json_list]  # e.g. "European Union, AMIF"
    partners: Mapped[json_list]  # [{"name", "country", "kind" (PARTNER_KINDS), "url"}]
    societies: Mapped[json_list]  # codes of the other societies taking part (its own is ``society``)
    web_address: Mapped[str | None] = mapped_column(String(2000))
    # Links to other records (``services.links``): the ids of its practices and training materials.
    practices: Mapped[json_list]
    training_materials: Mapped[json_list]

    # The attached files with their extracted pages, for the search document (read-only here).
    files = relationship("MaterialFile", viewonly=True, lazy="select", order_by="MaterialFile.created_at")
