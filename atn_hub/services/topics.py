"""Topics: the controlled vocabulary (labelled in several languages) that records are tagged with.
Administrators manage them."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from .. import permissions
from ..db import array_contains, page_offset
from ..errors import Conflict, NotFound
from ..models import Topic
from ..principal import Principal
from . import change_log
from .change_log import assign_changes


def _require_admin(principal: Principal) -> None:
    permissions.require_admin(principal, "Managing topics")


def get_topic_for_update(session: Session, principal: Principal, code: str) -> Topic:
    _require_admin(principal)
    return get_topic(session, code)


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
    _require_admin(principal)
    if session.get(Topic, data["code"]) is not None:
        raise Conflict(f"A topic with code {data['code']} exists already.", {"json": {"code": ["Already in use."]}})
    topic = Topic(**data)
    session.add(topic)
    session.flush()
    change_log.append(session, principal, record_type="topic", record_id=topic.code, action="created", payload=data)
    return topic


def update_topic(session: Session, principal: Principal, topic: Topic, data: dict[str, Any]) -> Topic:
    _require_admin(principal)
    if "category" in data and data["category"] != topic.category and _topic_in_use(session, topic.code):
        raise Conflict(f"Topic {topic.code} is in use; its category cannot change.",
                       {"json": {"category": ["Topic in use."]}})
    changed = assign_changes(topic, data)
    if changed:
        session.flush()
        change_log.append(session, principal, record_type="topic", record_id=topic.code, action="updated",
                          payload=changed)
    return topic


def _topic_in_use(session: Session, code: str) -> bool:
    from .record_types import BY_TYPE

    for service in BY_TYPE.values():
        model = service.model
        condition = or_(*(array_contains(getattr(model, f), code) for f in service.topic_fields))
        if session.scalar(select(model.id).where(condition).limit(1)) is not None:
            return True
    return False


def delete_topic(session: Session, principal: Principal, topic: Topic) -> None:
    _require_admin(principal)
    if _topic_in_use(session, topic.code):
        raise Conflict(f"Topic {topic.code} is still used by records.")
    session.delete(topic)
    session.flush()
    change_log.append(session, principal, record_type="topic", record_id=topic.code, action="deleted")


# --- import (administrators) -----------------------------------------------------------------------------
def upsert_topic(session: Session, principal: Principal, data: dict[str, Any]) -> tuple[Topic, str]:
    _require_admin(principal)
    topic = session.get(Topic, data["code"])
    if topic is None:
        return create_topic(session, principal, data), "created"
    before = topic.version
    update_topic(session, principal, topic, {k: v for k, v in data.items() if k != "code"})
    return topic, "updated" if topic.version != before else "unchanged"
