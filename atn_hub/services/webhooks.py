"""Webhooks: a society's endpoints (who may manage them, how many a society may have, registering and changing
them, their deliveries), and what each endpoint is sent: the webhook channel of the outbox (``atn_hub.outbox``),
which the worker delivers, never a request.

An endpoint is sent what the changes feed shows a member of its society with the ``read`` scope only (no
``contacts:read``: contacts' personal fields never go into a webhook body). Its URL is vetted at registration
and again before every attempt (``webhook_targets``); ``webhook_transport`` signs and sends.
"""
from __future__ import annotations

import json
import logging
import secrets
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from schemas.changes import ChangeSchema

from .. import outbox
from ..config import Settings
from ..db import reading, utcnow
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..models import (
    ALL_EVENTS,
    PING_EVENT,
    ChangeLog,
    Society,
    WebhookAttempt,
    WebhookCursor,
    WebhookDelivery,
    WebhookEndpoint,
)
from ..principal import Principal
from . import change_log, changes, translations
from .records import own_society, society_by_code
from .webhook_targets import Resolver, UnsafeTarget, check_target
from .webhook_transport import Recipient, WebhookTransport

log = logging.getLogger("atn_hub.webhooks")

SECRET_PREFIX = "whsec_"
FANOUT_CURSOR = "fanout"


# --- who may manage endpoints ---------------------------------------------------------------------------
def _may_manage(principal: Principal, society_id: uuid.UUID) -> bool:
    return principal.is_admin or (principal.has("write") and principal.society_id == society_id)


def _endpoint(session: Session, principal: Principal, endpoint_id: uuid.UUID) -> WebhookEndpoint:
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or not _may_manage(principal, endpoint.society_id):
        raise NotFound(f"No webhook with id {endpoint_id}.")  # another society's endpoint does not exist for you
    return endpoint


def _target_society(session: Session, principal: Principal, code: str | None) -> Society:
    if code is None:
        if principal.society_id is None:
            raise Invalid("society", "Name the society whose changes this endpoint receives.")
        return own_society(session, principal)
    society = society_by_code(session, code.upper())
    if not _may_manage(principal, society.id):
        raise Forbidden("You may register webhooks for your own society only.",
                        {"json": {"society": ["Not your society."]}})
    return society


# --- what an endpoint is sent: the webhook channel of the outbox ------------------------------------------
def reader_for(society: Society) -> Principal:
    """Whom an endpoint's events are shaped for: a member of its society with the ``read`` scope only."""
    return Principal(kind="client", role="member", society_id=society.id, society_code=society.code,
                     scopes=frozenset({"read"}))


def event_type(row: ChangeLog, action: str) -> str:
    return f"{row.record_type}.{action}"


def wants(endpoint: WebhookEndpoint, event: str) -> bool:
    """An endpoint subscribed to the event, to every action of its type ("practice.*"), or to all ("*")."""
    return bool({ALL_EVENTS, event, f"{event.split('.', 1)[0]}.*"} & set(endpoint.events))


def delivery_body(delivery_id: uuid.UUID, event: str, created_at: datetime, change: changes.Event) -> str:
    return json.dumps({"id": str(delivery_id), "event": event, "created_at": created_at.isoformat(),
                       "change": ChangeSchema().dump(change)}, separators=(",", ":"), ensure_ascii=False)


def _message(row: ChangeLog, endpoint: WebhookEndpoint, delivery_id: uuid.UUID,
             now: datetime) -> outbox.Message | None:
    reader = reader_for(endpoint.society)
    action = changes.classify(reader, row)
    if action is None:
        return None
    event = event_type(row, action)
    if not wants(endpoint, event):
        return None
    return outbox.Message(event, delivery_body(delivery_id, event, now, changes.to_event(reader, row, action)))


def retry_policy(settings: Settings) -> outbox.RetryPolicy:
    return outbox.RetryPolicy(backoff_seconds=settings.webhook_backoff_seconds,
                              backoff_max_seconds=settings.webhook_backoff_max_seconds,
                              retry_hours=settings.webhook_retry_hours, concurrency=settings.webhook_concurrency,
                              attempt_seconds=2 * settings.webhook_timeout_seconds)  # to connect, then to read


def channel(settings: Settings, resolve: Resolver | None = None) -> outbox.Channel:
    """Webhooks as the outbox sees them (``resolve``: the name lookup of the check before each attempt)."""
    return outbox.Channel(name="webhook", cursor=FANOUT_CURSOR, subscriber_name="endpoint",
                          subscriber_model=WebhookEndpoint, delivery_model=WebhookDelivery,
                          attempt_model=WebhookAttempt, compose=_message,
                          recipient=lambda endpoint: Recipient(endpoint.url, endpoint.secret),
                          transport=WebhookTransport(settings, resolve), policy=retry_policy(settings), log=log)


