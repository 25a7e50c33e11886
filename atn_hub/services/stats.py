"""The network at a glance: counts of records, over time, and the review figures, for ``GET /api/v1/stats``.

Everything is counted in the database (GROUP BY), never by loading records, and only over what the caller may
read (``permissions.readable_filter``): the figures of one visibility class never include a record of another.
The review figures (queue, review times) are the coordinators'; submissions per month are the coordinators'
(all) and a society's (its own). Times come from the change log, the one history of the hub: a submission is
its ``submitted`` or ``revision_submitted`` row, a decision its ``published``, ``changes_requested``,
``rejected`` or ``revision_*`` row, and a review time the time from a decision back to its record's latest
submission before it.

The trap: a list column (a practice's countries, a material's languages, every record's topics) is counted per
element, through the database's JSON table function (``json_each`` on SQLite, ``jsonb_array_elements_text`` on
PostgreSQL): one query shape, one function name per dialect (``json_elements``).

Counting takes seconds at 100,000 records, so requests do not wait for it: the costly figures are kept in the
database (``StatsSnapshot``) per visibility class and filters, shared by every process and node. A class's
figures without filters are counted again by the delivery pass (``refresh``: the web process's delivery
thread, or ``atn-hub worker``) once the change log has moved past them, at most every
``ATN_STATS_CACHE_SECONDS``; figures with filters by the caller who finds them stale. A request counts only the
figures that change with the clock (the queue's age, contacts past their review date), which are small.
"""
from __future__ import annotations

import hashlib
import json
import logging
import math
import statistics
import time
import uuid
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from typing import Any

from sqlalchemy import case, delete, func, or_, select, true, update
from sqlalchemy.orm import Session

from .. import permissions
from ..db import (
    dialect_insert,
    execute_update,
    hours_between,
    json_elements,
    month_of,
    reading,
    utcnow,
    writing,
)
from ..models import ChangeLog, Contact, Practice, Project, Society, StatsSnapshot, Status, Submission, TrainingMaterial
from ..principal import Principal
from .record_types import BY_TYPE
from .records import society_by_code

SUBMITTED = ("submitted", "revision_submitted")
DECIDED = ("published", "changes_requested", "rejected", "revision_approved", "revision_changes_requested",
           "revision_rejected")
log = logging.getLogger("atn_hub.stats")
# The queue's age buckets: (name, at least, less than) days waiting.
AGE_BUCKETS = (("under_1d", 0, 1), ("1d_3d", 1, 3), ("3d_7d", 3, 7), ("7d_30d", 7, 30), ("over_30d", 30, None))


# --- who sees which figures -----------------------------------------------------------------------------
def visibility_class(principal: Principal) -> tuple[str, str | None]:
    """The class whose figures the caller sees (and shares the cache with): ``public`` (anonymous, or a token
    without ``read``), ``network`` (every published record), ``society`` (and its own society's records in any
    state), ``coordinators`` (and what was submitted to them), ``everything`` (administrators)."""
    if not principal.has("read"):
        return "public", None
    if principal.is_admin:
        return "everything", None
    if principal.is_coordinator:
        return "coordinators", principal.society_code
    if principal.society_id is not None:
        return "society", principal.society_code
    return "network", None


# --- the figures ----------------------------------------------------------------------------------------
def _window(args: dict[str, Any]) -> tuple[datetime | None, datetime | None]:
    since, until = args.get("since"), args.get("until")
    start = datetime.combine(since, clock.min, tzinfo=UTC) if since else None
    end = datetime.combine(until, clock.min, tzinfo=UTC) + timedelta(days=1) if until else None  # inclusive
    return start, end


def _in_window(column, start, end) -> list:
    return [c for c in (column >= start if start else None, column < end if end else None) if c is not None]


def _types(args: dict[str, Any]) -> list[str]:
    wanted = args.get("type") or []
    return [name for name in BY_TYPE if not wanted or name in wanted]


