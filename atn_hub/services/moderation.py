"""The coordinators' queue: what societies submitted, oldest first, with the submitter, the diff against the
published version, the discussion so far and who is on it."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import permissions
from ..db import utcnow
from ..errors import Invalid, NotFound
from ..models import RECORD_MODELS, ReviewComment, Society, Submission, User
from ..principal import Principal
from . import change_log, revisions


@dataclass
class QueueItem:
    submission: Submission
    record: Any
    pending: Any
    diff: list[dict[str, Any]]
    discussion: list[ReviewComment] = field(default_factory=list)
    assignee: User | None = None

    def __getattr__(self, name: str) -> Any:  # id, kind, submitted_at, ... for the schema
        return getattr(self.submission, name)

    @property
    def status(self) -> str:
        return self.pending.status if self.pending is not None else self.record.status

    @property
    def title(self) -> str:
        content = self.pending.data if self.pending is not None else {}
        return content.get("title") or content.get("role") or getattr(self.record, "title", None) or \
            getattr(self.record, "role", None) or "Contact"

    @property
    def countries(self) -> list[str]:
        record = self.record
        return list(getattr(record, "countries", None) or [getattr(record, "country", None) or record.society.code])

    @property
    def languages(self) -> list[str]:
        record = self.record
        if getattr(record, "language", None) and not hasattr(record, "languages"):
            return [record.language]
        return list(getattr(record, "languages", None) or [])

    @property
    def submitted_by(self) -> dict[str, Any]:
        s = self.submission
        return {"user_id": s.submitted_by_user_id, "name": s.submitted_by_name, "client_id": s.submitted_by_client_id}

    @property
    def assignee_person(self) -> dict[str, Any] | None:
        return {"user_id": self.assignee.id, "name": self.assignee.name} if self.assignee else None

    @property
    def society(self) -> str:
        return self.record.society.code

    @property
    def external_id(self) -> str | None:
        return self.record.external_id


def _require_coordinator(principal: Principal, doing: str) -> None:
    from ..errors import Forbidden

    permissions.require_scope(principal, "moderate", doing)
    if not principal.is_coordinator:
        raise Forbidden(f"{doing} is for coordinators.", scope="moderate")


def _item(session: Session, principal: Principal, submission: Submission) -> QueueItem:
    record = session.get(RECORD_MODELS[submission.record_type], submission.record_id)
    return _complete(session, principal, QueueItem(submission, record, None, []))


def _complete(session: Session, principal: Principal, item: QueueItem) -> QueueItem:
    """The costly parts of an entry (pending revision, diff, discussion, assignee): for the page shown only."""
    record, submission = item.record, item.submission
    item.pending = revisions.pending_of(session, record) if submission.kind == "revision" else None
    hidden = permissions.hidden_fields(principal, submission.record_type)
    item.diff = revisions.submission_diff(session, record, item.pending, hidden, principal)  # fields, then files
    item.discussion = list(session.scalars(select(ReviewComment).where(
        ReviewComment.record_type == record.record_type, ReviewComment.record_id == record.id)
        .order_by(ReviewComment.created_at)))
    item.assignee = session.get(User, submission.assignee_user_id) if submission.assignee_user_id else None
    return item


def queue(session: Session, principal: Principal, args: dict[str, Any], page: int,
          page_size: int) -> tuple[list[QueueItem], int]:
    _require_coordinator(principal, "The moderation queue")
    stmt = select(Submission).order_by(Submission.submitted_at, Submission.id)
    if types := args.get("type"):
        stmt = stmt.where(Submission.record_type.in_(types))
    if society := args.get("society"):
        stmt = stmt.where(Submission.society_id.in_(select(Society.id).where(Society.code == society)))
    if age := args.get("age"):  # a timedelta: submitted at least this long ago
        stmt = stmt.where(Submission.submitted_at <= utcnow() - age)
    assignee = args.get("assignee")  # "me", "none" or a user id
    if assignee == "me":
        stmt = stmt.where(Submission.assignee_user_id == principal.user_id)
    elif assignee == "none":
        stmt = stmt.where(Submission.assignee_user_id.is_(None))
    elif assignee:
        stmt = stmt.where(Submission.assignee_user_id == uuid.UUID(assignee))
    items = [QueueItem(s, session.get(RECORD_MODELS[s.record_type], s.record_id), None, [])
             for s in session.scalars(stmt)]
    if country := args.get("country"):  # a record's countries and languages live in type-specific columns
        items = [i for i in items if country in i.countries]
    if language := args.get("language"):
        items = [i for i in items if language in i.languages]
    start = (page - 1) * page_size
    return [_complete(session, principal, i) for i in items[start:start + page_size]], len(items)


def get(session: Session, principal: Principal, item_id: uuid.UUID) -> QueueItem:
    _require_coordinator(principal, "The moderation queue")
    submission = session.get(Submission, item_id)
    if submission is None:
        raise NotFound(f"No submission {item_id} in the queue (it may have been decided).")
    return _item(session, principal, submission)


def coordinators(session: Session, principal: Principal) -> list[dict[str, Any]]:
    """The people a submission can be assigned to (active coordinators and administrators), by name: for a
    coordinator's "assign to" choice. Only coordinators see the list."""
    _require_coordinator(principal, "The list of coordinators")
    people = session.scalars(select(User).where(User.role.in_(("coordinator", "admin")), User.disabled.is_(False))
                             .order_by(User.name, User.id))
    return [{"user_id": user.id, "name": user.name} for user in people]


def assign(session: Session, principal: Principal, item_id: uuid.UUID, assignee_id: uuid.UUID | None) -> QueueItem:
    """A coordinator takes a submission, hands it to another coordinator, or leaves it open (None)."""
    item = get(session, principal, item_id)
    if assignee_id is not None:
        user = session.get(User, assignee_id)
        if user is None or user.disabled or user.role not in ("coordinator", "admin"):
            raise Invalid("assignee_id", "Not an active coordinator's user id.")
    submission = item.submission
    submission.assignee_user_id = assignee_id
    submission.assigned_at = utcnow() if assignee_id else None
    session.flush()  # the version check: two coordinators assigning at once, one gets 409
    change_log.append(session, principal, record_type=submission.record_type, record_id=submission.record_id,
                      action="assigned", payload={"external_id": item.record.external_id, "society": item.society,
                                               "assignee": str(assignee_id) if assignee_id else None},
                   society_id=submission.society_id)
    return _item(session, principal, submission)