def fan_out(session: Session, settings: Settings) -> int:
    """Turn the next batch of change-log rows into deliveries; returns how many rows it consumed. The caller
    commits (one transaction per batch). Bodies show records' display in the working language."""
    with translations.reading_in((), settings.working_language):
        return outbox.fan_out(session, channel(settings))


def run_once(session_factory: sessionmaker, settings: Settings) -> dict[str, int]:
    """One pass of the worker for webhooks: fan out everything new, then deliver what is due (bodies show
    records' display in the working language)."""
    with translations.reading_in((), settings.working_language):
        return outbox.run_once(session_factory, channel(settings))


# --- endpoints, for the API -----------------------------------------------------------------------------
def _log(session: Session, principal: Principal, endpoint: WebhookEndpoint, action: str,
         payload: dict[str, Any] | None = None) -> ChangeLog:
    """Registrations and their changes are in the change log too (the audit trail, which lists the names in
    ``fields``); never the secret."""
    return change_log.append(session, principal, record_type="webhook", record_id=endpoint.id, action=action,
                             payload=payload, society_id=endpoint.society_id)


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def list_endpoints(session: Session, principal: Principal) -> list[WebhookEndpoint]:
    stmt = select(WebhookEndpoint).order_by(WebhookEndpoint.created_at, WebhookEndpoint.id)
    if not principal.is_admin:
        stmt = stmt.where(WebhookEndpoint.society_id == principal.society_id)
    return list(session.scalars(stmt))


def get_endpoint(session: Session, principal: Principal, endpoint_id: uuid.UUID) -> WebhookEndpoint:
    return _endpoint(session, principal, endpoint_id)


def _vetted_url(url: str, settings: Settings) -> str:
    try:
        check_target(url, settings)
    except UnsafeTarget as exc:
        log.warning("webhook target refused", extra={"url": url, "reason": exc.detail})
        raise Invalid("url", str(exc)) from None
    return url


def _check_room(session: Session, settings: Settings, society: Society) -> None:
    """At most ``max_webhooks_per_society`` endpoints per society: each one multiplies every change into a
    delivery, retried for a day. The society's row is locked first (PostgreSQL; SQLite serialises writers),
    so two registrations at once cannot both take the last place."""
    session.execute(select(Society.id).where(Society.id == society.id).with_for_update())
    count = session.scalar(select(func.count()).select_from(WebhookEndpoint)
                           .where(WebhookEndpoint.society_id == society.id)) or 0
    cap = settings.max_webhooks_per_society
    if count >= cap:
        raise Conflict(f"{society.code} has {count} webhooks, the most a society may have ({cap}): delete one "
                       f"it no longer needs, or subscribe an existing one to more events.")


def create_endpoint(session: Session, principal: Principal, settings: Settings, *, url: str, events: list[str],
                    description: str | None = None, active: bool = True,
                    society_code: str | None = None) -> WebhookEndpoint:
    """Register an endpoint; it receives the changes committed after this. Its secret is on the returned
    object this once (the API shows it in this answer only)."""
    society = _target_society(session, principal, society_code)
    _check_room(session, settings, society)
    endpoint = WebhookEndpoint(id=uuid.uuid4(), society_id=society.id, url=_vetted_url(url, settings),
                               secret=new_secret(), events=sorted(set(events)), active=active,
                               description=description, created_by_user_id=principal.user_id,
                               created_by_client_id=principal.client_id, created_by_name=principal.name)
    session.add(endpoint)
    session.flush()
    entry = _log(session, principal, endpoint, "created",
                 {"fields": {"url": endpoint.url, "events": endpoint.events, "active": active}})
    endpoint.start_seq = entry.seq
    session.flush()
    if not delivering(session, settings):
        endpoint.warnings = (
            "Nothing delivers webhooks on this hub now: its web processes do not (ATN_DELIVERY=off) and no "
            "`atn-hub worker` has run for more than 5 minutes. Deliveries wait until one runs.",)
    return endpoint


HEARTBEAT = "delivery-heartbeat"  # moved on by every delivery pass (at most every HEARTBEAT_EVERY)
HEARTBEAT_EVERY = timedelta(seconds=30)


