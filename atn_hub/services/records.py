"""What practices, contacts and training materials share: reading with visibility rules, create, update,
delete, each checked against the principal and written to the change log."""
from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from sqlalchemy import func, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

from .. import permissions
from ..db import array_contains, json_first, json_has_key, page_offset, session_of, utcnow
from ..errors import Conflict, Duplicate, Forbidden, Invalid, NotFound
from ..models import RECORD_MODELS, PendingRevision, RecordMixin, Society, Status, Topic
from ..principal import ANONYMOUS, SYSTEM, Principal
from . import change_log, links, personal_data, revisions, translations
from .change_log import assign_changes

# Fields a client never sets through the API: the workflow and the bookkeeping own them.
RESERVED = ("id", "status", "published_at", "created_at", "updated_at", "version", "society")


class RecordView:
    """A record as one caller sees it: its actions, and personal fields hidden where the caller may not read
    them. Wraps the ORM object read-only, so nothing hidden can be flushed back by mistake."""

    def __init__(self, record: RecordMixin, actions: list[str], hidden: tuple[str, ...] = (),
                 pending: PendingRevision | None = None, principal: Principal | None = None,
                 linked: dict[str, Any] | None = None):
        self._record = record
        self._linked = linked or {}  # its links as the caller may see them (``services.links.shown``)
        self._principal = principal or ANONYMOUS
        self.actions = actions
        self._hidden = hidden
        self.pending = pending  # the pending revision, when the caller may see it
        self.pending_revision = revisions.pending_summary(record, pending, hidden, self._principal) \
            if pending else None

    def __getattr__(self, name: str) -> Any:
        if name in self._hidden:
            return None
        if name in self._linked:
            return self._linked[name]
        return getattr(self._record, name)

    @property
    def record(self) -> RecordMixin:
        return self._record

    @property
    def translations(self) -> dict[str, Any]:
        return translations.shown_translations(self._record.translations, self._principal)

    @property
    def display(self) -> dict[str, Any]:
        """The record's text in the reader's language (``services.translations``)."""
        return translations.display(self._record, self._record.translatable)


LOOKUP = object()


@dataclass
class Page:
    items: list[RecordView]
    total: int


def society_by_code(session: Session, code: str, field: str = "society") -> Society:
    known = session.info.setdefault("societies", {})  # a bulk import names the same few societies again
    society = known.get(code)
    if society is None or society not in session:
        society = session.scalar(select(Society).where(Society.code == code))
        if society is None:
            raise Invalid(field, f"No society with code '{code}'.")
        known[code] = society
    return society


def own_society(session: Session, principal: Principal) -> Society:
    """The society of a caller who belongs to one (``principal.society_id`` set)."""
    society = session.get(Society, principal.society_id)
    if society is None:  # not expected: the users' and clients' foreign keys to it restrict its deletion
        raise NotFound(f"No society with id {principal.society_id}.")
    return society


