"""Every use of Whoosh's internals, in one place: the file to audit when whoosh-reloaded is upgraded.

The other modules of ``search_index`` use Whoosh's public API only, and call the functions here for the rest.
What is relied on, and why (whoosh-reloaded 2.7.5):

- ``install_mapped_reads``: a monkeypatch of ``whoosh.filedb.compound.CompoundStorage.open_file`` (it reads
  the storage's ``_source``, ``_file``, ``range`` and ``is_closed``), returning ``MappedBufferFile``, a
  ``BufferFile`` subclass that sets its private ``_buf`` and ``_name``. Whoosh maps each segment's compound
  file, but ``BufferFile.__init__`` wraps each file's slice of the map in a ``BytesIO``, which copies it: a
  reader opened after every commit, in every thread that searches, copied the whole index into memory.
- ``leaf_postings`` and ``leaf_positions``: a segment reader's term table (``SegmentReader._terms``, its
  ``matcher`` without the deletion filter, or ``FilterMatcher.child`` of ``whoosh.matching.wrappers``), and
  the block decoding of ``whoosh.codec.whoosh3.W3LeafMatcher``: ``_atend``, ``_data`` (document number
  gaps, weights, values), ``_read_data``, ``_next_block``, ``_blocklength``, ``_maxid``. A posting list is
  read a block at a time into numpy; walking it posting by posting through the matcher API was slow.
- ``decode_positions``: the byte encoding of ``whoosh.formats.Positions`` (a 4-byte count, then the
  pickled gaps), decoded without its Python loop.
- ``leaf_lengths``: the field-length column (``SegmentReader._perdoc._cached_reader`` with
  ``whoosh.codec.whoosh3._lenfield`` and ``LENGTHS_COLUMN``) and its fixed-width reader's ``_fixedlen``,
  ``_dbfile``, ``_basepos``, ``_count``: every document's length in one read, as BM25F needs them.
- ``bm25f_b``: ``BM25F._field_B``, the per-field B that BM25F's scorer uses.
- ``segment_key`` and ``segment_state``: ``SegmentReader.segment()`` and the codec segment's
  ``segment_id()`` and ``deleted_count()``: caches kept per segment (postings, field lengths, facets, words,
  filters) live as long as the segment, across commits that leave it alone.
- ``merge_into``: a segment merged by a commit's merge policy is read with
  ``whoosh.reading.SegmentReader(writer.storage, writer.schema, segment)`` into ``writer.add_reader``, as
  Whoosh's own ``MERGE_SMALL`` does (the ``mergetype`` hook itself is public).
- ``wildcard_pattern``: ``Wildcard._find_prefix`` and ``_get_pattern``: Whoosh's own glob translation.
- ``sorted_by_column``: the sorting collector's categorizer (``MultiFacet.from_sortedby(...).categorizer``,
  ``set_searcher``), whose ``key_for`` is called without a matcher (a column reads its value by document
  number): a sorted page without running the query a second time.
- ``close_files_of``: the ``whoosh.filedb.structfile.StructFile`` objects left open in the frames of a
  failed read (``TOC.read`` has no ``finally``), closed at once rather than by the garbage collector.

Reproduced rather than called: public API only, but the results must stay Whoosh's, and a test compares
each with Whoosh's own: BM25F, ``CoordMatcher`` and ``Phrase`` scores and match sets (``matchsets.py``;
``tests/search/test_engine_fast_paths.py``, ``test_scores_and_matches_are_whooshs``);
``ContextFragmenter.fragment_tokens`` and ``Highlighter.highlight_hit`` (``highlight.py``, relying on
``Highlighter._merge_matched_tokens`` having nothing to join; ``test_highlights_are_whooshs``); the sorting
collector's order (``test_sorted_results_come_in_whooshs_order``); a fuzzy term's words
(``test_words_near_a_word_are_whooshs``).
"""
from __future__ import annotations

import os
import re
from itertools import accumulate
from pickle import loads
from typing import Any

import numpy as np
from whoosh import sorting
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.filedb import compound
from whoosh.filedb.structfile import BufferFile, StructFile
from whoosh.formats import Positions
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import SegmentReader
from whoosh.util.numeric import byte_to_length

from .limits import Deadline

_EMPTY_IDS = np.zeros(0, dtype=np.int64)
_EMPTY_WEIGHTS = np.zeros(0, dtype=np.float64)


