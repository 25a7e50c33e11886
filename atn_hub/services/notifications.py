"""Notifications: what the review workflow tells whom, as the notification channel of the outbox
(``atn_hub.outbox``), made by the worker from the change log, never in a request; and each person's inbox and
settings, for the API.

Who is told of what (a person is never told of their own doing, nor of anything while their account is
disabled, nor of a kind they set to "never"):

- a submission awaiting review: its assignee once it has one, until then every coordinator;
- a decision (approve, request changes, reject, with the comment): whoever submitted it and the members of the
  record's society;
- a comment or reply in a review discussion: the record's society, and its assignee (else the coordinators who
  took part in the discussion, else every coordinator);
- an assignment: the coordinator it was given to.

Each recipient is checked against the record's state when the notification is made (``permissions.visible``:
a coordinator is never told of a society's draft); a contact's name is kept apart and shown only to a caller
with ``contacts:read`` (and blanked when the contact is erased).
"""
from __future__ import annotations

import email
import email.policy
import logging
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from .. import i18n, outbox, permissions
from ..config import Settings
from ..db import execute_update, utcnow
from ..errors import Forbidden, NotFound
from ..models import (
    DEFAULT_FREQUENCIES,
    DIGEST_KIND,
    NOTIFICATION_KINDS,
    RECORD_MODELS,
    ChangeLog,
    Notification,
    NotificationAttempt,
    NotificationSettings,
    PendingRevision,
    ReviewComment,
    User,
)
from ..principal import ROLE_SCOPES, Principal
from . import mail

log = logging.getLogger("atn_hub.notifications")

CURSOR = "notifications"
SUBMITTED = ("submitted", "revision_submitted")
DECIDED = ("published", "changes_requested", "rejected", "revision_approved", "revision_changes_requested",
           "revision_rejected")


# --- what a change means, and to whom ------------------------------------------------------------------
def kind_of(row: ChangeLog) -> str | None:
    """The kind of notification a change-log row makes, if any."""
    if row.record_type not in RECORD_MODELS:
        return None
    payload = row.payload or {}
    if row.action in SUBMITTED:
        return "submission"
    if row.action in DECIDED and payload.get("decision"):
        return "decision"
    if row.action == "commented":
        return "comment"
    if row.action == "assigned" and payload.get("assignee"):
        return "assignment"
    return None


def reader(user: User) -> Principal:
    """A person as a reader of what they are told: their role's every scope (a token may hold fewer: what
    depends on the token, contacts' names, is decided when the inbox is read)."""
    return Principal(kind="user", role=user.role, society_id=user.society_id,
                     society_code=user.society.code if user.society else None, user_id=user.id, name=user.name,
                     scopes=frozenset(ROLE_SCOPES.get(user.role, set())))


def _people(session: Session, *conditions) -> list[User]:
    return list(session.scalars(select(User).where(User.disabled.is_(False), *conditions).order_by(User.id)))


def _coordinators(session: Session) -> list[User]:
    return _people(session, User.role == "coordinator")


def _assignee_at(session: Session, row: ChangeLog) -> uuid.UUID | None:
    """Whom the record's submission was assigned to when the change was made (from the log, so a slow worker
    tells the same people as a quick one): the last assignment since the last submission or decision."""
    last = session.scalar(select(ChangeLog).where(
        ChangeLog.record_type == row.record_type, ChangeLog.record_id == row.record_id, ChangeLog.seq <= row.seq,
        ChangeLog.action.in_((*SUBMITTED, *DECIDED, "assigned"))).order_by(ChangeLog.seq.desc()).limit(1))
    if last is not None and last.action == "assigned" and (last.payload or {}).get("assignee"):
        return uuid.UUID(last.payload["assignee"])
    return None


def _reviewers(session: Session, row: ChangeLog, record) -> list[User]:
    """The coordinators a record's discussion is for: its assignee, else those who took part, else all."""
    if assignee := _assignee_at(session, row):
        return _people(session, User.id == assignee)
    authors = select(ReviewComment.author_user_id).where(ReviewComment.record_type == record.record_type,
                                                         ReviewComment.record_id == record.id)
    took_part = _people(session, User.role.in_(("coordinator", "admin")), User.id.in_(authors))
    return took_part or _coordinators(session)


