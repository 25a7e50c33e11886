"""Files of training materials and practices: upload (type decided by content, limits), download, delete,
background text extraction, and the collection of stored contents that no file names any more.

Files are content: on a published record, adding or removing one is a change of its pending revision (see
``revisions``), reviewed like any edit. Until approval an added file is seen only by those who see the pending
revision (the society; coordinators once it is submitted), and a removed one stays served to everyone."""
from __future__ import annotations

import errno
import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from .. import permissions
from ..db import execute_update, reading, utcnow
from ..errors import Conflict, Forbidden, NotFound, RefusedFile
from ..files.content import WITH_TEXT, Refused, safe_filename, sniff
from ..files.extract import Extractor, Failed
from ..files.storage import BlobStore, LocalStore, S3Store, Spooled, TooLarge, spool
from ..models import RECORD_NAMES, FilePage, MaterialFile, RecordMixin, Status
from ..principal import SYSTEM, Principal
from . import revisions
from .record_types import BY_TYPE

log = logging.getLogger("atn_hub.files")
ATTACHABLE = {Status.draft.value, Status.changes_requested.value, Status.published.value}


@dataclass
class FileSettings:
    max_upload_bytes: int = 50 * 1024 * 1024
    extract_timeout: float = 60
    extract_memory_mb: int = 1024
    extract_max_pages: int = 2000
    tmp_dir: Path = Path("/tmp")


def make_store(settings) -> BlobStore:
    if settings.s3_bucket:
        return S3Store(settings.s3_bucket, settings.s3_prefix, settings.s3_endpoint_url, settings.s3_region,
                       tmp=settings.files_dir / "tmp")
    return LocalStore(settings.files_dir)


def _payload(file: MaterialFile, **extra) -> dict:
    return {"file": file.summary(), **extra}


def _joined(session: Session, principal: Principal, record: RecordMixin) -> tuple[str | None, str]:
    """A file change joins the published record's pending revision: its status before (None: there was
    none) and after, which decide who sees the change in the feed."""
    pending = revisions.pending_of(session, record)
    was = None if pending is None else pending.status
    return was, revisions.join_pending(session, principal, record).status


class FileView:
    """A file as one caller sees it: its part in the pending revision (``pending_change``) is shown only to
    those who see that revision, who uploaded it only to the network's signed-in callers."""

    def __init__(self, file: MaterialFile, shows_pending: bool, shows_who: bool = True):
        self.file = file
        self.pending_change = file.pending_change if shows_pending else None
        self.uploaded_by_name = file.uploaded_by_name if shows_who else None  # (permissions.sees_who)

    def __getattr__(self, name: str):
        return getattr(self.file, name)


def _editable_record(session: Session, principal: Principal, record_type: str,
                     record_id: uuid.UUID) -> RecordMixin:
    permissions.require_scope(principal, "write", "Attaching or removing files")
    record = BY_TYPE[record_type].get_record(session, principal, record_id)
    label = RECORD_NAMES[record_type]
    if not permissions.can_edit(principal, record):
        raise Forbidden(f"Files are attached and removed by the {label}'s society.", scope="write")
    if record.status not in ATTACHABLE:
        raise Conflict(f"A {record.status} {label}'s files cannot change.")
    if record.is_published and not permissions.editable_state(record, revisions.pending_of(session, record)):
        raise Conflict(f"The pending revision of this {label} awaits review: its files cannot change until a "
                       "coordinator decides.")
    return record


def _visible_files(session: Session, principal: Principal, record: RecordMixin) -> list[FileView]:
    """The record's files as the caller sees them: a pending revision's additions only if they see it."""
    shows_pending = revisions.may_see_pending(principal, record, revisions.pending_of(session, record))
    return [FileView(file, shows_pending, permissions.sees_who(principal))
            for file in revisions.record_files(session, record) if shows_pending or file.pending_change != "added"]


