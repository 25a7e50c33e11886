"""The change log's sequence order is its commit order, even with concurrent writers (the trap: a reader
that saw row 11 commit before row 10 would skip 10 forever)."""
from __future__ import annotations

import threading
import time

from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import OperationalError

from atn_hub.extensions import get_db
from atn_hub.models import ChangeLog
from atn_hub.principal import SYSTEM
from atn_hub.services import change_log


def _waiting_on_the_log_lock(engine) -> bool:
    """Whether a writer waits for the change log: on PostgreSQL a backend waiting for the advisory lock; on
    SQLite an append that cannot take the database's write lock (tried without waiting)."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as probe:  # a new transaction each time: pg_stat_activity is a snapshot
            return bool(probe.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                          "AND wait_event = 'advisory' AND datname = current_database()")))
    impatient = create_engine(engine.url, connect_args={"timeout": 0})
    try:
        with impatient.connect() as conn:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            conn.exec_driver_sql("ROLLBACK")
        return False
    except OperationalError as exc:
        return "locked" in str(exc)
    finally:
        impatient.dispose()


def test_a_later_writer_cannot_commit_before_an_earlier_one(app, db_session):
    db = get_db(app)
    first = db.new_session()
    entry = change_log.append(first, SYSTEM, record_type="practice", record_id="a", action="created")
    first_seq = entry.seq
    finished = threading.Event()
    second_seq = []

    def second_writer():
        session = db.new_session()
        try:
            second_seq.append(change_log.append(session, SYSTEM, record_type="practice", record_id="b",
                                                action="created").seq)
            session.commit()
        finally:
            session.close()
            finished.set()

    thread = threading.Thread(target=second_writer)
    thread.start()
    deadline = time.monotonic() + 10
    while db.engine.dialect.name == "postgresql" and not _waiting_on_the_log_lock(db.engine):
        assert time.monotonic() < deadline, "the second writer never waited for the log"
        time.sleep(0.01)
    assert _waiting_on_the_log_lock(db.engine)
    assert not finished.is_set()
    seen = db_session.scalars(select(ChangeLog.record_id)).all()
    db_session.rollback()
    assert seen == []
    first.commit()
    first.close()
    thread.join(timeout=10)
    assert finished.is_set()
    assert second_seq[0] > first_seq
    rows = db_session.scalars(select(ChangeLog.record_id).order_by(ChangeLog.seq)).all()
    assert rows == ["a", "b"]
