"""Links between records: a practice names its contacts (each with its part in it) and its training materials;
a training material the practices it serves; a project its practices and training materials. A practice and a
training material show the projects that name them (``projects``, read-only).

A link is part of the record that holds it (a JSON list of ids in its row), so it goes through revisions,
review, the changes feed, webhooks and export/import with the rest of its content. Its rules:
- **Writing**: each linked record must exist and be one the holder's society can see (its own, or published);
  a practice's contacts must be its own society's (personal data stays with the society that keeps it). Anything
  else answers 422 naming the field, exactly as for an id that does not exist: no existence leak.
- **Reading**: a reader is shown only the links to records they may read themselves, in the record, the lists,
  the feed and webhooks: a link never reveals a record the reader may not see.
- **Deleting or erasing** a record removes every link to it (each holder's change logged, its pending revision
  cleaned too): nothing points at what is gone.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, cast, or_, select
from sqlalchemy.orm import Session

from .. import permissions
from ..errors import Invalid
from ..models import (
    RECORD_MODELS,
    RECORD_NAMES,
    PendingRevision,
    Practice,
    Project,
    RecordMixin,
    Society,
    Status,
    TrainingMaterial,
)
from ..principal import Principal


@dataclass(frozen=True)
class Link:
    holder: str  # the record type whose row holds the list
    field: str
    target: str  # the record type it links to
    with_role: bool = False  # entries are {"id", "role"} (else ids)


LINKS = (
    Link("practice", "contacts", "contact", with_role=True),
    Link("practice", "training_materials", "training-material"),
    Link("training-material", "practices", "practice"),
    Link("project", "practices", "practice"),
    Link("project", "training_materials", "training-material"),
)
# Shown on the linked record, read-only: field -> the link that holds it.
LINKED_FROM = {("practice", "projects"): LINKS[3], ("training-material", "projects"): LINKS[4]}


# Records whose mentions one query looks for (an OR of LIKEs: SQLite refuses an expression tree deeper than 1000).
MENTIONS_PER_QUERY = 200


def held_by(record_type: str) -> list[Link]:
    return [link for link in LINKS if link.holder == record_type]


def ids_in(link: Link, value: Iterable[Any] | None) -> list[str]:
    return [str(entry["id"] if link.with_role else entry) for entry in value or ()]


# --- writing --------------------------------------------------------------------------------------------
def check(session: Session, record_type: str, data: dict[str, Any], society: Society,
          record: RecordMixin | None = None) -> None:
    """Every link of ``data`` names a record the holder's society can see (a contact: of that society). Links
    the record already has pass as they are (a linked record may have been archived since)."""
    for link in held_by(record_type):
        if link.field not in data:
            continue
        wanted = ids_in(link, data[link.field])
        kept = set(ids_in(link, getattr(record, link.field, None))) if record is not None else set()
        new = [value for value in wanted if value not in kept]
        if not new:
            continue
        model = RECORD_MODELS[link.target]
        sees = (model.society_id == society.id) if link.target == "contact" else \
            or_(model.society_id == society.id, model.status == Status.published.value)
        found = {str(value) for value in session.scalars(
            select(model.id).where(model.id.in_([uuid.UUID(value) for value in new]), sees))}
        missing = [value for value in new if value not in found]
        if missing:
            whose = "of the record's society" if link.target == "contact" else "that the record's society can see"
            raise Invalid(link.field, f"No {RECORD_NAMES[link.target]} {whose} with id {missing[0]}.")


# --- reading --------------------------------------------------------------------------------------------
def readable_ids(session: Session, principal: Principal, target: str, ids: Iterable[str]) -> set[str]:
    wanted = {value for value in ids}
    if not wanted:
        return set()
    model = RECORD_MODELS[target]
    return {str(value) for value in session.scalars(select(model.id).where(
        model.id.in_([uuid.UUID(value) for value in wanted]), permissions.readable_filter(principal, model)))}


def readable_contents(session: Session, principal: Principal, record_type: str,
                      contents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Saved states of a record (its revisions' content, as JSON) with each link cut to what ``principal`` may
    read now, as the record itself is shown: a revision's history never names what its reader may not see."""
    result = [dict(content) for content in contents]
    for link in held_by(record_type):
        readable = readable_ids(session, principal, link.target,
                                (value for content in contents for value in ids_in(link, content.get(link.field))))
        for content in result:
            if link.field in content:
                content[link.field] = _kept(link, content[link.field], readable)
    return result


