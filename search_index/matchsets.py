"""Match sets straight from Whoosh's postings, as sorted numpy arrays of document numbers.

A search needs the exact number of matches and facet counts over all of them, but scores only for the page
it shows. Walking Whoosh's matcher tree over every match (and scoring each) is what made large result sets
slow; here a query's match set and its scores (as Whoosh's matchers give them) are computed by set algebra
over each term's decoded posting list, read block by block and cached per segment.
"""
from __future__ import annotations

from collections import Counter, OrderedDict
from math import log

import numpy as np
from whoosh import query as wq
from whoosh.scoring import BM25F

from .limits import NO_DEADLINE, Deadline
from .whoosh_internals import bm25f_b, leaf_lengths, leaf_positions, leaf_postings, segment_key

EMPTY = np.zeros(0, dtype=np.int64)
EMPTY_F = np.zeros(0, dtype=np.float64)


class PostingCache:
    """Decoded posting lists per (segment, field, term), least recently used first out, bounded by the
    number of postings held; and each segment's field lengths. Segments never change once written (but
    for deletions, which callers filter), so entries never go stale."""

    def __init__(self, budget: int = 3_000_000):
        self.budget = budget
        self.size = 0
        self._entries: OrderedDict = OrderedDict()
        self._lengths: dict = {}

    def get(self, segment, reader, fieldname: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
        """``segment``: the reader's ``segment_key`` (callers compute it once per search)."""
        key = (segment, fieldname, btext)
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
            return found
        found = leaf_postings(reader, fieldname, btext)
        self._entries[key] = found
        self.size += len(found[0])
        while self.size > self.budget and len(self._entries) > 1:
            _, dropped = self._entries.popitem(last=False)
            self.size -= len(dropped[0])
        return found

    def lengths(self, reader, fieldname: str) -> np.ndarray:
        key = (segment_key(reader), fieldname)
        if key not in self._lengths:
            if len(self._lengths) > 2000:
                self._lengths.clear()
            self._lengths[key] = leaf_lengths(reader, fieldname)
        return self._lengths[key]


WORD_COORDINATION_POWER = 0.25  # a score times (share of the query words matched) ** this; see _coordinate_words


class Scored:
    """A query's matches in one searcher: sorted unique document numbers, their scores, how many term
    matchers matched each (for Whoosh's coordination bonus), and how many term matchers the query has in
    each segment."""

    __slots__ = ("ids", "scores", "matching", "termcount")

    def __init__(self, ids, scores, matching, termcount):
        self.ids, self.scores, self.matching, self.termcount = ids, scores, matching, termcount


class MatchSets:
    """Evaluates a query over one searcher the way Whoosh's matchers score it (BM25F per term, sums for OR
    and AND, boosts, the coordination bonus of a scaled OR), but set-at-a-time over numpy arrays instead of
    document by document. Query kinds it does not know (phrases with a slop, prefixes and fuzzy terms not
    expanded beforehand, ranges...) are run by Whoosh's own matchers, segment by segment, and folded in."""

    def __init__(self, searcher, cache: PostingCache, word_coordination: bool = False,
                 deadline: Deadline = NO_DEADLINE, within: np.ndarray | None = None):
        """``word_coordination``: the coordination of a scaled OR counted per word (the engine's ranking);
        without it, exactly Whoosh's (what the tests compare against Whoosh's own matchers). ``deadline``:
        checked before each term's postings and every few thousand documents Whoosh's matchers step through.
        ``within``: a mask of the only documents the caller keeps; phrases are not looked for elsewhere."""
        self.searcher = searcher
        self.deadline = deadline
        self.within = within
        self.word_coordination = word_coordination
        self.cache = cache
        self.leaves = list(searcher.reader().leaf_readers())
        self.segments = [segment_key(reader) for reader, _ in self.leaves]
        self.offsets = np.array([offset for _, offset in self.leaves], dtype=np.int64)
        self.doc_count_all = searcher.doc_count_all()
        self.weighting = searcher.weighting
        self.terms: dict[tuple[str, bytes], np.ndarray] = {}
        self._lengths: dict[str, np.ndarray] = {}
        self._by_whoosh: list[wq.Query] = []

    # --- leaves -----------------------------------------------------------------------------------------
    def _btext(self, fieldname: str, text):
        schema = self.searcher.schema
        if fieldname not in schema:
            return None
        try:
            return schema[fieldname].to_bytes(text) if not isinstance(text, bytes) else text
        except ValueError:
            return None

    def _postings(self, fieldname: str, btext: bytes):
        parts = [self.cache.get(segment, reader, fieldname, btext)
                 for (reader, _), segment in zip(self.leaves, self.segments, strict=True)]
        ids = [p[0] + offset for p, (_, offset) in zip(parts, self.leaves, strict=True)]
        present = np.array([len(p[0]) > 0 for p in parts], dtype=np.int64)
        if len(parts) == 1:
            return ids[0], parts[0][1], present
        return np.concatenate(ids), np.concatenate([p[1] for p in parts]), present

    def lengths(self, fieldname: str) -> np.ndarray:
        if fieldname not in self._lengths:
            parts = [self.cache.lengths(reader, fieldname) for reader, _ in self.leaves]
            self._lengths[fieldname] = np.concatenate(parts) if len(parts) > 1 else parts[0]
        return self._lengths[fieldname]

    def term(self, fieldname: str, text) -> np.ndarray:
        """Document numbers holding a term (deleted ones included), remembered as a term of the query (one a
        hit may have matched)."""
        btext = self._btext(fieldname, text)
        if btext is None:
            return EMPTY
        key = (fieldname, btext)
        if key not in self.terms:
            self.terms[key] = self._postings(fieldname, btext)[0]
        return self.terms[key]

    def holding(self, fieldname: str, text) -> np.ndarray:
        """Document numbers holding a term (deleted ones included), not taken for a term of the query."""
        self.deadline.check()
        btext = self._btext(fieldname, text)
        if btext is None:
            return EMPTY
        key = (fieldname, btext)
        return self.terms[key] if key in self.terms else self._postings(fieldname, btext)[0]

    def _score_term(self, node: wq.Term) -> Scored:
        self.deadline.check()
        nseg = len(self.leaves)
        btext = self._btext(node.fieldname, node.text)
        if btext is None:
            return Scored(EMPTY, EMPTY_F, EMPTY, np.zeros(nseg, dtype=np.int64))
        ids, weights, present = self._postings(node.fieldname, btext)
        self.terms[(node.fieldname, btext)] = ids
        field = self.searcher.schema[node.fieldname]
        if not len(ids):
            return Scored(EMPTY, EMPTY_F, EMPTY, present)
        if field.scorable and isinstance(self.weighting, BM25F):
            B = bm25f_b(self.weighting, node.fieldname)
            K1 = self.weighting.K1
            idf = log(self.doc_count_all / (len(ids) + 1)) + 1  # Searcher.idf: postings count deleted ones too
            avgfl = self.searcher.avg_field_length(node.fieldname) or 1
            fl = self.lengths(node.fieldname)[ids]
            scores = idf * ((weights * (K1 + 1)) / (weights + K1 * ((1 - B) + B * fl / avgfl)))
        else:
            scores = weights.copy()  # unscorable fields score their weight
        if node.boost != 1.0:
            scores = scores * node.boost
        return Scored(ids, scores, np.ones(len(ids), dtype=np.int64), present)

    def _score_phrase(self, node: wq.Phrase) -> Scored:
        """Words at consecutive positions, as Whoosh's ``Phrase`` (its span matcher over the intersection of
        the words' term matchers) finds and scores them: the sum of the words' term scores, times the boost,
        where the positions follow each other. Whoosh's matcher steps through every document holding all the
        words, in Python; here the intersection comes from the posting lists, and only its documents'
        positions are read."""
        field = self.searcher.schema[node.fieldname] if node.fieldname in self.searcher.schema else None
        btexts = [self._btext(node.fieldname, word) for word in node.words]
        if field is None or not field.format or not field.format.supports("positions") or None in btexts \
                or not btexts:
            return self._score_by_whoosh(node)
        parts = [self._score_term(wq.Term(node.fieldname, word)) for word in node.words]
        termcount = np.all([part.termcount > 0 for part in parts], axis=0) * len(parts)
        merged = _intersection(parts)
        ids, scores = merged.ids, merged.scores
        if self.within is not None and len(ids):
            kept = self.within[ids]
            ids, scores = ids[kept], scores[kept]
        if len(ids) and len(btexts) > 1:
            keep = self._consecutive(node.fieldname, field.format, btexts, ids)
            if keep is None:
                return self._score_by_whoosh(node)
            ids, scores = ids[keep], scores[keep]
        if node.boost != 1.0:
            scores = scores * node.boost
        return Scored(ids, scores, np.full(len(ids), len(parts), dtype=np.int64), termcount)

    def _consecutive(self, fieldname: str, format_, btexts: list[bytes], ids: np.ndarray) -> np.ndarray | None:
        """Which of ``ids`` (documents holding every word) hold the words at consecutive positions; None where
        the postings are not Whoosh 3's (the caller asks Whoosh)."""
        keep = np.zeros(len(ids), dtype=bool)
        ends = [*self.offsets[1:].tolist(), self.doc_count_all]
        for (reader, offset), end in zip(self.leaves, ends, strict=True):
            lo, hi = np.searchsorted(ids, [offset, end])
            if lo == hi:
                continue
            self.deadline.check()
            local = ids[lo:hi] - offset
            positions = []
            for btext in btexts:
                found = leaf_positions(reader, fieldname, btext, format_, local)
                if found is None:
                    return None
                positions.append(found)
            first, rest = positions[0], positions[1:]
            for n in range(len(local)):
                starts = set(first[n])
                for i, word in enumerate(rest, 1):  # the starts whose next words follow, one word at a time
                    starts.intersection_update([at - i for at in word[n]])
                    if not starts:
                        break
                keep[lo + n] = bool(starts)
        return keep

    def _score_by_whoosh(self, node: wq.Query) -> Scored:
        self._by_whoosh.append(node)
        context = self.searcher.context(needs_current=True)
        ids: list[int] = []
        scores: list[float] = []
        matching: list[int] = []
        termcount: list[int] = []
        for subsearcher, offset in self.searcher.leaf_searchers():
            matcher = node.matcher(subsearcher, context)
            termcount.append(len(list(matcher.term_matchers())))
            while matcher.is_active():
                if len(ids) % 2048 == 0:
                    self.deadline.check()
                docnum = matcher.id()
                ids.append(docnum + offset)
                scores.append(matcher.score())
                matching.append(sum(1 for _ in matcher.matching_terms(docnum)))
                matcher.next()
        return Scored(np.array(ids, dtype=np.int64), np.array(scores, dtype=np.float64),
                      np.array(matching, dtype=np.int64), np.array(termcount, dtype=np.int64))

    # --- the tree ---------------------------------------------------------------------------------------
    def score(self, node: wq.Query) -> Scored:
        kind = type(node)
        if kind is wq.Term:
            return self._score_term(node)
        if kind is wq.Phrase and node.slop == 1:
            return self._score_phrase(node)
        if kind in (wq.Or, wq.And):
            if len(node.subqueries) == 1:  # whoosh uses the child's matcher as it is (its boost too)
                return self.score(node.subqueries[0])
            if not node.subqueries:
                return self._score_by_whoosh(node)
            children = [self.score(child) for child in node.subqueries]
            merged = _union(children) if kind is wq.Or else _intersection(children)
            if node.boost != 1.0:
                merged.scores = merged.scores * node.boost
            if kind is wq.Or and node.scale and len(merged.ids):
                if self.word_coordination:
                    merged.scores = self._coordinate_words(children, merged)
                else:
                    merged.scores = self._coordinate(merged, node.scale)
            return merged
        if kind is wq.DisjunctionMax:
            if not node.subqueries:
                return self._score_by_whoosh(node)
            merged = _union_max([self.score(child) for child in node.subqueries], node.tiebreak)
            if node.boost != 1.0:
                merged.scores = merged.scores * node.boost
            return merged
        if kind is wq.AndNot:
            a, b = self.score(node.a), self.score(node.b)
            keep = ~np.isin(a.ids, b.ids, assume_unique=True)
            return Scored(a.ids[keep], a.scores[keep], a.matching[keep], a.termcount + b.termcount)
        if kind is wq.AndMaybe:
            a, b = self.score(node.a), self.score(node.b)
            scores, matching = a.scores.copy(), a.matching.copy()
            if len(b.ids) and len(a.ids):
                where = np.searchsorted(b.ids, a.ids).clip(max=len(b.ids) - 1)
                hit = b.ids[where] == a.ids
                scores[hit] += b.scores[where[hit]]
                matching[hit] += b.matching[where[hit]]
            return Scored(a.ids, scores, matching, a.termcount + b.termcount)
        if node is wq.NullQuery:
            return Scored(EMPTY, EMPTY_F, EMPTY, np.zeros(len(self.leaves), dtype=np.int64))
        if kind is wq.Every and not node.fieldname:  # browsing: every document, all alike
            return Scored(np.arange(self.doc_count_all, dtype=np.int64), np.full(self.doc_count_all, node.boost),
                          np.zeros(self.doc_count_all, dtype=np.int64), np.zeros(len(self.leaves), dtype=np.int64))
        return self._score_by_whoosh(node)

    def _coordinate(self, merged: Scored, scale: float) -> np.ndarray:
        """Whoosh's CoordMatcher ("SQR"): a bonus for matching more of the query's terms, counted per
        segment as Whoosh counts them."""
        segment = np.searchsorted(self.offsets, merged.ids, side="right") - 1
        termcount = merged.termcount[segment].astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            sqr = (merged.scores + (merged.matching - 1) / (termcount - scale) ** 2) * ((termcount - 1) / termcount)
        return np.where((termcount == 0) | (termcount == scale), 0.0, sqr)

    def _coordinate_words(self, children: list[Scored], merged: Scored) -> np.ndarray:
        """The coordination factor counted per query word (each child of the scaled OR is one word with all
        its per-language, per-field alternatives), as Lucene's classic ``coord`` but softened: a document's
        score times the share of the query's words it matches, to ``WORD_COORDINATION_POWER``. Whoosh's bonus
        counts term matchers, dozens a word here, so it barely told a document matching one word from one
        matching them all. A gentle power: no coordination ranked short passages worse, a stronger one ranked
        long records and long queries worse, on held-out queries (bench/README.md, "Ranking on held-out halves
        and long records (issue 21)")."""
        words = len(children)
        if words < 2:
            return merged.scores
        matched = np.zeros(len(merged.ids), dtype=np.float64)
        for child in children:
            if len(child.ids):
                matched[np.searchsorted(merged.ids, child.ids)] += 1
        return merged.scores * (matched / words) ** WORD_COORDINATION_POWER

    def docs(self, node: wq.Query) -> np.ndarray:
        return self.score(node).ids

    def query_terms(self) -> list[tuple[str, bytes]]:
        """The (field, bytes) terms of the query scored last that occur in the index, prefixes and fuzzy
        terms expanded: what a hit may have matched."""
        reader = self.searcher.reader()
        for node in self._by_whoosh:
            for leaf in node.leaves() or [node]:
                try:
                    expanded = list(leaf.expanded_terms(reader, phrases=True))
                except Exception:  # a query kind that cannot list its terms
                    continue
                for fieldname, text in expanded:
                    self.term(fieldname, text)
        return [term for term, ids in self.terms.items() if len(ids)]

    def matched_terms_of(self, docnums: list[int], terms) -> list[list[tuple[str, bytes]]]:
        """Which of ``terms`` ((field, bytes) pairs) each of ``docnums`` holds: one look at each term's postings
        for all of them."""
        found: list[list[tuple[str, bytes]]] = [[] for _ in docnums]
        wanted = np.asarray(docnums, dtype=np.int64)
        for term in terms:
            ids = self.terms[term]
            if not len(ids) or not len(wanted):
                continue
            where = np.searchsorted(ids, wanted).clip(max=len(ids) - 1)
            for n in np.flatnonzero(ids[where] == wanted).tolist():
                found[n].append(term)
        return found


def _union(children: list[Scored]) -> Scored:
    termcount = sum(child.termcount for child in children)
    children = [child for child in children if len(child.ids)]
    if not children:
        return Scored(EMPTY, EMPTY_F, EMPTY, termcount)
    if len(children) == 1:
        only = children[0]
        return Scored(only.ids, only.scores.copy(), only.matching.copy(), termcount)
    all_ids = np.concatenate([child.ids for child in children])
    ids, inverse = np.unique(all_ids, return_inverse=True)
    scores = np.zeros(len(ids), dtype=np.float64)
    matching = np.zeros(len(ids), dtype=np.int64)
    np.add.at(scores, inverse, np.concatenate([child.scores for child in children]))
    np.add.at(matching, inverse, np.concatenate([child.matching for child in children]))
    return Scored(ids, scores, matching, termcount)


def _union_max(children: list[Scored], tiebreak: float = 0.0) -> Scored:
    """Whoosh's ``DisjunctionMax``: a document scores its best child's score (plus ``tiebreak`` times the
    others'), so that it does not gain from matching several alternatives of one thing."""
    merged = _union(children)
    if len(merged.ids) and len(children) > 1:
        best = np.zeros(len(merged.ids), dtype=np.float64)
        for child in children:
            if len(child.ids):
                where = np.searchsorted(merged.ids, child.ids)
                best[where] = np.maximum(best[where], child.scores)
        merged.scores = best + tiebreak * (merged.scores - best)
    return merged


def _intersection(children: list[Scored]) -> Scored:
    termcount = sum(child.termcount for child in children)
    ids = children[0].ids
    for child in children[1:]:
        ids = np.intersect1d(ids, child.ids, assume_unique=True)
    scores = np.zeros(len(ids), dtype=np.float64)
    matching = np.zeros(len(ids), dtype=np.int64)
    for child in children:
        where = np.searchsorted(child.ids, ids)
        scores += child.scores[where]
        matching += child.matching[where]
    return Scored(ids, scores, matching, termcount)


class Mask:
    """A set of global document numbers as a boolean array: membership for a whole numpy array at once."""

    def __init__(self, docnums, size: int):
        self.array = np.zeros(size, dtype=bool)
        self.array[docnums if isinstance(docnums, np.ndarray) else np.fromiter(docnums, dtype=np.int64)] = True
        self.count = int(self.array.sum())

    def __len__(self):
        return self.count


class FacetCounts:
    """Per segment, for each facet: the (document, value) pairs of its postings as arrays, built once and
    reused while the segment lives; counting a result set's facets is then a mask and a bincount."""

    def __init__(self, facets: dict[str, str]):
        self.facets = facets  # facet name -> field
        self._segments: dict[object, dict[str, tuple[list[str], np.ndarray, np.ndarray]]] = {}

    def counts(self, searcher, matched: np.ndarray) -> dict[str, dict[str, int]]:
        totals: dict[str, Counter[str]] = {name: Counter() for name in self.facets}
        leaves = list(searcher.reader().leaf_readers())
        live = {segment_key(reader) for reader, _ in leaves}
        for gone in set(self._segments) - live:  # merged away
            del self._segments[gone]
        for number, (reader, offset) in enumerate(leaves):
            end = leaves[number + 1][1] if number + 1 < len(leaves) else offset + reader.doc_count_all()
            lo, hi = np.searchsorted(matched, [offset, end])
            if lo == hi:
                continue
            mask = np.zeros(end - offset, dtype=bool)
            mask[matched[lo:hi] - offset] = True
            for name, (values, docs, codes) in self._segment(reader).items():
                if not len(values):
                    continue
                counted = np.bincount(codes[mask[docs]], minlength=len(values))
                counter = totals[name]
                for code in np.flatnonzero(counted):
                    counter[values[code]] += int(counted[code])
        return {name: dict(counter.most_common()) for name, counter in totals.items()}

    def _segment(self, reader):
        key = segment_key(reader)
        if key not in self._segments:
            built = {}
            for name, field in self.facets.items():
                values: list[str] = []
                docs: list[np.ndarray] = []
                codes: list[np.ndarray] = []
                for term in reader.lexicon(field):
                    ids = leaf_postings(reader, field, term)[0]
                    codes.append(np.full(len(ids), len(values), dtype=np.int64))
                    docs.append(ids)
                    values.append(term.decode() if isinstance(term, bytes) else term)
                built[name] = (values, np.concatenate(docs) if docs else EMPTY,
                               np.concatenate(codes) if codes else EMPTY)
            self._segments[key] = built
        return self._segments[key]
