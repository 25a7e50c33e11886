from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, json_list, str200, uuid_pk
from .base import Timestamped


class Society(Timestamped, Base):
    """A national Red Cross society; one per country, addressed by its country's ISO 3166-1 alpha-2 code."""

    __tablename__ = "society"

    id: Mapped[uuid_pk]
    code: Mapped[str] = mapped_column(String(2), unique=True)
    name: Mapped[str200]
    name_local: Mapped[str200]
    languages: Mapped[json_list]
    website: Mapped[str | None] = mapped_column(String(500))
    email: Mapped[str | None] = mapped_column(String(320))
