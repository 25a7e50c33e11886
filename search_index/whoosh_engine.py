"""The Whoosh implementation of the engine.

Layout of an index directory (one per node)::

    <dir>/CURRENT        the name of the live generation (swapped atomically by a rebuild)
    <dir>/gen-<stamp>/   a Whoosh index
    <dir>/writer.lock    held by the one process that writes (the indexer) for a batch

Each document carries its record's version; a ``__meta__`` document holds the last change-log sequence
applied, committed in the same Whoosh commit as the changes it covers, so a crash anywhere leaves an index
that is consistent with some prefix of the log and simply catches up.
"""
from __future__ import annotations

import json
import os
import threading
import time
import uuid
from collections import deque
from datetime import timezone
from pathlib import Path
from typing import Iterable

import numpy as np
from filelock import FileLock
from whoosh import index as windex
from whoosh import query as wq
from whoosh import sorting
from whoosh.filedb.structfile import StructFile
from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.analysis import Token
from whoosh.highlight import ContextFragmenter, Highlighter, HtmlFormatter, highlight, mkfrag, top_fragments
from whoosh.scoring import BM25F

from .analysis import FIELD_LANGUAGES, NEUTRAL, analyzer, field_language, fold, neutral_analyzer, token_spans
from .matchsets import FacetCounts, Mask, MatchSets, PostingCache, segment_key
from .engine import (Document, Hit, IndexUnavailable, QueryError, SearchEngine, SearchRequest, SearchResult,
                     Visibility)
from .expansion import expand
from .limits import Deadline, Limits, SearchTimeout
from .query import QueryBuilder
from .suggestions import suggest
from .vocabulary import Vocabulary
from .whoosh_io import install as _install_mapped_reads

_install_mapped_reads()

META_KEY = "__meta__"
FACETS = {"type": "type", "country": "countries", "language": "language", "topic": "topics",
          "society": "society"}
SNIPPET_CHARS = 200
# Hits of one search that get a snippet: a page's worth (page_size is at most 100). An export's later rows have
# none: highlighting costs about a millisecond a hit (more for long files), an export may hold every record.
MAX_SNIPPETS = 100
# BM25's term-frequency saturation. Whoosh's (and Lucene's) default is 1.2; 0.8 ranked better on every
# XQuAD-R set (de +0.005, el +0.004, en +0.004, es +0.003, tr +0.003, ru +0.001 nDCG@10) and kept Cranfield's long
# documents level (0.346 -> 0.345): bench/README.md, "BM25's K1".
BM25_K1, BM25_B = 0.8, 0.75


def build_schema() -> Schema:
    fields = dict(
        key=ID(unique=True, stored=True),
        kind=ID(),
        type=ID(stored=True),
        record_id=ID(stored=True),
        external_id=STORED(),
        society=ID(stored=True),
        status=ID(),
        visibility=ID(),
        language=ID(stored=True),
        languages=KEYWORD(commas=True),
        countries=KEYWORD(commas=True, stored=True),
        topics=KEYWORD(commas=True),
        updated_at=DATETIME(stored=True, sortable=True),
        version=NUMERIC(stored=True, bits=64),
        title=STORED(),
        personal_title=STORED(),
        title_sort=ID(sortable=True),
        all=TEXT(analyzer=neutral_analyzer()),
        personal=TEXT(analyzer=neutral_analyzer(), stored=True),
        meta_seq=NUMERIC(stored=True, bits=64),
        file_pages=STORED(),  # JSON: the pages of attached files, to tell which one a snippet came from
    )
    for language in FIELD_LANGUAGES:
        fields[f"title_{language}"] = TEXT(analyzer=analyzer(language), stored=True)
        fields[f"body_{language}"] = TEXT(analyzer=analyzer(language), stored=True)
    return Schema(**fields)


