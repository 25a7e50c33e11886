"""Revisions of a record: its pending revision, and its history read from the change log.

Editing a published record does not touch it: the edits go to its one pending revision (a working copy), which
is submitted and reviewed like a new record while the network keeps seeing the published version; approving
it copies it onto the record in one transaction (one new version, one change). Every saved state, of the record
and of its pending revision, is a change-log row carrying the content: the history is read from there.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import permissions
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..models import ChangeLog, PendingRevision, RecordMixin, Submission, User
from ..principal import Principal
from . import changes
from .changes import from_json, json_safe

BOOKKEEPING = {"id", "status", "published_at", "created_at", "updated_at", "version", "society_id"}
EDITABLE = {"draft", "changes_requested"}


def content_fields(model) -> list[str]:
    return [attr.key for attr in sa_inspect(model).column_attrs if attr.key not in BOOKKEEPING]


def content_of(record: RecordMixin) -> dict[str, Any]:
    return json_safe({key: getattr(record, key) for key in content_fields(type(record))})


def diff(before: dict[str, Any], after: dict[str, Any], hidden: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Field by field, in a stable order; the values of hidden (personal) fields are not shown."""
    keys = list(dict.fromkeys([*before, *after]))
    return [{"field": key, "before": None if key in hidden else before.get(key),
             "after": None if key in hidden else after.get(key)}
            for key in keys if before.get(key) != after.get(key)]


def pending_of(session: Session, record: RecordMixin) -> PendingRevision | None:
    return session.scalar(select(PendingRevision).where(PendingRevision.record_type == record.record_type,
                                                        PendingRevision.record_id == record.id))


def pending_map(session: Session, record_type: str, ids: list[uuid.UUID]) -> dict[uuid.UUID, PendingRevision]:
    if not ids:
        return {}
    rows = session.scalars(select(PendingRevision).where(PendingRevision.record_type == record_type,
                                                         PendingRevision.record_id.in_(ids)))
    return {row.record_id: row for row in rows}


def may_see_pending(principal: Principal, record: RecordMixin, pending: PendingRevision | None) -> bool:
    if pending is None or not permissions.can_read(principal, record):
        return False
    if principal.is_admin or permissions.is_own(principal, record):
        return principal.has("read")
    return principal.is_coordinator and pending.status != "draft"


def pending_summary(record: RecordMixin, pending: PendingRevision, hidden: tuple[str, ...]) -> dict[str, Any]:
    return {"status": pending.status, "author_name": pending.author_name, "created_at": pending.created_at,
            "updated_at": pending.updated_at, "changes": diff(content_of(record), pending.data, hidden)}


class WorkingCopy:
    """The record as its pending revision would make it: what validation of a further edit looks at."""

    def __init__(self, record: RecordMixin, content: dict[str, Any]):
        self._record, self._content = record, content

    def __getattr__(self, name: str) -> Any:
        return self._content[name] if name in self._content else getattr(self._record, name)


def _log(session: Session, principal: Principal, record: RecordMixin, action: str, **payload) -> None:
    changes.append(session, principal, record_type=record.record_type, record_id=record.id, action=action,
                   payload={"external_id": record.external_id, "society": record.society.code, **payload},
                   society_id=record.society_id)


def save_pending(session: Session, principal: Principal, service, record: RecordMixin,
                 data: dict[str, Any]) -> None:
    """An edit of a published record: into its pending revision (made on the first edit)."""
    pending = pending_of(session, record)
    if pending is not None and pending.status not in EDITABLE:
        raise Conflict("The pending revision of this record awaits review: it cannot be edited until a "
                       "coordinator decides.")
    base = dict(pending.data) if pending is not None else content_of(record)
    service.validate(session, data, WorkingCopy(record, from_json(type(record), base)), record.society)
    changed = {key: value for key, value in json_safe(data).items() if base.get(key) != value}
    if not changed:
        return
    content = {**base, **changed}
    if pending is None:
        pending = PendingRevision(record_type=record.record_type, record_id=record.id, data=content,
                                  status="draft", base_version=record.version)
        session.add(pending)
    else:
        pending.data = content
    pending.author_user_id, pending.author_client_id = principal.user_id, principal.client_id
    pending.author_name = principal.name
    session.flush()
    _log(session, principal, record, "revised", fields=changed, revision={"status": pending.status},
         content=content)


def submit_pending(session: Session, principal: Principal, record: RecordMixin) -> None:
    pending = pending_of(session, record)
    if pending is None or pending.status not in EDITABLE:
        raise Conflict("This record is published and has no edits to submit (edit it first: the edits become "
                       "a pending revision)." if pending is None else
                       "Its pending revision was submitted already.")
    pending.status = "submitted"
    open_submission(session, principal, record, "revision")
    session.flush()
    _log(session, principal, record, "revision_submitted", revision={"status": pending.status})


