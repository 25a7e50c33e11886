"""The moderation workflow: explicit actions, never a status field that clients set.

    draft ──submit──▶ submitted ──review: approve──▶ published ──archive──▶ archived
      ▲                  │                             ▲                       │
      └─ changes_requested ◀─ review: request_changes  └────── unarchive ──────┘
                         └─ review: reject ──▶ rejected

A society submits its own drafts; only coordinators (scope ``moderate``) decide. Two coordinators deciding
at once: the record's version makes one of them win and the other get 409.
"""
from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import permissions
from ..db import utcnow
from ..errors import Conflict, Forbidden, Invalid
from ..models import RecordMixin, ReviewComment, Status
from ..principal import Principal
from . import change_log, revisions
from .records import RecordService, RecordView

DECISION_STATUS = {"approve": Status.published.value, "request_changes": Status.changes_requested.value,
                   "reject": Status.rejected.value}


def _transition(session: Session, principal: Principal, service: RecordService, record: RecordMixin,
                status: str, action: str, payload: dict | None = None) -> RecordView:
    before = change_log.state_of(record)
    record.status = status
    if status == Status.published.value and before["status"] != Status.archived.value:
        record.published_at = utcnow()
    if status == Status.published.value and (files := revisions.published_files(session, record)):
        payload = {**(payload or {}), "files": files}  # published with the record: the feed says so
    # The flush bumps the version: a concurrent decision on the same version fails with 409.
    revisions.record_change(session, principal, record, action, before=before, fields={"status": status},
                             extra=payload)
    return service.present(principal, record)


def submit(session: Session, principal: Principal, service: RecordService, record_id: uuid.UUID) -> RecordView:
    permissions.require_scope(principal, "write", "Submitting for review")
    record = service.get_record(session, principal, record_id)
    if not permissions.can_submit(principal, record):
        raise Forbidden("Only the record's own society submits it for review.")
    if record.is_published:
        revisions.submit_pending(session, principal, record)
        return service.present(principal, record)
    if record.status not in permissions.SUBMITTABLE:
        raise Conflict(f"A {record.status} {record.record_type} cannot be submitted; drafts, records with "
                       f"changes requested and published records with edits can.")
    revisions.open_submission(session, principal, record, "new")
    return _transition(session, principal, service, record, Status.submitted.value, "submitted")


def review(session: Session, principal: Principal, service: RecordService, record_id: uuid.UUID,
           decision: str, comment: str | None) -> RecordView:
    permissions.require_scope(principal, "moderate", "Reviewing a submission")
    record = service.get_record(session, principal, record_id)
    if not permissions.can_review(principal, record):
        raise Forbidden("Only coordinators review submissions.", scope="moderate")
    pending = revisions.pending_of(session, record) if record.is_published else None
    if not permissions.reviewable_state(record, pending):
        raise Conflict(f"This {record.record_type} is {record.status}, with nothing submitted to review "
                       f"(another coordinator may have decided already).")
    if decision != "approve" and not (comment and comment.strip()):
        raise Invalid("comment", "Say why: the society reads this comment.")
    comment = (comment or "").strip()
    session.add(ReviewComment(record_type=record.record_type, record_id=record.id, decision=decision,
                              comment=comment, author_user_id=principal.user_id,
                              author_client_id=principal.client_id, author_name=principal.name))
    if pending is not None:
        revisions.review_pending(session, principal, record, pending, decision, comment)
        return service.present(principal, record)
    revisions.close_submission(session, record)
    status = DECISION_STATUS[decision]
    return _transition(session, principal, service, record, status, status,
                       {"decision": decision, "comment": comment})


def set_archived(session: Session, principal: Principal, service: RecordService, record_id: uuid.UUID,
                 archived: bool) -> RecordView:
    permissions.require_scope(principal, None, "Archiving" if archived else "Unarchiving")
    record = service.get_record(session, principal, record_id)
    if not permissions.can_archive(principal, record):
        raise Forbidden("Only the record's society (scope write) or a coordinator (scope moderate) archives it.")
    wanted_from = Status.published.value if archived else Status.archived.value
    if record.status != wanted_from:
        raise Conflict(f"A {record.status} {record.record_type} cannot be {'archived' if archived else 'unarchived'}.")
    return _transition(session, principal, service, record,
                       Status.archived.value if archived else Status.published.value,
                       "archived" if archived else "unarchived")


def _discussion_record(session: Session, principal: Principal, service: RecordService,
                       record_id: uuid.UUID) -> RecordMixin:
    record = service.get_record(session, principal, record_id)
    if not (permissions.is_own(principal, record) or principal.is_coordinator or principal.is_admin):
        raise Forbidden("Review comments are for the record's society and the coordinators.")
    return record


def add_comment(session: Session, principal: Principal, service: RecordService, record_id: uuid.UUID,
                comment: str) -> ReviewComment:
    """A reply in the review discussion (no decision): by the record's society or a coordinator."""
    record = _discussion_record(session, principal, service, record_id)
    if not comment.strip():
        raise Invalid("comment", "Empty.")
    entry = ReviewComment(record_type=record.record_type, record_id=record.id, decision=None,
                          comment=comment.strip(), author_user_id=principal.user_id,
                          author_client_id=principal.client_id, author_name=principal.name)
    session.add(entry)
    session.flush()
    change_log.append(session, principal, record_type=record.record_type, record_id=record.id, action="commented",
                      payload={"external_id": record.external_id, "society": record.society.code,
                            "comment_id": str(entry.id)}, society_id=record.society_id)
    return entry


def comments(session: Session, principal: Principal, service: RecordService,
             record_id: uuid.UUID) -> list[ReviewComment]:
    """The review discussion, for the record's society and coordinators."""
    record = _discussion_record(session, principal, service, record_id)
    return list(session.scalars(select(ReviewComment).where(ReviewComment.record_type == record.record_type,
                                                            ReviewComment.record_id == record.id)
                                .order_by(ReviewComment.created_at)))
