"""The weight of glossary expansions (``search_index.query.EXPANSION_BOOST``), chosen on held-out halves.

    python bench/expansion_weight.py [--weights 1,0.7,0.5,0.3,0.2,0.1] [--seed 16] [COLLECTION ...]

Each collection (default: every one in the shared data) goes through the real path once (as in
``search_quality.py``: imported as practices, indexed, searched by the search service as an anonymous caller),
and its queries are answered at each weight; only queries naming a glossary concept are asked again (the
others' answers do not depend on the weight). The queries of each collection are split in two halves with a
fixed seed; the weight with the best mean nDCG@10 over the collections on one half is reported on the other
half, and the other way round. The weights tied at the best are printed (the lowest is reported).
"""
from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path
from statistics import fmean

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pytrec_eval
from baselines import language_of
from metrics import load_collection
from search_quality import imported_hub
from shared_data import collection, shared_data

from atn_hub.principal import ANONYMOUS
from atn_hub.services import search as search_service
from search_index import query as query_module
from search_index.glossary import default_glossary


def per_query(run: dict, qrels: dict) -> dict[str, tuple[float, float]]:
    """query id -> (nDCG@10, recall@100), 0 for a query without an answer."""
    scored = pytrec_eval.RelevanceEvaluator(qrels, {"ndcg_cut.10", "recall.100"}).evaluate(
        {qid: docs for qid, docs in run.items() if docs})
    return {qid: (scored.get(qid, {}).get("ndcg_cut_10", 0.0), scored.get(qid, {}).get("recall_100", 0.0))
            for qid in qrels}


def runs_by_weight(directory: Path, weights: list[float]) -> tuple[dict[float, dict], dict, int]:
    docs, queries, qrels = load_collection(directory)
    language = language_of(directory)
    glossary = default_glossary()
    named = {qid for qid, text in queries.items() if glossary.match(text)}
    runs: dict[float, dict] = {}
    with imported_hub(docs, language) as (app, _):
        search = app.extensions["atn_search"]
        with app.app_context():
            def answer(text: str) -> dict[str, float]:
                found = search_service.search(search.engine, ANONYMOUS, {"q": text, "page_size": 100})
                return {hit.external_id: hit.score for hit in found.hits}

            base: dict[str, dict[str, float]] = {}
            for n, weight in enumerate(weights):
                query_module.EXPANSION_BOOST = weight
                asked = queries if n == 0 else {qid: queries[qid] for qid in named}
                runs[weight] = {**base, **{qid: answer(text) for qid, text in asked.items()}}
                if n == 0:
                    base = {qid: hits for qid, hits in runs[weight].items() if qid not in named}
    return {weight: per_query(run, qrels) for weight, run in runs.items()}, qrels, len(named)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("collections", nargs="*")
    parser.add_argument("--weights", default="1,0.7,0.5,0.4,0.3,0.2,0.1")
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()
    weights = [float(w) for w in args.weights.split(",")]
    names = args.collections or sorted(p.name for p in shared_data().iterdir() if (p / "queries.jsonl").exists())
    scores: dict[str, dict[float, dict]] = {}
    halves: dict[str, tuple[list[str], list[str]]] = {}
    for name in names:
        scores[name], qrels, named = runs_by_weight(collection(name), weights)
        qids = sorted(qrels)
        random.Random(args.seed).shuffle(qids)
        halves[name] = (qids[: len(qids) // 2], qids[len(qids) // 2:])
        print(f"{name}: {len(qids)} queries, {named} name a glossary concept", flush=True)

    def mean(name: str, weight: float, half: list[str], measure: int) -> float:
        return fmean(scores[name][weight][qid][measure] for qid in half)

    print("\nnDCG@10 / R@100 per half (A, B) and weight")
    print(f"{'collection':<12} {'weight':>6} {'A nDCG':>7} {'A R100':>7} {'B nDCG':>7} {'B R100':>7}")
    for name in names:
        for weight in weights:
            a, b = halves[name]
            print(f"{name:<12} {weight:>6} {mean(name, weight, a, 0):>7.4f} {mean(name, weight, a, 1):>7.4f} "
                  f"{mean(name, weight, b, 0):>7.4f} {mean(name, weight, b, 1):>7.4f}")
    for chosen_on, held_out in ((0, 1), (1, 0)):
        label, other = "AB"[chosen_on], "AB"[held_out]
        # the best mean nDCG@10 over the collections on one half; ties to the lower weight
        means = {w: round(fmean(mean(n, w, halves[n][chosen_on], 0) for n in names), 9) for w in weights}
        tied = [w for w in weights if means[w] == max(means.values())]
        best = min(tied)
        print(f"\nchosen on half {label}: weight {best} (best mean nDCG@10 {max(means.values()):.4f}, at "
              f"{', '.join(map(str, tied))}); held-out half {other}, first weight {weights[0]} -> {best}:")
        for name in names:
            half = halves[name][held_out]
            print(f"  {name:<12} nDCG@10 {mean(name, weights[0], half, 0):.4f} -> {mean(name, best, half, 0):.4f}"
                  f"   R@100 {mean(name, weights[0], half, 1):.4f} -> {mean(name, best, half, 1):.4f}")


if __name__ == "__main__":
    main()
