"""Personal data (contacts' name, email, phone): erasure everywhere it was kept (the change log's payloads, the
webhook deliveries' bodies and the notifications), and the export of everything held about a contact."""
from __future__ import annotations

import copy
import json
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import permissions
from ..db import erase_on_commit
from ..errors import Forbidden
from ..models import ChangeLog, ReviewComment, WebhookDelivery
from ..principal import Principal
from . import audit, links, notifications, revisions

SCRUBBED_PARTS = ("record", "content", "fields")  # where a change-log payload keeps a record's fields


def scrub(session: Session, record_type: str, record_id: uuid.UUID, fields: tuple[str, ...]) -> int:
    """Blank ``fields`` in every change-log payload about the record (its tombstones stay); returns the number
    of rows scrubbed. The one permitted rewrite of the log (PostgreSQL's trigger lets only payloads change)."""
    scrubbed = 0
    rows = session.scalars(select(ChangeLog).where(ChangeLog.record_type == record_type,
                                                   ChangeLog.record_id == str(record_id)))
    for row in rows:
        payload = copy.deepcopy(row.payload or {})
        touched = False
        for part in (payload, *(payload.get(key) for key in SCRUBBED_PARTS)):
            if isinstance(part, dict) and _blank(part, fields):
                touched = True
        if touched:
            row.payload = payload
            scrubbed += 1
    session.flush()
    scrub_delivery_bodies(session, record_type, record_id, fields)
    notifications.scrub(session, record_type, uuid.UUID(str(record_id)), fields)
    erase_on_commit(session)  # and out of the database's files (SQLite)
    return scrubbed


def _blank(record: dict[str, Any], fields: list[str] | tuple[str, ...]) -> bool:
    """Blank ``fields`` in a record's JSON: its own, its display's, and its translations' (a field in another
    language is the same data); whether anything was there."""
    parts = [record, record.get("display")]
    translations = record.get("translations")
    if isinstance(translations, dict):
        parts += list(translations.values())
    touched = False
    for part in parts:
        if isinstance(part, dict):
            for name in fields:
                if part.get(name) is not None:
                    part[name] = None
                    touched = True
    pending = record.get("pending_revision")  # its changes show the fields' values before and after
    for change in (pending.get("changes") or []) if isinstance(pending, dict) else []:
        if isinstance(change, dict) and change.get("field") in fields:
            for key in ("before", "after", "from", "to"):  # as logged, and as dumped in a delivery's body
                if change.get(key) is not None:
                    change[key] = None
                    touched = True
    return touched


def scrub_delivery_bodies(session: Session, record_type: str, record_id: Any,
                          fields: list[str] | tuple[str, ...]) -> int:
    """Blank ``fields`` of one record in every webhook delivery body that shows it; returns how many bodies
    changed. Attempt logs hold no bodies (only status codes and transport errors), so there is nothing of the
    record to scrub there. Bodies already show contacts without their personal fields; this is the second line
    of defence."""
    seqs = select(ChangeLog.seq).where(ChangeLog.record_type == record_type, ChangeLog.record_id == str(record_id))
    scrubbed = 0
    for delivery in session.scalars(select(WebhookDelivery).where(WebhookDelivery.seq.in_(seqs))):
        body = json.loads(delivery.body)  # the record is in the change the body carries (webhooks.delivery_body)
        record = (body.get("change") or {}).get("record")
        if not record or not _blank(record, fields):
            continue
        delivery.body = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
        scrubbed += 1
    session.flush()
    return scrubbed


def export_contact(session: Session, principal: Principal, service, contact_id: uuid.UUID) -> dict[str, Any]:
    """Everything held about a contact: the record with its personal fields, its revisions, every change
    made to it and by whom, the review discussion, and the practices that name it. For its society's
    members with ``contacts:read``, and administrators."""
    record = service.get_record(session, principal, contact_id)
    if not (principal.is_admin or (permissions.is_own(principal, record)
                                   and permissions.can_read_personal_fields(principal))):
        raise Forbidden("A contact's data export is for its society (with contacts:read) and administrators.",
                        scope="contacts:read")
    rows = session.scalars(select(ChangeLog).where(ChangeLog.record_type == record.record_type,
                                                   ChangeLog.record_id == str(record.id)).order_by(ChangeLog.seq))
    return {
        "contact": service.present(principal, record),
        "revisions": revisions.history(session, principal, record),
        "changes": audit.entries(session, list(rows)),
        "review_comments": list(session.scalars(select(ReviewComment).where(
            ReviewComment.record_type == record.record_type, ReviewComment.record_id == record.id)
            .order_by(ReviewComment.created_at))),
        "named_by": [{"type": holder.record_type, "id": holder.id, "external_id": holder.external_id,
                      "title": holder.title} for _, holder in links.holders_of(session, record)
                     if permissions.can_read(principal, holder)],
    }