def _submitter(session: Session, row: ChangeLog) -> list[User]:
    """Who submitted what a decision decides: the actor of the record's last submission before it."""
    submitted_by = session.scalar(select(ChangeLog.actor_user_id).where(
        ChangeLog.record_type == row.record_type, ChangeLog.record_id == row.record_id,
        ChangeLog.action.in_(SUBMITTED), ChangeLog.seq < row.seq).order_by(ChangeLog.seq.desc()).limit(1))
    return _people(session, User.id == submitted_by) if submitted_by else []


def recipients(session: Session, row: ChangeLog, kind: str, record) -> list[User]:
    if kind == "submission":
        return _coordinators(session)  # a new submission has no assignee yet
    if kind == "decision":
        return _submitter(session, row) + _people(session, User.society_id == record.society_id)
    if kind == "comment":
        return _people(session, User.society_id == record.society_id) + _reviewers(session, row, record)
    if kind == "assignment":
        return _people(session, User.id == uuid.UUID(row.payload["assignee"]))
    return []


# --- settings -------------------------------------------------------------------------------------------
def settings_of(session: Session, user_id: uuid.UUID) -> dict[str, str]:
    """A person's frequency for every kind, and their language."""
    row = session.get(NotificationSettings, user_id)
    chosen = row.frequencies if row is not None else {}
    values = {kind: chosen.get(kind, DEFAULT_FREQUENCIES[kind]) for kind in NOTIFICATION_KINDS}
    return {**values, "language": row.language if row is not None else i18n.DEFAULT}


def _mail_status(frequency: str, settings: Settings) -> str:
    """What becomes of a new notification's e-mail: sent now, kept for the digest, or none (no mail server)."""
    if not settings.smtp_url:
        return "none"
    return "pending" if frequency == "immediately" else "digest"


# --- the notification channel of the outbox -------------------------------------------------------------
def _record_of(session: Session, row: ChangeLog):
    try:
        return session.get(RECORD_MODELS[row.record_type], uuid.UUID(row.record_id))
    except ValueError:
        return None


def _about(session: Session, record) -> dict[str, Any]:
    """What a notification says of its record: its title as the change left it (a submitted revision's
    own), its language; a contact's name kept apart (personal data)."""
    pending = session.scalar(select(PendingRevision).where(PendingRevision.record_type == record.record_type,
                                                           PendingRevision.record_id == record.id))
    content = pending.data if pending is not None else {}

    def value(name: str) -> Any:
        return content.get(name, getattr(record, name, None))

    if record.record_type == "contact":
        title, personal = value("role"), value("name")
    else:
        title, personal = value("title"), None
    return {"record_type": record.record_type, "record_id": record.id, "record_title": (title or None) and
            str(title)[:300], "record_personal_title": (personal or None) and str(personal)[:300],
            "record_language": record.language}


def route(settings: Settings):
    """The channel's ``route``: the notifications one change-log row makes, one per person it concerns."""

    def messages(session: Session, row: ChangeLog, now: datetime) -> Iterable[tuple[User, outbox.Message]]:
        kind = kind_of(row)
        if kind is None:
            return []
        record = _record_of(session, row)
        if record is None:
            return []  # deleted since: nothing to show
        payload = row.payload or {}
        actor = session.get(User, row.actor_user_id) if row.actor_user_id else None
        comment = payload.get("comment")
        if kind == "comment" and payload.get("comment_id"):
            entry = session.get(ReviewComment, uuid.UUID(payload["comment_id"]))
            comment = entry.comment if entry is not None else None
        about = _about(session, record)
        decision = payload.get("decision") if kind == "decision" else None
        found: list[tuple[User, outbox.Message]] = []
        seen: set[uuid.UUID] = set()
        for user in recipients(session, row, kind, record):
            if user.id in seen or user.id == row.actor_user_id:
                continue
            seen.add(user.id)
            if not permissions.visible(reader(user), record.society_id, record.status, record.visibility):
                continue
            chosen = settings_of(session, user.id)
            if chosen[kind] == "never":
                continue
            status, notification_id, body = _mail_status(chosen[kind], settings), uuid.uuid4(), ""
            if status == "pending":  # written now, sent as it is on every attempt (an e-mail never names a contact)
                body = mail.write(settings, notification_id=notification_id, user_id=user.id,
                                  language=chosen["language"], kind=kind, decision=decision,
                                  title=about["record_title"], actor=actor.name if actor else None,
                                  comment=comment or None, record_type=about["record_type"],
                                  record_id=about["record_id"])
            found.append((user, outbox.Message(f"notification.{kind}", body, {
                "id": notification_id, "kind": kind, **about, "actor_user_id": actor.id if actor else None,
                "actor_name": actor.name if actor else None, "decision": decision, "comment": comment or None,
                "status": status, "next_attempt_at": now if status == "pending" else None})))
        return found

    return messages


