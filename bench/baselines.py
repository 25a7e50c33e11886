"""Reference BM25 baselines on a test collection: bare Whoosh, tantivy and SQLite FTS5.

Each `run_<engine>(docs, queries, k=100, language=None)` indexes "title text" as one field, answers every
query as an OR of its words and returns (run, timing), where run maps query id -> {doc id: score} and
timing holds the index seconds and the median query milliseconds.

    python bench/baselines.py cranfield [language]

The language defaults to the folder's suffix (xquad-r-de -> de) and to English otherwise. Analysis per engine,
as it reproduces the reference figures in the shared data's README.md (``bench/shared_data.py``):
- Whoosh: StemmingAnalyzer for English, LanguageAnalyzer(lang) where Whoosh has a stemmer, else no stemming;
- tantivy: its default tokenizer plus the language's stemmer (`en_stem` for English);
- FTS5: unicode61 remove_diacritics 2, with porter for English only.
"""

from __future__ import annotations

import re
import sqlite3
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from statistics import median

import tantivy
from metrics import Run, evaluate, load_collection
from shared_data import collection
from whoosh import lang as whoosh_lang
from whoosh.analysis import Analyzer, LanguageAnalyzer, StandardAnalyzer, StemmingAnalyzer
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import RamStorage
from whoosh.qparser import OrGroup, QueryParser

WORD = re.compile(r"[^\W_]+")  # letters and digits; everything else separates words
WHOOSH_SYNTAX = re.compile(r"[^\w.\s]+")  # quotes, colons, wildcards, brackets, boosts...


@dataclass
class Timing:
    index_seconds: float
    median_query_ms: float


Baseline = Callable[..., tuple[Run, Timing]]


def doc_body(doc: dict) -> str:
    return f"{doc.get('title', '')} {doc.get('text', '')}"


def is_english(language: str | None) -> bool:
    return language in (None, "en")


def search_all(queries: dict[str, str], search: Callable[[str], dict[str, float]]) -> tuple[Run, float]:
    """Run every query through `search`; return the run and the median query time in ms."""
    run: Run = {}
    elapsed_ms: list[float] = []
    for query_id, text in queries.items():
        started = time.perf_counter()
        run[query_id] = search(text)
        elapsed_ms.append((time.perf_counter() - started) * 1000)
    return run, median(elapsed_ms)


# --- Whoosh ---------------------------------------------------------------------------------------


def whoosh_analyzer(language: str | None) -> Analyzer:
    """English: StemmingAnalyzer (Porter, English stop words), the setup that reproduces the reference
    figures; other languages: the language's stemming analyzer where Whoosh has a stemmer, else no stemming."""
    if is_english(language):
        return StemmingAnalyzer()
    if whoosh_lang.has_stemmer(language):
        return LanguageAnalyzer(language)
    stop_words = whoosh_lang.stopwords_for_language(language) if whoosh_lang.has_stopwords(language) else None
    return StandardAnalyzer(stoplist=stop_words)


def run_whoosh(
    docs: list[dict], queries: dict[str, str], k: int = 100, language: str | None = None
) -> tuple[Run, Timing]:
    started = time.perf_counter()
    schema = Schema(id=ID(stored=True, unique=True), body=TEXT(analyzer=whoosh_analyzer(language)))
    index = RamStorage().create_index(schema)
    writer = index.writer()
    for doc in docs:
        writer.add_document(id=doc["_id"], body=doc_body(doc))
    writer.commit()
    index_seconds = time.perf_counter() - started

    parser = QueryParser("body", schema, group=OrGroup)
    with index.searcher() as searcher:  # BM25F by default

        def search(text: str) -> dict[str, float]:
            query = parser.parse(WHOOSH_SYNTAX.sub(" ", text).lower())  # lowercase: no AND/OR/NOT operators
            return {hit["id"]: hit.score for hit in searcher.search(query, limit=k)}

        run, median_ms = search_all(queries, search)
    return run, Timing(index_seconds, median_ms)


# --- tantivy --------------------------------------------------------------------------------------


TANTIVY_STEMMERS = {
    "ar": "arabic", "da": "danish", "de": "german", "el": "greek", "en": "english", "es": "spanish",
    "fi": "finnish", "fr": "french", "hu": "hungarian", "it": "italian", "nl": "dutch", "no": "norwegian",
    "pt": "portuguese", "ro": "romanian", "ru": "russian", "sv": "swedish", "ta": "tamil", "tr": "turkish",
}


