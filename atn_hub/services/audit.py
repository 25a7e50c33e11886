"""The audit trail: who did what, when, through which client; read from the change log, never written here."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import permissions
from ..db import page_offset
from ..models import ChangeLog, User
from ..principal import Principal

# What an entry shows of a payload besides the changed fields' names: states and decisions, never a
# snapshot (the records' own endpoints show content, with their access rules).
DETAILS = ("external_id", "society", "before", "state", "decision", "comment", "revision", "assignee", "erased",
           "email", "role", "kind", "scope", "name", "grant_types")


def entries(session: Session, rows: Sequence[ChangeLog]) -> list[dict[str, Any]]:
    """Log rows as audit entries, their actors looked up in one query."""
    ids = {row.actor_user_id for row in rows if row.actor_user_id}
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    return [entry(row, users) for row in rows]


def entry(row: ChangeLog, users: dict) -> dict[str, Any]:
    payload = row.payload or {}
    fields = payload.get("fields")
    user = users.get(row.actor_user_id)
    return {"seq": row.seq, "at": row.at, "actor_user_id": row.actor_user_id,
            "actor_name": user.name if user else None, "actor_email": user.email if user else None,
            "client_id": row.actor_client_id, "record_type": row.record_type, "record_id": row.record_id,
            "action": row.action, "fields": sorted(fields or {}),
            "details": {k: payload[k] for k in DETAILS if payload.get(k) is not None}}


def query(session: Session, principal: Principal, args: dict[str, Any], page: int,
          page_size: int) -> tuple[list[dict[str, Any]], int]:
    permissions.require_admin(principal, "Reading the audit trail")
    where = []
    if actor := args.get("actor"):
        where.append(ChangeLog.actor_user_id == actor)
    if client_id := args.get("client_id"):
        where.append(ChangeLog.actor_client_id == client_id)
    if record_type := args.get("record_type"):
        where.append(ChangeLog.record_type == record_type)
    if record_id := args.get("record_id"):
        where.append(ChangeLog.record_id == record_id)
    if action := args.get("action"):
        where.append(ChangeLog.action.in_(action))
    if since := args.get("since"):
        where.append(ChangeLog.at >= since)
    if until := args.get("until"):
        where.append(ChangeLog.at < until)
    total = session.scalar(select(func.count()).select_from(ChangeLog).where(*where)) or 0
    rows = session.scalars(select(ChangeLog).where(*where).order_by(ChangeLog.seq.desc())
                           .offset(page_offset(page, page_size)).limit(page_size)).all()
    return entries(session, rows), total
