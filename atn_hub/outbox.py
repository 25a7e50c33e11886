"""The outbox: every committed change, to every subscriber who may see it, delivered at least once and retried
with backoff, by the worker (never in a request). What a subscriber is, what it is sent and how, is its
``Channel``'s business (webhooks: ``services.webhooks``); the queue's machinery is here, the same for all.

Two passes, each safe with several workers at once:

- **fan-out** reads the change log after the channel's cursor row, in sequence order (which is commit order,
  see ``services.change_log``), and turns each row into one delivery per subscriber that wants it, in one
  transaction per batch with the cursor row locked (``FOR UPDATE`` on PostgreSQL; SQLite serialises writers).
  A delivery is unique per (subscriber, change).
- **delivery** claims due deliveries (``FOR UPDATE SKIP LOCKED`` on PostgreSQL) by moving their next attempt a
  lease ahead, commits, sends them outside any transaction, then records each outcome (an attempt row, a log
  line): delivered, retried with exponential backoff and jitter, or failed once ``give_up_at`` has passed.

The trap: a worker can die after sending and before recording. Its claims then expire and are sent again,
under the same delivery id and with the same body: delivery is at least once, and receivers deduplicate by
id. The lease must outlast the whole batch's sending (every attempt at its longest), or a live worker's claims
would look abandoned and a second worker would send them too.
"""
from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from .db import dialect_insert, utcnow
from .models import ChangeLog, WebhookCursor

FANOUT_BATCH = 500
CLAIM_BATCH = 50
ERROR_LENGTH = 500  # what the deliveries' and attempts' error columns hold


@dataclass(frozen=True)
class Message:
    """What one subscriber is sent about one change."""

    event: str
    body: str
    fields: Mapping[str, Any] = field(default_factory=dict)  # the channel's own columns of the delivery row


@dataclass(frozen=True)
class Delivery:
    """A claimed delivery, as its transport gets it: plain values read in the claiming transaction (so a secret
    rotated or an address changed since the fan-out applies from the next attempt on), sent outside any."""

    id: uuid.UUID
    subscriber_id: uuid.UUID
    event: str
    body: str
    recipient: Any  # where and how to send it, as the channel reads it off the subscriber


@dataclass(frozen=True)
class Outcome:
    """One attempt: delivered unless ``error`` says why not."""

    status_code: int | None  # the receiver's answer (an HTTP status), None when there was none
    error: str | None
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.error is None


class Transport(Protocol):
    def send(self, delivery: Delivery) -> Outcome:
        """One attempt, outside any transaction; the receiver's failures are returned, not raised."""