def tantivy_analyzer(language: str | None) -> tantivy.TextAnalyzer:
    """tantivy's default tokenizer (simple, at most 40 chars, lowercase) plus the language's stemmer if any:
    for English this is tantivy's own `en_stem`."""
    builder = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
    builder = builder.filter(tantivy.Filter.remove_long(40)).filter(tantivy.Filter.lowercase())
    stemmer = TANTIVY_STEMMERS.get(language or "en")
    return (builder.filter(tantivy.Filter.stemmer(stemmer)) if stemmer else builder).build()


def run_tantivy(
    docs: list[dict], queries: dict[str, str], k: int = 100, language: str | None = None
) -> tuple[Run, Timing]:
    started = time.perf_counter()
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_text_field("body", tokenizer_name="body")
    schema = builder.build()
    index = tantivy.Index(schema)  # in memory
    index.register_tokenizer("body", tantivy_analyzer(language))
    writer = index.writer(num_threads=1)
    for doc in docs:
        writer.add_document(tantivy.Document(id=doc["_id"], body=doc_body(doc)))
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    index_seconds = time.perf_counter() - started

    searcher = index.searcher()

    def search(text: str) -> dict[str, float]:
        words = WORD.findall(text.lower())  # lowercase: no AND/OR/NOT/IN operators
        if not words:
            return {}
        query = index.parse_query(" ".join(words), ["body"])  # disjunction by default, BM25
        hits = searcher.search(query, limit=k).hits
        return {searcher.doc(address)["id"][0]: score for score, address in hits}

    run, median_ms = search_all(queries, search)
    return run, Timing(index_seconds, median_ms)


# --- SQLite FTS5 ----------------------------------------------------------------------------------


def run_fts5(
    docs: list[dict], queries: dict[str, str], k: int = 100, language: str | None = None
) -> tuple[Run, Timing]:
    tokenizer = "unicode61 remove_diacritics 2"
    if is_english(language):
        tokenizer = f"porter {tokenizer}"
    started = time.perf_counter()
    db = sqlite3.connect(":memory:")
    db.execute(f"CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, body, tokenize = '{tokenizer}')")
    db.executemany("INSERT INTO docs (id, body) VALUES (?, ?)", ((doc["_id"], doc_body(doc)) for doc in docs))
    db.commit()
    index_seconds = time.perf_counter() - started

    def search(text: str) -> dict[str, float]:
        words = WORD.findall(text)
        if not words:
            return {}
        match = " OR ".join(f'"{word}"' for word in words)
        rows = db.execute(
            "SELECT id, bm25(docs) FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT ?", (match, k)
        )
        return {doc_id: -score for doc_id, score in rows}  # bm25() is lower-is-better

    run, median_ms = search_all(queries, search)
    db.close()
    return run, Timing(index_seconds, median_ms)


BASELINES: dict[str, Baseline] = {"whoosh": run_whoosh, "tantivy": run_tantivy, "fts5": run_fts5}


def language_of(directory: Path) -> str:
    """xquad-r-de -> de; any other collection is English."""
    match = re.fullmatch(r"xquad-r-(\w+)", directory.name)
    return match.group(1) if match else "en"


def main(argv: list[str]) -> None:
    if len(argv) not in (1, 2):
        sys.exit("usage: python bench/baselines.py COLLECTION [LANGUAGE]")
    directory = collection(argv[0])
    language = argv[1] if len(argv) == 2 else language_of(directory)
    docs, queries, qrels = load_collection(directory)
    print(f"{directory.name} ({language}): {len(docs)} docs, {len(queries)} queries, {len(qrels)} judged")
    print(f"{'engine':<8} {'nDCG@10':>8} {'R@100':>7} {'index s':>8} {'query ms':>9}")
    for name, run_baseline in BASELINES.items():
        run, timing = run_baseline(docs, queries, language=language)
        scores = evaluate(run, qrels)
        print(
            f"{name:<8} {scores['ndcg@10']:>8.3f} {scores['recall@100']:>7.3f} "
            f"{timing.index_seconds:>8.2f} {timing.median_query_ms:>9.2f}"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