def _to_fields(doc: Document) -> dict:
    fields = {
        "key": doc.key, "kind": "record", "type": doc.type, "record_id": doc.record_id,
        "external_id": doc.external_id, "society": doc.society, "status": doc.status,
        "visibility": doc.visibility, "language": doc.language,
        "languages": ",".join(sorted(set(doc.languages) | {doc.language})),
        "countries": ",".join(doc.countries), "topics": ",".join(doc.topics),
        "updated_at": doc.updated_at.astimezone(timezone.utc).replace(tzinfo=None),
        "version": doc.version, "title": doc.title, "personal_title": doc.personal_title,
        "title_sort": fold(doc.title)[:120], "personal": doc.personal,
    }
    grouped: dict[str, list[str]] = {}
    for language, part, text in doc.texts:
        if text:
            grouped.setdefault(f"{part}_{field_language(language)}", []).append(text)
    fields.update({name: "\n".join(texts) for name, texts in grouped.items()})
    fields["all"] = "\n".join(text for _, _, text in doc.texts if text)
    if doc.files:
        fields["file_pages"] = json.dumps(doc.files, ensure_ascii=False)
    return fields


class WhooshEngine(SearchEngine):
    def __init__(self, directory: Path | str, limits: Limits = Limits()):
        self.directory = Path(directory)
        self.limits = limits
        self._local = threading.local()
        self.directory.mkdir(parents=True, exist_ok=True)
        if not (self.directory / "CURRENT").exists():
            with self.writer_lock():
                if not (self.directory / "CURRENT").exists():
                    self.swap_to(self.create_generation())

    # --- generations and locks ----------------------------------------------------------------------
    def writer_lock(self, timeout: float = -1) -> FileLock:
        """The node's one-writer lock: every write to any generation happens under it."""
        self.directory.mkdir(parents=True, exist_ok=True)  # an operator may have deleted it: rebuild recreates it
        return FileLock(str(self.directory / "writer.lock"), timeout=timeout)

    def current_generation(self) -> Path:
        return self.directory / (self.directory / "CURRENT").read_text().strip()

    def create_generation(self) -> Path:
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

    def old_generations(self) -> list[Path]:
        live = self.current_generation() if (self.directory / "CURRENT").exists() else None
        return [p for p in self.directory.glob("gen-*") if p.is_dir() and p != live]

    def _index(self, generation: Path | None = None):
        return windex.open_dir(str(generation or self.current_generation()))

    # --- writing ------------------------------------------------------------------------------------
    def apply(self, upserts: list[Document], deletes: list[str], seq: int, generation: Path | None = None,
              purge: bool = False) -> None:
        """Callers hold ``writer_lock()``. ``purge`` (an erasure): the segments holding deleted documents are
        rewritten without them, so that nothing of them (stored fields, terms) stays on disk."""
        self.apply_chunks([(upserts, deletes, seq)], generation, purge)

    def apply_chunks(self, chunks: Iterable[tuple[list[Document], list[str], int]], generation: Path | None = None,
                     purge: bool = False) -> int:
        """``apply`` for chunks of documents and deletions (each key in at most one chunk), each with the
        change-log sequence it brings the index to, loaded one after another into one Whoosh commit: a
        backlog (a bulk import) becomes a few large segments rather than many small ones, each of which every
        later search has to visit. Returns the sequence committed: the last chunk's (a producer may stop
        early)."""
        ix = self._index(generation)
        writer = ix.writer(procs=1, limitmb=256)
        try:
            # Only keys already in the index need deleting (update_document searches every segment for each
            # document; after a bulk import nearly all keys are new).
            reader = writer.searcher().reader()  # the writer's own, reused by delete_by_term, closed on commit
            seq = None
            for upserts, deletes, seq in chunks:
                present = {key for key in [*deletes, *(doc.key for doc in upserts)] if ("key", key) in reader}
                for key in deletes:
                    if key in present:
                        writer.delete_by_term("key", key)
                for doc in upserts:
                    if doc.key in present:
                        writer.delete_by_term("key", doc.key)
                    writer.add_document(**_to_fields(doc))
            if seq is None:
                raise ValueError("apply_chunks needs at least one chunk (it names the sequence to record)")
            if ("key", META_KEY) in reader:
                writer.delete_by_term("key", META_KEY)
            writer.add_document(key=META_KEY, kind="meta", meta_seq=seq)
            writer.commit(mergetype=_rewrite_segments_with_deletions if purge else _bounded_merge)
        except BaseException:
            writer.cancel()
            raise
        finally:
            ix.close()
        return seq

    def optimize(self, generation: Path | None = None) -> None:
        ix = self._index(generation)
        try:
            ix.optimize()
        finally:
            ix.close()

    # --- reading ------------------------------------------------------------------------------------
    def searcher(self):
        """A searcher kept per thread and refreshed when the index (or its generation) changed.
        Raises ``IndexUnavailable`` when the index cannot be opened (deleted or damaged)."""
        try:
            return self._searcher()
        except FileNotFoundError as exc:
            raise IndexUnavailable(f"the search index is missing ({exc.filename or exc})") from exc
        except Exception as exc:  # noqa: BLE001 - a damaged index fails in many ways inside Whoosh
            _close_files_of(exc)
            raise IndexUnavailable(f"the search index cannot be read ({exc.__class__.__name__})") from exc

    def reset_readers(self) -> None:
        """Forget this thread's searcher (closed), so that the next search opens the index afresh."""
        cached = getattr(self._local, "searcher", None)
        self._local.searcher = None
        if cached is not None:
            try:
                cached.close()
            except Exception:  # noqa: BLE001 - closing what is already broken
                pass

    def _searcher(self):
        generation = self.current_generation()
        cached = getattr(self._local, "searcher", None)
        if cached is not None and self._local.generation == generation:
            if cached.up_to_date():
                return cached
            # Not Searcher.refresh(): the segment readers it reuses keep their old deletion lists, so an
            # updated document would be found twice. A new searcher is cheap next to that.
        if cached is not None:
            self._local.searcher = None  # never keep a closed searcher, even if opening the next one fails
            cached.close()
        for attempt in range(5):
            try:  # a writer's commit may remove the TOC this open just chose to read: take the next one
                ix = self._index(generation)
                searcher = ix.searcher(weighting=BM25F(B=BM25_B, K1=BM25_K1))
                break
            except FileNotFoundError:
                if attempt == 4:
                    raise
                time.sleep(0.01 * (attempt + 1))
        self._local.searcher = searcher
        self._local.generation = generation
        self._local.facet_counts = FacetCounts(FACETS)  # per generation; within one, segments are reused
        if getattr(self._local, "postings", None) is None:
            self._local.postings = PostingCache()
            self._local.vocabulary = Vocabulary()
        return self._local.searcher

    def applied_seq(self, generation: Path | None = None) -> int:
        if generation is not None:
            ix = self._index(generation)
            try:
                with ix.searcher() as searcher:
                    return _meta_seq(searcher)
            finally:
                ix.close()
        return _meta_seq(self.searcher())

    def versions(self) -> dict[str, int]:
        searcher = self.searcher()
        return {fields["key"]: fields["version"] for fields in searcher.all_stored_fields()
                if fields.get("key") and fields["key"] != META_KEY}

    def doc_count(self) -> int:
        return self.searcher().doc_count() - 1

    def search(self, request: SearchRequest) -> SearchResult:
        """Raises ``QueryError`` for a query that cannot be run or runs into a limit (``self.limits``): its
        length or terms, a fuzzy term's edits, a fuzzy or wildcard term's expansions, the time (matching and
        sorting), an export's rows. Snippets (for the first MAX_SNIPPETS hits) and the suggestion are
        extras: left out once the time is up rather than refused."""
        deadline = Deadline(self.limits.timeout_seconds)
        searcher = self.searcher()
        if getattr(self._local, "present_for", None) is not searcher:
            self._local.present, self._local.present_for = _present_languages(searcher), searcher
        present = self._local.present
        builder = QueryBuilder(present, personal=request.visibility.personal, fuzzy=request.fuzzy,
                               expand=request.expand)
        query = expand(builder.build(request.q, self.limits), searcher.reader(), self.limits, deadline,
                       self._local.vocabulary)
        if request.caller_language and request.q.strip():
            query = wq.AndMaybe(query, wq.Term("languages", request.caller_language, boost=0.05))

        sortedby, reverse = None, False
        if request.sort == "newest" or (request.sort == "relevance" and not request.q.strip()):
            sortedby, reverse = "updated_at", True
        elif request.sort == "title":
            sortedby = "title_sort"
        first = (request.page - 1) * request.page_size if request.page_size else 0
        limit = first + request.page_size if request.page_size else None
        allowed = self._allowed(searcher, request)
        if not len(allowed):  # (whoosh reads an empty filter as no filter at all)
            return SearchResult(total=0, hits=[], facets={name: {} for name in FACETS} if request.facets else {})
        # Every match is found and scored set-at-a-time from the posting lists (as Whoosh would score it):
        # the exact total, the facets over all of it, and the page.
        sets = MatchSets(searcher, self._local.postings, word_coordination=True, deadline=deadline,
                         within=allowed.array)
        scored = sets.score(query)
        keep = allowed.array[scored.ids]
        ids, scores = scored.ids[keep], scored.scores[keep]
        total = len(ids)
        if not request.page_size and total > self.limits.max_export_rows:
            raise QueryError(f"The search finds {total} records; an export holds at most "
                             f"{self.limits.max_export_rows}: narrow it with filters or words.")
        facets = self._local.facet_counts.counts(searcher, ids) if request.facets else {}
        page: list[tuple[int, float]] = []
        if total and (limit is None or first < total):
            if sortedby is None:
                order = _top(ids, scores, limit)[first:limit]
                page = [(int(ids[i]), float(scores[i])) for i in order]
            else:
                page = [(docnum, 0.0) for docnum in _sorted(searcher, ids, sortedby, reverse, deadline)[first:limit]]
        deadline.check()
        suggestion = None
        if request.q.strip() and total < 3:
            try:
                suggestion = suggest(sets, self._local.vocabulary, request.q,
                                     self._dictionary(searcher, request.visibility),
                                     ("all", "personal") if request.visibility.personal else ("all",), deadline)
            except SearchTimeout:
                pass
        snippets = bool(page and request.snippets and request.q.strip())
        matched = sets.matched_terms_of([docnum for docnum, _ in page[:MAX_SNIPPETS]], sets.query_terms()) \
            if snippets else []
        highlighter = Highlighter(formatter=_MARK)  # one per search, as Results had (terms numbered per search)
        hits = []
        for number, (docnum, score) in enumerate(page):  # an export's rows: at most max_export_rows
            words = matched[number] if number < len(matched) and not deadline.passed() else None
            hits.append(self._hit(docnum, score, searcher.stored_fields(docnum), request, words, highlighter))
        return SearchResult(total=total, hits=hits, facets=facets, suggestion=suggestion)

    def _dictionary(self, searcher, visibility: Visibility) -> Mask:
        """The documents whose words "did you mean" may offer this caller: its visibility class among the
        published records (the public's, or the network's for callers who read it), never drafts or records
        under review, not even the caller's own (see ``search_index/suggestions.py``)."""
        network = visibility.everything or visibility.published
        return self._allowed(searcher, SearchRequest(visibility=Visibility(published=network)))

    def _allowed(self, searcher, request: SearchRequest) -> Mask:
        """The documents the caller may see that pass the request's filters, cached per searcher."""
        cache = self._local.__dict__.setdefault("allowed", {})
        if cache.get("searcher") is not searcher:
            cache.clear()
            cache["searcher"] = searcher
        key = (request.visibility, tuple(request.types), tuple(request.countries), tuple(request.languages),
               tuple(request.topics), tuple(request.societies), request.updated_since)
        if key not in cache:
            if len(cache) > 256:
                cache.clear()
                cache["searcher"] = searcher
            cache[key] = Mask(self._allowed_docnums(searcher, key, request), searcher.doc_count_all())
        return cache[key]

    def _allowed_docnums(self, searcher, key, request: SearchRequest) -> np.ndarray:
        """The filter's documents, segment by segment: a segment's are kept while it lives with the same
        deletions, so that a commit (a new small segment, a few deletions) costs only what it changed,
        not a pass over the whole index for every filter of every caller."""
        query, pieces = _filter(request), []
        kept = self._local.__dict__.setdefault("allowed_segments", {})
        leaves = searcher.subsearchers or [(searcher, 0)]
        if len(kept) > 4096:  # forget segments merged away; then, if still too many, everything
            live = {segment_key(sub.reader()) for sub, _ in leaves}
            for stale in [k for k in kept if k[0] not in live]:
                del kept[stale]
            if len(kept) > 4096:
                kept.clear()
        for sub, offset in leaves:
            reader = sub.reader()
            segment = reader.segment() if callable(getattr(reader, "segment", None)) else None
            segment_state = (segment_key(reader), segment.deleted_count() if segment is not None else id(reader), key)
            local = kept.get(segment_state)
            if local is None:
                local = kept[segment_state] = np.fromiter(query.docs(sub), dtype=np.int64)
            pieces.append(local + offset)
        return np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int64)

    def _hit(self, docnum: int, score: float, fields: dict, request: SearchRequest, matched_terms,
             highlighter: Highlighter) -> Hit:
        """``matched_terms``: the query's terms this document holds, to highlight; None for no snippet."""
        snippet = snippet_field = file = None
        if matched_terms is not None:
            snippet, snippet_field = _snippet(fields, matched_terms, request.visibility.personal, highlighter)
            if snippet and snippet_field == "body" and fields.get("file_pages"):
                file = _file_of(snippet, fields["file_pages"])
                if file is not None:
                    snippet_field = "file"
        title = fields.get("title") or ""
        if request.visibility.personal and fields.get("personal_title"):
            title = fields["personal_title"]
        updated = fields["updated_at"].replace(tzinfo=timezone.utc)
        return Hit(key=fields["key"], type=fields["type"], record_id=fields["record_id"],
                   external_id=fields.get("external_id"), title=title, score=round(score, 4),
                   snippet=snippet, snippet_field=snippet_field, language=fields.get("language", ""),
                   countries=[c for c in (fields.get("countries") or "").split(",") if c],
                   society=fields.get("society", ""), updated_at=updated, file=file)


