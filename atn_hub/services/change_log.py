"""Appending to the change log, in the same transaction as the change it records.

The trap this module closes: a log sequence number is allocated at INSERT but becomes visible at COMMIT, so
with concurrent writers row 11 can commit (and be read) before row 10. Readers that remember "last seen = 11"
would skip 10 forever. We make commit order equal sequence order: on PostgreSQL every appending transaction
first takes one transaction-scoped advisory lock, so appends (and their commits) are serialised; SQLite
serialises writers already (BEGIN IMMEDIATE, see ``atn_hub.db``).
"""
from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import text
from sqlalchemy.orm import Session, scoped_session

from ..models import ChangeLog
from ..principal import Principal

CHANGE_LOG_LOCK = 0x41544E  # "ATN": the advisory lock key that serialises appends on PostgreSQL


def json_safe(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [json_safe(v) for v in value]
    return value


def assign_changes(obj, data: dict[str, Any]) -> dict[str, Any]:
    """Set the fields of ``data`` that differ on ``obj``; returns those (the change log's payload)."""
    changed = {}
    for key, value in data.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed[key] = value
    return changed


RECORD_TYPES = ("practice", "contact", "training-material", "project")


def state_of(record) -> dict[str, str]:
    """What decides who sees a record (with its society, kept in the log row's ``society_id``)."""
    return {"status": record.status, "visibility": record.visibility}


def snapshot(record) -> dict[str, Any]:
    """Every column of a record as JSON, its society by code: what the changes feed and webhooks show of it
    as it was at this change (personal fields are filtered when read, and scrubbed by erasure)."""
    mapper = sa_inspect(record).mapper
    data = {attr.key: getattr(record, attr.key) for attr in mapper.column_attrs if attr.key != "society_id"}
    data["society"] = record.society.code
    return json_safe(data)


def from_json(model, data: dict[str, Any]) -> dict[str, Any]:
    """The inverse of ``json_safe`` for a model's columns: times and UUIDs back to Python values."""
    from sqlalchemy import Date, DateTime, Uuid

    columns = sa_inspect(model).columns
    values = {}
    for key, value in data.items():
        column = columns.get(key)
        if value is not None and column is not None:
            if isinstance(column.type, Uuid):
                value = uuid.UUID(value) if isinstance(value, str) else value
            elif isinstance(column.type, DateTime) or isinstance(getattr(column.type, "impl", None), DateTime):
                value = datetime.fromisoformat(value) if isinstance(value, str) else value
            elif isinstance(column.type, Date):
                value = date.fromisoformat(value) if isinstance(value, str) else value
        values[key] = value
    return values


def lock_log(session: Session) -> None:
    """Once per transaction (the lock is held until it ends)."""
    if isinstance(session, scoped_session):
        session = session()
    session.connection()  # begins the transaction if it has not begun yet
    transaction = session.get_transaction()
    if session.info.get("log_locked_by") is transaction:
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHANGE_LOG_LOCK})
    session.info["log_locked_by"] = transaction


def append(session: Session, principal: Principal, *, record_type: str, record_id: Any, action: str,
           payload: dict[str, Any] | None = None, society_id: uuid.UUID | None = None) -> ChangeLog:
    lock_log(session)
    entry = ChangeLog(
        actor_user_id=principal.user_id,
        actor_client_id=principal.client_id,
        society_id=society_id,
        record_type=record_type,
        record_id=str(record_id),
        action=action,
        payload=json_safe(payload or {}),
    )
    session.add(entry)
    session.flush()
    session.info["last_seq"] = entry.seq  # for ?refresh=wait_for: the write is searchable once this is indexed
    return entry
