"""Webhooks: societies' endpoints, and their delivery from the change log by the worker (never in a request).

The worker does two things, each safe with several workers at once:

- **fan-out**: reads the change log after the ``webhook_cursor`` row, in sequence order (which is commit order,
  see ``services.change_log``), and turns each row into one delivery per endpoint that wants it, in one
  transaction per batch with the cursor row locked (``FOR UPDATE`` on PostgreSQL; SQLite serialises
  writers). An event is what the changes feed shows a member of the endpoint's society with the ``read``
  scope only (no ``contacts:read``: contacts' personal fields never go into a webhook body).
- **delivery**: claims due deliveries (``FOR UPDATE SKIP LOCKED`` on PostgreSQL) by moving their next attempt
  a lease ahead, commits, and sends them outside any transaction; each outcome is then recorded (an attempt
  row, a log line) and failures are retried with exponential backoff and jitter until ``give_up_at``. A
  worker that dies mid-send leaves its claims to expire: delivery is at least once, under one delivery id.

Every target is checked against SSRF twice: at registration and right before each attempt (DNS may change),
and the connection goes to the very address that was checked (no DNS rebinding in between).
"""
from __future__ import annotations

import ipaddress
import json
import logging
import random
import secrets
import socket
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from schemas.changes import ChangeSchema

from .. import webhook_signature
from ..config import Settings
from ..db import utcnow
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..models import ChangeLog, Society, WebhookAttempt, WebhookCursor, WebhookDelivery, WebhookEndpoint
from ..principal import Principal
from . import change_log, changes, records  # records as a module: it imports the erasure, which imports this
from .change_log import RECORD_TYPES

log = logging.getLogger("atn_hub.webhooks")

ALL_EVENTS = "*"
EVENT_TYPES = [f"{record_type}.{action}" for record_type in RECORD_TYPES for action in changes.ACTIONS]
SECRET_PREFIX = "whsec_"
FANOUT_CURSOR = "fanout"
FANOUT_BATCH = 500
CLAIM_BATCH = 50
USER_AGENT = "ATN-Hub-Webhooks/1"
DEFAULT_PORTS = {"http": 80, "https": 443}


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
        return session.get(Society, principal.society_id)
    society = records.society_by_code(session, code.upper())
    if not _may_manage(principal, society.id):
        raise Forbidden("You may register webhooks for your own society only.",
                        {"json": {"society": ["Not your society."]}})
    return society


# --- SSRF: which targets we send to ---------------------------------------------------------------------
# What a refused address is called in answers and in the deliveries' log: never what the host resolves to,
# nor whether it resolves at all (that would let a caller map the hub's internal network and DNS). The
# detail goes to the server's log only.
NOT_ALLOWED = ("The URL's address is not allowed as a webhook target: only public addresses are (ask an "
               "administrator to allow-list yours if it is not public).")


class UnsafeTarget(ValueError):
    """A URL we will not send to: ``str()`` says why in words fit for the caller and the deliveries' log;
    ``detail`` adds, for the server's log, what the host resolved to."""

    def __init__(self, message: str, detail: str | None = None):
        super().__init__(message)
        self.detail = detail or message


@dataclass(frozen=True)
class Target:
    url: str
    scheme: str
    host: str  # as in the URL (for the Host header, SNI and the certificate check)
    port: int
    address: str  # the vetted IP address to connect to


Resolver = Callable[..., list]


def _allowlist(settings: Settings) -> tuple[list[ipaddress._BaseNetwork], set[str]]:
    networks, hosts = [], set()
    for entry in (settings.webhook_allowlist or "").split(","):
        entry = entry.strip()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            hosts.add(entry.lower().rstrip("."))
    return networks, hosts


