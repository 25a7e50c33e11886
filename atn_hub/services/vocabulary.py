"""Societies and topics: the reference data every record points to. Administrators manage them."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from .. import permissions
from ..db import array_contains, page_offset
from ..errors import Conflict, NotFound
from ..models import RECORD_MODELS, Society, Topic, User
from ..principal import Principal
from . import changes
from .changes import assign_changes


def _require_admin(principal: Principal, what: str) -> None:
    permissions.require_admin(principal, f"Managing {what}")


def get_society_for_update(session: Session, principal: Principal, code: str) -> Society:
    _require_admin(principal, "societies")
    return get_society(session, code)


def get_topic_for_update(session: Session, principal: Principal, code: str) -> Topic:
    _require_admin(principal, "topics")
    return get_topic(session, code)


# --- societies -----------------------------------------------------------------------------------------
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
    _require_admin(principal, "societies")
    if session.scalar(select(Society.id).where(Society.code == data["code"])) is not None:
        raise Conflict(f"A society with code {data['code']} exists already.", {"json": {"code": ["Already in use."]}})
    society = Society(**data)
    session.add(society)
    session.flush()
    changes.append(session, principal, record_type="society", record_id=society.code, action="created",
                   payload=data, society_id=society.id)
    return society


def update_society(session: Session, principal: Principal, society: Society, data: dict[str, Any]) -> Society:
    _require_admin(principal, "societies")
    changed = assign_changes(society, data)
    if changed:
        session.flush()
        changes.append(session, principal, record_type="society", record_id=society.code, action="updated",
                       payload=changed, society_id=society.id)
    return society


def delete_society(session: Session, principal: Principal, society: Society) -> None:
    _require_admin(principal, "societies")
    in_use = [name for name, model in RECORD_MODELS.items()
              if session.scalar(select(model.id).where(model.society_id == society.id).limit(1))]
    if in_use or session.scalar(select(User.id).where(User.society_id == society.id).limit(1)):
        raise Conflict(f"Society {society.code} still owns records or users; remove them first.")
    session.delete(society)
    session.flush()
    changes.append(session, principal, record_type="society", record_id=society.code, action="deleted",
                   society_id=society.id)


# --- topics --------------------------------------------------------------------------------------------
def list_topics(session: Session, args: dict[str, Any], page: int, page_size: int) -> tuple[list, int]:
    where = [Topic.category == args["category"]] if args.get("category") else []
    total = session.scalar(select(func.count()).select_from(Topic).where(*where)) or 0
    stmt = (select(Topic).where(*where).order_by(Topic.category, Topic.code)
            .offset(page_offset(page, page_size)).limit(page_size))
    return list(session.scalars(stmt)), total


def get_topic(session: Session, code: str) -> Topic:
    topic = session.get(Topic, code)
    if topic is None:
        raise NotFound(f"No topic with code {code}.")
    return topic


def create_topic(session: Session, principal: Principal, data: dict[str, Any]) -> Topic:
    _require_admin(principal, "topics")
    if session.get(Topic, data["code"]) is not None:
        raise Conflict(f"A topic with code {data['code']} exists already.", {"json": {"code": ["Already in use."]}})
    topic = Topic(**data)
    session.add(topic)
    session.flush()
    changes.append(session, principal, record_type="topic", record_id=topic.code, action="created", payload=data)
    return topic


def update_topic(session: Session, principal: Principal, topic: Topic, data: dict[str, Any]) -> Topic:
    _require_admin(principal, "topics")
    if "category" in data and data["category"] != topic.category and _topic_in_use(session, topic.code):
        raise Conflict(f"Topic {topic.code} is in use; its category cannot change.",
                       {"json": {"category": ["Topic in use."]}})
    changed = assign_changes(topic, data)
    if changed:
        session.flush()
        changes.append(session, principal, record_type="topic", record_id=topic.code, action="updated",
                       payload=changed)
    return topic


def _topic_in_use(session: Session, code: str) -> bool:
    from .practices import BY_TYPE

    for service in BY_TYPE.values():
        model = service.model
        condition = or_(*(array_contains(getattr(model, f), code) for f in service.topic_fields))
        if session.scalar(select(model.id).where(condition).limit(1)) is not None:
            return True
    return False


def delete_topic(session: Session, principal: Principal, topic: Topic) -> None:
    _require_admin(principal, "topics")
    if _topic_in_use(session, topic.code):
        raise Conflict(f"Topic {topic.code} is still used by records.")
    session.delete(topic)
    session.flush()
    changes.append(session, principal, record_type="topic", record_id=topic.code, action="deleted")


# --- import (administrators) -----------------------------------------------------------------------------
def upsert_society(session: Session, principal: Principal, data: dict[str, Any]) -> tuple[Society, str]:
    _require_admin(principal, "societies")
    society = session.scalar(select(Society).where(Society.code == data["code"]))
    if society is None:
        return create_society(session, principal, data), "created"
    before = society.version
    update_society(session, principal, society, {k: v for k, v in data.items() if k != "code"})
    return society, "updated" if society.version != before else "unchanged"


def upsert_topic(session: Session, principal: Principal, data: dict[str, Any]) -> tuple[Topic, str]:
    _require_admin(principal, "topics")
    topic = session.get(Topic, data["code"])
    if topic is None:
        return create_topic(session, principal, data), "created"
    before = topic.version
    update_topic(session, principal, topic, {k: v for k, v in data.items() if k != "code"})
    return topic, "updated" if topic.version != before else "unchanged"