def upload(session: Session, principal: Principal, store: BlobStore, settings: FileSettings, record_type: str,
           record_id: uuid.UUID, stream: BinaryIO, filename: str | None) -> FileView:
    with reading():  # refuse early, without holding a write transaction while the body streams in
        _editable_record(session, principal, record_type, record_id)
    session.rollback()
    spooled, content_type = _store(store, settings, stream, filename)
    record = _editable_record(session, principal, record_type, record_id)  # again, in the write transaction
    revision, statuses = {}, None
    if record.is_published:  # reviewed like any edit: the network sees the file once the revision is approved
        statuses = _joined(session, principal, record)
        revision = {"revision": {"status": statuses[1]}}
    file = _file_of(session, record, filename, content_type, spooled, pending_change="added" if revision else None,
                    uploaded_by_user_id=principal.user_id, uploaded_by_name=principal.name)
    revisions.side_change(session, principal, record, "file_added", _payload(file, **revision),
                           pending_status=statuses)
    return FileView(file, shows_pending=True)


def _store(store: BlobStore, settings: FileSettings, stream: BinaryIO, filename: str | None) -> tuple[Spooled, str]:
    """The file spooled to disk within the size limit, its type decided by its content, and kept in the store:
    (the spooled file's facts, its content type); refused with the status that says why."""
    try:
        spooled = spool(stream, settings.tmp_dir, settings.max_upload_bytes)
    except TooLarge:
        raise RefusedFile(413, f"The file is larger than {settings.max_upload_bytes} bytes.") from None
    except OSError as exc:
        if exc.errno == errno.ENOSPC:  # nothing half-written stays: spool removed its temporary file
            raise RefusedFile(507, "The server's storage is full; nothing was stored. Retry later.") from None
        raise
    try:
        content_type = sniff(spooled.path, filename)
        store.put(spooled)
    except Refused as refused:
        raise RefusedFile(refused.status, refused.reason) from None
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise RefusedFile(507, "The server's storage is full; nothing was stored. Retry later.") from None
        raise
    finally:
        spooled.discard()
    return spooled, content_type


def _file_of(session: Session, record: RecordMixin, filename: str | None, content_type: str, spooled: Spooled,
             **extra: object) -> MaterialFile:
    """The stored file's row, as a file of ``record``."""
    file = MaterialFile(id=uuid.uuid4(), **{revisions.FILE_OWNER[record.record_type].key: record.id},
                        filename=safe_filename(filename, content_type), content_type=content_type,
                        size=spooled.size, sha256=spooled.sha256,
                        text_status="pending" if content_type in WITH_TEXT else "none", **extra)
    session.add(file)
    session.flush()
    return file


def attach_as_published(session: Session, store: BlobStore, settings: FileSettings, record: RecordMixin,
                        stream: BinaryIO, filename: str) -> MaterialFile | None:
    """A file the record carries as it is, without a review (the demo data, loaded by the command line): kept
    under the same type and size rules as an upload; None when the record has a file of that name already
    (so that loading again changes nothing)."""
    if any(file.filename == filename for file in revisions.record_files(session, record)):
        return None
    spooled, content_type = _store(store, settings, stream, filename)
    file = _file_of(session, record, filename, content_type, spooled)
    revisions.side_change(session, SYSTEM, record, "file_added", _payload(file))
    return file


def list_files(session: Session, principal: Principal, record_type: str, record_id: uuid.UUID) -> list[FileView]:
    record = BY_TYPE[record_type].get_record(session, principal, record_id)
    return _visible_files(session, principal, record)


def get_file(session: Session, principal: Principal, record_type: str, record_id: uuid.UUID,
             file_id: uuid.UUID) -> FileView:
    """A file of a record the caller may read, as they see it (else 404, as for the record itself)."""
    record = BY_TYPE[record_type].get_record(session, principal, record_id)
    found = next((file for file in _visible_files(session, principal, record) if file.id == file_id), None)
    if found is None:
        raise NotFound(f"No file {file_id} on this {RECORD_NAMES[record_type]}.")
    return found


def delete_file(session: Session, principal: Principal, record_type: str, record_id: uuid.UUID,
                file_id: uuid.UUID) -> None:
    """Remove a file: at once from an unpublished record; from a published one through its pending revision
    (an addition not yet approved is simply undone)."""
    record = _editable_record(session, principal, record_type, record_id)
    file = get_file(session, principal, record_type, record_id, file_id).file
    revision, statuses = {}, None
    if record.is_published:
        if file.pending_change == "removed":
            raise Conflict("This file's removal is already part of the pending revision.")
        statuses = _joined(session, principal, record)
        revision = {"revision": {"status": statuses[1]}}
    if revision and file.pending_change is None:
        file.pending_change = "removed"  # still served until the revision is approved
    else:
        session.delete(file)
    session.flush()
    revisions.side_change(session, principal, record, "file_removed", _payload(file, **revision),
                           pending_status=statuses)