def _record_conditions(principal: Principal, name: str, args: dict[str, Any]) -> list:
    """What the caller may read of this type, narrowed by the filters (created in the window)."""
    service = BY_TYPE[name]
    start, end = _window(args)
    return [permissions.readable_filter(principal, service.model),
            *service.filters({k: args[k] for k in ("country", "society") if args.get(k)}),
            *_in_window(service.model.created_at, start, end)]


def _counted(rows) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for key, count in rows:
        if key is not None:
            totals[str(key)] += count
    return totals


def _as_list(totals: dict[str, int], key: str = "code") -> list[dict[str, Any]]:
    return [{key: code, "count": count} for code, count in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))]


# The column(s) holding each type's countries and languages: a single code, or a JSON list of codes.
COUNTRY = {"practice": ("list", Practice.countries), "contact": ("one", Contact.country),
           "training-material": ("society", None),  # a material has no countries of its own: its society's
           "project": ("list", Project.countries)}
LANGUAGE = {"practice": ("one", Practice.language), "contact": ("list", Contact.languages),
            "training-material": ("list", TrainingMaterial.languages), "project": ("one", Project.language)}


def _elements(session: Session, model, where: list, column) -> list:
    """(element, records holding it) of a JSON list column."""
    elements = json_elements(session, column)
    return list(session.execute(select(elements.c.value, func.count()).select_from(model).join(elements, true())
                                .where(*where).group_by(elements.c.value)).all())


def record_counts(session: Session, principal: Principal, args: dict[str, Any]) -> dict[str, Any]:
    """One GROUP BY over the plain columns (state, society, and a single country or language), then one per
    JSON list column; every other count is summed from those."""
    by_type: dict[str, int] = {}
    by_status: defaultdict[str, int] = defaultdict(int)
    by_society: defaultdict[str, int] = defaultdict(int)
    countries: defaultdict[str, int] = defaultdict(int)
    languages: defaultdict[str, int] = defaultdict(int)
    topics: defaultdict[str, int] = defaultdict(int)
    codes = dict(session.execute(select(Society.id, Society.code)).all())
    for name in _types(args):
        model = BY_TYPE[name].model
        where = _record_conditions(principal, name, args)
        singles = [(totals, column) for totals, (how, column) in ((countries, COUNTRY[name]),
                                                                   (languages, LANGUAGE[name])) if how == "one"]
        columns: list[Any] = [column for _, column in singles]
        stmt = (select(model.status, model.society_id, *columns, func.count())
                .where(*where).group_by(model.status, model.society_id, *columns))
        by_type[name] = 0
        for status, society_id, *values, count in session.execute(stmt):
            by_type[name] += count
            by_status[status] += count
            by_society[society_id] += count
            for (totals, _), value in zip(singles, values, strict=True):
                if value is not None:
                    totals[value] += count
            if COUNTRY[name][0] == "society":  # a material: its society's country
                countries[codes[society_id]] += count
        lists = [(totals, column) for totals, (how, column) in ((countries, COUNTRY[name]),
                                                                 (languages, LANGUAGE[name])) if how == "list"]
        lists += [(topics, getattr(model, field)) for field in BY_TYPE[name].topic_fields]
        for totals, column in lists:
            for code, count in _counted(_elements(session, model, where, column)).items():
                totals[code] += count
    return {"total": sum(by_type.values()),
            "by_type": [{"type": name, "count": count} for name, count in by_type.items()],
            "by_status": [{"status": s, "count": by_status[s]} for s in (st.value for st in Status) if by_status[s]],
            "by_society": _societies(session, by_society),
            "by_country": _as_list(countries), "by_language": _as_list(languages), "by_topic": _as_list(topics)}


def _societies(session: Session, counts: dict) -> list[dict[str, Any]]:
    names = {s.id: s for s in session.scalars(select(Society).where(Society.id.in_(list(counts))))} if counts else {}
    rows = [{"society": names[i].code, "name": names[i].name, "count": c} for i, c in counts.items() if i in names]
    return sorted(rows, key=lambda row: (-row["count"], row["society"]))