def beat(session_factory) -> None:
    """A delivery pass ran now (the worker's or a web process's thread): registration can tell that webhooks
    will be delivered. Written at most every HEARTBEAT_EVERY: a pass that finds it fresh only reads."""
    now = utcnow()
    with reading(), session_factory() as session:
        last = session.scalar(select(WebhookCursor.updated_at)
                              .where(WebhookCursor.name == HEARTBEAT, WebhookCursor.seq > 0))
    if last is not None and last >= now - HEARTBEAT_EVERY:
        return
    with session_factory() as session:
        cursor = outbox.lock_cursor(session, HEARTBEAT)
        cursor.seq, cursor.updated_at = cursor.seq + 1, now
        session.commit()


def delivering(session: Session, settings: Settings) -> bool:
    """Whether something delivers: this process's delivery thread, or a pass anywhere in the last 5 minutes."""
    if settings.delivery == "thread":
        return True
    last = session.scalar(select(WebhookCursor.updated_at)
                          .where(WebhookCursor.name == HEARTBEAT, WebhookCursor.seq > 0))
    return last is not None and last > utcnow() - timedelta(minutes=5)


def ping(session: Session, principal: Principal, settings: Settings, endpoint_id: uuid.UUID) -> WebhookDelivery:
    """Queue a signed ``ping`` event to the endpoint now, whatever it subscribes to: a developer sees their
    receiver answer (the deliveries list shows how). A ping is no change of the log: its seq is negative."""
    endpoint = _endpoint(session, principal, endpoint_id)
    if not endpoint.active:
        raise Conflict("This webhook is inactive: activate it (PATCH active: true) to ping it.")
    now, delivery_id = utcnow(), uuid.uuid4()
    body = json.dumps({"id": str(delivery_id), "event": PING_EVENT, "created_at": now.isoformat(),
                       "webhook": {"id": str(endpoint.id), "url": endpoint.url, "events": endpoint.events}},
                      separators=(",", ":"), ensure_ascii=False)
    delivery = WebhookDelivery(id=delivery_id, endpoint_id=endpoint.id, seq=-1 - secrets.randbits(62),
                               event=PING_EVENT, body=body, status="pending", attempt_count=0, next_attempt_at=now,
                               give_up_at=now + timedelta(hours=settings.webhook_retry_hours), created_at=now)
    session.add(delivery)
    session.flush()
    _log(session, principal, endpoint, "ping", {"delivery": str(delivery.id)})
    return delivery


def update_endpoint(session: Session, principal: Principal, settings: Settings, endpoint: WebhookEndpoint,
                    data: dict[str, Any]) -> WebhookEndpoint:
    if "url" in data:
        data = {**data, "url": _vetted_url(data["url"], settings)}
    if "events" in data:
        data = {**data, "events": sorted(set(data["events"]))}
    changed = change_log.assign_changes(endpoint, data)
    if changed:
        session.flush()
        _log(session, principal, endpoint, "updated", {"fields": changed})
    return endpoint


def delete_endpoint(session: Session, principal: Principal, endpoint_id: uuid.UUID) -> None:
    endpoint = _endpoint(session, principal, endpoint_id)
    _log(session, principal, endpoint, "deleted", {"fields": {"url": endpoint.url}})
    session.delete(endpoint)
    session.flush()


def rotate_secret(session: Session, principal: Principal, endpoint_id: uuid.UUID) -> WebhookEndpoint:
    """A new secret at once (deliveries from now on are signed with it; shown in this answer only)."""
    endpoint = _endpoint(session, principal, endpoint_id)
    endpoint.secret = new_secret()
    session.flush()
    _log(session, principal, endpoint, "secret-rotated", {"fields": {"secret": "(rotated)"}})
    return endpoint


def list_deliveries(session: Session, principal: Principal, endpoint_id: uuid.UUID, page: int,
                    page_size: int) -> tuple[list[WebhookDelivery], int]:
    endpoint = _endpoint(session, principal, endpoint_id)
    where = WebhookDelivery.endpoint_id == endpoint.id
    total = session.scalar(select(func.count()).select_from(WebhookDelivery).where(where)) or 0
    stmt = (select(WebhookDelivery).where(where)
            .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.seq.desc())
            .offset((page - 1) * page_size).limit(page_size))
    return list(session.scalars(stmt)), total


def redeliver(session: Session, principal: Principal, settings: Settings, endpoint_id: uuid.UUID,
              delivery_id: uuid.UUID) -> WebhookDelivery:
    """Queue a delivery again, now, with the same id and body (and a new retry window)."""
    endpoint = _endpoint(session, principal, endpoint_id)
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.endpoint_id != endpoint.id:
        raise NotFound(f"No delivery with id {delivery_id} for this webhook.")
    outbox.requeue(delivery, retry_policy(settings))
    session.flush()
    _log(session, principal, endpoint, "redelivery", {"delivery": str(delivery.id)})
    return delivery
