"""Load a test collection and score a run with nDCG@10 and recall@100 (trec_eval definitions).

A collection folder holds corpus.jsonl (`_id`, `title`, `text`), queries.jsonl (`_id`, `text`) and
qrels.tsv (header, then query-id, corpus-id, score; a score of 0 or less is not relevant).
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from statistics import fmean

import pytrec_eval
from shared_data import collection

Run = dict[str, dict[str, float]]
Qrels = dict[str, dict[str, int]]

MEASURES = {"ndcg_cut.10": "ndcg@10", "recall.100": "recall@100"}


def load_collection(directory: str | Path) -> tuple[list[dict], dict[str, str], Qrels]:
    """Return (docs, queries by id, qrels). Judgments scored 0 or less are kept as 0: judged, not relevant."""
    folder = Path(directory)
    docs = _read_jsonl(folder / "corpus.jsonl")
    queries = {row["_id"]: row["text"] for row in _read_jsonl(folder / "queries.jsonl")}
    qrels: Qrels = {}
    with open(folder / "qrels.tsv", encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle, delimiter="\t")
        next(rows)  # header
        for query_id, doc_id, score in rows:
            qrels.setdefault(query_id, {})[doc_id] = max(0, int(float(score)))
    return docs, queries, qrels


def _read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def evaluate(run: Run, qrels: Qrels) -> dict[str, float]:
    """Mean nDCG@10 and recall@100 over every judged query; a query missing from the run scores 0."""
    evaluator = pytrec_eval.RelevanceEvaluator(qrels, set(MEASURES))
    per_query = evaluator.evaluate({qid: docs for qid, docs in run.items() if docs})
    means = {}
    for measure, name in MEASURES.items():
        key = measure.replace(".", "_")
        means[name] = fmean(per_query.get(qid, {}).get(key, 0.0) for qid in qrels)
    return means


def ndcg_at(ranking: dict[str, float], judgments: dict[str, int], depth: int = 10) -> float:
    """nDCG as trec_eval computes it: linear gains, log2 discount, ties broken by descending doc id."""
    ranked = sorted(ranking.items(), key=lambda item: (item[1], item[0]), reverse=True)[:depth]
    gains = [judgments.get(doc_id, 0) for doc_id, _ in ranked]
    ideal_gains = sorted((gain for gain in judgments.values() if gain > 0), reverse=True)[:depth]
    ideal = _dcg(ideal_gains)
    return _dcg(gains) / ideal if ideal > 0 else 0.0


def _dcg(gains: list[int]) -> float:
    return sum(gain / math.log2(rank + 2) for rank, gain in enumerate(gains) if gain > 0)


def mean_ndcg_at_10(run: Run, qrels: Qrels) -> float:
    return fmean(ndcg_at(run.get(qid, {}), judgments) for qid, judgments in qrels.items())


def check_against_pytrec(directory: str | Path = "cranfield") -> float:
    """Score an FTS5 run on one collection (named in the shared data, or its folder) both ways; assert they
    agree to 1e-6 and return the value."""
    from baselines import run_fts5  # imported here: baselines imports this module

    docs, queries, qrels = load_collection(collection(directory))
    run, _ = run_fts5(docs, queries)
    ours = mean_ndcg_at_10(run, qrels)
    theirs = evaluate(run, qrels)["ndcg@10"]
    assert abs(ours - theirs) < 1e-6, f"pure-Python nDCG@10 {ours} != pytrec_eval {theirs}"
    return ours


if __name__ == "__main__":
    print(f"nDCG@10 agrees with pytrec_eval: {check_against_pytrec():.6f}")
