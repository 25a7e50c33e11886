"""Webhooks: a society's endpoints, the events they subscribe to, the deliveries the worker makes to them, and
each attempt of each."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, BigIntPK, UTCDateTime, json_list, timestamp, uuid_pk
from .base import Timestamped
from .contact import Contact
from .practice import Practice
from .project import Project
from .training_material import TrainingMaterial

DELIVERY_STATUSES = ["pending", "delivered", "failed"]

# Events are "<record type>.<action>", the action being what the changes feed says a change means to its
# reader (services.changes classifies each change into one of these).
ALL_EVENTS = "*"
EVENT_ACTIONS = ["created", "updated", "published", "unpublished", "deleted"]
_TYPES = (Practice, Contact, TrainingMaterial, Project)
EVENT_TYPES = [f"{model.record_type}.{action}" for model in _TYPES for action in EVENT_ACTIONS]
EVENT_PATTERNS = [f"{model.record_type}.*" for model in _TYPES]  # every action of a type
PING_EVENT = "ping"  # sent on request (POST /webhooks/{id}/ping), whatever the endpoint subscribes to


class WebhookEndpoint(Timestamped, Base):
    """A society's receiver. Its secret signs every delivery (kept readable: HMAC needs it), and it gets the
    changes committed after ``start_seq`` (its registration's place in the change log)."""

    __tablename__ = "webhook_endpoint"

    id: Mapped[uuid_pk]
    society_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("society.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(128))
    events: Mapped[json_list]
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    description: Mapped[str | None] = mapped_column(String(500))
    start_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    created_by_user_id: Mapped[uuid.UUID | None]
    created_by_client_id: Mapped[str | None] = mapped_column(String(64))
    created_by_name: Mapped[str | None] = mapped_column(String(200))

    society = relationship("Society", lazy="joined", innerjoin=True)
    warnings: tuple[str, ...] = ()  # not a column: what a registration's answer says stands in the way of deliveries


class WebhookDelivery(Base):
    """One change-log event for one endpoint. Its id and body never change: retries and redeliveries send
    the same bytes under the same id, so a receiver deduplicates by id."""

    __tablename__ = "webhook_delivery"

    id: Mapped[uuid_pk]
    endpoint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("webhook_endpoint.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    event: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempt_count: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    give_up_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_status_code: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[timestamp]
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    attempts = relationship("WebhookAttempt", order_by="WebhookAttempt.id", lazy="selectin",
                            cascade="all, delete-orphan", passive_deletes=True)

    __table_args__ = (UniqueConstraint("endpoint_id", "seq"),)


class WebhookAttempt(Base):
    """One try of a delivery: when, how long, and the HTTP status or the error."""

    __tablename__ = "webhook_attempt"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    delivery_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("webhook_delivery.id", ondelete="CASCADE"), index=True)
    at: Mapped[timestamp]
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    status_code: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(String(500))


class WebhookCursor(Base):
    """The fan-out's position in the change log: every row up to ``seq`` has become deliveries."""

    __tablename__ = "webhook_cursor"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[timestamp]