# --- the extraction worker --------------------------------------------------------------------------------
def claim(session: Session, stale_after: timedelta) -> MaterialFile | None:
    """Take the oldest file waiting for extraction (or one whose extractor died); one claimer wins."""
    now = utcnow()
    waiting = or_(MaterialFile.text_status == "pending",
                  (MaterialFile.text_status == "extracting") & (MaterialFile.claimed_at < now - stale_after))
    with reading():  # looking costs no write lock (the thread looks every second)
        candidates = session.scalars(select(MaterialFile.id).where(waiting)
                                     .order_by(MaterialFile.created_at).limit(5)).all()
    session.rollback()
    for candidate in candidates:
        taken = execute_update(session, update(MaterialFile).where(MaterialFile.id == candidate, waiting)
                               .values(text_status="extracting", claimed_at=now))
        session.commit()
        if taken.rowcount == 1:
            return session.get(MaterialFile, candidate)
    return None


def make_extractor(settings: FileSettings) -> Extractor:
    return Extractor(timeout=settings.extract_timeout, memory_mb=settings.extract_memory_mb,
                     max_pages=settings.extract_max_pages)


def extract_next(session_factory: sessionmaker, store: BlobStore, extractor: Extractor,
                 settings: FileSettings) -> bool:
    """Extract one waiting file's text; False when none waits. Crash-safe: a claim left by a dead process
    is taken again after twice the extraction time limit."""
    from ..db import write_intent

    token = write_intent.set(True)
    session = session_factory()
    try:
        file = claim(session, timedelta(seconds=2 * settings.extract_timeout + 30))
        if file is None:
            return False
        started = utcnow()
        try:
            path = store.local_path(file.sha256)
        except FileNotFoundError:
            return _finish(session, file, error="The stored content is missing.")
        try:
            result = extractor.extract(path, file.content_type)
        except Failed as failed:
            return _finish(session, file, error=str(failed))
        finally:
            store.release(path)
        log.info("extracted", extra={"file_id": str(file.id), "pages": len(result.pages), "bytes": file.size,
                                     "seconds": round((utcnow() - started).total_seconds(), 3)})
        return _finish(session, file, pages=result.pages, language=result.language)
    finally:
        session.close()
        write_intent.reset(token)


def _finish(session: Session, file: MaterialFile, *, pages: list[str] | None = None, language: str | None = None,
            error: str | None = None) -> bool:
    if session.get(MaterialFile, file.id) is None:  # removed meanwhile
        session.rollback()
        return True
    if error is not None:
        file.text_status, file.text_error = "failed", error[:500]
        log.warning("extraction failed", extra={"file_id": str(file.id), "reason": error})
    else:
        for number, text in enumerate(pages or [], start=1):
            session.add(FilePage(file_id=file.id, page=number, text=text))
        file.text_status, file.page_count, file.language = "done", len(pages or []), language
    file.extracted_at = utcnow()
    record = BY_TYPE[file.record_type]._load(session, file.record_id)
    if record is not None:  # the indexer re-reads the record with its files' text; the feed shows its status
        statuses = None
        if file.pending_change == "added":  # seen only by those who see the pending revision
            pending = revisions.pending_of(session, record) if record.is_published else None
            statuses = (None if pending is None else pending.status,) * 2
        revisions.side_change(session, SYSTEM, record, "file_text",
                               _payload(file, text_status=file.text_status), pending_status=statuses)
    session.commit()
    return True


def collect_garbage(session: Session, store: BlobStore, grace: timedelta) -> dict[str, int]:
    """Delete stored contents that no file names (their record or file was deleted), once older than
    ``grace`` (an upload stores its content just before its row commits)."""
    named = set(session.scalars(select(MaterialFile.sha256).distinct()))
    cutoff = utcnow() - grace
    removed = kept = 0
    for sha256, written in list(store.keys()):
        if sha256 in named or written > cutoff:
            kept += 1
            continue
        store.delete(sha256)
        removed += 1
    return {"removed": removed, "kept": kept}
