"""The changes feed: the change log as one caller sees it, for partners' sync and for webhooks.

A log row records a record's state before and after the change (status, visibility; the society is the row's)
and its snapshot after. For a caller, a row is:
- ``created`` or ``published`` when the record becomes visible to them (created: it was just created),
- ``updated`` when it was visible and still is,
- ``unpublished`` or ``deleted`` (a tombstone) when it stops being visible,
- nothing when they could see it neither before nor after.
Following the feed from the start therefore rebuilds exactly what the caller's lists show now. Rows that do
not change what the caller's lists show (assignments, comments; a pending revision's changes for those who do
not see it) are not in it.

The lists show more than a record's columns: its pending revision (to its society; to coordinators once
submitted) and, for a training material, its files (a pending revision's additions only to those who see it).
Changes of these (a file added or removed, a pending revision saved, submitted, sent back, rejected; a file's
text extracted) are logged with the record's unchanged state and ``pending_status`` where only those who see
the pending revision see them: to a reader who sees them they are ``updated``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import permissions
from ..db import session_of
from ..errors import BadRequest
from ..models import EVENT_ACTIONS, RECORD_MODELS, ChangeLog, MaterialFile
from ..principal import Principal
from . import links, translations
from .change_log import RECORD_TYPES, from_json

ACTIONS = EVENT_ACTIONS  # what a change may mean to its reader: the actions of the webhooks' events
SCAN_LIMIT = 20_000  # log rows looked at per request at most: the cursor moves on past rows the caller cannot see


@dataclass
class Event:
    seq: int
    at: datetime
    type: str
    record_id: str
    external_id: str | None
    society: str | None
    action: str
    record: Any | None  # the record as it was after the change (personal fields hidden as needed); None: tombstone
    source: ChangeLog

    @property
    def cursor(self) -> str:
        return str(self.seq)


def _visible(principal: Principal, row: ChangeLog, state: dict | None) -> bool:
    return state is not None and permissions.visible(principal, row.society_id, state["status"], state["visibility"])


def _sees_pending(principal: Principal, row: ChangeLog, status: str | None) -> bool:
    """Whether the caller sees a pending revision in this status of a record they see (as
    ``revisions.may_see_pending``): its society and administrators, coordinators once it is submitted."""
    if status is None:
        return False
    if principal.is_admin or (principal.society_id is not None and principal.society_id == row.society_id):
        return principal.has("read")
    return principal.is_coordinator and status != "draft"


def classify(principal: Principal, row: ChangeLog) -> str | None:
    """What the row means to this caller (one of ACTIONS), or None when it is not a change they see."""
    payload = row.payload or {}
    if row.record_type not in RECORD_TYPES or "state" not in payload:
        return None
    was, now = _visible(principal, row, payload.get("before")), _visible(principal, row, payload.get("state"))
    statuses = payload.get("pending_status")
    if statuses is not None and now and was:  # a change of the pending revision: for those who see it
        return "updated" if any(_sees_pending(principal, row, status) for status in statuses) else None
    if now:
        return "updated" if was else ("created" if row.action == "created" else "published")
    if was:
        return "deleted" if payload.get("state") is None else "unpublished"
    return None


def restore(principal: Principal, row: ChangeLog, with_links: bool = True) -> SimpleNamespace | None:
    """The row's snapshot as an object the record schemas can dump; ``with_links``: its links as the caller may
    see them now (else left to the caller, who works them out for a page of changes at once: ``add_links``)."""
    data = (row.payload or {}).get("record")
    if data is None:
        return None
    model = RECORD_MODELS[row.record_type]
    values = from_json(model, {k: v for k, v in data.items() if k != "society"})
    for name in permissions.hidden_fields(principal, row.record_type):
        values[name] = None
    values["translations"] = translations.shown_translations(values.get("translations"), principal)
    record = SimpleNamespace(**values, society=SimpleNamespace(code=data.get("society")))
    record.display = translations.display(record, model.translatable)
    record.pending_revision, record.files = _shown_with(principal, row)
    if with_links:
        add_links(session_of(row), principal, row.record_type, [record])
    return record


def add_links(session: Session, principal: Principal, record_type: str, records: list[SimpleNamespace]) -> None:
    """The records' links as the caller may see them now (a link never reveals a record they may not read)."""
    for record, shown in zip(records, links.shown(session, principal, record_type, records), strict=True):
        for name, value in shown.items():
            setattr(record, name, value)