def _why_not_public(ip: ipaddress._BaseAddress) -> str | None:
    """The kind of non-public address this is (also through IPv4-mapped, 6to4 and Teredo IPv6), or None."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = [a for a in (ip.ipv4_mapped, ip.sixtofour, ip.teredo and ip.teredo[1]) if a is not None]
        for inner in embedded:
            reason = _why_not_public(inner)
            if reason:
                return reason
    for reason in ("loopback", "private", "link_local", "multicast", "reserved", "unspecified"):
        if getattr(ip, f"is_{reason}"):
            return reason.replace("_", "-")
    return None if ip.is_global else "non-public"


def _unwrap(ip: ipaddress._BaseAddress) -> ipaddress._BaseAddress:
    return ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped else ip


def check_target(url: str, settings: Settings, resolve: Resolver | None = None) -> Target:
    """Parse, resolve and vet a webhook URL; raises ``UnsafeTarget``. Every address the name resolves to must
    be public (or allow-listed): one bad address refuses the URL, so DNS round-robin cannot sneak one in."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeTarget(f"Not a valid URL: {exc}.") from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise UnsafeTarget("Use an https:// URL.")
    if parts.username is not None or parts.password is not None:
        raise UnsafeTarget("Credentials in the URL are not accepted: verify the signature instead.")
    host = parts.hostname.lower().rstrip(".")
    port = port or DEFAULT_PORTS[parts.scheme]
    try:
        found = (resolve or socket.getaddrinfo)(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError) as exc:
        raise UnsafeTarget(NOT_ALLOWED, f"'{host}' does not resolve ({exc})") from None
    addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0].split("%")[0]) for info in found))
    if not addresses:
        raise UnsafeTarget(NOT_ALLOWED, f"'{host}' does not resolve")
    networks, hosts = _allowlist(settings)
    loopback_ok = settings.webhook_allow_http_loopback
    for ip in addresses:
        if host in hosts or any(ip in net or _unwrap(ip) in net for net in networks):
            continue
        reason = _why_not_public(ip)
        if reason == "loopback" and loopback_ok:
            continue
        if reason:
            shown = f"::ffff:{ip.ipv4_mapped}" if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped else ip
            raise UnsafeTarget(NOT_ALLOWED, f"'{host}' resolves to {shown}, a {reason} address")
    if parts.scheme == "http" and not (loopback_ok and all(_unwrap(ip).is_loopback for ip in addresses)):
        raise UnsafeTarget("Use an https:// URL (plain http only to loopback, when the hub allows it for tests).")
    return Target(url=url, scheme=parts.scheme, host=host, port=port, address=str(addresses[0]))


def _vetted_url(url: str, settings: Settings) -> str:
    try:
        check_target(url, settings)
    except UnsafeTarget as exc:
        log.warning("webhook target refused", extra={"url": url, "reason": exc.detail})
        raise Invalid("url", str(exc)) from None
    return url


# --- sending --------------------------------------------------------------------------------------------
class PinnedAdapter(HTTPAdapter):
    """Connects to the vetted address while the URL, Host header, SNI and certificate check keep the name."""

    def __init__(self, target: Target):
        self.target = target
        super().__init__(max_retries=0)

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        host_params["host"] = self.target.address
        if host_params["scheme"] == "https":
            pool_kwargs["server_hostname"] = self.target.host
            pool_kwargs["assert_hostname"] = self.target.host
        return host_params, pool_kwargs


@dataclass
class Outcome:
    status_code: int | None
    error: str | None
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def send(url: str, secret: str, delivery_id: str, event: str, body: str, settings: Settings,
         resolve: Resolver | None = None) -> Outcome:
    """One attempt: vet the target again, sign, POST to the vetted address; no redirects, no proxies."""
    started = time.monotonic()

    def outcome(status_code: int | None = None, error: str | None = None) -> Outcome:
        return Outcome(status_code, error[:500] if error else None, int((time.monotonic() - started) * 1000))

    try:
        target = check_target(url, settings, resolve)
    except UnsafeTarget as exc:
        log.warning("webhook target refused", extra={"url": url, "delivery": delivery_id, "reason": exc.detail})
        return outcome(error=f"refused: {exc}")
    payload = body.encode("utf-8")
    name = f"[{target.host}]" if ":" in target.host else target.host  # an IPv6 literal keeps its brackets
    host_header = name if target.port == DEFAULT_PORTS[target.scheme] else f"{name}:{target.port}"
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT, "Host": host_header,
               webhook_signature.DELIVERY_HEADER: delivery_id, webhook_signature.EVENT_HEADER: event,
               **webhook_signature.sign(secret, payload)}
    with requests.Session() as http:
        http.trust_env = False  # no proxies from the environment: we connect to the address we vetted
        http.mount(f"{target.scheme}://", PinnedAdapter(target))
        try:
            response = http.post(url, data=payload, headers=headers, allow_redirects=False, stream=True,
                                 timeout=(settings.webhook_timeout_seconds, settings.webhook_timeout_seconds))
            response.close()  # the receiver's answer body is not read, nor kept
        except requests.RequestException as exc:
            return outcome(error=f"{exc.__class__.__name__}: {exc}")
    error = None if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"
    if response.is_redirect:
        error = f"HTTP {response.status_code}: redirects are not followed"
    return outcome(response.status_code, error)