INLINE_MERGE_MAX_DOCS = 1000  # the most documents a commit merges (about 1 s; a write waits for its commit)
INLINE_MERGE_MIN_SEGMENTS = 8  # small segments are merged once there are this many of them


def _bounded_merge(writer, segments):
    """The merge policy of every commit: the smallest segments are merged into one once there are
    ``INLINE_MERGE_MIN_SEGMENTS`` of them within ``INLINE_MERGE_MAX_DOCS`` documents, and never more.

    Whoosh's default (``MERGE_SMALL``) merges every segment up to a Fibonacci bound of the running total:
    with 20 segments of 5,000 documents (100,000 records imported in batches) one single write's commit
    rewrote the whole index, for minutes under the writer lock, and no write became searchable meanwhile.
    Bounded merges keep a commit's cost bounded (segments of single writes are merged ten at a time into
    larger ones, tier by tier); large segments are merged by ``optimize`` (``atn-hub index rebuild``)."""
    from whoosh.reading import SegmentReader

    chosen, total = [], 0
    for segment in sorted(segments, key=lambda s: s.doc_count_all()):
        if total + segment.doc_count_all() > INLINE_MERGE_MAX_DOCS:
            break
        chosen.append(segment)
        total += segment.doc_count_all()
    if len(chosen) < INLINE_MERGE_MIN_SEGMENTS:
        return segments
    for segment in chosen:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    merged = {id(segment) for segment in chosen}
    return [segment for segment in segments if id(segment) not in merged]


