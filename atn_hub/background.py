"""Background threads of a process (the indexer, the extractor, the deliveries): started once per process, on first use.

Threads do not survive a fork, and gunicorn forks its workers after the app is made: each worker starts its
own thread at its first request.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Protocol


class Stoppable(Protocol):
    pid: int

    def stop(self) -> None: ...


class PerProcessThread:
    def __init__(self, start: Callable[[], Stoppable], enabled: bool):
        self._start, self.enabled = start, enabled
        self._thread: Stoppable | None = None
        self._lock = threading.Lock()

    def ensure(self) -> None:
        if not self.enabled or (self._thread is not None and self._thread.pid == os.getpid()):
            return
        with self._lock:
            if self._thread is None or self._thread.pid != os.getpid():
                self._thread = self._start()

    def stop(self) -> None:
        if self._thread is not None and self._thread.pid == os.getpid():
            self._thread.stop()
            self._thread = None


class BackgroundThread:
    """A daemon thread of this process that runs ``_run`` until ``stop``: ``_stop`` is set then, so a loop
    checks it and waits on it (``self._stop.wait(seconds)``) rather than sleeping."""

    name = "atn-background"
    join_seconds = 30.0

    def __init__(self):
        self.pid = os.getpid()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self.join_seconds)

    def _run(self) -> None:
        raise NotImplementedError

