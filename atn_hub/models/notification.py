"""Notifications: what a person is told of the review workflow (their inbox), each one also a delivery of the
outbox's notification channel (its e-mail, when one is due), with each attempt of that; and each person's
settings (how often, per kind, and in which language)."""
from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, BigIntPK, JSONType, UTCDateTime, timestamp, uuid_pk

NOTIFICATION_KINDS = ["submission", "decision", "comment", "assignment", "review_due", "stale"]
DIGEST_KIND = "digest"  # a daily or weekly e-mail gathering notifications: the outbox's, never in the inbox
FREQUENCIES = ["immediately", "daily", "weekly", "never"]
# What a person who never changed a setting gets: the workflow at once, reminders as a weekly digest.
DEFAULT_FREQUENCIES = {"submission": "immediately", "decision": "immediately", "comment": "immediately",
                       "assignment": "immediately", "review_due": "weekly", "stale": "weekly"}
# A notification's e-mail: due now ("pending"), sent, given up ("failed"), waiting for the person's digest
# ("digest"), or none ("none": no mail server, or nothing to send).
MAIL_STATUSES = ["pending", "delivered", "failed", "digest", "none"]


class Notification(Base):
    """One change of the log, told to one person. What it says of its record was shaped for that person when
    it was made (never what they may not read); a contact's personal field (its name) is kept apart, shown
    only to a caller with ``contacts:read``, and blanked when the contact is erased. The mail columns are
    the outbox's (``atn_hub.outbox``): its id is the e-mail's Message-ID, the same on every attempt."""

    __tablename__ = "notification"

    id: Mapped[uuid_pk]
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    seq: Mapped[int | None] = mapped_column(BigInteger)  # the change it tells of (none: a reminder, a digest)
    kind: Mapped[str] = mapped_column(String(16))
    record_type: Mapped[str | None] = mapped_column(String(32))
    record_id: Mapped[uuid.UUID | None]
    record_title: Mapped[str | None] = mapped_column(String(300))
    record_personal_title: Mapped[str | None] = mapped_column(String(300))  # a contact's name: personal data
    record_language: Mapped[str | None] = mapped_column(String(8))
    actor_user_id: Mapped[uuid.UUID | None]
    actor_name: Mapped[str | None] = mapped_column(String(200))
    decision: Mapped[str | None] = mapped_column(String(32))
    comment: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[timestamp]
    # the outbox's delivery columns (the e-mail)
    event: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="none")
    attempt_count: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    give_up_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_status_code: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("user_id", "seq"),
                      Index("ix_notification_user_created", "user_id", "created_at"),
                      Index("ix_notification_record", "record_type", "record_id"))


class NotificationAttempt(Base):
    """One try of a notification's e-mail: when, how long, and the SMTP reply code or the error."""

    __tablename__ = "notification_attempt"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    delivery_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("notification.id", ondelete="CASCADE"), index=True)
    at: Mapped[timestamp]
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    status_code: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(String(500))


class NotificationSettings(Base):
    """A person's choices: how often each kind of notification (``frequencies``: only those changed from the
    defaults) and the language of their messages."""

    __tablename__ = "notification_settings"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    frequencies: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    language: Mapped[str] = mapped_column(String(8), default="en")
    updated_at: Mapped[timestamp]
