"""The node's search: its engine (index directory), its indexer, and the indexer thread of this process."""
from __future__ import annotations

from flask import Flask

from search_index.limits import Limits
from search_index.whoosh_engine import WhooshEngine

from ..background import PerProcessThread
from ..extensions import get_db
from .indexer import Indexer, IndexerThread


class NodeSearch:
    def __init__(self, app: Flask):
        settings = app.config["ATN_SETTINGS"]
        db = get_db(app)
        self.engine = WhooshEngine(settings.index_dir, Limits(max_length=settings.max_query_length,
                                                              max_expansions=settings.search_max_expansions,
                                                              timeout_seconds=settings.search_timeout_seconds,
                                                              max_export_rows=settings.search_max_export_rows))
        self.indexer = Indexer(self.engine, db.session_factory, batch=settings.index_batch)
        self.mode = settings.indexer
        self.interval = settings.index_poll_seconds
        self.wait_timeout = settings.wait_for_timeout
        self._thread = PerProcessThread(lambda: IndexerThread(self.indexer, self.interval).start(),
                                        enabled=self.mode == "thread")

    def ensure_indexer_thread(self) -> None:
        """Start this process's indexer thread once (after a fork too: threads do not survive it)."""
        self._thread.ensure()

    def stop(self) -> None:
        self._thread.stop()

