"""Revisions of a record: its pending revision, and its history read from the change log.

Editing a published record does not touch it: the edits go to its one pending revision (a working copy), which
is submitted and reviewed like a new record while the network keeps seeing the published version; approving
it copies it onto the record in one transaction (one new version, one change). Every saved state, of the record
and of its pending revision, is a change-log row carrying the content: the history is read from there.

Files are content too: a file added to or removed from a published training material is marked as a change of
its pending revision (``MaterialFile.pending_change``); approval applies the marks, rejection drops them.

The trap in the history: it holds every saved state, the society's unsubmitted drafts too. Its numbers are the
same for every reader (links keep working), but a coordinator of another society is shown only the states that
were submitted to them or that they could see as the record then was; any other number is missing for them.
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
from ..db import session_of, utcnow
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..models import ChangeLog, MaterialFile, PendingRevision, RecordMixin, Submission, User
from ..principal import Principal
from . import change_log, links, translations
from .change_log import from_json, json_safe

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


def pending_summary(record: RecordMixin, pending: PendingRevision, hidden: tuple[str, ...],
                    reader: Principal | None = None) -> dict[str, Any]:
    """``reader``: the caller it is shown to (None: as logged, for the feed to cut per reader)."""
    return {"status": pending.status, "author_name": pending.author_name, "created_at": pending.created_at,
            "updated_at": pending.updated_at, "changes": pending_changes(session_of(record), record, pending,
                                                                         hidden, reader)}


def pending_changes(session: Session, record: RecordMixin, pending: PendingRevision,
                    hidden: tuple[str, ...] = (), reader: Principal | None = None) -> list[dict[str, Any]]:
    """What the pending revision changes against the published version: its fields (its links cut to what
    ``reader`` may see), then its files."""
    changed = diff(content_of(record), pending.data, hidden)
    if reader is not None:
        changed = links.readable_changes(session, reader, record.record_type, changed)
    return changed + files_change(session, record)


def submission_diff(session: Session, record: RecordMixin, pending: PendingRevision | None,
                    hidden: tuple[str, ...] = (), reader: Principal | None = None) -> list[dict[str, Any]]:
    """What a coordinator reviews: a revision against the published version, or every filled field of a new
    record, with its files (links cut to what ``reader`` may see)."""
    if pending is not None:
        return pending_changes(session, record, pending, hidden, reader)
    changes_ = [change for change in diff({}, content_of(record), hidden) if change["after"] not in ([], {}, "")]
    if reader is not None:
        changes_ = links.readable_changes(session, reader, record.record_type, changes_)
    names = [file.filename for file in record_files(session, record)]
    return changes_ + ([{"field": "files", "before": None, "after": names}] if names else [])


# --- a record's change in the log, with what its lists show (its pending revision, its files) ------------
def shown_with(session: Session, record) -> dict[str, Any]:
    """What the lists show with a record beside its columns, at this change, for every reader (the feed
    filters it per reader): a material's or a practice's files (``material_files``, each with its part in the
    pending revision) and the pending revision (``pending_revision``, as its society sees it; null if none)."""
    pending = pending_of(session, record) if record.is_published else None
    shown: dict[str, Any] = {"pending_revision": None if pending is None else
                             json_safe(pending_summary(record, pending, ()))}
    if record.record_type in FILE_OWNER:
        shown["material_files"] = [json_safe(file.shown()) for file in record_files(session, record)]
    return shown


def record_change(session: Session, principal: Principal, record, action: str, *,
                  before: dict[str, str] | None, fields: dict[str, Any] | None = None,
                  extra: dict[str, Any] | None = None, gone: bool = False) -> ChangeLog:
    """Log a change of a record's visible state: the fields it changed, its state before and after, and
    its snapshot after (none when ``gone``: a tombstone keeps only what names the record)."""
    session.flush()  # the version and timestamps the snapshot shows are the ones just written
    payload = {"external_id": record.external_id, "society": record.society.code, "before": before,
               "state": None if gone else change_log.state_of(record), "fields": fields,
               "record": None if gone else change_log.snapshot(record), **({} if gone else shown_with(session, record)),
               **(extra or {})}
    return change_log.append(session, principal, record_type=record.record_type, record_id=record.id, action=action,
                  payload=payload, society_id=record.society_id)


def side_change(session: Session, principal: Principal, record, action: str, payload: dict[str, Any], *,
                pending_status: tuple[str | None, str | None] | None = None) -> ChangeLog:
    """Log a change of what the lists show with a record (its files, its pending revision) that leaves its
    visible state as it is: the feed tells it as ``updated`` to those who see what changed. ``pending_status``
    (the pending revision's status before and after) when only those who see the pending revision see it."""
    session.flush()
    state = change_log.state_of(record)
    payload = {"external_id": record.external_id, "society": record.society.code, **payload, "before": state,
               "state": state, "record": change_log.snapshot(record), **shown_with(session, record)}
    if pending_status is not None:
        payload["pending_status"] = list(pending_status)
    return change_log.append(session, principal, record_type=record.record_type, record_id=record.id, action=action,
                  payload=payload, society_id=record.society_id)


# --- files of a pending revision -------------------------------------------------------------------------
FILE_OWNER = {"training-material": MaterialFile.material_id, "practice": MaterialFile.practice_id,
              "project": MaterialFile.project_id}


def record_files(session: Session, record: RecordMixin) -> list[MaterialFile]:
    """A training material's or a practice's files, as listed (every file: the caller's view is decided by
    the reader); none for a type without files."""
    owner = FILE_OWNER.get(record.record_type)
    if owner is None:
        return []
    # No autoflush: a decision's changes reach the database in its one flush, whose lock order two deciding
    # coordinators share (a flush here, mid-decision, let them deadlock: 503 instead of 409).
    with session.no_autoflush:
        return list(session.scalars(select(MaterialFile).where(owner == record.id)
                                    .order_by(MaterialFile.created_at, MaterialFile.id)))


def files_change(session: Session, record: RecordMixin) -> list[dict[str, Any]]:
    """The pending revision's file additions and removals, as a change of the field ``files`` (the names
    before and after); nothing when it changes no file."""
    files = record_files(session, record)
    if not any(file.pending_change for file in files):
        return []
    return [{"field": "files", "before": [f.filename for f in files if f.pending_change != "added"],
             "after": [f.filename for f in files if f.pending_change != "removed"]}]


def settle_files(session: Session, record: RecordMixin, approved: bool) -> dict[str, list[dict[str, Any]]]:
    """The pending revision decided: approval keeps the added files and deletes the removed ones, rejection the
    reverse. Returns what approval published ({"added": [...], "removed": [...]}; empty lists otherwise)."""
    published: dict[str, list[dict[str, Any]]] = {"added": [], "removed": []}
    for file in record_files(session, record):
        if file.pending_change is None:
            continue
        if approved:
            published[file.pending_change].append(file.summary())
        if (file.pending_change == "added") == approved:
            file.pending_change = None
        else:
            session.delete(file)
    # Not flushed here: the decision's one flush takes the rows' locks in the order two deciding coordinators
    # share (so the loser waits and gets 409, instead of a deadlock).
    return published


def published_files(session: Session, record: RecordMixin) -> dict[str, list[dict[str, Any]]] | None:
    """A material becoming visible (published, unarchived) publishes its files with it: for the feed."""
    files = [file.summary() for file in record_files(session, record) if file.pending_change != "added"]
    return {"added": files, "removed": []} if files else None


class WorkingCopy:
    """The record as its pending revision would make it: what validation of a further edit looks at."""

    def __init__(self, record: RecordMixin, content: dict[str, Any]):
        self._record, self._content = record, content

    def __getattr__(self, name: str) -> Any:
        return self._content[name] if name in self._content else getattr(self._record, name)


def _log(session: Session, principal: Principal, record: RecordMixin, action: str,
         pending_status: tuple[str | None, str | None], **payload) -> None:
    """A change of the pending revision: in the feed, an update for those who see the pending revision."""
    side_change(session, principal, record, action, payload, pending_status=pending_status)


AWAITS_REVIEW = ("The pending revision of this record awaits review: it cannot be edited until a coordinator "
                 "decides.")


def _new_pending(record: RecordMixin) -> PendingRevision:
    return PendingRevision(record_type=record.record_type, record_id=record.id, data=content_of(record),
                           status="draft", base_version=record.version)


def _authored(pending: PendingRevision, principal: Principal) -> None:
    pending.author_user_id, pending.author_client_id = principal.user_id, principal.client_id
    pending.author_name = principal.name


def save_pending(session: Session, principal: Principal, service, record: RecordMixin,
                 data: dict[str, Any]) -> None:
    """An edit of a published record: into its pending revision (made on the first edit)."""
    pending = pending_of(session, record)
    if pending is not None and pending.status not in EDITABLE:
        raise Conflict(AWAITS_REVIEW)
    base = dict(pending.data) if pending is not None else content_of(record)
    data = translations.prepare(principal, data, base.get("translations"))
    service.validate(session, data, WorkingCopy(record, from_json(type(record), base)), record.society)
    changed = {key: value for key, value in json_safe(data).items() if base.get(key) != value}
    if not changed:
        return
    content = {**base, **changed}
    was = None if pending is None else pending.status
    if pending is None:
        pending = _new_pending(record)
        session.add(pending)
    pending.data = content
    _authored(pending, principal)
    session.flush()
    _log(session, principal, record, "revised", (was, pending.status), fields=changed,
         revision={"status": pending.status},
         content=content)


def pending_changed_by(session: Session, principal: Principal, record: RecordMixin, pending: PendingRevision,
                       fields: dict[str, Any]) -> None:
    """A pending revision changed by something else than its editing (a record it linked to was deleted): a
    saved state of it like any other, in its history and, for those who see it, the feed."""
    session.flush()
    _log(session, principal, record, "revised", (pending.status, pending.status), fields=json_safe(fields),
         revision={"status": pending.status}, content=pending.data)


def join_pending(session: Session, principal: Principal, record: RecordMixin) -> PendingRevision:
    """A file added to or removed from a published record: a change of its pending revision (made on the first
    change), whose version moves so that the society's ETags do."""
    pending = pending_of(session, record)
    if pending is not None and pending.status not in EDITABLE:
        raise Conflict(AWAITS_REVIEW)
    if pending is None:
        pending = _new_pending(record)
        session.add(pending)
    _authored(pending, principal)
    pending.updated_at = utcnow()
    session.flush()
    return pending


def submit_pending(session: Session, principal: Principal, record: RecordMixin) -> None:
    pending = pending_of(session, record)
    if pending is None or pending.status not in EDITABLE:
        raise Conflict("This record is published and has no edits to submit (edit it first: the edits become "
                       "a pending revision)." if pending is None else
                       "Its pending revision was submitted already.")
    was, pending.status = pending.status, "submitted"
    open_submission(session, principal, record, "revision")
    session.flush()
    _log(session, principal, record, "revision_submitted", (was, pending.status), revision={"status": pending.status})


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
    extra: dict[str, Any] = {"decision": decision, "comment": comment}
    if decision == "approve":
        before = change_log.state_of(record)
        allowed = set(content_fields(type(record)))
        values = from_json(type(record), {k: v for k, v in pending.data.items() if k in allowed})
        changed = change_log.assign_changes(record, values)
        files = settle_files(session, record, approved=True)
        if files["added"] or files["removed"]:
            extra["files"] = files
            record.updated_at = utcnow()  # a change of files alone is a new version too
        session.delete(pending)
        record_change(session, principal, record, "revision_approved", before=before,
                                 fields=json_safe(changed), extra=extra)
    elif decision == "request_changes":
        pending.status = "changes_requested"
        session.flush()
        _log(session, principal, record, "revision_changes_requested", ("submitted", pending.status),
             revision={"status": pending.status},
             **extra)
    else:
        settle_files(session, record, approved=False)
        session.delete(pending)
        session.flush()
        _log(session, principal, record, "revision_rejected", ("submitted", None), revision={"status": "rejected"},
             **extra)


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
    status: str | None  # None in a state saved without one (as the schema allows)
    pending: bool
    author_user_id: uuid.UUID | None
    author_name: str | None
    client_id: str | None
    content: dict[str, Any]
    changed: list[str]
    changes: list[dict[str, Any]]


@dataclass
class _Saved:
    """One saved state read from the change log, before it is judged for a reader."""
    number: int
    row: ChangeLog
    content: dict[str, Any]
    status: str | None
    pending: bool
    visibility: str | None
    submitted: bool = False  # this state was then submitted for review


CONTENT_ACTIONS = {"created", "updated", "revised", "revision_approved"}
SUBMISSIONS = {"submitted", "revision_submitted"}  # the state saved last before one of these was submitted


def require_history_reader(principal: Principal, record: RecordMixin) -> None:
    """The history holds drafts: the record's society, coordinators and administrators read it."""
    permissions.require_scope(principal, "read", "Reading a record's revisions")
    if not (principal.is_admin or principal.is_coordinator or permissions.is_own(principal, record)):
        raise Forbidden("A record's revisions are for its society and the coordinators.")


def _saved_states(session: Session, record: RecordMixin) -> list[_Saved]:
    rows = session.scalars(select(ChangeLog).where(ChangeLog.record_type == record.record_type,
                                                  ChangeLog.record_id == str(record.id)).order_by(ChangeLog.seq))
    allowed = set(content_fields(type(record)))
    saved: list[_Saved] = []
    for row in rows:
        payload = row.payload or {}
        if row.action in SUBMISSIONS and saved:
            saved[-1].submitted = True
            continue
        snapshot = payload.get("content") if row.action == "revised" else payload.get("record")
        if snapshot is None or row.action not in CONTENT_ACTIONS:
            continue
        pending = row.action == "revised"
        state = (payload.get("revision") if pending else payload.get("state")) or {}
        content = {k: v for k, v in snapshot.items() if k in allowed}
        saved.append(_Saved(number=len(saved) + 1, row=row, content=content, status=state.get("status"),
                            pending=pending, visibility=state.get("visibility")))
    return saved


def _shown_to(principal: Principal, record: RecordMixin, state: _Saved) -> bool:
    """The record's society and administrators read every state; a coordinator of another society what was
    submitted to them, and what they could read as the record (or its pending revision) then was: never a
    draft that was not submitted."""
    if principal.is_admin or permissions.is_own(principal, record) or state.submitted:
        return True
    if state.pending:
        return principal.is_coordinator and state.status != "draft"
    return permissions.visible(principal, record.society_id, state.status or "draft",
                               state.visibility or record.visibility)


def history(session: Session, principal: Principal, record: RecordMixin) -> list[Revision]:
    """The saved states the caller may read, each with its changes against the one before it that they may
    read; numbered as in the whole history."""
    require_history_reader(principal, record)
    hidden = permissions.hidden_fields(principal, record.record_type)
    names: dict[uuid.UUID, str | None] = {}
    revisions: list[Revision] = []
    previous: dict[str, Any] = {}
    states = [state for state in _saved_states(session, record) if _shown_to(principal, record, state)]
    # Each state's links as the caller may see them now (as the record itself shows them).
    contents = links.readable_contents(session, principal, record.record_type, [state.content for state in states])
    for state, content in zip(states, contents, strict=True):
        state.content = content
        row = state.row
        author_name = None
        if row.actor_user_id:
            if row.actor_user_id not in names:
                user = session.get(User, row.actor_user_id)
                names[row.actor_user_id] = user.name if user else None
            author_name = names[row.actor_user_id]
        field_changes = diff(previous, state.content, hidden)
        shown = {k: (None if k in hidden else v) for k, v in state.content.items()}
        revisions.append(Revision(number=state.number, seq=row.seq, action=row.action, at=row.at,
                                  status=state.status, pending=state.pending, author_user_id=row.actor_user_id,
                                  author_name=author_name, client_id=row.actor_client_id,
                                  content=shown, changed=[c["field"] for c in field_changes],
                                  changes=field_changes))
        previous = state.content
    return revisions


def _missing(number: int, revisions: list[Revision]) -> str:
    """The same words for a number that does not exist and one the caller may not read."""
    spans: list[list[int]] = []  # runs of consecutive readable numbers: [first, last]
    for revision in revisions:
        if spans and revision.number == spans[-1][1] + 1:
            spans[-1][1] = revision.number
        else:
            spans.append([revision.number, revision.number])
    readable = ", ".join(str(a) if a == b else f"{a} to {b}" for a, b in spans)
    return f"No revision {number} of this record that you may read" + \
        (f" (you may read {readable})." if readable else ".")


def one(session: Session, principal: Principal, record: RecordMixin, number: int) -> Revision:
    revisions = history(session, principal, record)
    found = next((r for r in revisions if r.number == number), None)
    if found is None:
        raise NotFound(_missing(number, revisions))
    return found


def compare(session: Session, principal: Principal, record: RecordMixin, first: int,
            second: int) -> list[dict[str, Any]]:
    revisions = history(session, principal, record)
    by_number = {r.number: r for r in revisions}
    for field, number in (("from", first), ("to", second)):
        if number not in by_number:
            raise Invalid(field, _missing(number, revisions))
    return diff(by_number[first].content, by_number[second].content)
