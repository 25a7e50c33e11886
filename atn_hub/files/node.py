"""The node's files: its store, and the extraction thread of this process."""
from __future__ import annotations

import logging

from flask import Flask

from ..background import BackgroundThread, PerProcessThread
from ..extensions import get_db

log = logging.getLogger("atn_hub.files")


class NodeFiles:
    def __init__(self, app: Flask):
        from ..services.files import FileSettings, make_store

        settings = app.config["ATN_SETTINGS"]
        self.store = make_store(settings)
        self.settings = FileSettings(max_upload_bytes=settings.max_upload_bytes,
                                     extract_timeout=settings.extract_timeout,
                                     extract_memory_mb=settings.extract_memory_mb,
                                     extract_max_pages=settings.extract_max_pages,
                                     tmp_dir=settings.files_dir / "tmp")
        self.session_factory = get_db(app).session_factory
        self.interval = 1.0
        self._thread = PerProcessThread(lambda: ExtractorThread(self).start(), enabled=settings.extractor == "thread")
        self._inline = None  # the extractor of extract_pending's callers (one thread: the worker, the CLI, tests)

    def extract_pending(self, limit: int | None = None) -> int:
        """Extract waiting files now, in this thread (the worker command and tests)."""
        from ..services.files import extract_next, make_extractor

        if self._inline is None:
            self._inline = make_extractor(self.settings)  # kept between calls: its child starts once
        done = 0
        while (limit is None or done < limit) and extract_next(self.session_factory, self.store, self._inline,
                                                                self.settings):
            done += 1
        if not done:
            self._inline.close()  # idle: no child kept waiting
        return done

    def ensure_thread(self) -> None:
        self._thread.ensure()

    def stop(self) -> None:
        self._thread.stop()
        if self._inline is not None:
            self._inline.close()


class ExtractorThread(BackgroundThread):
    """Extracts the text of uploaded files in the background: a request never waits for it."""

    name = "atn-extractor"

    def __init__(self, files: NodeFiles):
        self.files = files
        super().__init__()

    def _run(self) -> None:
        from ..services.files import extract_next, make_extractor

        with make_extractor(self.files.settings) as extractor:  # one child process, reused file after file
            while not self._stop.is_set():
                try:
                    if extract_next(self.files.session_factory, self.files.store, extractor, self.files.settings):
                        continue
                except Exception:
                    log.exception("extraction loop error")
                extractor.close()  # idle: no child kept waiting
                self._stop.wait(self.files.interval)