def published_per_month(session: Session, principal: Principal, args: dict[str, Any]) -> list[dict[str, Any]]:
    """Records the caller sees, by the month they were first published (archived ones included)."""
    start, end = _window(args)
    rows = []
    for name in _types(args):
        model = BY_TYPE[name].model
        where = [*_record_conditions(principal, name, {**args, "since": None, "until": None}),
                 model.published_at.is_not(None), *_in_window(model.published_at, start, end)]
        month = month_of(model.published_at)
        rows += [{"month": m, "type": name, "count": c}
                 for m, c in session.execute(select(month, func.count()).where(*where).group_by(month))]
    return sorted(rows, key=lambda row: (row["month"], row["type"]))


def _log_conditions(session: Session, principal: Principal, args: dict[str, Any], dated: bool = True) -> list | None:
    """The change-log rows whose submissions the caller may count: all (coordinators), their society's
    (a society's members), none (anyone else: None). ``dated``: within since/until too."""
    whose = permissions.submissions_counted(principal)
    if whose is None:
        return None
    conditions = [ChangeLog.society_id == principal.society_id] if whose == "own" else []
    if args.get("type"):  # (only then: a condition on every type would steer the planner to the wrong index)
        conditions.append(ChangeLog.record_type.in_(_types(args)))
    if dated:
        conditions += _in_window(ChangeLog.at, *_window(args))
    if code := args.get("society"):
        conditions.append(ChangeLog.society_id == society_by_code(session, code).id)
    return conditions


def submissions_per_month(session: Session, principal: Principal, args: dict[str, Any]) -> list | None:
    conditions = _log_conditions(session, principal, args)
    if conditions is None:
        return None
    month = month_of(ChangeLog.at)
    stmt = (select(month, ChangeLog.record_type, func.count()).where(ChangeLog.action.in_(SUBMITTED), *conditions)
            .group_by(month, ChangeLog.record_type))
    return sorted(({"month": m, "type": t, "count": c} for m, t, c in session.execute(stmt)),
                  key=lambda row: (row["month"], row["type"]))


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (the smallest value with at least ``share`` of the values at or below it)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def review_times(session: Session, principal: Principal, args: dict[str, Any]) -> list | None:
    """Per month of decision: how many decisions, and the median and 90th percentile of the hours from the
    record's latest submission before each. One pass over the log's submissions and decisions, in sequence
    order per record (a window function carries the latest submission's time forward); the database gives each
    decision's month and wait, and the percentiles are computed here, as SQLite has no percentile function."""
    if not permissions.can_see_review_figures(principal):
        return None
    latest_submission = func.max(case((ChangeLog.action.in_(SUBMITTED), ChangeLog.at))).over(
        partition_by=(ChangeLog.record_type, ChangeLog.record_id), order_by=ChangeLog.seq)
    conditions = _log_conditions(session, principal, args, dated=False) or []  # coordinators: never None
    steps = (select(ChangeLog.at, ChangeLog.action, latest_submission.label("submitted_at"))
             .where(ChangeLog.action.in_(SUBMITTED + DECIDED), *conditions)
             .subquery())
    month = month_of(steps.c.at)
    decisions = select(month, hours_between(steps.c.submitted_at, steps.c.at)).where(
        steps.c.action.in_(DECIDED), steps.c.submitted_at.is_not(None), *_in_window(steps.c.at, *_window(args)))
    hours: dict[str, list[float]] = defaultdict(list)
    for decided_in, waited in session.execute(decisions):  # times stay in the database: only numbers come out
        hours[decided_in].append(float(waited))
    return [{"month": month, "decisions": len(values), "median_hours": round(statistics.median(values), 2),
             "p90_hours": round(percentile(values, 0.9), 2)} for month, values in sorted(hours.items())]


