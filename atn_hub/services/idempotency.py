"""Idempotency keys on the API's POSTs, as Stripe's: a retry of a request whose response was lost does the work
once, and gets the first response again.

The rules:
- Every POST under /api/v1 (``applies``) takes an optional ``Idempotency-Key`` header: 1 to 255 visible ASCII
  characters (``!`` to ``~``; a UUID v4 is what a client should send); another value is a 400 naming it. Keys
  belong to one caller (the token's user, or a machine client without one): two callers never share a key.
  Anonymous requests are not keyed (the API writes nothing for them).
- The first request inserts the key in a transaction of its own and commits it before the work starts: a second
  request with the key meanwhile finds it held (``status`` None) and gets 409, on SQLite and PostgreSQL alike
  (the primary key decides which insert wins).
- A request is recognised by a hash of its method, path, query and body (JSON compared as data: key order and
  spacing do not matter; an upload by its form fields and files' content). Same key, other request: 422.
- What is kept and replayed: the first response's status, body and its headers worth replaying (``REPLAYED``),
  whatever the status, except those a retry should run again: 409 (a conflict with a concurrent change, or the
  key held) and 5xx (the database or the server failed; nothing was saved). A success is written in the same
  transaction as the change it answers, so a change is never saved without its response (nor the reverse);
  an error response is written after the request's rollback. A replay carries ``Idempotent-Replayed: true``.
- Keys are kept ``ATN_IDEMPOTENCY_HOURS`` (24); expired ones are removed as new keys are claimed, and an expired
  key can be used again as a new one.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..db import utcnow
from ..errors import Conflict, DomainError
from ..models import IdempotencyKey
from ..principal import Principal

HEADER = "Idempotency-Key"
KEY_PATTERN = re.compile(r"[!-~]{1,255}")
REPLAYED = ("Content-Type", "Location", "ETag", "Content-Language", "Vary")

PARAMETER = {
    "in": "header", "name": HEADER, "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
    "description": "A key of your own (a UUID) that makes a retry safe: the same request sent again with the same "
                   "key within 24 hours does the work once and answers the first response again (with header "
                   "Idempotent-Replayed: true); the key with another request answers 422; while the first is "
                   "still running, 409.",
}


class BadKey(DomainError):
    """400 or 422 naming the header: a malformed key, or a key already used for another request."""

    def __init__(self, status: int, message: str):
        super().__init__(message, {"headers": {HEADER: [message]}})
        self.status = status


def applies(method: str, path: str) -> bool:
    """The operations that take a key: every POST of the API (they create or act)."""
    return method == "POST" and path.startswith("/api/v1/")


def caller_of(principal: Principal) -> str | None:
    """Whose keys these are: the person (or machine client) with these scopes. A token with fewer scopes of
    the same person never gets a response kept for a wider one (a contact's name shown with contacts:read)."""
    if principal.user_id is not None:
        who = f"user:{principal.user_id}"
    elif principal.client_id is not None:
        who = f"client:{principal.client_id}"
    else:
        return None
    scopes = hashlib.sha256(" ".join(sorted(principal.scopes)).encode()).hexdigest()[:12]
    return f"{who}:{scopes}"


def checked_key(value: str) -> str:
    if not KEY_PATTERN.fullmatch(value):
        raise BadKey(400, f"{HEADER} must be 1 to 255 visible ASCII characters (a UUID, say), without spaces.")
    return value


def fingerprint(request) -> str:
    """What makes two requests the same request: method, path, query and body (as data, not as bytes)."""
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.path}\n".encode())
    digest.update(json.dumps(sorted(request.args.items(multi=True))).encode())
    if request.mimetype == "multipart/form-data":
        digest.update(json.dumps(sorted(request.form.items(multi=True))).encode())
        for field, upload in sorted(request.files.items(multi=True), key=lambda pair: pair[0]):
            digest.update(f"\n{field} {upload.filename}\n".encode())
            while chunk := upload.stream.read(1 << 16):
                digest.update(chunk)
            upload.stream.seek(0)
    else:
        body = request.get_json(silent=True) if request.is_json else None
        digest.update(b"\n" + (json.dumps(body, sort_keys=True).encode() if body is not None
                               else request.get_data(cache=True)))
    return digest.hexdigest()


@dataclass
class Claim:
    caller: str
    key: str
    stored: bool = False  # the response is written (or to be committed with the change)
    settled: bool = False  # stored or released: nothing left to do at the request's end


@dataclass
class Replay:
    status: int
    headers: dict[str, str]
    body: str


def claim(session: Session, caller: str, key: str, request_hash: str, hours: float) -> Claim | Replay:
    """Take the key for this request (committed at once), or the response to replay; 409 while the key is
    held by a request still running, 422 when it was used for another request. ``session`` is the claim's own."""
    now = utcnow()
    try:
        session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < now - timedelta(hours=hours)))
        session.add(IdempotencyKey(caller=caller, key=key, request_hash=request_hash, created_at=now, headers={}))
        session.commit()
        return Claim(caller, key)
    except IntegrityError:
        session.rollback()
    held = session.scalar(select(IdempotencyKey).where(IdempotencyKey.caller == caller,
                                                       IdempotencyKey.key == key))
    session.rollback()
    if held is None:  # released meanwhile (its request failed): this one may run
        return claim(session, caller, key, request_hash, hours)
    if held.request_hash != request_hash:
        raise BadKey(422, f"This {HEADER} was used for another request (another method, path or body) in the "
                          f"last {hours:g} hours: send a new key for a new request.")
    if held.status is None:
        raise Conflict(f"A request with this {HEADER} is still being processed: retry after it has finished.")
    return Replay(held.status, dict(held.headers), held.body or "")


def keeps(status: int) -> bool:
    """Whether a response is the one replayed to retries (409 and 5xx: a retry runs the request again)."""
    return status < 500 and status != 409


def store(session: Session, claim: Claim, response) -> None:
    """Write the response on the claimed key; the caller's transaction commits it."""
    headers = {name: response.headers[name] for name in REPLAYED if name in response.headers}
    session.execute(update(IdempotencyKey)
                    .where(IdempotencyKey.caller == claim.caller, IdempotencyKey.key == claim.key)
                    .values(status=response.status_code, headers=headers,
                            body=response.get_data(as_text=True)))
    claim.stored = True


def release(session: Session, claim: Claim) -> None:
    """Give the key up (the request's work was not saved): a retry runs the request again."""
    session.execute(delete(IdempotencyKey).where(IdempotencyKey.caller == claim.caller,
                                                 IdempotencyKey.key == claim.key))
    session.commit()
