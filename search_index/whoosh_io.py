"""Opening a Whoosh reader without copying the index into memory.

Whoosh maps each segment's compound file (mmap) and opens every file inside it as a ``BufferFile`` over a
slice of the map. ``BufferFile.__init__`` wraps that slice in a ``BytesIO`` for sequential reads, which
*copies* it: opening a reader copied every segment's postings, terms, lengths and stored fields into
memory (about 0.6 s, and as much memory as the index, for a 670 MB index of 100,000 records), and the node
opens readers after every commit, in every thread that searches. Here the sequential reads (``read``,
``seek``, ``tell``) are served straight from the map by ``MappedFile``; random access (``BufferFile.get``)
already was.

``install()`` points ``CompoundStorage.open_file`` at ``MappedBufferFile``; the engine calls it once when
it is imported. The bytes read are Whoosh's own, and so are the errors.
"""
from __future__ import annotations

import os

from whoosh.filedb import compound
from whoosh.filedb.structfile import BufferFile

_installed = False


class MappedFile:
    """The file interface ``StructFile`` uses (read, readline, seek, tell, close) over a memoryview,
    without copying it."""

    __slots__ = ("_view", "_pos", "closed")

    def __init__(self, view: memoryview):
        self._view = view
        self._pos = 0
        self.closed = False

    def read(self, size: int | None = -1) -> bytes:
        start, end = self._pos, len(self._view)
        if size is not None and size >= 0:
            end = min(end, start + size)
        if end <= start:
            return b""
        self._pos = end
        return self._view[start:end].tobytes()

    def readline(self, size: int | None = -1) -> bytes:
        start, end = self._pos, len(self._view)
        if size is not None and size >= 0:
            end = min(end, start + size)
        stop = start
        while stop < end:  # rare in Whoosh's formats (none of the segment files reads lines)
            stop += 1
            if self._view[stop - 1] == 0x0A:
                break
        self._pos = stop
        return self._view[start:stop].tobytes()

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._pos, os.SEEK_END: len(self._view)}[whence]
        if base + offset < 0:
            raise ValueError(f"negative seek position {base + offset}")
        self._pos = base + offset
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        self.closed = True


class MappedBufferFile(BufferFile):
    """A ``BufferFile`` whose sequential reads come from the map itself (no ``BytesIO`` copy)."""

    def __init__(self, buf, name=None, onclose=None):  # noqa: D107 - BufferFile's, without the copy
        self._buf = buf
        self._name = name
        self.file = MappedFile(buf)
        self.onclose = onclose
        self.is_real = False
        self.is_closed = False

    def subset(self, position, length, name=None):
        return MappedBufferFile(self._buf[position:position + length], name=name or self._name)


def _open_file(self, name, *args, **kwargs):
    """``CompoundStorage.open_file``, with a non-copying file over the map."""
    if self.is_closed:
        raise compound.StorageError("Storage was closed")
    offset, length = self.range(name)
    if self._source:
        return MappedBufferFile(memoryview(self._source)[offset:offset + length], name=name)
    if hasattr(self._file, "subset"):
        return self._file.subset(offset, length, name=name)
    return compound.StructFile(compound.SubFile(self._file, offset, length), name=name)


def install() -> None:
    global _installed
    if not _installed:
        compound.CompoundStorage.open_file = _open_file
        _installed = True