def open_submission(session: Session, principal: Principal, record: RecordMixin, kind: str) -> None:
    session.add(Submission(record_type=record.record_type, record_id=record.id, kind=kind,
                           society_id=record.society_id, submitted_by_user_id=principal.user_id,
                           submitted_by_client_id=principal.client_id, submitted_by_name=principal.name))


def close_submission(session: Session, record: RecordMixin) -> None:
    submission = session.scalar(select(Submission).where(Submission.record_type == record.record_type,
                                                         Submission.record_id == record.id))
    if submission is not None:
        session.delete(submission)


def review_pending(session: Session, principal: Principal, record: RecordMixin, pending: PendingRevision,
                   decision: str, comment: str) -> None:
    """A coordinator's decision on a submitted pending revision; approval publishes it atomically."""
    close_submission(session, record)
    extra = {"decision": decision, "comment": comment}
    if decision == "approve":
        before = changes.state_of(record)
        allowed = set(content_fields(type(record)))
        values = from_json(type(record), {k: v for k, v in pending.data.items() if k in allowed})
        changed = changes.assign_changes(record, values)
        session.delete(pending)
        changes.record_change(session, principal, record, "revision_approved", before=before,
                              fields=json_safe(changed), extra=extra)
    elif decision == "request_changes":
        pending.status = "changes_requested"
        session.flush()
        _log(session, principal, record, "revision_changes_requested", revision={"status": pending.status},
             **extra)
    else:
        session.delete(pending)
        session.flush()
        _log(session, principal, record, "revision_rejected", revision={"status": "rejected"}, **extra)


def discard(session: Session, record: RecordMixin) -> None:
    """A deleted record takes its pending revision and queue entry with it."""
    pending = pending_of(session, record)
    if pending is not None:
        session.delete(pending)
    close_submission(session, record)


# --- history --------------------------------------------------------------------------------------------
@dataclass
class Revision:
    number: int
    seq: int
    action: str
    at: datetime
    status: str
    pending: bool
    author_user_id: uuid.UUID | None
    author_name: str | None
    client_id: str | None
    content: dict[str, Any]
    changed: list[str]
    changes: list[dict[str, Any]]


CONTENT_ACTIONS = {"created", "updated", "revised", "revision_approved"}


def require_history_reader(principal: Principal, record: RecordMixin) -> None:
    """The history holds drafts: the record's society, coordinators and administrators read it."""
    permissions.require_scope(principal, "read", "Reading a record's revisions")
    if not (principal.is_admin or principal.is_coordinator or permissions.is_own(principal, record)):
        raise Forbidden("A record's revisions are for its society and the coordinators.")


def history(session: Session, principal: Principal, record: RecordMixin) -> list[Revision]:
    require_history_reader(principal, record)
    hidden = permissions.hidden_fields(principal, record.record_type)
    rows = session.scalars(select(ChangeLog).where(ChangeLog.record_type == record.record_type,
                                                  ChangeLog.record_id == str(record.id)).order_by(ChangeLog.seq))
    names: dict[uuid.UUID, str] = {}
    revisions: list[Revision] = []
    allowed = set(content_fields(type(record)))
    previous: dict[str, Any] = {}
    for row in rows:
        payload = row.payload or {}
        snapshot = payload.get("content") if row.action == "revised" else payload.get("record")
        if snapshot is None or row.action not in CONTENT_ACTIONS:
            continue
        content = {k: v for k, v in snapshot.items() if k in allowed}
        if row.actor_user_id and row.actor_user_id not in names:
            user = session.get(User, row.actor_user_id)
            names[row.actor_user_id] = user.name if user else None
        pending = row.action == "revised"
        status = (payload.get("revision") or {}).get("status") if pending else (payload.get("state") or {}).get("status")
        field_changes = diff(previous, content, hidden)
        shown = {k: (None if k in hidden else v) for k, v in content.items()}
        revisions.append(Revision(number=len(revisions) + 1, seq=row.seq, action=row.action, at=row.at,
                                  status=status, pending=pending, author_user_id=row.actor_user_id,
                                  author_name=names.get(row.actor_user_id), client_id=row.actor_client_id,
                                  content=shown, changed=[c["field"] for c in field_changes],
                                  changes=field_changes))
        previous = content
    return revisions


def one(session: Session, principal: Principal, record: RecordMixin, number: int) -> Revision:
    revisions = history(session, principal, record)
    if not 1 <= number <= len(revisions):
        raise NotFound(f"This record has revisions 1 to {len(revisions)}; no revision {number}.")
    return revisions[number - 1]


def compare(session: Session, principal: Principal, record: RecordMixin, first: int,
            second: int) -> list[dict[str, Any]]:
    revisions = history(session, principal, record)
    for field, number in (("from", first), ("to", second)):
        if not 1 <= number <= len(revisions):
            raise Invalid(field, f"This record has revisions 1 to {len(revisions)}.")
    return diff(revisions[first - 1].content, revisions[second - 1].content)