@dataclass(frozen=True)
class RetryPolicy:
    backoff_seconds: float  # the first retry's delay (doubling, with jitter)
    backoff_max_seconds: float  # the longest delay between two tries
    retry_hours: float  # how long a delivery is retried before it is failed
    concurrency: int  # deliveries a worker sends at once
    attempt_seconds: float  # the longest one attempt can take

    def backoff(self, attempt: int) -> float:
        """Seconds before the next try after ``attempt`` failures: exponential, capped, with jitter (half of it
        random, so the delays still grow and retries of many deliveries spread out)."""
        delay = min(self.backoff_max_seconds,
                    self.backoff_seconds * 2 ** min(attempt - 1, 40))  # redeliveries keep counting
        return delay / 2 + random.uniform(0, delay / 2)

    def lease(self, batch: int) -> timedelta:
        """How long claims of a batch of ``batch`` stay this worker's: all of it sent ``concurrency`` at a time,
        each attempt at its longest, and a minute to spare. A claim expires only when its worker is gone."""
        rounds = -(-batch // max(1, self.concurrency))
        return timedelta(seconds=rounds * self.attempt_seconds + 60)


@dataclass(frozen=True)
class Channel:
    """One kind of subscriber and how it is delivered to: all the outbox knows of, say, webhooks.

    ``subscriber_model`` is the subscribers' table, with ``id``, ``active``, ``created_at`` and ``start_seq``
    (where in the change log it subscribed: it gets the changes after that). ``delivery_model`` and
    ``attempt_model`` are the channel's queue, shaped like ``WebhookDelivery`` (which names its subscriber in
    ``<subscriber_name>_id``) and ``WebhookAttempt``.

    A channel whose subscribers are many and each change concerns few of them (people, for notifications)
    gives ``route`` instead: the (subscriber, message) pairs of one change, found by a query; ``compose`` is
    then not called, and ``start_seq`` not needed. ``is_active`` says which subscribers are delivered to."""

    name: str  # in log lines: "<name> attempt"
    cursor: str  # the channel's row in the cursor table
    subscriber_name: str
    subscriber_model: type
    delivery_model: type
    attempt_model: type
    compose: Callable[[ChangeLog, Any, uuid.UUID, datetime], Message | None]  # (row, subscriber, delivery id, now)
    recipient: Callable[[Any], Any]  # what the transport needs of a subscriber
    transport: Transport
    policy: RetryPolicy
    log: logging.Logger
    route: Callable[[Session, ChangeLog, datetime], Iterable[tuple[Any, Message]]] | None = None
    is_active: Callable[[Any], Any] = lambda model: model.active.is_(True)  # a SQL condition on subscribers

    @property
    def subscriber_key(self) -> str:
        return f"{self.subscriber_name}_id"


# --- fan-out: change log -> deliveries ------------------------------------------------------------------
def _cursor(session: Session, name: str) -> WebhookCursor:
    """The channel's cursor row, created on first use and locked until the transaction ends (PostgreSQL)."""
    session.execute(dialect_insert(session, WebhookCursor).values(name=name, seq=0, updated_at=utcnow())
                    .on_conflict_do_nothing())
    return session.scalar(select(WebhookCursor).where(WebhookCursor.name == name)
                          .with_for_update().execution_options(populate_existing=True))


lock_cursor = _cursor  # for other passes that must run once at a time across workers (reminders)


def fan_out(session: Session, channel: Channel, batch: int = FANOUT_BATCH) -> int:
    """Turn the next batch of change-log rows into deliveries, and move the cursor past them. Returns how many
    rows it consumed. The caller commits (one transaction per batch)."""
    cursor = _cursor(session, channel.cursor)
    # Read the log's end before the subscribers: one not seen yet subscribed (and was logged) after it, so it
    # wants none of the rows up to there.
    end = session.scalar(select(func.max(ChangeLog.seq))) or 0
    model = channel.subscriber_model
    subscribers: list[Any] = []
    if channel.route is None:
        subscribers = list(session.scalars(select(model).where(channel.is_active(model)).order_by(model.created_at)))
        start = max([cursor.seq] + ([min(s.start_seq for s in subscribers)] if subscribers else [end]))
    else:
        start = cursor.seq
    rows = session.scalars(select(ChangeLog).where(ChangeLog.seq > start, ChangeLog.seq <= end)
                           .order_by(ChangeLog.seq).limit(batch)).all()
    now = utcnow()
    made = 0
    for row in rows:
        for subscriber, delivery_id, message in _messages(session, channel, row, subscribers, now):
            session.add(channel.delivery_model(**{
                "id": delivery_id, "seq": row.seq, "event": message.event, "status": "pending",
                "body": message.body, "attempt_count": 0, "next_attempt_at": now, "created_at": now,
                "give_up_at": now + timedelta(hours=channel.policy.retry_hours),
                channel.subscriber_key: subscriber.id, **message.fields}))
            made += 1
    consumed_to = rows[-1].seq if len(rows) == batch else end
    if consumed_to > cursor.seq:
        cursor.seq = consumed_to
        cursor.updated_at = now
    session.flush()
    if made:
        channel.log.info(f"{channel.name} deliveries queued", extra={"deliveries": made, "through_seq": consumed_to})
    return len(rows)


def _messages(session: Session, channel: Channel, row: ChangeLog, subscribers: list[Any],
              now: datetime) -> Iterable[tuple[Any, uuid.UUID, Message]]:
    if channel.route is not None:
        for subscriber, message in channel.route(session, row, now):
            yield subscriber, message.fields.get("id") or uuid.uuid4(), message
        return
    for subscriber in subscribers:
        if row.seq <= subscriber.start_seq:
            continue
        delivery_id = uuid.uuid4()
        message = channel.compose(row, subscriber, delivery_id, now)
        if message is not None:
            yield subscriber, delivery_id, message


# --- delivery: claim, send, record ----------------------------------------------------------------------
def claim_due(session: Session, channel: Channel, limit: int = CLAIM_BATCH) -> list[Delivery]:
    """Take up to ``limit`` due deliveries for this worker: their next attempt moves a lease ahead, so no
    other worker takes them while they are being sent. The caller commits before sending."""
    model, subscribers = channel.delivery_model, channel.subscriber_model
    now = utcnow()
    stmt = (select(model, subscribers)
            .join(subscribers, subscribers.id == getattr(model, channel.subscriber_key))
            .where(model.status == "pending", model.next_attempt_at <= now, channel.is_active(subscribers))
            .order_by(model.next_attempt_at, model.seq).limit(limit))
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=model, skip_locked=True)
    lease = channel.policy.lease(limit)
    claims = []
    for row, subscriber in session.execute(stmt).all():
        row.next_attempt_at = now + lease
        claims.append(Delivery(row.id, subscriber.id, row.event, row.body, channel.recipient(subscriber)))
    session.flush()
    return claims