def _rewrite_segments_with_deletions(writer, segments):
    """A merge policy for erasures: every segment with deleted documents is copied without them (Whoosh
    otherwise only marks documents deleted until a merge happens to rewrite their segment)."""
    from whoosh.reading import SegmentReader

    kept = []
    for segment in segments:
        if segment.has_deletions():
            reader = SegmentReader(writer.storage, writer.schema, segment)
            writer.add_reader(reader)
            reader.close()
        else:
            kept.append(segment)
    return kept


def _file_of(snippet: str, file_pages: str) -> dict | None:
    """The file page a snippet was cut from (its text, without the marks, is found in that page)."""
    import html
    import re

    # A fragment may run across the join of two texts: look for its lines that hold a marked word.
    lines = [line for piece in snippet.split("...") for line in piece.split("\n") if "<mark" in line]
    candidates = sorted({html.unescape(re.sub(r"</?mark[^>]*>", "", line)).strip() for line in lines},
                        key=len, reverse=True)
    pages = json.loads(file_pages)
    for candidate in filter(None, candidates):
        for page in pages:
            if candidate in page["text"]:
                return {"id": page["id"], "filename": page["filename"], "page": page["page"]}
    return None


def _close_files_of(exc: BaseException) -> None:
    """Whoosh leaves a file open when reading a damaged index fails (``TOC.read`` has no ``finally``):
    close the files the failing frames held now, rather than leave them to the garbage collector."""
    tb = exc.__traceback__
    while tb is not None:
        for value in list(tb.tb_frame.f_locals.values()):
            if isinstance(value, StructFile) and not value.is_closed:
                try:
                    value.close()
                except Exception:  # noqa: BLE001 - best effort on a broken file
                    pass
        tb = tb.tb_next


