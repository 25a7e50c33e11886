"""The most expensive searches we could construct, timed through the API: each must answer (200, or 400 naming
the limit it ran into) in under a second.

    python bench/search_limits.py [--records 10000] [--repeat 3] [--bound 1.0] [--instance DIR]

1. A fresh node (SQLite and its index in a temporary folder, or in `--instance DIR`, kept, and reused when
   its index holds `--records` documents: other settings, same index) gets `--records` practices made from
   the real passages of ../shared/data (`search_speed.make_records`: cranfield and XQuAD-R, six
   languages mixed), written straight into its index through the engine (search reads only the index);
   every tenth one is a draft, so that what an anonymous caller may see is a part of the index, as in
   production. The settings are the environment's (ATN_SEARCH_MAX_EXPANSIONS, ATN_SEARCH_TIMEOUT_SECONDS).
2. The queries are built from that index's own vocabulary, to be as costly as the limits allow: the most
   frequent words (most postings), the words of a prefix (most expansions), typos of frequent words
   ("did you mean" and fuzzy expansion), at most 500 characters and 64 terms each (the query limits).
3. Each is sent `--repeat` times to `GET /api/v1/search` anonymously through Flask's test client (the whole
   request: parsing, the search, JSON or CSV); the slowest answer is printed with its status and, for a
   400, the message (which limit).

Exits 1 when any answer took `--bound` seconds or more, or was neither 200 nor 400.
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from search_speed import make_records

from atn_hub import create_app
from atn_hub.cli.database import upgrade
from search_index.analysis import SNOWBALL, stopwords
from search_index.documents import to_document
from search_index.engine import SearchRequest

MAX_CHARS = 500  # ATN_MAX_QUERY_LENGTH's default
MAX_TERMS = 64
DRAFT_EVERY = 10


def build_index(app, count: int) -> None:
    engine = app.extensions["atn_search"].engine
    documents = []
    for n, record in enumerate(make_records(count)):
        row = SimpleNamespace(
            id=f"00000000-0000-4000-8000-{n:012d}", external_id=record["external_id"],
            society=SimpleNamespace(code=record["society"]),
            status="draft" if n % DRAFT_EVERY == 0 else "published", visibility=record["visibility"],
            updated_at=datetime(2026, 1, 1 + n % 28, tzinfo=UTC), version=1, language=record["language"],
            title=record["title"], summary=record["summary"], body=record["body"], results=None, evaluation=None,
            translations={}, topics=[], target_groups=[], forms_of_exploitation=[], countries=record["countries"])
        documents.append(to_document("practice", row))
    with engine.writer_lock():
        engine.apply(documents, [], 1)


def fit(words: list[str], terms_each: int = 1, sep: str = " ") -> str:
    """As many of ``words`` as the query limits allow."""
    chosen: list[str] = []
    for word in words:
        if len(sep.join(chosen + [word])) > MAX_CHARS or (len(chosen) + 1) * terms_each > MAX_TERMS:
            break
        chosen.append(word)
    return sep.join(chosen)


def worst_queries(app, max_expansions: int) -> list[tuple[str, dict, dict]]:
    """(name, query string parameters, headers) of the costliest searches for this index."""
    engine = app.extensions["atn_search"].engine
    reader = engine.searcher().reader()
    stop = frozenset().union(*(stopwords(language) for language in SNOWBALL))
    frequent = [t.decode() for _, t in reader.most_frequent_terms("all", 2000, "")]
    frequent = [w for w in frequent if w.isalpha() and len(w) >= 4 and w not in stop]
    long_frequent = [w for w in frequent if len(w) >= 8]
    vocabulary = {t.decode() for t in reader.lexicon("all")}
    by_prefix2 = Counter(w[:2] for w in vocabulary if len(w) >= 2 and w[:2].isalpha())
    prefixes3 = Counter(w[:3] for w in vocabulary if len(w) >= 3 and w[:3].isalpha())
    # Prefixes just within the expansion limit that cover the most documents
    within = []
    for prefix, n in prefixes3.items():
        if 8 <= n <= max_expansions:
            within.append((sum(reader.doc_frequency("all", t) for t in reader.expand_prefix("all", prefix)), prefix))
    within = [prefix for _, prefix in sorted(within, reverse=True)[:4]]
    rng = random.Random(5)

    def typo(word: str, edits: int = 1) -> str:  # letters changed after the third: unknown, near a frequent word
        for _ in range(20):
            candidate = word
            for i in rng.sample(range(3, len(word)), min(edits, len(word) - 3)):
                candidate = candidate[:i] + rng.choice("qxzjkvw") + candidate[i + 1:]
            if candidate not in vocabulary and not engine.search(SearchRequest(q=candidate, snippets=False)).total:
                return candidate
        return word + "qx"

    crowded = [w for w in frequent if prefixes3[w[:3]] >= 100]  # words of prefixes with the most words
    anonymous: dict = {}
    csv = {"Accept": "text/csv"}
    return [
        ("the report's ~7 (an edit distance of 7)", {"q": "exploitationofworkerk~7"}, anonymous),
        ("~2 on the most frequent long words", {"q": fit([w + "~2" for w in long_frequent], 2)}, anonymous),
        ("~ on the most frequent words", {"q": fit([w + "~" for w in frequent])}, anonymous),
        ("fuzzy=true, the 64 most frequent words", {"q": fit(frequent), "fuzzy": "true"}, anonymous),
        ("fuzzy=true, typos of frequent words", {"q": fit([typo(w) for w in crowded]), "fuzzy": "true"},
         anonymous),
        ("fuzzy=true, typos, sorted by newest", {"q": fit([typo(w) for w in crowded]), "fuzzy": "true",
                                                 "sort": "newest"}, anonymous),
        ("did you mean: two typos in each frequent word", {"q": fit([typo(w, 2) for w in crowded])}, anonymous),
        ("did you mean: 64 words of crowded prefixes",
         {"q": fit([p + "".join(rng.choice("qxzjkvw") for _ in range(5)) for p, _ in prefixes3.most_common(64)])},
         anonymous),
        ("4 prefixes within the expansion limit", {"q": " ".join(p + "*" for p in within)}, anonymous),
        ("4 two-letter prefixes with the most words",
         {"q": " ".join(p + "*" for p, _ in by_prefix2.most_common(4))}, anonymous),
        ("4 wildcards with many stars",
         {"q": " ".join(p + "*a*e*i*o*" for p, _ in by_prefix2.most_common(4))}, anonymous),
        ("the 64 most frequent words", {"q": fit(frequent)}, anonymous),
        ("the 64 most frequent words, 100 hits a page", {"q": fit(frequent), "page_size": 100}, anonymous),
        ("fuzzy=true, 64 frequent words, 100 hits a page", {"q": fit(frequent), "fuzzy": "true", "page_size": 100},
         anonymous),
        ("phrases of frequent word pairs",
         {"q": fit([f'"{a} {b}"' for a, b in zip(frequent[::2], frequent[1::2], strict=False)], 2)}, anonymous),
        ("CSV export: the most frequent word", {"q": frequent[0]}, csv),
        ("CSV export: fuzzy=true, 64 frequent words", {"q": fit(frequent), "fuzzy": "true"}, csv),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=10_000, help="practices in the index")
    parser.add_argument("--repeat", type=int, default=3, help="times each query is sent (the slowest counts)")
    parser.add_argument("--bound", type=float, default=1.0, help="seconds an answer must take less than")
    parser.add_argument("--instance", type=Path, help="keep the node here (reused when its index is built)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="atn-limits-") as tmp:
        instance = args.instance or Path(tmp)
        instance.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{instance}/atn.db"
        upgrade(url)
        app = create_app({"database_url": url, "instance_dir": instance, "indexer": "off", "log_level": "WARNING",
                          "secret_key": "bench-secret-key-not-for-production"})
        settings = app.config["ATN_SETTINGS"]
        started = time.perf_counter()
        if app.extensions["atn_search"].engine.doc_count() != args.records:
            build_index(app, args.records)
        print(f"ATN Hub search limits: {args.records} practices indexed in {time.perf_counter() - started:.0f} s "
              f"(every {DRAFT_EVERY}th a draft); ATN_SEARCH_MAX_EXPANSIONS={settings.search_max_expansions}, "
              f"ATN_SEARCH_TIMEOUT_SECONDS={settings.search_timeout_seconds:g}; the slowest of {args.repeat}")
        client = app.test_client()
        client.get("/api/v1/search", query_string={"q": "warm"})
        failed = 0
        print(f"{'query':<48} {'chars':>5} {'status':>6} {'ms':>8}   answer")
        for name, params, headers in worst_queries(app, settings.search_max_expansions):
            slowest, response = 0.0, None
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                response = client.get("/api/v1/search", query_string=params, headers=headers)
                response.get_data()
                slowest = max(slowest, time.perf_counter() - t0)
            if response.status_code == 400:
                answer = response.json["errors"]["query"]["q"][0]
            elif response.status_code == 200 and response.mimetype == "text/csv":
                answer = f"{response.get_data(as_text=True).count(chr(10)) - 1} rows"
            elif response.status_code == 200:
                answer = f"total {response.json['total']}, suggestion {(response.json['suggestion'] or '-')[:40]!r}"
            else:
                answer = response.get_data(as_text=True)[:80]
            ok = slowest < args.bound and response.status_code in (200, 400)
            failed += not ok
            print(f"{name:<48} {len(params['q']):>5} {response.status_code:>6} {slowest * 1000:>8.1f}   "
                  f"{answer[:90]}{'' if ok else '   <- OVER THE BOUND' if slowest >= args.bound else '   <- FAILED'}",
                  flush=True)
        print(f"\nbound {args.bound:g} s per answer: {'met' if not failed else f'NOT met ({failed} queries)'}")
        app.extensions["atn_search"].stop()
        return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
