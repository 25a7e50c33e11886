"""Index words near a word (a fuzzy term's, a suggestion's candidates), found by comparing it with all the
words that start like it at once, in numpy.

Whoosh finds them by walking the segment's on-disk term list with a Levenshtein automaton, a binary search
of the term file at each of a few hundred steps: slow for a query of many fuzzy words (bench/README.md,
``search_limits.py``). Here each segment's words are read once per first letter, grouped by length into
matrices of code points, and kept (segments never change); a word is then compared with the words of its
first letter whose length is within reach, row by row of a banded edit-distance table evaluated for all of
them together, dropping those already too far. The distance is Damerau's (optimal string alignment: a
transposition is one edit), as Lucene's fuzzy queries count it.
"""
from __future__ import annotations

from collections import OrderedDict

import numpy as np

from .limits import Deadline
from .whoosh_internals import segment_key

Bucket = dict[int, np.ndarray]  # word length -> (words, length) matrix of code points


class Vocabulary:
    """Each segment's words of a field, per first letter and length; least recently used first out, bounded
    by the code points held. Kept per thread, like the posting cache."""

    def __init__(self, budget: int = 8_000_000):
        self.budget = budget
        self.size = 0
        self._buckets: OrderedDict[tuple, Bucket] = OrderedDict()

    def bucket(self, leaf, fieldname: str, first: str) -> Bucket:
        key = (segment_key(leaf), fieldname, first)
        found = self._buckets.get(key)
        if found is not None:
            self._buckets.move_to_end(key)
            return found
        by_length: dict[int, list[str]] = {}
        for btext in leaf.expand_prefix(fieldname, first):
            word = btext.decode("utf-8")
            by_length.setdefault(len(word), []).append(word)
        found = {length: np.frombuffer("".join(words).encode("utf-32-le"), dtype=np.uint32).reshape(len(words), length)
                 for length, words in by_length.items()}
        self._buckets[key] = found
        self.size += sum(matrix.size for matrix in found.values())
        while self.size > self.budget and len(self._buckets) > 1:
            _, dropped = self._buckets.popitem(last=False)
            self.size -= sum(matrix.size for matrix in dropped.values())
        return found


def words_within(reader, vocabulary: Vocabulary, fieldname: str, word: str, maxdist: int, prefix: int,
                 deadline: Deadline) -> dict[str, int]:
    """Index words (of every segment) at most ``maxdist`` edits from ``word`` that share its first ``prefix``
    letters (at least one), with their distance."""
    prefix = min(max(prefix, 1), len(word))
    if not word or fieldname not in reader.schema:
        return {}
    query = np.frombuffer(word.encode("utf-32-le"), dtype=np.uint32)
    found: dict[str, int] = {}
    for leaf, _ in reader.leaf_readers():
        bucket = vocabulary.bucket(leaf, fieldname, word[0])
        for length in range(max(prefix, len(word) - maxdist), len(word) + maxdist + 1):
            matrix = bucket.get(length)
            if matrix is None:
                continue
            deadline.check()
            matrix = matrix[(matrix[:, :prefix] == query[:prefix]).all(axis=1)]
            rows, distances = _distances(query, matrix, maxdist)
            for row, distance in zip(rows, distances.tolist(), strict=True):
                found[matrix[row].tobytes().decode("utf-32-le")] = distance
    return found


def _distances(query: np.ndarray, words: np.ndarray, maxdist: int) -> tuple[np.ndarray, np.ndarray]:
    """The rows of ``words`` (all of one length) within ``maxdist`` edits of ``query``, and their distances.

    Row i of the edit-distance table holds, for each word, the distances between the query's first i letters
    and the word's first j letters, for j within ``maxdist`` of i only (the band: beyond it the distance
    exceeds ``maxdist`` anyway; such cells count as ``maxdist + 1``). A row is computed for all the words at
    once: substitution, deletion and transposition from the rows before, then insertions as a running
    minimum along the band; the words already too far are dropped before the next row."""
    m, (n, length) = len(query), words.shape
    far, width = maxdist + 1, 2 * maxdist + 1
    band = np.arange(width)
    offsets = band - maxdist  # column j of band cell b in row i: i + offsets[b]
    if not n:
        return np.arange(0), np.arange(0)
    # The words padded on both sides with a code point no query holds, so that every band cell can read its
    # letters (``letter_at(c)`` is column c + pad).
    pad = maxdist + 2
    padded = np.full((n, length + 2 * pad + maxdist), 0xFFFFFFFF, dtype=np.uint32)
    padded[:, pad:pad + length] = words
    alive = np.arange(n)
    previous2 = None
    previous = np.broadcast_to(np.where((offsets >= 0) & (offsets <= length), np.minimum(np.abs(offsets), far), far)
                               .astype(np.int16), (n, width))
    for i in range(1, m + 1):
        columns = i - 1 + offsets + pad  # the word's letter j (j - 1 from 0) of each band cell
        letters = padded[:, columns]
        current = previous + (letters != query[i - 1])  # substitution (or a match): cell (i-1, j-1), same band
        deletion = np.full_like(current, far)
        deletion[:, :-1] = previous[:, 1:] + 1  # cell (i-1, j): the next band cell of the row before
        np.minimum(current, deletion, out=current)
        if previous2 is not None:  # transposition: cell (i-2, j-2), same band
            swapped = (letters == query[i - 2]) & (padded[:, columns - 1] == query[i - 1]) & (letters != query[i - 1])
            np.minimum(current, np.where(swapped, previous2 + 1, far).astype(np.int16), out=current)
        # insertion: cell (i, j-1) + 1, as a running minimum along the band
        current = np.minimum.accumulate(current - band, axis=1) + band
        valid = (i + offsets >= 0) & (i + offsets <= length)
        current = np.where(valid, np.minimum(current, far), far).astype(np.int16)
        near = current.min(axis=1) <= maxdist
        if not near.any():
            return alive[:0], alive[:0]
        if not near.all():  # drop the words already too far: the rest of the table is computed for fewer
            alive, padded, current, previous = alive[near], padded[near], current[near], previous[near]
        previous2, previous = previous, current
    last = previous[:, length - m + maxdist]
    keep = last <= maxdist
    return alive[keep], last[keep].astype(np.int64)