def record_outcome(session: Session, channel: Channel, delivery: Delivery, outcome: Outcome):
    """Log the attempt and decide what follows: delivered, a retry later, or failed for good. Returns the
    delivery's row, or None when its subscriber was deleted meanwhile."""
    row = session.get(channel.delivery_model, delivery.id)
    if row is None:
        return None
    now = utcnow()
    error = outcome.error[:ERROR_LENGTH] if outcome.error else None
    session.add(channel.attempt_model(delivery_id=row.id, at=now, duration_ms=outcome.duration_ms,
                                      status_code=outcome.status_code, error=error))
    row.attempt_count += 1
    row.last_status_code = outcome.status_code
    row.last_error = error
    if outcome.ok:
        row.status, row.delivered_at, row.next_attempt_at = "delivered", now, None
    elif now >= row.give_up_at:
        row.status, row.next_attempt_at = "failed", None
    else:
        row.next_attempt_at = now + timedelta(seconds=channel.policy.backoff(row.attempt_count))
    session.flush()
    channel.log.log(logging.INFO if outcome.ok else logging.WARNING, f"{channel.name} attempt", extra={
        "delivery": str(row.id), channel.subscriber_name: str(delivery.subscriber_id), "event": delivery.event,
        "attempt": row.attempt_count, "status_code": outcome.status_code, "error": error,
        "duration_ms": outcome.duration_ms, "result": row.status,
        "next_attempt_at": row.next_attempt_at.isoformat() if row.next_attempt_at else None})
    return row


def requeue(row, policy: RetryPolicy) -> None:
    """Queue a delivery again, due now, with a new retry window; its id and body stay (receivers deduplicate).
    The caller flushes."""
    now = utcnow()
    row.status, row.next_attempt_at = "pending", now
    row.give_up_at = now + timedelta(hours=policy.retry_hours)


def deliver_due(session_factory: sessionmaker, channel: Channel, limit: int = CLAIM_BATCH) -> int:
    """Claim, send (several at once) and record one batch of due deliveries; returns how many were tried."""
    with session_factory() as session:
        claims = claim_due(session, channel, limit)
        session.commit()
    if not claims:
        return 0
    with ThreadPoolExecutor(max_workers=max(1, min(channel.policy.concurrency, len(claims)))) as pool:
        outcomes = list(pool.map(channel.transport.send, claims))
    with session_factory() as session:
        for claim, outcome in zip(claims, outcomes, strict=True):
            record_outcome(session, channel, claim, outcome)
        session.commit()
    return len(claims)


def run_once(session_factory: sessionmaker, channel: Channel) -> dict[str, int]:
    """One pass of the worker for a channel: fan out everything new, then deliver what is due."""
    consumed = 0
    while True:
        with session_factory() as session:
            count = fan_out(session, channel)
            session.commit()
        consumed += count
        if count < FANOUT_BATCH:
            break
    sent = 0
    while (tried := deliver_due(session_factory, channel)) == CLAIM_BATCH:
        sent += tried
    return {"log_rows": consumed, "attempts": sent + tried}