def _shown_with(principal: Principal, row: ChangeLog) -> tuple[dict | None, list | None]:
    """The pending revision and the files as the caller's lists showed them at this change (None, None in a
    row logged before the feed carried them)."""
    payload = row.payload or {}
    pending = payload.get("pending_revision")
    sees = pending is not None and _sees_pending(principal, row, pending.get("status"))
    shown_pending = None
    if sees and pending is not None:
        hidden = permissions.hidden_fields(principal, row.record_type)
        shown_changes = [{**change, **({"before": None, "after": None} if change["field"] in hidden else {})}
                         for change in pending.get("changes") or []]
        shown_pending = {**pending, "created_at": _time(pending.get("created_at")),
                         "updated_at": _time(pending.get("updated_at")),
                         "changes": links.readable_changes(session_of(row), principal, row.record_type, shown_changes)}
    files = payload.get("material_files")
    if files is not None:
        files = [SimpleNamespace(**{**from_json(MaterialFile, file),
                                    "pending_change": file.get("pending_change") if sees else None,
                                    "uploaded_by_name": file.get("uploaded_by_name")
                                    if permissions.sees_who(principal) else None})
                 for file in files if sees or file.get("pending_change") != "added"]
    return shown_pending, files


def _time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def to_event(principal: Principal, row: ChangeLog, action: str, with_links: bool = True) -> Event:
    payload = row.payload or {}
    return Event(seq=row.seq, at=row.at, type=row.record_type, record_id=row.record_id,
                 external_id=payload.get("external_id"), society=payload.get("society"), action=action,
                 record=None if action in ("deleted", "unpublished") else restore(principal, row, with_links),
                 source=row)


def check_cursor(session: Session, since: int) -> None:
    """A cursor is a position in this hub's change log, which is never compacted (nothing deletes its rows):
    every position from 0 to its end can be served. One past the end was not given by this hub (another hub's,
    or this one's before it was restored from an older backup); following it would skip changes silently."""
    end = session.scalar(select(func.max(ChangeLog.seq))) or 0
    if since > end:
        raise BadRequest("since", f"The cursor {since} is past the end of this hub's changes ({end}): it was not "
                                  f"given by this hub, or the hub was restored from an older backup. Sync again "
                                  f"from since=0.")


def events(session: Session, principal: Principal, since: int, limit: int,
           types: list[str] | None = None) -> tuple[list[Event], int, bool]:
    """Up to ``limit`` events after log position ``since``, in commit order; the position to continue from;
    and whether more rows may follow."""
    wanted = [t for t in (types or RECORD_TYPES) if t in RECORD_TYPES]
    found: list[Event] = []
    position, scanned = since, 0
    batch = max(limit * 2, 200)
    ended = False
    while len(found) < limit and scanned < SCAN_LIMIT and not ended:
        rows = session.scalars(select(ChangeLog).where(ChangeLog.seq > position, ChangeLog.record_type.in_(wanted))
                               .order_by(ChangeLog.seq).limit(batch)).all()
        ended = not rows
        for row in rows:
            scanned += 1
            position = row.seq
            action = classify(principal, row)
            if action is not None:
                found.append(to_event(principal, row, action, with_links=False))
                if len(found) == limit:
                    break
    for record_type in {event.type for event in found}:  # the page's links: one query per linked type
        add_links(session, principal, record_type, [e.record for e in found if e.type == record_type and e.record])
    if ended:
        return found, position, False
    more = session.scalar(select(ChangeLog.seq).where(ChangeLog.seq > position,
                                                      ChangeLog.record_type.in_(wanted)).limit(1)) is not None
    return found, position, more
