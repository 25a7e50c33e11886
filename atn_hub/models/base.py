"""Columns and behaviour shared by the publishable records (practices, contacts, training materials)."""
from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from ..db import UTCDateTime, json_list, timestamp, utcnow, uuid_pk


class Status(str, enum.Enum):
    draft = "draft"
    submitted = "submitted"
    published = "published"
    changes_requested = "changes_requested"
    rejected = "rejected"
    archived = "archived"


class Visibility(str, enum.Enum):
    public = "public"
    network = "network"


STATUSES = [s.value for s in Status]
VISIBILITIES = [v.value for v in Visibility]


class Timestamped:
    created_at: Mapped[timestamp]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow, index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        # Optimistic locking: an UPDATE whose row changed meanwhile fails instead of overwriting it.
        return {"version_id_col": cls.version}


class RecordMixin(Timestamped):
    """A society's publishable record."""

    record_type: str = ""  # "practice", "contact", "training-material": the name in URLs and the change log
    translatable: tuple[str, ...] = ()  # the text fields a translation holds (see ``translations``)

    id: Mapped[uuid_pk]
    external_id: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(32), default=Status.draft.value, index=True)
    visibility: Mapped[str] = mapped_column(String(16), default=Visibility.network.value)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    topics: Mapped[json_list]
    # By ISO 639-1 code (never the record's own language): {"title": ..., the other translatable fields,
    # "origin": "author"|"machine", "updated_by": {"id", "name"}|None, "updated_at": ISO time|None}.
    translations: Mapped[dict[str, Any]] = mapped_column(default=dict)

    if TYPE_CHECKING:
        # Every record model is also a ``Base``, whose declarative constructor takes mapped attributes as keywords
        # (the services make records through ``model: type[RecordMixin]``).
        def __init__(self, **kwargs: Any) -> None: ...

    @declared_attr
    def society_id(cls) -> Mapped[uuid.UUID]:
        return mapped_column(ForeignKey("society.id", ondelete="RESTRICT"), index=True)

    @declared_attr
    def society(cls):
        return relationship("Society", lazy="joined", innerjoin=True)

    @declared_attr.directive
    def __table_args__(cls):
        return (UniqueConstraint("society_id", "external_id"),)

    @property
    def society_code(self) -> str:
        return self.society.code

    @property
    def is_published(self) -> bool:
        return self.status == Status.published.value
