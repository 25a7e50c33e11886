"""The Whoosh implementation of the engine: applying documents, and searching with the caller's visibility.

It ties together the index directory (``generations``), the schema (``schema``), the merge policies
(``merging``), match sets scored from the posting lists (``matchsets``), fuzzy and wildcard expansion
(``expansion``), snippets (``highlight``) and "did you mean" (``suggestions``). Whoosh's internals are used
only through ``whoosh_internals``.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from datetime import UTC
from pathlib import Path

import numpy as np
from filelock import FileLock
from whoosh import query as wq
from whoosh.highlight import Highlighter
from whoosh.scoring import BM25F

from .analysis import FIELD_LANGUAGES, field_language
from .engine import Document, Hit, IndexUnavailable, QueryError, SearchEngine, SearchRequest, SearchResult, Visibility
from .expansion import expand
from .generations import Generations
from .highlight import MAX_SNIPPETS, file_of, new_highlighter, snippet_of
from .hit_language import codes_of, in_language, matched_field_language, shown_language, titles_of
from .limits import DEFAULT_LIMITS, Deadline, Limits, SearchTimeout
from .matchsets import FacetCounts, Mask, MatchSets, PostingCache
from .merging import bounded_merge, rewrite_segments_with_deletions
from .query import QueryBuilder, translated_terms
from .schema import FACETS, META_KEY, build_schema, meta_fields, meta_seq, to_fields
from .suggestions import suggest
from .vocabulary import Vocabulary
from .whoosh_internals import close_files_of, segment_key, segment_state, sorted_by_column

# BM25's term-frequency saturation (K1) and length normalisation (B; Whoosh's BM25F takes a B per field).
# Chosen on held-out halves of every test collection's queries at several record lengths, and with short and
# long records in one index, as ATN Hub holds them (bench/ranking_study.py): a lower K1 and a lower B for the
# body and language-neutral fields held on most collections and lengths and hurt none, where Whoosh's
# defaults (1.2, 0.75) ranked short passages worse and, in an index of short and long records, put short
# records above the long one that answers (a low K1 softens the length penalty as well as a word's repeats);
# a B lower still helped that mixed index more but hurt some collections alone. For titles, of like length,
# no B held better than the default. Figures in bench/README.md, "Ranking on held-out halves and long
# records (issue 21)".
BM25_K1, BM25_B, BM25_TITLE_B = 0.6, 0.5, 0.75


def bm25f() -> BM25F:
    return BM25F(B=BM25_B, K1=BM25_K1, **{f"title_{language}_B": BM25_TITLE_B for language in FIELD_LANGUAGES})


class WhooshEngine(SearchEngine):
    def __init__(self, directory: Path | str, limits: Limits = DEFAULT_LIMITS):
        self.generations = Generations(directory)
        self.directory = self.generations.directory
        self.limits = limits
        self._local = threading.local()
        self._schema_checked: dict[Path, bool] = {}
        self.generations.ensure_current()

    # --- generations and locks (the indexer's; see ``generations``) ------------------------------------
    def writer_lock(self, timeout: float = -1) -> FileLock:
        """The node's one-writer lock: every write to any generation happens under it."""
        return self.generations.writer_lock(timeout)

    def current_generation(self) -> Path:
        return self.generations.current()

    def create_generation(self) -> Path:
        return self.generations.create()

    def swap_to(self, generation: Path) -> None:
        """Point the node at another generation, atomically (readers switch at their next refresh)."""
        self.generations.swap_to(generation)

    def old_generations(self) -> list[Path]:
        return self.generations.old()

    def schema_is_current(self, generation: Path | None = None) -> bool:
        """Whether ``generation`` (the live one by default) has this release's fields: an index written by a
        release with other fields is rebuilt, not written to (Whoosh refuses a document's unknown field)."""
        path = generation or self.current_generation()
        known = self._schema_checked.get(path)
        if known is None:
            known = self._schema_checked[path] = set(self.generations.open(path).schema.names()) == set(
                build_schema().names())
        return known

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
        ix = self.generations.open(generation)
        writer = ix.writer(procs=1, limitmb=256)
        try:
            # Only keys already in the index need deleting (update_document searches every segment for each
            # document; after a bulk import nearly all keys are new).
            reader = writer.searcher().reader()  # the writer's own, reused by delete_by_term, closed on commit
            seq = None  # the last chunk's: what the commit covers
            for upserts, deletes, chunk_seq in chunks:
                seq = chunk_seq
                present = {key for key in [*deletes, *(doc.key for doc in upserts)] if ("key", key) in reader}
                for key in deletes:
                    if key in present:
                        writer.delete_by_term("key", key)
                for doc in upserts:
                    if doc.key in present:
                        writer.delete_by_term("key", doc.key)
                    writer.add_document(**to_fields(doc))
            if seq is None:
                raise ValueError("apply_chunks needs at least one chunk (it names the sequence to record)")
            if ("key", META_KEY) in reader:
                writer.delete_by_term("key", META_KEY)
            writer.add_document(**meta_fields(seq))
            writer.commit(mergetype=rewrite_segments_with_deletions if purge else bounded_merge)
        except BaseException:
            writer.cancel()
            raise
        finally:
            ix.close()
        return seq

    def optimize(self, generation: Path | None = None) -> None:
        ix = self.generations.open(generation)
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
        except Exception as exc:  # a damaged index fails in many ways inside Whoosh
            close_files_of(exc)
            raise IndexUnavailable(f"the search index cannot be read ({exc.__class__.__name__})") from exc

    def reset_readers(self) -> None:
        """Forget this thread's searcher (closed), so that the next search opens the index afresh."""
        cached = getattr(self._local, "searcher", None)
        self._local.searcher = None
        if cached is not None:
            try:
                cached.close()
            except Exception:  # closing what is already broken
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
                ix = self.generations.open(generation)
                searcher = ix.searcher(weighting=bm25f())
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
            ix = self.generations.open(generation)
            try:
                with ix.searcher() as searcher:
                    return meta_seq(searcher)
            finally:
                ix.close()
        return meta_seq(self.searcher())

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
            self._local.present, self._local.present_for = present_languages(searcher), searcher
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
        if not len(allowed):  # the filters leave nothing this caller may see: nothing to match or suggest
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
                             f"{self.limits.max_export_rows}: narrow it with filters or words.", "export_too_large",
                             total=total, max=self.limits.max_export_rows)
        facets = self._local.facet_counts.counts(searcher, ids) if request.facets else {}
        page: list[tuple[int, float]] = []
        if total and (limit is None or first < total):
            if sortedby is None:
                order = _top(ids, scores, limit)[first:limit]
                page = [(int(ids[i]), float(scores[i])) for i in order]
            else:
                ordered = sorted_by_column(searcher, ids, sortedby, reverse, deadline)
                page = [(docnum, 0.0) for docnum in ordered[first:limit]]
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
        translated = translated_terms(query) if snippets else frozenset()
        highlighter = new_highlighter()
        hits = []
        for number, (docnum, score) in enumerate(page):  # an export's rows: at most max_export_rows
            words = matched[number] if number < len(matched) and not deadline.passed() else None
            hits.append(self._hit(docnum, score, searcher.stored_fields(docnum), request, words, highlighter,
                                  translated))
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
            state = (*segment_state(reader), key)
            local = kept.get(state)
            if local is None:
                local = kept[state] = np.fromiter(query.docs(sub), dtype=np.int64)
            pieces.append(local + offset)
        return np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int64)

    def _hit(self, docnum: int, score: float, fields: dict, request: SearchRequest, matched_terms,
             highlighter: Highlighter, translated: frozenset = frozenset()) -> Hit:
        """``matched_terms``: the query's terms this document holds, to highlight; None for no snippet.
        ``translated``: the terms that stand only for glossary translations of the words typed: a hit that
        holds a word as typed shows (and marks) that word, not a translation of it."""
        snippet = snippet_field = file = None
        if matched_terms is not None:
            typed = [term for term in matched_terms if term not in translated]
            matched_terms = typed or matched_terms
        # Shown in the language the words matched in, else in the reader's: its title and its snippet.
        titles = titles_of(fields)
        readers = request.reader_languages or ([request.caller_language] if request.caller_language else [])
        language = shown_language(fields, titles, matched_field_language(fields, matched_terms), readers)
        if matched_terms is not None:
            personal = request.visibility.personal
            for code in dict.fromkeys([language, *codes_of(fields, titles)]):
                snippet, snippet_field = snippet_of(in_language(fields, code), matched_terms, personal, highlighter)
                if snippet:  # the words are in this language's text: the hit shows this language
                    language = code
                    break
            else:
                snippet, snippet_field = snippet_of(fields, matched_terms, personal, highlighter)
            if snippet and snippet_field == "body" and fields.get("file_pages"):
                file = file_of(snippet, fields["file_pages"])
                if file is not None:
                    snippet_field = "file"
        title = titles.get(language) or fields.get("title") or ""
        if request.visibility.personal and fields.get("personal_title"):
            title = fields["personal_title"]
        updated = fields["updated_at"].replace(tzinfo=UTC)
        return Hit(key=fields["key"], type=fields["type"], record_id=fields["record_id"],
                   external_id=fields.get("external_id"), title=title, score=round(score, 4),
                   snippet=snippet, snippet_field=snippet_field, language=language,
                   countries=[c for c in (fields.get("countries") or "").split(",") if c],
                   society=fields.get("society", ""), updated_at=updated, file=file)


def present_languages(searcher) -> set[str]:
    """The field languages of the index's documents (English in an empty index): a query is analysed in each."""
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
        since = request.updated_since.astimezone(UTC).replace(tzinfo=None)
        conditions.append(wq.DateRange("updated_at", since, None))
    return wq.And(conditions)


def _top(ids, scores, limit: int | None):
    """Indices of the best ``limit`` matches, best first; equal scores in document order (as Whoosh)."""
    if limit is not None and limit < len(scores):
        threshold = np.partition(scores, len(scores) - limit)[len(scores) - limit]
        candidates = np.flatnonzero(scores >= threshold)
    else:
        candidates = np.arange(len(scores))
    return candidates[np.lexsort((ids[candidates], -scores[candidates]))][:limit]
