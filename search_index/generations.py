"""The node's index directory: generations of the index, the pointer to the live one, and the writer lock.

Layout of an index directory (one per node)::

    <dir>/CURRENT        the name of the live generation (swapped atomically by a rebuild)
    <dir>/gen-<stamp>/   a Whoosh index
    <dir>/writer.lock    held by the one process that writes (the indexer) for a batch

A rebuild writes a new generation beside the live one and swaps the pointer: readers switch at their next
refresh. Whoosh allows one writer at a time, so every write to any generation happens under the lock.
"""
from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

from filelock import FileLock
from whoosh import index as windex

from .schema import build_schema
from .whoosh_internals import install_mapped_reads

install_mapped_reads()  # before any index is opened: readers map the index rather than copy it


class Generations:
    def __init__(self, directory: Path | str):
        self.directory = Path(directory)

    def writer_lock(self, timeout: float = -1) -> FileLock:
        """The node's one-writer lock: every write to any generation happens under it."""
        self.directory.mkdir(parents=True, exist_ok=True)  # an operator may have deleted it: rebuild recreates it
        return FileLock(str(self.directory / "writer.lock"), timeout=timeout)

    def ensure_current(self) -> None:
        """A new directory gets an empty generation, and the pointer to it."""
        self.directory.mkdir(parents=True, exist_ok=True)
        if not (self.directory / "CURRENT").exists():
            with self.writer_lock():
                if not (self.directory / "CURRENT").exists():
                    self.swap_to(self.create())

    def current(self) -> Path:
        return self.directory / (self.directory / "CURRENT").read_text().strip()

    def create(self) -> Path:
        self.directory.mkdir(parents=True, exist_ok=True)
        while True:  # a fresh name: never reuse a directory, even one left by a crash mid-creation
            path = self.directory / f"gen-{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:12]}"
            try:
                path.mkdir()
                break
            except FileExistsError:
                continue
        windex.create_in(str(path), build_schema())
        return path

    def swap_to(self, generation: Path) -> None:
        """Point the node at another generation, atomically (readers switch at their next refresh)."""
        tmp = self.directory / f"CURRENT.{os.getpid()}.tmp"
        tmp.write_text(generation.name)
        os.replace(tmp, self.directory / "CURRENT")

    def old(self) -> list[Path]:
        live = self.current() if (self.directory / "CURRENT").exists() else None
        return [p for p in self.directory.glob("gen-*") if p.is_dir() and p != live]

    def open(self, generation: Path | None = None):
        """The Whoosh index of ``generation`` (the live one by default)."""
        return windex.open_dir(str(generation or self.current()))