# --- reading compound files from the map ----------------------------------------------------------------------
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
    """A ``BufferFile`` whose sequential reads come from the map itself (no ``BytesIO`` copy); random access
    (``BufferFile.get``) already did."""

    def __init__(self, buf, name=None, onclose=None):  # BufferFile's, without the copy
        self._buf = buf
        self._name = name
        self.file = MappedFile(buf)
        self.onclose = onclose
        self.is_real = False
        self.is_closed = False

    def subset(self, position, length, name=None):
        return MappedBufferFile(self._buf[position:position + length], name=name or self._name)


def _open_file(self, name, *args, **kwargs):
    """``CompoundStorage.open_file``, with a non-copying file over the map. The bytes read are Whoosh's own,
    and so are the errors."""
    if self.is_closed:
        raise compound.StorageError("Storage was closed")
    offset, length = self.range(name)
    if self._source:
        return MappedBufferFile(memoryview(self._source)[offset:offset + length], name=name)
    if hasattr(self._file, "subset"):
        return self._file.subset(offset, length, name=name)
    return compound.StructFile(compound.SubFile(self._file, offset, length), name=name)


_installed = False


def install_mapped_reads() -> None:
    """Points ``CompoundStorage.open_file`` at ``MappedBufferFile`` (once; before any index is opened)."""
    global _installed
    if not _installed:
        compound.CompoundStorage.open_file = _open_file
        _installed = True


def close_files_of(exc: BaseException) -> None:
    """Whoosh leaves a file open when reading a damaged index fails (``TOC.read`` has no ``finally``):
    close the files the failing frames held now, rather than leave them to the garbage collector."""
    tb = exc.__traceback__
    while tb is not None:
        for value in list(tb.tb_frame.f_locals.values()):
            if isinstance(value, StructFile) and not value.is_closed:
                try:
                    value.close()
                except Exception:  # best effort on a broken file
                    pass
        tb = tb.tb_next


# --- segments ---------------------------------------------------------------------------------------------------
def segment_key(reader):
    """What identifies a leaf reader's segment across readers (the reader itself where it has none)."""
    segment = getattr(reader, "segment", None)
    if callable(segment):
        try:
            return segment().segment_id()
        except Exception:  # a reader that cannot name its segment: keyed by itself
            pass
    return id(reader)


def segment_state(reader) -> tuple:
    """``segment_key`` and the segment's count of deleted documents: equal as long as the segment's live
    documents are (a reader of no segment: its identity)."""
    segment = reader.segment() if callable(getattr(reader, "segment", None)) else None
    return segment_key(reader), segment.deleted_count() if segment is not None else id(reader)


def merge_into(writer, segments) -> None:
    """Has a commit's ``writer`` merge ``segments`` (a ``mergetype`` policy's choice) into its new segment."""
    for segment in segments:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()


# --- postings -----------------------------------------------------------------------------------------------------
def leaf_postings(reader, fieldname: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
    """The segment-local document numbers and weights (term frequencies) of a term's postings, deleted
    documents included (callers intersect with a set of live documents)."""
    terms = getattr(reader, "_terms", None)  # a segment's term table: no deletion filter to set up
    try:
        if terms is not None and hasattr(terms, "matcher"):
            matcher = terms.matcher(fieldname, btext, reader.schema[fieldname].format)
        else:
            matcher = reader.postings(fieldname, btext)
    except Exception:  # TermNotFound and friends
        return _EMPTY_IDS, _EMPTY_WEIGHTS
    if isinstance(matcher, FilterMatcher):  # the deletion filter
        matcher = matcher.child
    if type(matcher) is not W3LeafMatcher:
        ids, weights = [], []
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
        return np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float64)
    id_blocks, weight_blocks = [], []
    while not matcher._atend:  # block by block: decoding posting by posting is what is slow
        if matcher._data is None:
            matcher._read_data()
        id_blocks.append(np.cumsum(np.asarray(matcher._data[0], dtype=np.int64)))
        weights = matcher._data[1]
        if weights is None or isinstance(weights, float):
            weight_blocks.append(np.full(matcher._blocklength, 1.0 if weights is None else weights))
        else:
            weight_blocks.append(np.asarray(weights, dtype=np.float64))
        matcher._next_block()
    if not id_blocks:
        return _EMPTY_IDS, _EMPTY_WEIGHTS
    return np.concatenate(id_blocks), np.concatenate(weight_blocks)