def _meta_seq(searcher) -> int:
    docnum = searcher.document_number(key=META_KEY)
    return int(searcher.stored_fields(docnum)["meta_seq"]) if docnum is not None else 0


def _present_languages(searcher) -> set[str]:
    languages = {field_language(term.decode() if isinstance(term, bytes) else term)
                 for term in searcher.lexicon("languages")}
    return languages or {"en"}


def _filter(request: SearchRequest) -> wq.Query:
    """Visibility and the request's filters, as one query: totals and facets only count what may be seen."""
    v: Visibility = request.visibility
    conditions: list[wq.Query] = [wq.Term("kind", "record")]
    if not v.everything:
        seen: list[wq.Query] = [wq.And([wq.Term("status", "published"), wq.Term("visibility", "public")])]
        if v.published:
            seen.append(wq.Term("status", "published"))
        if v.own_society:
            seen.append(wq.Term("society", v.own_society))
        seen += [wq.Term("status", s) for s in v.statuses]
        conditions.append(wq.Or(seen))
    for values, field in ((request.types, "type"), (request.countries, "countries"),
                          (request.languages, "languages"), (request.topics, "topics"),
                          (request.societies, "society")):
        if values:
            conditions.append(wq.Or([wq.Term(field, value) for value in values]))
    if request.updated_since:
        since = request.updated_since.astimezone(timezone.utc).replace(tzinfo=None)
        conditions.append(wq.DateRange("updated_at", since, None))
    return wq.And(conditions)


