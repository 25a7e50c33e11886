"""Societies: the network's members, reference data every record points to. Administrators manage them."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from .. import permissions
from ..db import array_contains, page_offset
from ..errors import Conflict, NotFound
from ..models import RECORD_MODELS, Society, User
from ..principal import Principal
from . import change_log
from .change_log import assign_changes


def _require_admin(principal: Principal) -> None:
    permissions.require_admin(principal, "Managing societies")


def get_society_for_update(session: Session, principal: Principal, code: str) -> Society:
    _require_admin(principal)
    return get_society(session, code)


def list_societies(session: Session, args: dict[str, Any], page: int, page_size: int) -> tuple[list, int]:
    where = []
    if language := args.get("language"):
        where.append(array_contains(Society.languages, language))
    if q := args.get("q"):
        pattern = f"%{q.lower()}%"
        where.append(or_(func.lower(Society.name).like(pattern), func.lower(Society.name_local).like(pattern),
                         func.lower(Society.code) == q.lower()))
    total = session.scalar(select(func.count()).select_from(Society).where(*where)) or 0
    stmt = select(Society).where(*where).order_by(Society.code).offset(page_offset(page, page_size)).limit(page_size)
    return list(session.scalars(stmt)), total


def get_society(session: Session, code: str) -> Society:
    society = session.scalar(select(Society).where(Society.code == code.upper()))
    if society is None:
        raise NotFound(f"No society with code {code}.")
    return society


def create_society(session: Session, principal: Principal, data: dict[str, Any]) -> Society:
    _require_admin(principal)
    if session.scalar(select(Society.id).where(Society.code == data["code"])) is not None:
        raise Conflict(f"A society with code {data['code']} exists already.", {"json": {"code": ["Already in use."]}})
    society = Society(**data)
    session.add(society)
    session.flush()
    change_log.append(session, principal, record_type="society", record_id=society.code, action="created",
                      payload=data, society_id=society.id)
    return society


def update_society(session: Session, principal: Principal, society: Society, data: dict[str, Any]) -> Society:
    _require_admin(principal)
    changed = assign_changes(society, data)
    if changed:
        session.flush()
        change_log.append(session, principal, record_type="society", record_id=society.code, action="updated",
                          payload=changed, society_id=society.id)
    return society


def delete_society(session: Session, principal: Principal, society: Society) -> None:
    _require_admin(principal)
    in_use = [name for name, model in RECORD_MODELS.items()
              if session.scalar(select(model.id).where(model.society_id == society.id).limit(1))]
    if in_use or session.scalar(select(User.id).where(User.society_id == society.id).limit(1)):
        raise Conflict(f"Society {society.code} still owns records or users; remove them first.")
    session.delete(society)
    session.flush()
    change_log.append(session, principal, record_type="society", record_id=society.code, action="deleted",
                      society_id=society.id)


# --- import (administrators) -----------------------------------------------------------------------------
def upsert_society(session: Session, principal: Principal, data: dict[str, Any]) -> tuple[Society, str]:
    _require_admin(principal)
    society = session.scalar(select(Society).where(Society.code == data["code"]))
    if society is None:
        return create_society(session, principal, data), "created"
    before = society.version
    update_society(session, principal, society, {k: v for k, v in data.items() if k != "code"})
    return society, "updated" if society.version != before else "unchanged"
