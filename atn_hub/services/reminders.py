"""What no change says, the worker says on a schedule: reminders (a contact whose ``review_due_at`` has passed,
to its society, again each week until someone reviews it; a published record untouched for
``ATN_STALE_AFTER_DAYS``, to its society, again after as long) and the daily and weekly digests that gather a
person's notifications of the kinds they set to ``daily`` or ``weekly`` into one e-mail.

A reminder is a notification like the others (the inbox shows it, the person's setting for its kind says how
and whether it is sent); a digest is a notification of its own (kind ``digest``, never listed in the inbox),
sent by the same outbox channel: claimed, sent, marked, retried, under a stable Message-ID.

The pass runs at most once every ``PASS_EVERY`` per database, whatever the number of workers: it takes a row of
the cursor table, locked, and looks at when it last ran.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import outbox
from ..config import Settings
from ..db import reading, utcnow
from ..models import DIGEST_KIND, RECORD_MODELS, Contact, Notification, Status, User, WebhookCursor
from . import mail, notifications

log = notifications.log

PASS_CURSOR = "reminders"
PASS_EVERY = timedelta(minutes=10)
REVIEW_DUE_EVERY = timedelta(days=7)
PERIODS = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}


def _members(session: Session, society_id: uuid.UUID) -> list[User]:
    return list(session.scalars(select(User).where(User.society_id == society_id, User.disabled.is_(False))
                                .order_by(User.id)))


def _told_since(session: Session, user_id: uuid.UUID, kind: str, record, since: datetime) -> bool:
    return session.scalar(select(Notification.id).where(
        Notification.user_id == user_id, Notification.kind == kind, Notification.record_type == record.record_type,
        Notification.record_id == record.id, Notification.created_at >= since).limit(1)) is not None


def _tell(session: Session, settings: Settings, user: User, kind: str, record, now: datetime) -> bool:
    chosen = notifications.settings_of(session, user.id)
    if chosen[kind] == "never":
        return False
    about = notifications._about(session, record)
    status, notification_id, body = notifications._mail_status(chosen[kind], settings), uuid.uuid4(), ""
    if status == "pending":
        body = mail.write(settings, notification_id=notification_id, user_id=user.id, language=chosen["language"],
                          kind=kind, decision=None, title=about["record_title"], actor=None, comment=None,
                          record_type=about["record_type"], record_id=about["record_id"])
    session.add(Notification(id=notification_id, user_id=user.id, seq=None, kind=kind, **about, details={},
                             created_at=now, event=f"notification.{kind}", body=body, status=status,
                             attempt_count=0, next_attempt_at=now if status == "pending" else None,
                             give_up_at=now + timedelta(hours=settings.mail_retry_hours)))
    return True


def remind(session: Session, settings: Settings, now: datetime) -> int:
    """Make the reminders due now; returns how many notifications it made."""
    made = 0
    due = session.scalars(select(Contact).where(Contact.review_due_at.is_not(None), Contact.review_due_at <= now,
                                                Contact.status != Status.archived.value).order_by(Contact.id))
    for contact in due:
        for user in _members(session, contact.society_id):
            if not _told_since(session, user.id, "review_due", contact, now - REVIEW_DUE_EVERY):
                made += _tell(session, settings, user, "review_due", contact, now)
    stale_after = timedelta(days=settings.stale_after_days)
    models: list[Any] = list(RECORD_MODELS.values())
    for model in models:
        stale = session.scalars(select(model).where(model.status == Status.published.value,
                                                    model.updated_at <= now - stale_after).order_by(model.id))
        for record in stale:
            since = max(record.updated_at, now - stale_after)
            for user in _members(session, record.society_id):
                if not _told_since(session, user.id, "stale", record, since):
                    made += _tell(session, settings, user, "stale", record, now)
    session.flush()
    return made


def _line(language: str, notification: Notification) -> str:
    from .. import i18n

    return i18n.message(language, mail.sentence_key(notification.kind, notification.decision),
                        name=notification.actor_name or i18n.message(language, "mail.someone"),
                        title=notification.record_title or "…")


def digest(session: Session, settings: Settings, now: datetime) -> int:
    """Gather each person's notifications waiting for their daily or weekly digest into one e-mail, when that
    digest is due (a period after the last one, or after the oldest waiting notification). Returns how many
    digests it made."""
    made = 0
    waiting = session.scalars(select(Notification).where(Notification.status == "digest")
                              .order_by(Notification.user_id, Notification.created_at))
    by_person: dict[uuid.UUID, list[Notification]] = {}
    for notification in waiting:
        by_person.setdefault(notification.user_id, []).append(notification)
    for user_id, items in by_person.items():
        chosen = notifications.settings_of(session, user_id)
        by_period: dict[str, list[Notification]] = {}
        for item in items:
            frequency = chosen.get(item.kind, "never")
            if frequency in PERIODS:
                by_period.setdefault(frequency, []).append(item)
            else:  # changed since: at once or never now, it is not gathered into a digest
                item.status = "none"
        for period, gathered in by_period.items():
            last = session.scalar(select(Notification.created_at).where(
                Notification.user_id == user_id, Notification.kind == DIGEST_KIND,
                Notification.event == f"notification.digest.{period}").order_by(Notification.created_at.desc())
                .limit(1))
            if (last or gathered[0].created_at) > now - PERIODS[period]:
                continue
            made += _send_digest(session, settings, user_id, chosen["language"], period, gathered, now)
    session.flush()
    return made


def _send_digest(session: Session, settings: Settings, user_id: uuid.UUID, language: str, period: str,
                 gathered: list[Notification], now: datetime) -> int:
    digest_id = uuid.uuid4()
    lines = list(dict.fromkeys((_line(language, item), mail.record_url(settings, item.record_type, item.record_id))
                               for item in gathered))  # a record reminded of twice is listed once
    body = mail.write_digest(settings, notification_id=digest_id, user_id=user_id, language=language,
                             period=period, lines=lines)
    session.add(Notification(id=digest_id, user_id=user_id, seq=None, kind=DIGEST_KIND, details={
        "notifications": [str(item.id) for item in gathered]}, created_at=now, event=f"notification.digest.{period}",
        body=body, status="pending" if settings.smtp_url else "none", attempt_count=0, next_attempt_at=now,
        give_up_at=now + timedelta(hours=settings.mail_retry_hours)))
    for item in gathered:
        item.status = "delivered"  # by the digest: its own status says whether the e-mail went
        item.details = {**(item.details or {}), "digest": str(digest_id)}
    return 1


def run_once(session_factory, settings: Settings, force: bool = False) -> dict[str, Any]:
    """The scheduled pass: reminders, then digests, at most once every PASS_EVERY (``force``: now). A pass that
    finds the last one recent only reads (the delivery thread asks every second)."""
    if not force:
        with reading(), session_factory() as session:
            last = session.scalar(select(WebhookCursor.updated_at)
                                  .where(WebhookCursor.name == PASS_CURSOR, WebhookCursor.seq > 0))
        if last is not None and last > utcnow() - PASS_EVERY:
            return {"reminders": 0, "digests": 0}
    with session_factory() as session:
        cursor = outbox.lock_cursor(session, PASS_CURSOR)
        now = utcnow()
        if not force and cursor.seq and cursor.updated_at > now - PASS_EVERY:
            session.rollback()
            return {"reminders": 0, "digests": 0}
        reminded = remind(session, settings, now)
        digests = digest(session, settings, now)
        cursor.seq, cursor.updated_at = cursor.seq + 1, now
        session.commit()
    return {"reminders": reminded, "digests": digests}
