"""The indexer: tails the change log into the node's search index. The only writer of the index.

Every process may run one (a thread, or ``atn-hub worker``), but they take turns through the index's file
lock, so each batch has exactly one writer. A batch reads log rows after the index's applied sequence, in
order, reloads each named record as it is now in the database (a deleted one is removed), and commits the
documents with the batch's last sequence in one Whoosh commit. Replaying is harmless, so a crash anywhere
is repaired by catching up.
"""
from __future__ import annotations

import logging
import os
import shutil
import threading
import time
import uuid
from bisect import bisect_right
from pathlib import Path

from filelock import FileLock, Timeout
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from search_index.documents import document_key, to_document
from search_index.engine import Document
from search_index.whoosh_engine import WhooshEngine

from ..db import reading
from ..models import RECORD_MODELS, ChangeLog

log = logging.getLogger("atn_hub.indexer")  # its name from before atn_hub/indexing/: log records keep it
# Change-log rows per Whoosh commit. Each commit adds a segment, and every search visits every segment (a
# term lookup in each), so a backlog is committed in large batches (bench/README.md, "Where the time went:
# segments"). The records named are loaded from the database LOAD_CHUNK at a time, and a commit stops loading
# after COMMIT_SECONDS (covering the log up to the first record it did not load), so that no commit holds the
# writer lock, or risks its work to a worker's restart, for longer than that.
BATCH = 50_000  # log rows per commit unless the settings say (ATN_INDEX_BATCH)
LOAD_CHUNK = 5000
COMMIT_SECONDS = 120.0
HELP_ROWS = 500  # the most a write's own request indexes while it waits to be searchable (about a second)

def load_documents(session: Session, keys: set[tuple[str, str]]) -> tuple[list[Document], list[str]]:
    """The current documents of the named records; the keys of those that are gone."""
    upserts, deletes = [], []
    by_type: dict[str, list[uuid.UUID]] = {}
    for record_type, record_id in keys:
        by_type.setdefault(record_type, []).append(uuid.UUID(record_id))
    for record_type, ids in by_type.items():
        model = RECORD_MODELS[record_type]
        found = {r.id: r for r in session.scalars(select(model).where(model.id.in_(ids))).unique()}
        for record_id in ids:
            record = found.get(record_id)
            if record is None:
                deletes.append(document_key(record_type, record_id))
            else:
                upserts.append(to_document(record_type, record))
    return upserts, deletes