def _sorted(searcher, ids: np.ndarray, sortedby: str, reverse: bool, deadline: Deadline) -> list[int]:
    """The matches ``ids`` in the order Whoosh's sorting collector gives them ((column key, document number)
    pairs sorted, reversed for ``reverse``), read from the sortable column without running the query again."""
    categorizer = sorting.MultiFacet.from_sortedby(sortedby).categorizer(searcher)
    leaves = list(searcher.leaf_searchers())
    items = []
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


def _top(ids, scores, limit: int | None):
    """Indices of the best ``limit`` matches, best first; equal scores in document order (as Whoosh)."""
    if limit is not None and limit < len(scores):
        threshold = np.partition(scores, len(scores) - limit)[len(scores) - limit]
        candidates = np.flatnonzero(scores >= threshold)
    else:
        candidates = np.arange(len(scores))
    return candidates[np.lexsort((ids[candidates], -scores[candidates]))][:limit]


class _MarkFormatter(HtmlFormatter):
    """Matched words as plain ``<mark>word</mark>`` (the text around them HTML-escaped)."""

    def format_token(self, text, token, replace=False):
        from whoosh.highlight import get_text

        from whoosh.highlight import htmlescape

        return f"<mark>{htmlescape(get_text(text, token, replace))}</mark>"


_MARK = _MarkFormatter()


def _snippet(fields: dict, matched_terms, personal: bool, highlighter: Highlighter) -> tuple[str | None, str | None]:
    """A highlighted fragment from the first field that matched, among those the caller may read."""
    main = field_language(fields.get("language"))
    names = [n for n in fields if n.startswith(("title_", "body_"))]
    # The record's own language first (its words, not a translation's), the body before the title.
    names.sort(key=lambda n: (n.split("_", 1)[1] != main, not n.startswith("body_"), n))
    if personal and fields.get("personal"):
        names.append("personal")
    words: dict[str, set[str]] = {}
    for field, term in matched_terms:
        words.setdefault(field, set()).add(term.decode() if isinstance(term, bytes) else term)
    names.sort(key=lambda n: -len(words.get(n, ())))  # the field matching the most words first (stable)
    for name in names:
        if name in words:  # only fields this hit matched in are read again
            text = _highlight(highlighter, fields[name], frozenset(words[name]), _field_language(name))
            if text:
                return text, name.split("_")[0]
    # Matched through the language-neutral field only (prefix, fuzzy, a word of another language): mark
    # those words in the record's own text.
    if words.get("all"):
        for name in names:
            text = highlight(fields[name], frozenset(words["all"]), neutral_analyzer(),
                             ContextFragmenter(surround=60), _MARK, top=1)
            if text:
                return text, name.split("_")[0]
    return None, None