def retry_policy(settings: Settings) -> outbox.RetryPolicy:
    return outbox.RetryPolicy(backoff_seconds=settings.mail_backoff_seconds,
                              backoff_max_seconds=settings.mail_backoff_max_seconds,
                              retry_hours=settings.mail_retry_hours, concurrency=2,
                              attempt_seconds=2 * settings.mail_timeout_seconds)  # to connect, then to send


def channel(settings: Settings) -> outbox.Channel:
    """Notifications as the outbox sees them: the subscribers are people (not disabled), each notification
    a delivery, its e-mail sent by ``mail.MailTransport`` (none is due without ``ATN_SMTP_URL``)."""
    return outbox.Channel(name="notification", cursor=CURSOR, subscriber_name="user", subscriber_model=User,
                          delivery_model=Notification, attempt_model=NotificationAttempt,
                          compose=lambda *_: None, recipient=lambda user: mail.MailRecipient(user.email, user.name),
                          transport=mail.MailTransport(settings), policy=retry_policy(settings), log=log,
                          route=route(settings), is_active=lambda model: model.disabled.is_(False))


def run_once(session_factory, settings: Settings) -> dict[str, int]:
    """One pass of the worker for notifications: make them from everything new, send the e-mails due."""
    return outbox.run_once(session_factory, channel(settings))


# --- the inbox, for the API -----------------------------------------------------------------------------
def _person(principal: Principal) -> uuid.UUID:
    if principal.user_id is None:
        raise Forbidden("Notifications are a person's; this caller is a client.")
    return principal.user_id


def present(principal: Principal, notification: Notification) -> dict[str, Any]:
    """A notification as its person's caller sees it: a contact's name only with ``contacts:read``."""
    record = None
    if notification.record_type is not None:
        title = notification.record_title
        if notification.record_personal_title and not permissions.hidden_fields(principal, notification.record_type):
            title = notification.record_personal_title
        record = {"type": notification.record_type, "id": notification.record_id, "title": title,
                  "language": notification.record_language}
    actor = ({"id": notification.actor_user_id, "name": notification.actor_name}
             if notification.actor_user_id or notification.actor_name else None)
    return {"id": notification.id, "kind": notification.kind, "created_at": notification.created_at,
            "read": notification.read_at is not None, "record": record, "actor": actor,
            "decision": notification.decision, "comment": notification.comment}


def inbox(session: Session, principal: Principal, unread: bool | None, page: int,
          page_size: int) -> tuple[list[dict[str, Any]], int]:
    """The caller's notifications, newest first; ``unread`` True: only those not read yet, False: only read."""
    where = [Notification.user_id == _person(principal), Notification.kind != DIGEST_KIND]
    if unread is True:
        where.append(Notification.read_at.is_(None))
    elif unread is False:
        where.append(Notification.read_at.is_not(None))
    total = session.scalar(select(func.count()).select_from(Notification).where(*where)) or 0
    rows = session.scalars(select(Notification).where(*where)
                           .order_by(Notification.created_at.desc(), Notification.seq.desc(), Notification.id)
                           .offset((page - 1) * page_size).limit(page_size))
    return [present(principal, row) for row in rows], total


def mark_read(session: Session, principal: Principal, ids: list[uuid.UUID] | None, everything: bool) -> dict:
    """Mark the caller's notifications read (those of ``ids``, or all); ids that are not the caller's are
    passed over. Returns how many were marked now and how many stay unread."""
    user_id = _person(principal)
    mine = [Notification.user_id == user_id, Notification.read_at.is_(None), Notification.kind != DIGEST_KIND]
    if not everything:
        mine.append(Notification.id.in_(ids or []))
    marked = execute_update(session, update(Notification).where(*mine).values(read_at=utcnow())
                            .execution_options(synchronize_session=False)).rowcount or 0
    unread = session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None), Notification.kind != DIGEST_KIND)) or 0
    return {"marked": marked, "unread": unread}


def person_exists(session: Session, user_id: uuid.UUID) -> bool:
    return session.get(User, user_id) is not None