def queue(session: Session, principal: Principal, args: dict[str, Any]) -> dict[str, Any] | None:
    """The moderation queue now: its size, its oldest entry, and how many wait how long."""
    if not permissions.can_see_review_figures(principal):
        return None
    where: list[Any] = [Submission.record_type.in_(_types(args))]
    if code := args.get("society"):
        where.append(Submission.society_id == society_by_code(session, code).id)
    now = utcnow()
    buckets = [func.coalesce(func.sum(case((Submission.submitted_at <= now - timedelta(days=low), 1), else_=0)
                                      - (case((Submission.submitted_at <= now - timedelta(days=high), 1), else_=0)
                                         if high else 0)), 0)
               for _, low, high in AGE_BUCKETS]
    size, oldest, *counts = session.execute(select(func.count(), func.min(Submission.submitted_at), *buckets)
                                            .where(*where)).one()
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=UTC)
    return {"size": size, "oldest_submitted_at": oldest,
            "oldest_age_days": round((now - oldest).total_seconds() / 86400, 2) if oldest else None,
            "by_age": [{"bucket": name, "count": int(count)} for (name, _, _), count in zip(AGE_BUCKETS, counts,
                                                                                              strict=True)]}


def contacts_past_review(session: Session, principal: Principal, args: dict[str, Any]) -> list[dict[str, Any]]:
    """Contacts the caller sees whose review date has passed, per society."""
    if "contact" not in _types(args):
        return []
    where = [*_record_conditions(principal, "contact", args), Contact.review_due_at < utcnow()]
    counts = dict(session.execute(select(Contact.society_id, func.count()).where(*where)
                                  .group_by(Contact.society_id)).all())
    return _societies(session, counts)


def missing_translation(session: Session, principal: Principal, args: dict[str, Any],
                        working_language: str) -> list[dict[str, Any]]:
    """Published records the caller sees that are neither written in the working language nor translated into
    it (as the lists' ``missing_translation`` filter counts them), per type."""
    rows = []
    for name in _types(args):
        service = BY_TYPE[name]
        where = [*_record_conditions(principal, name, args),
                 *service.filters({"missing_translation": working_language})]
        rows.append({"type": name, "count": session.scalar(select(func.count()).select_from(service.model)
                                                          .where(*where)) or 0})
    return rows


# --- counting, and keeping what was counted --------------------------------------------------------------
# Two kinds of snapshot. A class's figures without filters (a bounded set: a few per society) are counted
# again by the delivery pass once the change log has moved past them, at most every ``cache_seconds``, so a
# request never waits for them once counted. Figures with filters (any number of date and type combinations)
# are counted by the caller who finds them missing or stale, never in the background: inventing filters costs
# the inventor one count per request and nobody else anything. Snapshots unread for FORGET_AFTER (with filters:
# FORGET_FILTERED) go; a day-old one is counted again even if the log did not move (a society renamed).
REFRESH_ANYWAY = timedelta(days=1)
FORGET_AFTER, FORGET_FILTERED = timedelta(days=7), timedelta(days=1)
TOUCH_EVERY = timedelta(hours=1)  # a request notes that it read a snapshot at most this often (one write)
CLAIM_TIMEOUT = timedelta(minutes=10)  # a refresh whose process died is taken up again after this
PASS_BUDGET_SECONDS = 1.0  # the pass starts no further count after this (webhooks and e-mail wait meanwhile)
# the public dashboard's figures, counted before anyone asks
PUBLIC: dict[str, Any] = {"visibility": "public", "society": None, "reviews": False, "filters": {}}


def counted(session: Session, principal: Principal, args: dict[str, Any], working_language: str) -> dict[str, Any]:
    """The figures that change only with the change log: the costly ones, kept in a snapshot."""
    return {"records": record_counts(session, principal, args),
            "published_per_month": published_per_month(session, principal, args),
            "submissions_per_month": submissions_per_month(session, principal, args),
            "review_times": review_times(session, principal, args),
            "missing_translation": missing_translation(session, principal, args, working_language)}