def leaf_positions(reader, fieldname: str, btext: bytes, format_, local: np.ndarray) -> list[list[int]] | None:
    """The positions of a term in each of the segment's documents ``local`` (sorted, each holding the term),
    reading only the posting blocks that hold them; None where the postings are not Whoosh 3's blocks."""
    terms = getattr(reader, "_terms", None)
    if terms is None or not hasattr(terms, "matcher"):
        return None
    try:
        matcher = terms.matcher(fieldname, btext, format_)
    except Exception:  # TermNotFound and friends
        return None
    if isinstance(matcher, FilterMatcher):
        matcher = matcher.child
    if type(matcher) is not W3LeafMatcher:
        return None
    decode = decode_positions if type(format_) is Positions else format_.decode_positions
    found: list[list[int]] = []
    wanted = local.tolist()
    while not matcher._atend and len(found) < len(wanted):  # block by block, as leaf_postings reads them
        if matcher._maxid < wanted[len(found)]:  # no wanted document in this block: not read
            matcher._next_block()
            continue
        if matcher._data is None:
            matcher._read_data()
        block_ids = np.cumsum(np.asarray(matcher._data[0], dtype=np.int64))
        values = matcher._data[2]
        if not isinstance(values, (list, tuple)):
            return None
        upto = len(found) + int(np.searchsorted(wanted[len(found):], matcher._maxid, side="right"))
        for where in np.searchsorted(block_ids, wanted[len(found):upto]).tolist():
            found.append(decode(values[where]))
        matcher._next_block()
    return found if len(found) == len(wanted) else None


def decode_positions(value: bytes) -> list[int]:
    """``Positions.decode_positions`` (a count, then the pickled gaps between positions) without its Python
    loop over the gaps."""
    return list(accumulate(loads(value[4:] if value.endswith(b".") else value[4:] + b".")))


def leaf_lengths(reader, fieldname: str) -> np.ndarray:
    """Every document's length in ``fieldname`` as the scorer sees it (quantised to a byte, 1 if none)."""
    count = reader.doc_count_all()
    lengths = None
    try:
        column = reader._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        if column is None:
            return np.ones(count, dtype=np.float64)
        if type(column).__name__ == "Reader" and column._fixedlen == 1:
            raw = column._dbfile.get(column._basepos, column._count)
            lengths = np.zeros(count, dtype=np.uint8)
            lengths[:column._count] = np.frombuffer(raw, dtype=np.uint8)[:count]
    except AttributeError:
        lengths = None
    if lengths is None:
        return np.array([reader.doc_field_length(d, fieldname, 1) for d in range(count)], dtype=np.float64)
    decoded = _BYTE_TO_LENGTH[lengths]
    decoded[lengths == 0] = 1.0
    return decoded


_BYTE_TO_LENGTH = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)


def bm25f_b(weighting, fieldname: str) -> float:
    """The B that ``weighting`` (a ``BM25F``) uses for ``fieldname``."""
    return weighting._field_B.get(fieldname, weighting.B)


# --- queries and sorting ------------------------------------------------------------------------------------------
def wildcard_pattern(node) -> tuple[str, re.Pattern]:
    """A ``Wildcard``'s literal prefix and its glob as a regular expression, as Whoosh translates them
    (``PatternQuery._btexts``)."""
    return node._find_prefix(node.text), re.compile(node._get_pattern())


def sorted_by_column(searcher, ids: np.ndarray, sortedby: str, reverse: bool, deadline: Deadline) -> list[int]:
    """The matches ``ids`` in the order Whoosh's sorting collector gives them ((column key, document number)
    pairs sorted, reversed for ``reverse``), read from the sortable column without running the query again."""
    categorizer = sorting.MultiFacet.from_sortedby(sortedby).categorizer(searcher)
    leaves = list(searcher.leaf_searchers())
    items: list[tuple[Any, int]] = []  # (the column's key, of the column's own type; document number)
    for number, (sub, offset) in enumerate(leaves):
        end = leaves[number + 1][1] if number + 1 < len(leaves) else searcher.doc_count_all()
        lo, hi = np.searchsorted(ids, [offset, end])
        if lo == hi:
            continue
        deadline.check()
        categorizer.set_searcher(sub, offset)
        key_for = categorizer.key_for
        items.extend((key_for(None, docnum - offset), docnum) for docnum in ids[lo:hi].tolist())
    items.sort(reverse=reverse)
    return [docnum for _, docnum in items]
