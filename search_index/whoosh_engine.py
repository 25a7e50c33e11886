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

import os
import threading
import time
import uuid
from collections import Counter
from datetime import timezone
from pathlib import Path

from filelock import FileLock
from whoosh import index as windex
from whoosh import query as wq
from whoosh import collectors
from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.highlight import ContextFragmenter, HtmlFormatter, highlight
from whoosh.scoring import BM25F

from .analysis import FIELD_LANGUAGES, analyzer, field_language, fold, neutral_analyzer
from .engine import Document, Hit, SearchEngine, SearchRequest, SearchResult, Visibility
from .query import Limits, QueryBuilder, plain_words

META_KEY = "__meta__"
FACETS = {"type": "type", "country": "countries", "language": "language", "topic": "topics",
          "society": "society"}
SNIPPET_CHARS = 200


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
        return FileLock(str(self.directory / "writer.lock"), timeout=timeout)

    def current_generation(self) -> Path:
        return self.directory / (self.directory / "CURRENT").read_text().strip()

    def create_generation(self) -> Path:
        path = self.directory / f"gen-{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:6]}"
        path.mkdir()
        windex.create_in(str(path), build_schema())
        return path

    def swap_to(self, generation: Path) -> None:
        """Point the node at another generation, atomically (readers switch at their next refresh)."""
        tmp = self.directory / f"CURRENT.{os.getpid()}.tmp"
        tmp.write_text(generation.name)
        os.replace(tmp, self.directory / "CURRENT")

    def old_generations(self) -> list[Path]:
        live = self.current_generation()
        return [p for p in self.directory.glob("gen-*") if p.is_dir() and p != live]

    def _index(self, generation: Path | None = None):
        return windex.open_dir(str(generation or self.current_generation()))

    # --- writing ------------------------------------------------------------------------------------
    def apply(self, upserts: list[Document], deletes: list[str], seq: int, generation: Path | None = None) -> None:
        """Callers hold ``writer_lock()``."""
        ix = self._index(generation)
        writer = ix.writer(procs=1, limitmb=256)
        try:
            for key in deletes:
                writer.delete_by_term("key", key)
            for doc in upserts:
                writer.update_document(**_to_fields(doc))
            writer.update_document(key=META_KEY, kind="meta", meta_seq=seq)
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
        finally:
            ix.close()

    def optimize(self, generation: Path | None = None) -> None:
        ix = self._index(generation)
        try:
            ix.optimize()
        finally:
            ix.close()

    # --- reading ------------------------------------------------------------------------------------
    def searcher(self):
        """A searcher kept per thread and refreshed when the index (or its generation) changed."""
        generation = self.current_generation()
        cached = getattr(self._local, "searcher", None)
        if cached is not None and self._local.generation == generation:
            if cached.up_to_date():
                return cached
            # Not Searcher.refresh(): the segment readers it reuses keep their old deletion lists, so an
            # updated document would be found twice. A new searcher is cheap next to that.
        if cached is not None:
            cached.close()
        ix = self._index(generation)
        self._local.searcher = ix.searcher(weighting=BM25F(B=0.75, K1=1.2))
        self._local.generation = generation
        self._local.facet_cache = FacetCache()  # per generation; within one, segments are kept and reused
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
        searcher = self.searcher()
        present = _present_languages(searcher)
        builder = QueryBuilder(present, personal=request.visibility.personal, fuzzy=request.fuzzy,
                               expand=request.expand)
        query = builder.build(request.q, self.limits)
        if request.caller_language and request.q.strip():
            query = wq.AndMaybe(query, wq.Term("languages", request.caller_language, boost=0.05))

        sortedby, reverse = None, False
        if request.sort == "newest" or (request.sort == "relevance" and not request.q.strip()):
            sortedby, reverse = "updated_at", True
        elif request.sort == "title":
            sortedby = "title_sort"
        first = (request.page - 1) * request.page_size if request.page_size else 0
        limit = first + request.page_size if request.page_size else None
        # One pass over the matches: the top `limit` are kept, and every match is recorded (for the total and
        # the facets), restricted to what the caller may see (a cached document set).
        allowed = self._allowed(searcher, request)
        if not allowed:  # (whoosh reads an empty filter as no filter at all)
            return SearchResult(total=0, hits=[], facets={name: {} for name in FACETS} if request.facets else {})
        top = searcher.collector(limit=limit, sortedby=sortedby, reverse=reverse, terms=request.snippets)
        recorder = _Recorder(top)
        searcher.search_with_collector(query, collectors.FilterCollector(recorder, allow=allowed))
        results = top.results()
        facets = self._local.facet_cache.counts(searcher, recorder.docnums) if request.facets else {}
        hits = [self._hit(hit, request, scored=sortedby is None) for hit in results[first:limit]]
        total = len(recorder.docnums)
        suggestion = _suggest(searcher, request.q) if request.q.strip() and total < 3 else None
        return SearchResult(total=total, hits=hits, facets=facets, suggestion=suggestion)

    def _allowed(self, searcher, request: SearchRequest) -> set[int]:
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
            cache[key] = set(searcher.docs_for_query(_filter(request)))  # never mutated
        return cache[key]

    def _hit(self, hit, request: SearchRequest, scored: bool) -> Hit:
        fields = hit.fields()
        snippet = snippet_field = None
        if request.snippets and request.q.strip():
            snippet, snippet_field = _snippet(hit, fields, request.visibility.personal)
        title = fields.get("title") or ""
        if request.visibility.personal and fields.get("personal_title"):
            title = fields["personal_title"]
        updated = fields["updated_at"].replace(tzinfo=timezone.utc)
        return Hit(key=fields["key"], type=fields["type"], record_id=fields["record_id"],
                   external_id=fields.get("external_id"), title=title, score=round(float(hit.score or 0), 4) if scored else 0.0,
                   snippet=snippet, snippet_field=snippet_field, language=fields.get("language", ""),
                   countries=[c for c in (fields.get("countries") or "").split(",") if c],
                   society=fields.get("society", ""), updated_at=updated)


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


