"""Slowing down guessing: failed sign-ins and client authentications are counted per key; after
``MAX_FAILURES`` within ``WINDOW`` the key is locked for ``LOCK`` (429 with Retry-After). Locks expire on
their own, so the real owner is never locked out for good; a success clears the count.

Counts live in the database (shared by every worker and node). Recording commits at once, so that the
count persists although the request that failed answers with an error (and rolls back nothing else: call
it before anything else was written).
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from ..db import utcnow
from ..errors import TooManyRequests
from ..models import AuthThrottle

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
LOCK = timedelta(minutes=15)


def check(session: Session, *keys: str) -> None:
    """Raise 429 if any key is locked now."""
    now = utcnow()
    for key in keys:
        row = session.get(AuthThrottle, key)
        if row is not None and row.locked_until is not None and row.locked_until > now:
            retry_after = max(1, int((row.locked_until - now).total_seconds()))
            raise TooManyRequests("Too many failed attempts; try again later.",
                                  headers={"Retry-After": str(retry_after)})


def record_failure(session: Session, *keys: str) -> None:
    now = utcnow()
    for key in keys:
        row = session.get(AuthThrottle, key, with_for_update=True)
        if row is None:
            session.add(AuthThrottle(key=key, failures=1, window_started_at=now))
            continue
        if now - row.window_started_at > WINDOW:
            row.failures, row.window_started_at, row.locked_until = 0, now, None
        row.failures += 1
        if row.failures >= MAX_FAILURES:
            row.locked_until = now + LOCK
    session.commit()


def record_success(session: Session, *keys: str) -> None:
    """Forget the failures of these keys (flushed with the request's own commit)."""
    for key in keys:
        row = session.get(AuthThrottle, key)
        if row is not None:
            session.delete(row)