class Indexer:
    def __init__(self, engine: WhooshEngine, session_factory: sessionmaker, batch: int = BATCH):
        self.engine = engine
        self.session_factory = session_factory
        self.batch = batch

    def catch_up(self, wait: float = 0, max_batches: int | None = None, limit: int | None = None) -> int:
        """Apply what the log holds beyond the index; returns how many log rows were applied. ``wait``: how
        long to wait for the writer lock (0: give up at once if another process is writing); ``limit``: log
        rows per commit (``self.batch``)."""
        applied = 0
        try:
            with self.engine.writer_lock(timeout=wait):
                if not self.engine.schema_is_current():
                    return 0  # an index of an earlier release's format: the indexer thread rebuilds it
                batches = 0
                while max_batches is None or batches < max_batches:
                    count, more = self._apply(limit=limit)
                    applied += count
                    batches += 1
                    if not more:
                        break
        except Timeout:
            pass
        return applied

    def _apply(self, generation: Path | None = None, limit: int | None = None) -> tuple[int, bool]:
        """One commit: up to ``limit`` log rows after the index's sequence. Returns the rows it covered and
        whether the log may hold more."""
        limit = limit or self.batch
        after = self.engine.applied_seq(generation)
        with reading(), self.session_factory() as session:
            rows = session.execute(select(ChangeLog.seq, ChangeLog.record_type, ChangeLog.record_id,
                                          ChangeLog.action)
                                   .where(ChangeLog.seq > after).order_by(ChangeLog.seq).limit(limit)).all()
        if not rows:
            return 0, False
        first_row: dict[tuple[str, str], int] = {}  # each record once, in the order the log first names it
        for number, row in enumerate(rows):
            if row.record_type in RECORD_MODELS:
                first_row.setdefault((row.record_type, row.record_id), number)
        keys = list(first_row)
        loaded: list[tuple[int, int]] = []  # (documents, deletions) of each chunk
        deadline = time.monotonic() + COMMIT_SECONDS

        def chunks():  # the records as they are now in the database, LOAD_CHUNK at a time (a log of no record: one)
            for start in range(0, max(len(keys), 1), LOAD_CHUNK):
                if start and time.monotonic() > deadline:
                    return  # commit what is loaded
                end = start + LOAD_CHUNK
                with reading(), self.session_factory() as session:
                    upserts, deletes = load_documents(session, set(keys[start:end]))
                loaded.append((len(upserts), len(deletes)))
                if len(keys) > LOAD_CHUNK:  # a backlog: show progress within the commit
                    log.info("loaded", extra={"records": min(end, len(keys)), "of": len(keys)})
                # The log this chunk completes: every row before the next chunk's first record
                through = first_row[keys[end]] if end < len(keys) else len(rows)
                yield upserts, deletes, rows[through - 1].seq

        purge = any(r.action == "erased" for r in rows)  # personal data leaves the index files too
        seq = self.engine.apply_chunks(chunks(), generation, purge=purge)
        log.info("indexed", extra={"through_seq": seq, "documents": sum(d for d, _ in loaded),
                                   "deleted": sum(d for _, d in loaded)})
        covered = bisect_right([row.seq for row in rows], seq)
        return covered, covered < len(rows) or len(rows) == limit

    def last_logged_seq(self) -> int:
        with reading(), self.session_factory() as session:
            return session.scalar(select(func.max(ChangeLog.seq))) or 0

    def wait_for(self, seq: int, timeout: float = 5.0) -> bool:
        """Until the index has applied ``seq`` (a write's change): helps by indexing itself when it can."""
        deadline = time.monotonic() + timeout
        while True:
            if self.engine.applied_seq() >= seq:
                return True
            # Help, a little: a backlog is the indexer thread's (a big commit would outlast this request)
            self.catch_up(wait=0.05, max_batches=1, limit=HELP_ROWS)
            if self.engine.applied_seq() >= seq:
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)

    # --- rebuild --------------------------------------------------------------------------------------
    def upgrade(self) -> bool:
        """Rebuilds the index when its format is an earlier release's (its fields differ from this one's):
        searches keep using it meanwhile, the change log is indexed into the new one. One process of the
        node does it (the others find the upgrade lock taken and go on). Returns whether it rebuilt."""
        if self.engine.schema_is_current():
            return False
        try:
            with FileLock(str(self.engine.directory / "upgrade.lock"), timeout=0):
                if self.engine.schema_is_current():  # another process finished it meanwhile
                    return False
                log.info("index format changed: rebuilding", extra={"index": str(self.engine.directory)})
                self.rebuild(lambda done, total: log.info("rebuilding", extra={"records": done, "of": total}))
                log.info("index rebuilt", extra={"applied_seq": self.engine.applied_seq()})
                return True
        except Timeout:
            return False

    def rebuild(self, progress=None) -> Path:
        """A fresh generation built from the database beside the live one, caught up, then swapped in.
        Searches keep using the live generation until the swap; writes keep being indexed meanwhile."""
        for path in self.engine.old_generations():  # left by the previous rebuild, unused since
            shutil.rmtree(path, ignore_errors=True)
        generation = self.engine.create_generation()
        with reading(), self.session_factory() as session:
            through = session.scalar(select(func.max(ChangeLog.seq))) or 0
            total = sum(session.scalar(select(func.count()).select_from(m)) for m in RECORD_MODELS.values())
            done = 0
            for record_type, model in RECORD_MODELS.items():
                offset = 0
                while True:
                    stmt = select(model).order_by(model.id).offset(offset).limit(LOAD_CHUNK)
                    records = session.scalars(stmt).unique().all()
                    if not records:
                        break
                    with self.engine.writer_lock():  # the lock guards every write; this generation is not live yet
                        self.engine.apply([to_document(record_type, r) for r in records], [], 0, generation)
                    offset += len(records)
                    done += len(records)
                    if progress:
                        progress(done, total)
                    session.expunge_all()
        with self.engine.writer_lock():
            self.engine.apply([], [], through, generation)
            while self._apply(generation)[1]:
                pass
            self.engine.optimize(generation)
            self._apply(generation)
            self.engine.swap_to(generation)
        return generation  # the replaced generation stays until the next rebuild: readers may still hold it

    def verify(self) -> dict:
        """Compare (key, version) pairs between the database and the index."""
        self.catch_up(wait=5)
        in_index = self.engine.versions()
        in_db: dict[str, int] = {}
        with reading(), self.session_factory() as session:
            for record_type, model in RECORD_MODELS.items():
                for record_id, version in session.execute(select(model.id, model.version)):
                    in_db[document_key(record_type, record_id)] = version
        missing = sorted(set(in_db) - set(in_index))
        extra = sorted(set(in_index) - set(in_db))
        stale = sorted(k for k in set(in_db) & set(in_index) if in_db[k] != in_index[k])
        return {"database": len(in_db), "index": len(in_index), "missing": missing, "extra": extra,
                "stale": stale, "applied_seq": self.engine.applied_seq(), "logged_seq": self.last_logged_seq()}


class IndexerThread:
    """Runs ``catch_up`` every ``interval`` seconds in a daemon thread of this process."""

    def __init__(self, indexer: Indexer, interval: float):
        self.indexer = indexer
        self.interval = interval
        self.pid = os.getpid()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="atn-indexer", daemon=True)

    def start(self) -> IndexerThread:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                self.indexer.upgrade()
                self.indexer.catch_up(wait=0)
                failures = 0
            except Exception:  # keep indexing; the log keeps what failed for the next round
                failures += 1
                delay = min(10.0, 2.0 ** failures)  # 2, 4, 8, 10 s: a damaged index is not retried 5 times a second
                log.exception("indexing failed; retrying in %.0f s", delay, extra={"failures": failures})
                self._stop.wait(delay)
            self._stop.wait(self.interval)