def readable_changes(session: Session, principal: Principal, record_type: str,
                     changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A diff (``{field, before, after}``) with each link field's lists cut to what ``principal`` may read; a
    change left with nothing to show (a link the reader may not see added or removed) is left out."""
    result = []
    fields = {link.field: link for link in held_by(record_type)}
    wanted = [change for change in changes if change.get("field") in fields]
    readable = {link.target: readable_ids(session, principal, link.target, (
        value for change in wanted if change["field"] == link.field
        for side in ("before", "after") for value in ids_in(link, change.get(side))))
        for link in fields.values()}
    for change in changes:
        link = fields.get(str(change.get("field")))
        if link is None:
            result.append(change)
            continue
        before, after = (_kept(link, change.get(side), readable[link.target]) for side in ("before", "after"))
        if before != after:
            result.append({**change, "before": before, "after": after})
    return result


def _kept(link: Link, value: Any, readable: set[str]) -> Any:
    if value is None:
        return None
    return [entry for entry in value if str(entry["id"] if link.with_role else entry) in readable]


def shown(session: Session, principal: Principal, record_type: str, records: list[Any]) -> list[dict[str, Any]]:
    """For each record (in order: a page of the feed may hold several states of one record) its links as
    ``principal`` may see them: the lists it holds, without the records the reader may not read, and the
    projects that name it. One query per linked type."""
    result: list[dict[str, Any]] = [{} for _ in records]
    for link in held_by(record_type):
        readable = readable_ids(session, principal, link.target,
                                (value for r in records for value in ids_in(link, getattr(r, link.field, None))))
        for r, links_of in zip(records, result, strict=True):
            links_of[link.field] = [entry for entry in getattr(r, link.field, None) or ()
                                    if str(entry["id"] if link.with_role else entry) in readable]
    for (shown_on, field), link in LINKED_FROM.items():
        if shown_on != record_type or not records:
            continue
        holder = Project  # the one type whose links are shown on the linked records (LINKED_FROM)
        column = getattr(holder, link.field)
        ids = list(dict.fromkeys(str(r.id) for r in records))
        rows: dict = {}
        for start in range(0, len(ids), MENTIONS_PER_QUERY):
            mentions = or_(*(cast(column, String).contains(value) for value in ids[start:start + MENTIONS_PER_QUERY]))
            rows.update({holder_id: (title, linked) for holder_id, title, linked in session.execute(
                select(holder.id, holder.title, column).where(mentions,
                                                              permissions.readable_filter(principal, holder)))})
        ordered = sorted(rows.items(), key=lambda row: (row[1][0], str(row[0])))  # by title
        for r, links_of in zip(records, result, strict=True):
            links_of[field] = [holder_id for holder_id, (_, linked) in ordered if str(r.id) in ids_in(link, linked)]
    return result


# --- deleting -------------------------------------------------------------------------------------------
def holders_of(session: Session, record: RecordMixin) -> list[tuple[Link, Practice | TrainingMaterial | Project]]:
    """The records whose links name ``record`` (the types that hold links: each has a title)."""
    found: list = []
    for link in LINKS:
        if link.target != record.record_type:
            continue
        holder = RECORD_MODELS[link.holder]
        column = getattr(holder, link.field)
        for row in session.scalars(select(holder).where(cast(column, String).contains(str(record.id)))):
            if str(record.id) in ids_in(link, getattr(row, link.field)):
                found.append((link, row))
    return found


def without(link: Link, value: list[Any] | None, record_id: str) -> list[Any]:
    return [entry for entry in value or () if str(entry["id"] if link.with_role else entry) != record_id]


def unlink_pending(session: Session, record: RecordMixin) -> list[tuple[PendingRevision, dict[str, Any]]]:
    """Pending revisions that link to ``record`` stop linking to it (approving one must not bring it back);
    returns each changed one with the fields it changed."""
    holders = [link.holder for link in LINKS if link.target == record.record_type]
    rows = session.scalars(select(PendingRevision).where(PendingRevision.record_type.in_(holders),
                                                         cast(PendingRevision.data, String).contains(str(record.id))))
    changed = []
    for pending in rows:
        data, fields = dict(pending.data), {}
        for link in LINKS:
            if link.holder == pending.record_type and link.target == record.record_type and link.field in data:
                kept = without(link, data[link.field], str(record.id))
                if kept != data[link.field]:
                    data[link.field] = fields[link.field] = kept
        if fields:
            pending.data = data
            changed.append((pending, fields))
    return changed
