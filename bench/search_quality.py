"""nDCG@10 and recall@100 of ATN Hub's search on a test collection, next to bare Whoosh, tantivy and SQLite
FTS5 on the same collection in the same run.

    python bench/search_quality.py cranfield [LANGUAGE]

The collection is named in the shared data (``bench/shared_data.py``), or given as a folder.

The collection goes through the real path: a fresh ATN Hub (SQLite, own instance folder), its documents
written as practices to a JSON-lines file and imported with `atn-hub import --type practice --publish`,
indexed by the indexer, and every query answered by the search service as an anonymous caller (the
defaults of GET /api/v1/search: OR of words, glossary expansion on, top 100).
"""
from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from baselines import BASELINES, language_of
from metrics import evaluate, load_collection
from shared_data import collection

from atn_hub import create_app
from atn_hub.cli.database import upgrade
from atn_hub.principal import ANONYMOUS
from atn_hub.services import search as search_service

SOCIETY = {"code": "NL", "name": "Netherlands Red Cross", "name_local": "Nederlandse Rode Kruis", "languages": ["nl"]}
NO_TITLE = "·"  # a title without words, for collections whose documents have none


def practice_lines(docs: list[dict], language: str):
    for doc in docs:
        yield json.dumps({"external_id": doc["_id"], "society": "NL", "title": (doc.get("title") or NO_TITLE)[:300],
                          "summary": doc["text"][:4000] or NO_TITLE, "body": doc["text"][4000:], "language": language,
                          "countries": ["NL"], "visibility": "public"}, ensure_ascii=False)


@contextmanager
def imported_hub(docs: list[dict], language: str):
    """A fresh ATN Hub (SQLite, its own instance folder) holding ``docs`` as published practices, imported with
    `atn-hub import` and indexed; yields the app and the seconds the import and the indexing took."""
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/atn.db"
        upgrade(url)
        app = create_app({"database_url": url, "instance_dir": Path(tmp), "indexer": "off", "log_level": "WARNING"})
        runner = app.test_cli_runner()
        societies, practices = Path(tmp, "societies.jsonl"), Path(tmp, "practices.jsonl")
        societies.write_text(json.dumps(SOCIETY) + "\n")
        practices.write_text("\n".join(practice_lines(docs, language)) + "\n", encoding="utf-8")
        started = time.perf_counter()
        assert runner.invoke(args=["import", "--type", "society", str(societies)]).exit_code == 0
        result = runner.invoke(args=["import", "--type", "practice", "--publish", str(practices)])
        assert result.exit_code == 0, result.output
        imported = time.perf_counter() - started
        app.extensions["atn_search"].indexer.catch_up(wait=10)
        yield app, {"import_s": imported, "index_s": time.perf_counter() - started}


def run_atn_hub(docs: list[dict], queries: dict[str, str], language: str, expand: bool = True):
    with imported_hub(docs, language) as (app, timings):
        search = app.extensions["atn_search"]
        with app.app_context():
            run, elapsed = {}, []
            for qid, text in queries.items():
                t0 = time.perf_counter()
                answer = search_service.search(search.engine, ANONYMOUS, {"q": text, "page_size": 100,
                                                                          "expand": expand})
                elapsed.append((time.perf_counter() - t0) * 1000)
                run[qid] = {hit.external_id: hit.score for hit in answer.hits}
        return run, {**timings, "median_query_ms": statistics.median(elapsed)}


def main(argv: list[str]) -> None:
    if len(argv) not in (1, 2):
        sys.exit("usage: python bench/search_quality.py COLLECTION [LANGUAGE]")
    directory = collection(argv[0])
    language = argv[1] if len(argv) == 2 else language_of(directory)
    docs, queries, qrels = load_collection(directory)
    print(f"{directory.name} ({language}): {len(docs)} docs, {len(queries)} queries")
    print(f"{'engine':<22} {'nDCG@10':>8} {'R@100':>7} {'index s':>8} {'query ms':>9}")
    rows = []
    for expand in (True, False):
        run, timing = run_atn_hub(docs, queries, language, expand=expand)
        scores = evaluate(run, qrels)
        name = "ATN Hub" + ("" if expand else " (expand=false)")
        rows.append((name, scores))
        print(f"{name:<22} {scores['ndcg@10']:>8.3f} {scores['recall@100']:>7.3f} {timing['index_s']:>8.2f} "
              f"{timing['median_query_ms']:>9.2f}")
    for name, run_baseline in BASELINES.items():
        run, timing = run_baseline(docs, queries, language=language)
        scores = evaluate(run, qrels)
        rows.append((name, scores))
        print(f"{name:<22} {scores['ndcg@10']:>8.3f} {scores['recall@100']:>7.3f} {timing.index_seconds:>8.2f} "
              f"{timing.median_query_ms:>9.2f}")
    best = max(scores["ndcg@10"] for name, scores in rows if not name.startswith("ATN"))
    ours = rows[0][1]["ndcg@10"]
    print(f"goal (>= best baseline {best:.3f}): {'met' if ours >= best - 1e-9 else 'NOT met'} ({ours - best:+.3f})")


if __name__ == "__main__":
    main(sys.argv[1:])