def _snippet(hit, fields: dict, personal: bool) -> tuple[str | None, str | None]:
    """A highlighted fragment from the first field that matched, among those the caller may read."""
    main = field_language(fields.get("language"))
    names = [n for n in fields if n.startswith(("title_", "body_"))]
    # The record's own language first (its words, not a translation's), the body before the title.
    names.sort(key=lambda n: (n.split("_", 1)[1] != main, not n.startswith("body_"), n))
    if personal and fields.get("personal"):
        names.append("personal")
    for name in names:
        text = hit.highlights(name, top=1)
        if text:
            return text, name.split("_")[0]
    # Matched through the language-neutral field only (prefix, fuzzy, a word of another language): mark
    # those words in the record's own text.
    words = {term.decode() if isinstance(term, bytes) else term for field, term in (hit.matched_terms() or [])
             if field == "all"}
    if words:
        for name in names:
            text = highlight(fields[name], frozenset(words), neutral_analyzer(), ContextFragmenter(surround=60),
                             HtmlFormatter(tagname="mark", classname="", termclass=""), top=1)
            if text:
                return text, name.split("_")[0]
    return None, None


def _suggest(searcher, q: str) -> str | None:
    """'Did you mean': each word unknown to the index replaced by the most frequent known word at most two
    edits away that starts with the same three letters. Bounded on purpose: whoosh's own corrector walks
    the whole vocabulary in Python (seconds on a large index)."""
    reader = searcher.reader()
    corrected, changed = [], False
    for word in plain_words(q):
        folded = fold(word)
        if len(folded) > 3 and not reader.frequency("all", folded):
            best = _closest(reader, folded)
            if best:
                corrected.append(best)
                changed = True
                continue
        corrected.append(word)
    return " ".join(corrected) if changed else None


MAX_CANDIDATES = 2000


def _closest(reader, word: str) -> str | None:
    best, best_key = None, None
    for number, candidate in enumerate(reader.expand_prefix("all", word[:3])):
        if number >= MAX_CANDIDATES:
            break
        candidate = candidate.decode() if isinstance(candidate, bytes) else candidate
        if abs(len(candidate) - len(word)) > 2:
            continue
        distance = _edit_distance(word, candidate, limit=2)
        if distance <= 2:
            key = (distance, -reader.doc_frequency("all", candidate))
            if best_key is None or key < best_key:
                best, best_key = candidate, key
    return best


def _edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance with transpositions, giving up (limit + 1) once it exceeds ``limit``."""
    previous2, previous = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = ca != cb
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if previous2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


class _Recorder(collectors.WrappingCollector):
    """Passes every match on to the child (the top-N collector) and remembers its document number."""

    def __init__(self, child):
        super().__init__(child)
        self.docnums: list[int] = []

    def collect(self, sub_docnum):
        self.docnums.append(self.offset + sub_docnum)
        return self.child.collect(sub_docnum)


class FacetCache:
    """Per-segment maps of facet values to document sets, built once per searcher generation and reused:
    counting a result set's facets is then a handful of set intersections."""

    def __init__(self):
        self._segments: dict[object, dict[str, dict[str, frozenset[int]]]] = {}

    def counts(self, searcher, docnums) -> dict[str, dict[str, int]]:
        matched = sorted(docnums)
        totals = {name: Counter() for name in FACETS}
        leaves = list(searcher.reader().leaf_readers())
        live = {_segment_key(reader) for reader, _ in leaves}
        for gone in set(self._segments) - live:  # merged away
            del self._segments[gone]
        for number, (reader, offset) in enumerate(leaves):
            end = leaves[number + 1][1] if number + 1 < len(leaves) else offset + reader.doc_count_all()
            local = frozenset(d - offset for d in matched if offset <= d < end)
            if not local:
                continue
            for name, terms in self._segment(reader).items():
                counter = totals[name]
                for value, docs in terms.items():
                    count = len(local & docs)
                    if count:
                        counter[value] += count
        return {name: dict(counter.most_common()) for name, counter in totals.items()}

    def _segment(self, reader) -> dict[str, dict[str, frozenset[int]]]:
        key = _segment_key(reader)
        if key not in self._segments:
            self._segments[key] = {
                name: {term.decode() if isinstance(term, bytes) else term:
                       frozenset(reader.postings(field, term).all_ids())
                       for term in reader.lexicon(field)}
                for name, field in FACETS.items()
            }
        return self._segments[key]


def _segment_key(reader):
    segment = getattr(reader, "segment", None)
    if callable(segment):
        try:
            return segment().segment_id()
        except Exception:  # noqa: BLE001
            pass
    return id(reader)

