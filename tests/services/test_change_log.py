"""The change log's sequence order is its commit order, even with concurrent writers (the trap: a reader
that saw row 11 commit before row 10 would skip 10 forever)."""
from __future__ import annotations

import threading
import time

from sqlalchemy import select

from atn_hub.models import ChangeLog
from atn_hub.principal import SYSTEM
from atn_hub.services import change_log


def test_a_later_writer_cannot_commit_before_an_earlier_one(app, db_session):
    db = app.extensions["atn_db"]
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
    time.sleep(0.5)
    # While the first transaction is open, the second can neither append nor commit: a reader can never see
    # the later row without the earlier one.
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
