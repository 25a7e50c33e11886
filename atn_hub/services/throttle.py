"""Slowing down guessing without letting a stranger lock anyone out.

Failed sign-ins and client authentications are counted per (account or client, source address): after
``PER_ACCOUNT_AND_ADDRESS`` failures within ``WINDOW`` that pair is locked for ``LOCK`` (429 with
Retry-After). Every address also has one budget for all its failures, ``PER_ADDRESS``, so one address cannot
try many accounts either. Nothing counts per account alone: failures from other addresses never lock the
account's owner (or a client's own users) out. Locks expire on their own; a success clears the pair's count,
never the address's (or one valid account would reset an attacker's budget).

Counts live in the database (shared by every worker and node). Recording commits at once, so that the
count persists although the request that failed answers with an error (and rolls back nothing else: call
it before anything else was written).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from ..db import utcnow
from ..errors import TooManyRequests
from ..models import AuthThrottle

PER_ACCOUNT_AND_ADDRESS = 5
PER_ADDRESS = 30
WINDOW = timedelta(minutes=15)
LOCK = timedelta(minutes=15)


@dataclass(frozen=True)
class Budget:
    key: str
    max_failures: int


def budgets(kind: str, identity: str, address: str) -> tuple[Budget, Budget]:
    """The pair's budget and the address's: ``kind`` is ``login`` or ``client``, ``identity`` an email or a
    client id as sent (hashed when long: a key is at most 400 characters)."""
    if len(identity) > 200:
        identity = "sha256:" + hashlib.sha256(identity.encode("utf-8", "replace")).hexdigest()
    return (Budget(f"{kind}:{identity}@{address}", PER_ACCOUNT_AND_ADDRESS),
            Budget(f"address:{address}", PER_ADDRESS))


def check(session: Session, *budgets_: Budget) -> None:
    """Raise 429 if any budget is locked now."""
    now = utcnow()
    for budget in budgets_:
        row = session.get(AuthThrottle, budget.key)
        if row is not None and row.locked_until is not None and row.locked_until > now:
            retry_after = max(1, int((row.locked_until - now).total_seconds()))
            raise TooManyRequests("Too many failed attempts from your address; try again later.",
                                  headers={"Retry-After": str(retry_after)})


def record_failure(session: Session, *budgets_: Budget) -> None:
    now = utcnow()
    for budget in budgets_:
        row = session.get(AuthThrottle, budget.key, with_for_update=True)
        if row is None:
            row = AuthThrottle(key=budget.key, failures=0, window_started_at=now)
            session.add(row)
        elif now - row.window_started_at > WINDOW:
            row.failures, row.window_started_at, row.locked_until = 0, now, None
        row.failures += 1
        if row.failures >= budget.max_failures:
            row.locked_until = now + LOCK
    session.commit()


def record_success(session: Session, pair: Budget) -> None:
    """Forget the failures of this (account, address) pair (flushed with the request's own commit)."""
    row = session.get(AuthThrottle, pair.key)
    if row is not None:
        session.delete(row)