def live(session: Session, principal: Principal, args: dict[str, Any]) -> dict[str, Any]:
    """The figures that change with the clock (a queue's age, a review date passing): small, counted each time."""
    return {"queue": queue(session, principal, args),
            "contacts_past_review": contacts_past_review(session, principal, args)}


def class_principal(request: dict[str, Any], society_id: uuid.UUID | None) -> Principal:
    """A caller standing for a whole visibility class: what it may read is what every caller of the class may
    read (``visibility_class``), so the figures counted for it can be shown to any of them."""
    scope = request["visibility"]
    if scope == "public":
        return Principal(kind="anonymous")
    scopes = {"read", *(("moderate",) if request["reviews"] else ())}
    role = {"everything": "admin", "coordinators": "coordinator"}.get(scope, "member")
    if scope == "everything":
        scopes.add("admin")
    return Principal(kind="user", scopes=frozenset(scopes), role=role,
                     society_id=society_id if request["society"] else None, society_code=request["society"])


def request_of(principal: Principal, args: dict[str, Any], working_language: str) -> dict[str, Any]:
    """What decides the figures: the caller's visibility class (and whether it sees the review figures), the
    working language and the filters, as JSON."""
    scope, society = visibility_class(principal)
    filters = {k: (sorted(v) if isinstance(v, list) else v.isoformat() if isinstance(v, date) else v)
               for k, v in sorted(args.items()) if v}
    return {"visibility": scope, "society": society, "reviews": permissions.can_see_review_figures(principal),
            "working_language": working_language, "filters": filters}


def _key(request: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(request, sort_keys=True).encode()).hexdigest()


def _latest_seq(session: Session) -> int:
    return session.scalar(select(func.max(ChangeLog.seq))) or 0


def stats(session: Session, principal: Principal, args: dict[str, Any], working_language: str,
          cache_seconds: int) -> dict[str, Any]:
    """The figures the caller may see. With ``cache_seconds`` > 0 the costly ones come from the snapshot of the
    caller's visibility class and filters (see above); 0: counted afresh."""
    if code := args.get("society"):
        society_by_code(session, code)  # an unknown society: 422 naming the field
    request = request_of(principal, args, working_language)
    standing = class_principal(request, principal.society_id)  # every caller of the class gets the same answer
    now = utcnow()
    liveness = live(session, standing, args)
    if cache_seconds <= 0:
        figures, generated_at = counted(session, standing, args, working_language), now
    else:
        key = _key(request)
        snapshot = session.get(StatsSnapshot, key)
        stale = snapshot is not None and bool(request["filters"]) and _stale(session, snapshot, now, cache_seconds)
        if snapshot is None or stale:
            seq = _latest_seq(session)
            figures, generated_at = counted(session, standing, args, working_language), utcnow()
            _keep(session, key, request, figures, seq, generated_at)
        else:
            figures, generated_at, read_at = snapshot.figures, snapshot.counted_at, snapshot.requested_at
            if read_at < now - TOUCH_EVERY:
                _write(session, update(StatsSnapshot).where(StatsSnapshot.key == key).values(requested_at=now))
    return {"generated_at": generated_at, "visibility": request["visibility"], "society": request["society"],
            "working_language": working_language, **figures, **liveness, "cache_seconds": cache_seconds}


def _stale(session: Session, snapshot: StatsSnapshot, now: datetime, cache_seconds: int) -> bool:
    if snapshot.counted_at < now - REFRESH_ANYWAY:
        return True
    return snapshot.counted_at < now - timedelta(seconds=cache_seconds) and snapshot.through_seq < _latest_seq(session)


def _write(session: Session, statement) -> None:
    """One short write of its own, after the (long) reading: on SQLite a reading transaction that began before
    another process wrote cannot become a writing one, and a writing one would hold every writer for as long
    as a count takes."""
    session.rollback()
    with writing():
        session.execute(statement)
        session.commit()


