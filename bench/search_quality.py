"""nDCG@10 and recall@100 of ATN Hub's search on the shared test collections, per length variant and per
held-out half of the queries, next to bare Whoosh, tantivy and SQLite FTS5 in the same run.

    python bench/search_quality.py [--seed 16] [--via api|service] [--lengths sentence,article] [COLLECTION ...]

Every collection of the shared data by default (``bench/shared_data.py``), or those named (a name there or a
folder), each in its length variants (``bench/variants.py``). A variant goes through the real path: a fresh
ATN Hub (SQLite, own instance folder), its documents written as practices to a JSON-lines file and imported
with `atn-hub import --type practice --publish`, indexed by the indexer, and every query sent as an
anonymous caller to GET /api/v1/search (``--via api``, through the app's WSGI stack with Flask's test client,
no socket; the defaults: OR of words, glossary expansion on, 100 hits; hits in the order answered) or given
to the search service in process (``--via service``, the path ``ranking_study.py`` uses).

The queries of each variant are shuffled with ``random.Random(seed)`` and cut in halves A and B, as
``ranking_study.py`` cuts them to choose the ranking: the ranking's choices are made on one half and hold
on the other. Each engine's nDCG@10 and recall@100 is printed on A, on B and on all queries, and ATN Hub's
per-query differences from bare Whoosh and from the best other baseline with a sign test.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from statistics import fmean

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

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
        app = create_app({"database_url": url, "instance_dir": Path(tmp), "indexer": "off", "log_level": "WARNING",
                          "rate_limits_enabled": False})  # 1,190 questions a minute are no abuse here
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


def answer_by_api(app, queries: dict[str, str]) -> dict[str, dict[str, float]]:
    """GET /api/v1/search as an anonymous caller (who is shown no scores: the hits' order stands for them). A
    query refused (400: a limit, such as the search's time on a loaded machine) finds nothing, and is counted."""
    client = app.test_client()
    run, refused = {}, []
    for qid, text in queries.items():
        response = client.get("/api/v1/search", query_string={"q": text, "page_size": 100})
        assert response.status_code in (200, 400), (text, response.status_code, response.get_data(as_text=True))
        if response.status_code == 400:
            refused.append(response.get_json().get("message", ""))
        hits = response.get_json()["hits"] if response.status_code == 200 else []
        run[qid] = {hit["external_id"]: float(len(hits) - rank) for rank, hit in enumerate(hits)}
    if refused:
        print(f"{len(refused)} queries refused, e.g. {refused[0]!r}")
    return run


def answer_by_service(app, queries: dict[str, str]) -> dict[str, dict[str, float]]:
    engine = app.extensions["atn_search"].engine
    run = {}
    with app.app_context():
        for qid, text in queries.items():
            found = search_service.search(engine, ANONYMOUS, {"q": text, "page_size": 100})
            run[qid] = {hit.external_id: hit.score for hit in found.hits}
    return run


def main() -> None:
    from baselines import BASELINES
    from expansion_weight import per_query
    from ranking_study import halves, sign_test
    from shared_data import shared_data
    from variants import LENGTHS, variants

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("collections", nargs="*")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--via", choices=("api", "service"), default="api")
    parser.add_argument("--lengths", default=",".join(LENGTHS), help="the XQuAD-R sets' variants")
    args = parser.parse_args()
    names = args.collections or sorted(p.name for p in shared_data().iterdir() if (p / "queries.jsonl").exists())
    answer = answer_by_api if args.via == "api" else answer_by_service
    summary = []
    for name in names:
        for variant, (docs, queries, qrels, language) in variants(name, tuple(args.lengths.split(","))).items():
            started = time.perf_counter()
            with imported_hub(docs, language) as (app, timing):
                scored = {"ATN Hub": per_query(answer(app, queries), qrels)}
                seconds = time.perf_counter() - started
            for engine, run_baseline in BASELINES.items():
                run, _ = run_baseline(docs, queries, language=language)
                scored[engine] = per_query(run, qrels)
            a, b = halves(qrels, args.seed)
            print(f"\n{name}/{variant} ({language}): {len(docs)} docs, {len(queries)} queries; ATN Hub {args.via}: "
                  f"import and index {timing['index_s']:.1f} s, all queries {seconds - timing['index_s']:.1f} s")
            print(f"{'engine':<8} {'nDCG A':>7} {'nDCG B':>7} {'nDCG':>7} {'R100 A':>7} {'R100 B':>7} {'R100':>7}")
            for engine, per in scored.items():
                cells = [fmean(per[q][m] for q in half) for m in (0, 1) for half in (a, b, list(qrels))]
                print(f"{engine:<8} " + " ".join(f"{c:>7.4f}" for c in cells))
            best = max(BASELINES, key=lambda e: fmean(v[0] for v in scored[e].values()))
            row = [f"{name}/{variant}"]
            for other in dict.fromkeys(("whoosh", best)):
                deltas = [scored["ATN Hub"][q][0] - scored[other][q][0] for q in qrels]
                wins, losses, p = sign_test(deltas)
                print(f"ATN Hub - {other}: nDCG@10 {fmean(deltas):+.4f} (queries better {wins}, worse {losses}, "
                      f"sign test p {p:.3f})")
                row.append(f"{other} {fmean(deltas):+.4f} ({wins}/{losses}, p {p:.3f})")
            summary.append(row)
    print("\nATN Hub's nDCG@10 minus bare Whoosh's and the best baseline's (queries better/worse, sign test p)")
    for row in summary:
        print("  " + "; ".join(row))


if __name__ == "__main__":
    main()