def backoff(attempt: int, settings: Settings) -> float:
    """Seconds before the next try after ``attempt`` failures: exponential, capped, with jitter (half of it
    random, so the delays still grow and retries of many deliveries spread out)."""
    delay = min(settings.webhook_backoff_max_seconds,
                settings.webhook_backoff_seconds * 2 ** min(attempt - 1, 40))  # redeliveries keep counting
    return delay / 2 + random.uniform(0, delay / 2)


# --- fan-out: change log -> deliveries ------------------------------------------------------------------
def reader_for(society: Society) -> Principal:
    """Whom an endpoint's events are shaped for: a member of its society with the ``read`` scope only."""
    return Principal(kind="client", role="member", society_id=society.id, society_code=society.code,
                     scopes=frozenset({"read"}))


def event_type(row: ChangeLog, action: str) -> str:
    return f"{row.record_type}.{action}"


def wants(endpoint: WebhookEndpoint, event: str) -> bool:
    return ALL_EVENTS in endpoint.events or event in endpoint.events


def delivery_body(delivery_id: uuid.UUID, event: str, created_at: datetime, change: changes.Event) -> str:
    return json.dumps({"id": str(delivery_id), "event": event, "created_at": created_at.isoformat(),
                       "change": ChangeSchema().dump(change)}, separators=(",", ":"), ensure_ascii=False)