def _field_language(name: str) -> str:
    return NEUTRAL if name == "personal" else name.split("_", 1)[1]


WINDOW = 400  # characters of context kept around each matched token: beyond the fragmenter's reach, but for
# runs of more than WINDOW characters without a word next to a match (its countdown counts word characters)


def _highlight(highlighter: Highlighter, text: str, words: frozenset[str], language: str) -> str:
    """What ``hit.highlights(name, top=1)`` gave (whoosh's Highlighter.highlight_hit, retokenising the
    stored text with a ContextFragmenter), computed on (start, end, term) tuples of the tokens near a
    matched one, the field's tokens from a per-word cache: whoosh's loop over Token objects for every token
    of the field was most of a search's time once the matching itself was fast. Only the fragments found
    are handed to whoosh's scorer and formatter. ``tests/search/test_engine_fast_paths.py`` holds it to
    whoosh's own output. (Where more than WINDOW characters without a word border a match, as in a long
    row of dashes, whoosh's fragment would reach across them; this one stops at the window.)"""
    spans = token_spans(language, text)
    matched = [i for i, span in enumerate(spans) if span[2] in words]
    if not matched:
        return ""
    keep, last = [], -1
    for i in matched:
        start = spans[i][0] - WINDOW
        lo = i
        while lo > 0 and lo - 1 > last and spans[lo - 1][0] >= start:
            lo -= 1
        end = spans[i][1] + WINDOW
        hi = i
        while hi + 1 < len(spans) and spans[hi + 1][1] <= end:
            hi += 1
        keep.extend(range(max(lo, last + 1), hi + 1))
        last = max(last, hi)
    # (Highlighter._merge_matched_tokens joins matched tokens that touch; this tokenizer's never do.)
    fragments = _context_fragments(highlighter.fragmenter, text, spans, keep, words)
    best = top_fragments(fragments, 1, highlighter.scorer, highlighter.order, minscore=1)
    return highlighter.formatter.format(best)


def _context_fragments(fragmenter: ContextFragmenter, text: str, spans, keep: list[int], words: frozenset[str]):
    """``ContextFragmenter.fragment_tokens`` over ``spans[i]`` for ``i`` in ``keep``, step for step (its
    quirks included): its Fragments, holding Tokens for the matched words only."""
    maxchars, surround, charlimit = fragmenter.maxchars, fragmenter.surround, fragmenter.charlimit
    first, firsts, countdown, tks, endchar, currentlen = None, deque(), -1, [], None, 0
    for i in keep:
        startchar, endchar, term = spans[i]
        tlength = endchar - startchar
        if charlimit and endchar > charlimit:
            break
        hit = term in words
        if countdown < 0 and not hit:
            firsts.append(startchar)
            while firsts and endchar - firsts[0] > surround:
                firsts.popleft()
        elif currentlen + tlength > maxchars:
            countdown = 0
        elif hit:
            countdown = surround
            if first is None:
                if firsts:
                    first = firsts[0]
                else:
                    first = startchar
                    countdown += surround
            token = Token(positions=True, chars=True, removestops=False, mode="index")
            token.text, token.pos, token.startchar, token.endchar, token.matched = term, i, startchar, endchar, True
            tks.append(token)
        if countdown >= 0:
            currentlen += tlength
            countdown -= tlength
            if countdown <= 0:
                yield mkfrag(text, tks, startchar=first, endchar=endchar)
                tks, firsts, first, currentlen = [], deque(), None, 0
    if tks:
        yield mkfrag(text, tks, startchar=first, endchar=endchar)