def _keep(session: Session, key: str, request: dict[str, Any], figures: dict[str, Any], seq: int,
          counted_at: datetime) -> None:
    values = {"figures": json.loads(json.dumps(figures, default=str)), "through_seq": seq, "counted_at": counted_at,
              "claimed_at": None}
    _write(session, dialect_insert(session, StatsSnapshot).values(key=key, request=request, requested_at=counted_at,
                                                                  filtered=bool(request["filters"]), **values)
           .on_conflict_do_update(index_elements=[StatsSnapshot.key], set_=values))


def _recount(session_factory, key: str, now: datetime) -> bool:
    """Claim one snapshot (or leave it to the process that holds it), count it in a reading transaction and keep
    the figures in a short writing one."""
    with session_factory() as session:
        claimed = execute_update(session, update(StatsSnapshot).where(StatsSnapshot.key == key, or_(
            StatsSnapshot.claimed_at.is_(None), StatsSnapshot.claimed_at < now - CLAIM_TIMEOUT))
            .values(claimed_at=utcnow())).rowcount
        session.commit()
    if not claimed:
        return False
    with reading(), session_factory() as session:
        snapshot = session.get(StatsSnapshot, key)
        if snapshot is None:
            return False
        request = snapshot.request
        societies = dict(session.execute(select(Society.code, Society.id).where(
            Society.code == request["society"])).all()) if request["society"] else {}
        if request["society"] and not societies:  # a society removed since: nobody can ask for these again
            _write(session, delete(StatsSnapshot).where(StatsSnapshot.key == key))
            return False
        seq = _latest_seq(session)
        figures = counted(session, class_principal(request, societies.get(request["society"])), {},
                          request["working_language"])
        _keep(session, key, request, figures, seq, utcnow())
    return True


def refresh(session_factory, settings) -> int:
    """The delivery pass's part: forget the snapshots nobody read for a while; count the public dashboard's
    even before anyone asks; count again the classes' figures without filters that the change log has moved
    past (oldest first, one process each, within PASS_BUDGET_SECONDS). Returns how many were counted."""
    seconds = settings.stats_cache_seconds
    if seconds <= 0:
        return 0
    started, now = time.monotonic(), utcnow()
    public = {**PUBLIC, "working_language": settings.working_language}
    forgotten = or_(StatsSnapshot.requested_at < now - FORGET_AFTER,
                    StatsSnapshot.filtered.is_(True) & (StatsSnapshot.requested_at < now - FORGET_FILTERED))
    with reading(), session_factory() as session:
        if session.scalar(select(func.count()).where(forgotten)):
            _write(session, delete(StatsSnapshot).where(forgotten))
    with reading(), session_factory() as session:
        latest = _latest_seq(session)
        counted_public = session.get(StatsSnapshot, _key(public)) is None
        if counted_public:
            _keep(session, _key(public), public, counted(session, class_principal(public, None), {},
                                                          settings.working_language), latest, utcnow())
        due = session.scalars(
            select(StatsSnapshot.key)
            .where(StatsSnapshot.filtered.is_(False),
                   or_(StatsSnapshot.through_seq < latest, StatsSnapshot.counted_at < now - REFRESH_ANYWAY),
                   StatsSnapshot.counted_at < now - timedelta(seconds=seconds),
                   or_(StatsSnapshot.claimed_at.is_(None), StatsSnapshot.claimed_at < now - CLAIM_TIMEOUT))
            .order_by(StatsSnapshot.counted_at)).all()
    done = int(counted_public)
    for key in due:
        if time.monotonic() - started > PASS_BUDGET_SECONDS:
            break  # the rest in the next passes
        done += _recount(session_factory, key, now)
    if done:
        log.info("statistics counted", extra={"snapshots": done, "through_seq": latest})
    return done