def _cursor(session: Session) -> WebhookCursor:
    """The fan-out cursor row, created on first use and locked until the transaction ends (PostgreSQL)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    session.execute(insert(WebhookCursor).values(name=FANOUT_CURSOR, seq=0, updated_at=utcnow())
                    .on_conflict_do_nothing())
    return session.scalar(select(WebhookCursor).where(WebhookCursor.name == FANOUT_CURSOR)
                          .with_for_update().execution_options(populate_existing=True))


def fan_out(session: Session, settings: Settings, batch: int = FANOUT_BATCH) -> int:
    """Turn the next batch of change-log rows into deliveries, and move the cursor past them. Returns how many
    rows it consumed. The caller commits (one transaction per batch)."""
    cursor = _cursor(session)
    # Read the log's end before the endpoints: an endpoint not seen yet was registered (and logged) after it,
    # so it wants none of the rows up to there.
    end = session.scalar(select(func.max(ChangeLog.seq))) or 0
    endpoints = session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.active.is_(True))
                                .order_by(WebhookEndpoint.created_at)).all()
    start = max([cursor.seq] + ([min(e.start_seq for e in endpoints)] if endpoints else [end]))
    rows = session.scalars(select(ChangeLog).where(ChangeLog.seq > start, ChangeLog.seq <= end)
                           .order_by(ChangeLog.seq).limit(batch)).all()
    now = utcnow()
    readers: dict[uuid.UUID, Principal] = {}
    made = 0
    for row in rows:
        for endpoint in endpoints:
            if row.seq <= endpoint.start_seq:
                continue
            reader = readers.setdefault(endpoint.society_id, reader_for(endpoint.society))
            action = changes.classify(reader, row)
            if action is None or not wants(endpoint, event_type(row, action)):
                continue
            delivery_id = uuid.uuid4()
            event = event_type(row, action)
            session.add(WebhookDelivery(
                id=delivery_id, endpoint_id=endpoint.id, seq=row.seq, event=event, status="pending",
                body=delivery_body(delivery_id, event, now, changes.to_event(reader, row, action)),
                attempt_count=0, next_attempt_at=now, created_at=now,
                give_up_at=now + timedelta(hours=settings.webhook_retry_hours)))
            made += 1
    consumed_to = rows[-1].seq if len(rows) == batch else end
    if consumed_to > cursor.seq:
        cursor.seq = consumed_to
        cursor.updated_at = now
    session.flush()
    if made:
        log.info("webhook deliveries queued", extra={"deliveries": made, "through_seq": consumed_to})
    return len(rows)


# --- delivery: claim, send, record ----------------------------------------------------------------------
@dataclass(frozen=True)
class Claim:
    delivery_id: uuid.UUID
    endpoint_id: uuid.UUID
    url: str
    secret: str
    event: str
    body: str


def claim_due(session: Session, settings: Settings, limit: int = CLAIM_BATCH) -> list[Claim]:
    """Take up to ``limit`` due deliveries for this worker: their next attempt moves a lease ahead, so no
    other worker takes them while they are being sent. The caller commits before sending."""
    now = utcnow()
    stmt = (select(WebhookDelivery, WebhookEndpoint)
            .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
            .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now,
                   WebhookEndpoint.active.is_(True))
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.seq).limit(limit))
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=WebhookDelivery, skip_locked=True)
    # Long enough for the whole batch, sent ``webhook_concurrency`` at a time, each within its two timeouts
    # (connect, read): a claim expires only when its worker is gone.
    rounds = -(-limit // max(1, settings.webhook_concurrency))
    lease = timedelta(seconds=rounds * 2 * settings.webhook_timeout_seconds + 60)
    claims = []
    for delivery, endpoint in session.execute(stmt).all():
        delivery.next_attempt_at = now + lease
        claims.append(Claim(delivery.id, endpoint.id, endpoint.url, endpoint.secret, delivery.event,
                            delivery.body))
    session.flush()
    return claims


def record_outcome(session: Session, settings: Settings, claim: Claim, outcome: Outcome) -> WebhookDelivery | None:
    """Log the attempt and decide what follows: delivered, a retry later, or failed for good."""
    delivery = session.get(WebhookDelivery, claim.delivery_id)
    if delivery is None:  # its endpoint was deleted meanwhile
        return None
    now = utcnow()
    session.add(WebhookAttempt(delivery_id=delivery.id, at=now, duration_ms=outcome.duration_ms,
                               status_code=outcome.status_code, error=outcome.error))
    delivery.attempt_count += 1
    delivery.last_status_code = outcome.status_code
    delivery.last_error = outcome.error
    if outcome.ok:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = "delivered", now, None
    elif now >= delivery.give_up_at:
        delivery.status, delivery.next_attempt_at = "failed", None
    else:
        delivery.next_attempt_at = now + timedelta(seconds=backoff(delivery.attempt_count, settings))
    session.flush()
    log.log(logging.INFO if outcome.ok else logging.WARNING, "webhook attempt", extra={
        "delivery": str(delivery.id), "endpoint": str(claim.endpoint_id), "event": claim.event,
        "attempt": delivery.attempt_count, "status_code": outcome.status_code, "error": outcome.error,
        "duration_ms": outcome.duration_ms, "result": delivery.status,
        "next_attempt_at": delivery.next_attempt_at.isoformat() if delivery.next_attempt_at else None})
    return delivery


def deliver_due(session_factory: sessionmaker, settings: Settings, limit: int = CLAIM_BATCH) -> int:
    """Claim, send (several at once) and record one batch of due deliveries; returns how many were tried."""
    with session_factory() as session:
        claims = claim_due(session, settings, limit)
        session.commit()
    if not claims:
        return 0

    def attempt(claim: Claim) -> Outcome:
        return send(claim.url, claim.secret, str(claim.delivery_id), claim.event, claim.body, settings)

    with ThreadPoolExecutor(max_workers=max(1, min(settings.webhook_concurrency, len(claims)))) as pool:
        outcomes = list(pool.map(attempt, claims))
    with session_factory() as session:
        for claim, outcome in zip(claims, outcomes):
            record_outcome(session, settings, claim, outcome)
        session.commit()
    return len(claims)


def run_once(session_factory: sessionmaker, settings: Settings) -> dict[str, int]:
    """One pass of the worker: fan out everything new, then deliver what is due."""
    consumed = 0
    while True:
        with session_factory() as session:
            count = fan_out(session, settings)
            session.commit()
        consumed += count
        if count < FANOUT_BATCH:
            break
    sent = 0
    while (tried := deliver_due(session_factory, settings)) == CLAIM_BATCH:
        sent += tried
    return {"log_rows": consumed, "attempts": sent + tried}


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
    return endpoint


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
    now = utcnow()
    delivery.status, delivery.next_attempt_at = "pending", now
    delivery.give_up_at = now + timedelta(hours=settings.webhook_retry_hours)
    session.flush()
    _log(session, principal, endpoint, "redelivery", {"delivery": str(delivery.id)})
    return delivery


# --- erasure --------------------------------------------------------------------------------------------
def scrub_record(session: Session, record_type: str, record_id: Any, fields: list[str] | tuple[str, ...]) -> int:
    """Blank ``fields`` of one record in every webhook delivery body that shows it (for the erasure of a
    contact's personal data); returns how many bodies changed. Attempt logs hold no bodies (only status
    codes and transport errors), so there is nothing of the record to scrub there. Bodies already show
    contacts without their personal fields; this is the second line of defence."""
    seqs = select(ChangeLog.seq).where(ChangeLog.record_type == record_type, ChangeLog.record_id == str(record_id))
    scrubbed = 0
    for delivery in session.scalars(select(WebhookDelivery).where(WebhookDelivery.seq.in_(seqs))):
        body = json.loads(delivery.body)
        record = (body.get("change") or {}).get("record")
        if not record or not any(record.get(name) is not None for name in fields):
            continue
        for name in fields:
            if name in record:
                record[name] = None
        delivery.body = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
        scrubbed += 1
    session.flush()
    return scrubbed