class RecordService:
    model: ClassVar[type[RecordMixin]]
    topic_fields: ClassVar[dict[str, str | None]] = {"topics": None}  # field -> required topic category
    personal_fields: ClassVar[tuple[str, ...]] = ()
    title_column: ClassVar[str] = "title"
    visible_title_column: ClassVar[str] = "title"  # sorts as the title where the caller may not read that
    language_column: ClassVar[str | None] = "language"  # a column, or None when languages is a list
    languages_column: ClassVar[str] = "languages"  # the list whose first is the own language, without that column
    country_column: ClassVar[str | None] = None  # a single-country column (contacts), or None when countries is a list

    # --- reading ---------------------------------------------------------------------------------------
    def present(self, principal: Principal, record: RecordMixin, pending: Any = LOOKUP,
                linked: dict[str, Any] | None = None) -> RecordView:
        """``pending``: the record's pending revision when the caller has it at hand (lists), else looked up;
        ``linked``: its links as the caller sees them, when a list worked them out for its page."""
        hidden = permissions.hidden_fields(principal, record.record_type)
        session = session_of(record)
        if pending is LOOKUP:
            pending = revisions.pending_of(session, record) if record.is_published else None
        actions = permissions.record_actions(principal, record, pending)
        shown = pending if revisions.may_see_pending(principal, record, pending) else None
        if linked is None:
            session.flush()  # a record just created is in the table its projects' query reads
            [linked] = links.shown(session, principal, record.record_type, [record])
        return RecordView(record, actions, hidden, shown, principal, linked)

    def _load(self, session: Session, record_id: uuid.UUID) -> RecordMixin | None:
        return session.get(self.model, record_id)

    def get_record(self, session: Session, principal: Principal, record_id: uuid.UUID) -> RecordMixin:
        record = self._load(session, record_id)
        if record is None or not permissions.can_read(principal, record):
            # Another society's private record answers exactly like a missing one: no existence leak.
            raise NotFound(f"No {self.model.record_type} with id {record_id}.")
        return record

    def get(self, session: Session, principal: Principal, record_id: uuid.UUID) -> RecordView:
        return self.present(principal, self.get_record(session, principal, record_id))

    def filters(self, args: dict[str, Any]) -> list:
        m = self.model
        conditions = []
        for value, single, listed in ((args.get("country"), self.country_column, "countries"),
                                      (args.get("language"), self.language_column, "languages")):
            if value:
                # A single-code column or a list column, which only some models have: read by name.
                column = getattr(m, single or listed)
                conditions.append(column == value if single else array_contains(column, value))
        if topic := args.get("topic"):
            from sqlalchemy import or_

            conditions.append(or_(*(array_contains(getattr(m, f), topic) for f in self.topic_fields)))
        if society := args.get("society"):
            conditions.append(m.society_id.in_(select(Society.id).where(Society.code == society)))
        if status := args.get("status"):
            conditions.append(m.status == status)
        if visibility := args.get("visibility"):
            conditions.append(m.visibility == visibility)
        if external_id := args.get("external_id"):
            conditions.append(m.external_id == external_id)
        if since := args.get("updated_since"):
            conditions.append(m.updated_at >= since)
        if code := args.get("missing_translation"):
            # What the network still has to translate into ``code``: published, not written in it, no translation.
            own = (getattr(m, self.language_column) if self.language_column
                   else json_first(getattr(m, self.languages_column)))
            conditions += [m.status == Status.published.value, func.coalesce(own, "") != code,
                           ~json_has_key(m.translations, code)]
        return conditions

    def sort_key(self, principal: Principal, name: str):
        """The column a list is sorted by, among those the caller may read: the order of a hidden field would
        tell its values (probe records sorted around a contact spell out its name). A contact's title is its
        name, or, for a caller who may not read names, its role (no role sorts first)."""
        if name != "title":
            return getattr(self.model, name)
        if self.title_column in permissions.hidden_fields(principal, self.model.record_type):
            return func.coalesce(getattr(self.model, self.visible_title_column), "")
        return getattr(self.model, self.title_column)

    def list(self, session: Session, principal: Principal, args: dict[str, Any], page: int,
             page_size: int) -> Page:
        m = self.model
        where = [permissions.readable_filter(principal, m), *self.filters(args)]
        total = session.scalar(select(func.count()).select_from(m).where(*where))
        sort = args.get("sort", "-updated_at")
        column = self.sort_key(principal, sort.lstrip("-"))
        order = [column.desc(), m.id.desc()] if sort.startswith("-") else [column.asc(), m.id.asc()]
        stmt = select(m).where(*where).order_by(*order).offset(page_offset(page, page_size)).limit(page_size)
        records = list(session.scalars(stmt).unique())
        pending = revisions.pending_map(session, m.record_type, [r.id for r in records if r.is_published])
        linked = links.shown(session, principal, m.record_type, records)
        return Page([self.present(principal, r, pending.get(r.id), shown)
                     for r, shown in zip(records, linked, strict=True)], total or 0)

    # --- checks shared by create and update --------------------------------------------------------------
    def validate_topics(self, session: Session, data: dict[str, Any]) -> None:
        wanted = {code for field in self.topic_fields for code in data.get(field) or []}
        if not wanted:
            return
        known = dict(session.execute(select(Topic.code, Topic.category).where(Topic.code.in_(wanted))).all())
        for field, category in self.topic_fields.items():
            codes = data.get(field) or []
            unknown = [c for c in codes if c not in known]
            if unknown:
                raise Invalid(field, f"Unknown topic code(s): {', '.join(unknown)}.")
            if category:
                wrong = [c for c in codes if known[c] != category]
                if wrong:
                    raise Invalid(field, f"Not topics of category '{category}': {', '.join(wrong)}.")

    def validate(self, session: Session, data: dict[str, Any], record: RecordMixin | None,
                 society: Society, external_id_free: bool = False, check_links: bool = True) -> None:
        """Checks that need the database or the record's other fields; subclasses add theirs.
        ``external_id_free``: the caller has just looked the external id up and found it unused.
        ``check_links``: False for an import, whose lines may link to records of a later line or file (a link
        to nothing is shown to no one: ``links.shown``)."""
        self.validate_topics(session, data)
        translations.check_own_language(self.model, data, record)
        if check_links:
            links.check(session, self.model.record_type, data, society, record)
        external_id = data.get("external_id")
        if external_id and not external_id_free and external_id != getattr(record, "external_id", None):
            clash = session.scalar(select(self.model.id).where(self.model.society_id == society.id,
                                                               self.model.external_id == external_id))
            if clash is not None and (record is None or clash != record.id):
                raise Duplicate(f"{society.code} already has a {self.model.record_type} with external_id "
                                f"'{external_id}'.", "external_id", clash)

    # --- writing -----------------------------------------------------------------------------------------
    def owning_society(self, session: Session, principal: Principal, code: str | None) -> Society:
        """The society a new record is for: the one named, else the caller's; refused unless the caller may
        create records for it."""
        permissions.require_scope(principal, "write", f"Creating a {self.model.record_type}")
        if code is None:
            if principal.society_id is None:
                raise Invalid("society", "Required: you belong to no society, so name the owning one.")
            society = own_society(session, principal)
        else:
            society = society_by_code(session, code)
        if not permissions.can_create(principal, society.id):
            raise Forbidden("You may create records for your own society only.",
                            {"json": {"society": ["Not your society."]}})
        return society

    def create(self, session: Session, principal: Principal, data: dict[str, Any]) -> RecordView:
        data = dict(data)
        society = self.owning_society(session, principal, data.pop("society", None))
        data = translations.prepare(principal, data, None)
        self.validate(session, data, None, society)
        record = self.model(id=uuid.uuid4(), society=society, society_id=society.id, status=Status.draft.value,
                            **data)
        session.add(record)
        revisions.record_change(session, principal, record, "created", before=None)
        return self.present(principal, record)

    def get_for_update(self, session: Session, principal: Principal, record_id: uuid.UUID) -> RecordView:
        """The record as the caller sees it, if they may edit it now (checked before the caller's ETag is)."""
        permissions.require_scope(principal, "write", f"Editing a {self.model.record_type}")
        record = self.get_record(session, principal, record_id)
        if not permissions.can_edit(principal, record):
            raise Forbidden("Editing this record needs the 'write' scope and membership of its society.",
                            scope="write")
        view = self.present(principal, record)
        if not permissions.editable_state(record, view.pending):
            raise Conflict(f"A {record.status} {self.model.record_type} cannot be edited; only drafts, records "
                           f"with changes requested and published records (as a revision for review) can."
                           if record.status != Status.published.value else
                           "The pending revision of this record awaits review: it cannot be edited until a "
                           "coordinator decides.")
        return view

    def update(self, session: Session, principal: Principal, record: RecordMixin,
               data: dict[str, Any]) -> RecordView:
        """Apply ``data`` to a record obtained from ``get_for_update``: in place, or, for a published record,
        to its pending revision (the network keeps seeing the published version until it is approved)."""
        if record.is_published:
            revisions.save_pending(session, principal, self, record, data)
            return self.present(principal, record)
        data = translations.prepare(principal, data, record.translations)
        self.validate(session, data, record, record.society)
        before = change_log.state_of(record)
        changed = assign_changes(record, data)
        if changed:
            revisions.record_change(session, principal, record, "updated", before=before, fields=changed)
        return self.present(principal, record)

    def put_by_external_id(self, session: Session, principal: Principal, external_id: str, data: dict[str, Any],
                           fields: Iterable[str], check_version: Callable[[RecordView | None], None]
                           ) -> tuple[RecordView, bool]:
        """A partner's sync: the society's record with this external id made to be ``data``; returns it and
        whether it was created. Absent: created as by ``create``. Present: replaced as by ``update`` once
        ``check_version`` (the caller's If-Match) passes; each of the create body's ``fields`` not in ``data``
        goes back to its default, except ``translations`` (kept unless sent: translators write them in the hub).
        ``check_version(None)``: there is no such record (an If-Match then fails)."""
        if len(external_id) > 200 or not external_id.isprintable():
            raise Invalid("external_id", "At most 200 characters, none of them a control character.",
                          location="path")
        if data.get("external_id", external_id) != external_id:
            raise Invalid("external_id", f"Not the external id of the URL ('{external_id}'): leave it out, or "
                                         f"send the same.")
        data = {**data, "external_id": external_id}
        code = data.pop("society", None)
        society = self.owning_society(session, principal, code)
        existing = session.scalar(select(self.model.id).where(self.model.society_id == society.id,
                                                              self.model.external_id == external_id))
        if existing is None:
            check_version(None)
            return self.create(session, principal, {**data, "society": society.code}), True
        current = self.get_for_update(session, principal, existing)
        check_version(current)
        replaced = {name: data[name] if name in data else self.default_of(name)
                    for name in fields if name not in ("society", "translations")}
        if "translations" in data:
            replaced["translations"] = data["translations"]
        return self.update(session, principal, current.record, replaced), False

    def default_of(self, name: str) -> Any:
        """What a field is on a record created without it: its column's default, else null."""
        column = sa_inspect(self.model).columns.get(name)
        default = column.default if column is not None else None
        if default is None:
            return None
        return default.arg(None) if default.is_callable else default.arg

    def delete(self, session: Session, principal: Principal, record_id: uuid.UUID, erase: bool = False) -> None:
        """``erase`` (records with personal fields): also scrub those fields from everything that kept them
        (change-log payloads, revisions, webhook logs); the search index drops the document with its terms."""
        permissions.require_scope(principal, "write", f"Deleting a {self.model.record_type}")
        record = self.get_record(session, principal, record_id)
        if not permissions.can_delete(principal, record):
            raise Forbidden("Deleting this record needs the 'write' scope and membership of its society.",
                            scope="write")
        if not permissions.deletable_state(principal, record):
            raise Conflict(f"A {record.status} {self.model.record_type} cannot be deleted by its society.")
        before = change_log.state_of(record)
        self.before_delete(session, principal, record)
        self.unlink(session, principal, record)
        revisions.discard(session, record)
        session.delete(record)
        revisions.record_change(session, principal, record, "erased" if erase else "deleted", before=before,
                                 gone=True, extra={"erased": True} if erase else None)
        if erase:
            personal_data.scrub(session, record.record_type, record.id, self.personal_fields)

    def before_delete(self, session: Session, principal: Principal, record: RecordMixin) -> None:
        """What else a deletion changes, for a type to add to (logged like any change)."""

    def unlink(self, session: Session, principal: Principal, record: RecordMixin) -> None:
        """The records that link to one being deleted stop linking to it, each a logged change (as the feed,
        the index and webhooks tell it), their pending revisions too. The hub makes these changes (SYSTEM), not
        the caller: another society's history does not name who deleted a record it may not have seen."""
        pending_changes = links.unlink_pending(session, record)
        for link, holder in links.holders_of(session, record):
            before = change_log.state_of(holder)
            value = links.without(link, getattr(holder, link.field), str(record.id))
            setattr(holder, link.field, value)
            revisions.record_change(session, SYSTEM, holder, "updated", before=before, fields={link.field: value})
        for pending, fields in pending_changes:
            revised = session.get(RECORD_MODELS[pending.record_type], pending.record_id)
            if isinstance(revised, RecordMixin):
                revisions.pending_changed_by(session, SYSTEM, revised, pending, fields)

    # --- import (administrators' migration of an existing collection) -------------------------------------
    def upsert(self, session: Session, principal: Principal, data: dict[str, Any],
               publish: bool = False) -> tuple[RecordMixin, str]:
        """Create or update a record from an import line; returns it and "created", "updated" or "unchanged".

        Matched by ``id`` when given, else by (society, external_id). Keeps status and timestamps from the
        line (an export), so that an export imported into an empty database gives identical records.
        """
        if not principal.is_admin:
            raise Forbidden("Importing needs the 'admin' scope.")
        data = dict(data)
        society = society_by_code(session, data.pop("society"))
        record_id = data.pop("id", None)
        record = self._load(session, record_id) if record_id else None
        looked_up = record is None and bool(data.get("external_id"))
        if looked_up:
            record = session.scalar(select(self.model).where(self.model.society_id == society.id,
                                                             self.model.external_id == data["external_id"]))
        if record is not None and record.society_id != society.id:
            raise Invalid("society", "The record exists under another society.")
        if publish:
            data["status"] = Status.published.value
        if data.get("status") == Status.published.value and not data.get("published_at"):
            data["published_at"] = record.published_at if record and record.published_at else utcnow()
        self.validate(session, data, record, society, external_id_free=looked_up and record is None,
                      check_links=False)
        if record is None:
            record = self.model(id=record_id or uuid.uuid4(), society=society, society_id=society.id,
                                **{"status": Status.draft.value, **data})
            session.add(record)
            revisions.record_change(session, principal, record, "created", before=None)
            return record, "created"
        stamps = {k: data.pop(k) for k in ("created_at", "updated_at") if k in data}
        before = change_log.state_of(record)
        changed = assign_changes(record, data)
        if not changed:
            return record, "unchanged"
        for key, value in stamps.items():
            setattr(record, key, value)
        revisions.record_change(session, principal, record, "updated", before=before, fields=changed)
        return record, "updated"


def check_years(start: int | None, end: int | None) -> None:
    if start is not None and end is not None and end < start:
        raise Invalid("end_year", "end_year is before start_year.")

