"""Merge policies: which segments a Whoosh commit merges into its new one (its ``mergetype``).

Whoosh's default (``MERGE_SMALL``) merges every segment up to a Fibonacci bound of the running total: after an
import in batches, one single write's commit could rewrite the whole index under the writer lock, and no write
became searchable meanwhile (bench/README.md, "Single writes were never searchable on return"). Every commit
merges a bounded amount instead; large segments are merged by ``optimize`` (``atn-hub index rebuild``).
"""
from __future__ import annotations

from .whoosh_internals import merge_into

INLINE_MERGE_MAX_DOCS = 1000  # the most documents a commit merges (a write waits for its commit)
INLINE_MERGE_MIN_SEGMENTS = 8  # small segments are merged once there are this many of them


def bounded_merge(writer, segments):
    """The merge policy of every commit: the smallest segments are merged into one once there are
    ``INLINE_MERGE_MIN_SEGMENTS`` of them within ``INLINE_MERGE_MAX_DOCS`` documents, and never more, so a
    commit's cost stays bounded (segments of single writes are merged into larger ones, tier by tier)."""
    chosen, total = [], 0
    for segment in sorted(segments, key=lambda s: s.doc_count_all()):
        if total + segment.doc_count_all() > INLINE_MERGE_MAX_DOCS:
            break
        chosen.append(segment)
        total += segment.doc_count_all()
    if len(chosen) < INLINE_MERGE_MIN_SEGMENTS:
        return segments
    merge_into(writer, chosen)
    merged = {id(segment) for segment in chosen}
    return [segment for segment in segments if id(segment) not in merged]


def rewrite_segments_with_deletions(writer, segments):
    """A merge policy for erasures: every segment with deleted documents is copied without them (Whoosh
    otherwise only marks documents deleted until a merge happens to rewrite their segment)."""
    kept, rewritten = [], []
    for segment in segments:
        if segment.has_deletions():
            rewritten.append(segment)
        else:
            kept.append(segment)
    merge_into(writer, rewritten)
    return kept
