from __future__ import annotations

from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base
from .base import Timestamped

CATEGORIES = ["exploitation", "target_group", "support_phase", "theme"]


class Topic(Timestamped, Base):
    """An entry of the controlled vocabulary, referred to by its code."""

    __tablename__ = "topic"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    category: Mapped[str] = mapped_column(String(32), index=True)
    labels: Mapped[dict[str, Any]]