def unsubscribe(session: Session, user_id: uuid.UUID, kind: str) -> None:
    """An e-mail's unsubscribe link, followed: that kind is "never" from now on (a digest's link, "daily" or
    "weekly": every kind the person gets in that digest)."""
    current = settings_of(session, user_id)
    kinds = [k for k in NOTIFICATION_KINDS if current[k] == kind] if kind in ("daily", "weekly") else [kind]
    row = session.get(NotificationSettings, user_id)
    if row is None:
        row = NotificationSettings(user_id=user_id, frequencies={}, language=i18n.DEFAULT)
        session.add(row)
    row.frequencies = {**(row.frequencies or {}), **dict.fromkeys(kinds, "never")}
    row.updated_at = utcnow()
    session.flush()
    log.info("notifications unsubscribed", extra={"user": str(user_id), "kind": kind})


def get_settings(session: Session, principal: Principal) -> dict[str, str]:
    return settings_of(session, _person(principal))


def update_settings(session: Session, principal: Principal, data: dict[str, str]) -> dict[str, str]:
    """Change some of the caller's settings (the others stay)."""
    user_id = _person(principal)
    row = session.get(NotificationSettings, user_id)
    if row is None:
        row = NotificationSettings(user_id=user_id, frequencies={}, language=i18n.DEFAULT)
        session.add(row)
    frequencies = dict(row.frequencies or {})
    for kind in NOTIFICATION_KINDS:
        if kind in data:
            frequencies[kind] = data[kind]
    row.frequencies = frequencies
    if "language" in data:
        row.language = data["language"]
    row.updated_at = utcnow()
    session.flush()
    return settings_of(session, user_id)


# --- e-mails, for administrators -----------------------------------------------------------------------
def _subject(body: str) -> str | None:
    if not body:
        return None
    return str(email.message_from_string(body, policy=email.policy.default).get("Subject") or "") or None


def _mail_entry(notification: Notification, user: User) -> dict[str, Any]:
    return {"id": notification.id, "kind": notification.kind, "status": notification.status,
            "recipient": {"user_id": user.id, "name": user.name, "email": user.email},
            "subject": _subject(notification.body), "created_at": notification.created_at,
            "attempts": notification.attempt_count, "next_attempt_at": notification.next_attempt_at,
            "give_up_at": notification.give_up_at if notification.status == "pending" else None,
            "delivered_at": notification.delivered_at, "last_error": notification.last_error}


def mail_deliveries(session: Session, principal: Principal, status: str, page: int,
                    page_size: int) -> tuple[list[dict[str, Any]], int]:
    """The e-mails in a state (``failed``: given up after a day of retries), newest first: administrators see
    what did not reach whom, and why (the mail server's last answer)."""
    permissions.require_admin(principal, "The e-mail deliveries")
    where = [Notification.status == status]
    total = session.scalar(select(func.count()).select_from(Notification).where(*where)) or 0
    rows = session.execute(select(Notification, User).join(User, User.id == Notification.user_id).where(*where)
                           .order_by(Notification.created_at.desc(), Notification.id)
                           .offset((page - 1) * page_size).limit(page_size))
    return [_mail_entry(notification, user) for notification, user in rows], total


def retry_mail(session: Session, principal: Principal, settings: Settings, notification_id: uuid.UUID) -> dict:
    """Send a failed (or pending) e-mail again now: the same message, the same Message-ID, a new day of
    retries (after the mail server's settings were put right)."""
    permissions.require_admin(principal, "Sending an e-mail again")
    notification = session.get(Notification, notification_id)
    if notification is None or notification.status not in ("pending", "failed"):
        raise NotFound(f"No e-mail {notification_id} waiting or failed.")
    outbox.requeue(notification, retry_policy(settings))
    session.flush()
    log.info("e-mail queued again", extra={"notification": str(notification.id)})
    user = session.get(User, notification.user_id)
    assert user is not None  # a notification goes when its person does (ON DELETE CASCADE)
    return _mail_entry(notification, user)


# --- erasure --------------------------------------------------------------------------------------------
def scrub(session: Session, record_type: str, record_id: uuid.UUID, fields: tuple[str, ...]) -> int:
    """Blank what notifications keep of a record's personal fields (a contact's name); returns how many."""
    if record_type != "contact" or "name" not in fields:
        return 0
    return execute_update(session, update(Notification).where(
        Notification.record_type == record_type, Notification.record_id == record_id,
        Notification.record_personal_title.is_not(None))
        .values(record_personal_title=None).execution_options(synchronize_session=False)).rowcount or 0
