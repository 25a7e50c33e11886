"""Which ranking choices hold on held-out queries, per collection and per record length.

    python bench/ranking_study.py [--seed 16] [--out DIR] [--only NAME,...] [COLLECTION ...]

Each collection of the shared data (default: every one) is studied in its length variants
(``bench/variants.py``: the XQuAD-R sets as single sentences, as shipped, as paragraphs, as whole
articles, long records, and mixed, half of the articles as sentences and half whole in one index; Cranfield's
abstracts as shipped, and with half of them not repeating their title). Each variant is imported once through
`atn-hub import` and indexed (``search_quality.imported_hub``); its queries are then answered by the engine as
the search service asks it for an anonymous caller (less facets and snippets, which do not change the
ranking), under every configuration (``KNOBS``: one knob at a time away from ``BEFORE``, the ranking before
this study, or ``--around after`` its first choice, ``--around now`` the ranking since K1 0.6; ``--knobs``: some
of them; ``--candidates``: whole configurations), the knobs set in place on the same index; and by bare Whoosh,
tantivy and SQLite FTS5.
Per-query nDCG@10 and recall@100 are written to ``--out`` (one JSON file a variant; configurations already
there are not run again), then analysed:

- the queries of each variant are shuffled with ``random.Random(seed)`` and cut in halves A and B;
- for each knob, its value is chosen on one half (best mean nDCG@10 over every variant; Whoosh's and the
  field's defaults win ties) and reported on the other, and the other way round;
- each held-out difference against the configuration the knobs vary from is given with its sign test
  (queries better / worse, ties left out; two-sided binomial p).
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from math import comb
from pathlib import Path
from statistics import fmean

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from baselines import BASELINES
from expansion_weight import per_query
from search_quality import imported_hub
from shared_data import shared_data
from variants import LENGTHS, variants
from whoosh.scoring import BM25F

from atn_hub.principal import ANONYMOUS
from atn_hub.services import search as search_service
from search_index import matchsets, query
from search_index.engine import SearchRequest

BEFORE = {"k1": 0.8, "b": 0.75, "title_b": 0.75, "coordination": 0.5, "title_boost": 1.5, "all_boost": 0.3}
# The ranking this study chose first (commit aa347ff); ``--around after`` varies the knobs around it instead.
AFTER = {**BEFORE, "b": 0.5, "coordination": 0.25, "title_boost": 1.0}
# Then K1 0.6, chosen with the mixed-length variants (commit 7861840); ``--around now``.
NOW = {**AFTER, "k1": 0.6}
AROUND = {"before": BEFORE, "after": AFTER, "now": NOW}
# One knob at a time away from BEFORE; each knob's values, the first being the one before this study.
KNOBS = {
    "k1": [0.8, 1.2, 1.0, 0.6],  # 0.6 and B 0.3: added when the mixed-length variant favoured the lowest values
    "b": [0.75, 0.5, 0.9, 0.3],
    "title_b": [0.75, 0.3],
    "coordination": [0.5, 0.0, 0.25],
    "title_boost": [1.5, 1.0],
    "all_boost": [0.3, 0.0],
}
# Also measured (at commit 9ba48f2, whose query builder had them), then dropped: a word's fields combined by
# dis-max (``tiebreak``: 0.3 of the other fields' scores) and its title and body combined so (``title_tiebreak``);
# at commits 137ef2b and 8ba96cd (around K1 0.6, with title boosts), whose documents.py had it, a summary indexed
# without its leading repeat of the title (``title_repeat=dropped``, a knob of the indexing: the variant imported
# once per value); at commit 08fd071, whose engine had it, a word's title and body scored as one BM25F field
# (``fields=one``: Robertson and Zaragoza's BM25F, the fields' normalised frequencies summed and saturated once).
# Whoosh's BM25F as it comes (no title boost, no coordination): the value preferred on a tie.
DEFAULTS = {"k1": 1.2, "b": 0.75, "title_b": 0.75, "coordination": 0.0, "title_boost": 1.0, "all_boost": 0.3}


def config_name(config: dict) -> str:
    """``before``, or the knobs that differ from it (``k1=1.2,b=0.5``)."""
    return ",".join(f"{k}={config[k]}" for k in sorted(config) if config[k] != BEFORE[k]) or "before"


def configurations(extra: list[dict], around: dict = BEFORE, knobs: tuple[str, ...] = tuple(KNOBS)) -> list[dict]:
    found = {config_name(around): around}
    for knob in knobs:
        for value in KNOBS[knob]:
            config = {**around, knob: value}
            found[config_name(config)] = config
    for config in extra:
        found[config_name(config)] = {**BEFORE, **config}
    return list(found.values())


def apply(config: dict, searcher) -> None:
    """Set the ranking's knobs in place: the searcher's BM25F, the query builder's boosts, the coordination."""
    fields = [name for name in searcher.schema.names() if name.startswith("title_")]
    searcher.weighting = BM25F(B=config["b"], K1=config["k1"], **{f"{f}_B": config["title_b"] for f in fields})
    query.TITLE_BOOST = config["title_boost"]
    query.ALL_FIELD_BOOST = config["all_boost"]
    matchsets.WORD_COORDINATION_POWER = config["coordination"]


def run_variant(docs, queries, qrels, language: str, configs: list[dict], baselines: bool = True) -> dict:
    runs = run_on_index(docs, queries, qrels, language, configs)
    for name, baseline in BASELINES.items() if baselines else ():
        run, _ = baseline(docs, queries, language=language)
        runs[name] = per_query(run, qrels)
    return runs


def run_on_index(docs, queries, qrels, language: str, configs: list[dict]) -> dict:
    """The configurations, on one import of ``docs`` (they differ only in knobs set in place)."""
    runs: dict[str, dict] = {}
    with imported_hub(docs, language) as (app, _):
        engine = app.extensions["atn_search"].engine
        visibility = search_service.visibility_for(ANONYMOUS)
        with app.app_context():
            for config in configs:
                searcher = engine.searcher()
                apply(config, searcher)
                run = {}
                for qid, text in queries.items():  # as the search service asks, less facets and snippets
                    found = engine.search(SearchRequest(q=text, visibility=visibility, page_size=100, facets=False,
                                                        snippets=False))
                    run[qid] = {hit.external_id: hit.score for hit in found.hits}
                assert engine.searcher() is searcher, "the searcher changed: the knobs were not applied to it"
                runs[config_name(config)] = per_query(run, qrels)
                print(f"  {config_name(config)}: {fmean(v[0] for v in runs[config_name(config)].values()):.4f}",
                      flush=True)
        apply(BEFORE, engine.searcher())
    return runs


def sign_test(deltas: list[float]) -> tuple[int, int, float]:
    """Queries better, worse, and the two-sided binomial p of that split (ties left out)."""
    wins, losses = sum(d > 1e-9 for d in deltas), sum(d < -1e-9 for d in deltas)
    n = wins + losses
    if not n:
        return 0, 0, 1.0
    tail = sum(comb(n, i) for i in range(0, min(wins, losses) + 1)) / 2 ** n
    return wins, losses, min(1.0, 2 * tail)


def halves(qids, seed: int) -> tuple[list[str], list[str]]:
    qids = sorted(qids)
    random.Random(seed).shuffle(qids)
    return qids[: len(qids) // 2], qids[len(qids) // 2:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("collections", nargs="*")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--out", default="bench/.ranking_study")
    parser.add_argument("--only", default="", help="variants to run, e.g. xquad-r-en/article")
    parser.add_argument("--candidates", default="[]",
                        help="JSON list of whole configurations (their changes to --around), one chosen on each half")
    parser.add_argument("--lengths", default=",".join(LENGTHS), help="the XQuAD-R sets' variants")
    parser.add_argument("--analyse-only", action="store_true")
    parser.add_argument("--around", choices=tuple(AROUND), default="before",
                        help="vary the knobs one at a time around the ranking before this study, its first choice, "
                             "or the ranking since K1 0.6")
    parser.add_argument("--knobs", default=",".join(KNOBS), help="the knobs to vary, e.g. k1,b")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    around = AROUND[args.around]
    candidates = [{**around, **changes} for changes in json.loads(args.candidates)]
    knobs = tuple(filter(None, args.knobs.split(",")))
    configs = configurations(candidates, around, knobs)
    names = args.collections or sorted(p.name for p in shared_data().iterdir() if (p / "queries.jsonl").exists())
    only = set(filter(None, args.only.split(",")))
    for name in names:
        for variant, (docs, queries, qrels, language) in variants(name, tuple(args.lengths.split(","))).items():
            key = f"{name}/{variant}"
            path = out / f"{name}--{variant}.json"
            if args.analyse_only or (only and key not in only):
                continue
            stored = json.loads(path.read_text()) if path.exists() else {}
            missing = [c for c in configs if config_name(c) not in stored]
            if not missing and all(b in stored for b in BASELINES):
                continue
            print(f"{key} ({language}): {len(docs)} docs, {len(queries)} queries", flush=True)
            stored.update(run_variant(docs, queries, qrels, language, missing,
                                      baselines=not all(b in stored for b in BASELINES)))
            path.write_text(json.dumps(stored))
    analyse(out, args.seed, configs, around, knobs)
    if candidates:
        choose(out, args.seed, candidates, around)


def choose(out: Path, seed: int, candidates: list[dict], around: dict = BEFORE) -> None:
    """The candidate with the best mean nDCG@10 over the variants on one half, reported on the other."""
    results = {p.stem.replace("--", "/"): json.loads(p.read_text()) for p in sorted(out.glob("*.json"))}
    names = [config_name(c) for c in candidates]
    results = {key: runs for key, runs in results.items() if all(name in runs for name in names)}
    split = {key: halves(next(iter(runs.values())).keys(), seed) for key, runs in results.items()}
    for side in (0, 1):
        means = {name: fmean(fmean(results[k][name][q][0] for q in split[k][side]) for k in results) for name in names}
        print(f"\nchosen on half {'AB'[side]}: {max(means, key=means.get)} "
              f"({'; '.join(f'{n}: {m:.4f}' for n, m in means.items())})")
    for candidate in candidates:
        report(out, seed, candidate, around)


def report(out: Path, seed: int, after: dict, around: dict = BEFORE) -> None:
    """Held-out halves of a configuration (``after``) against ``around`` (``before``: the ranking before this
    study) and the baselines, as Markdown."""
    results = {p.stem.replace("--", "/"): json.loads(p.read_text()) for p in sorted(out.glob("*.json"))}
    chosen, base = config_name(after), config_name(around)
    print(f"\n{chosen} against {base} ('before'): nDCG@10 on half A / half B; R@100 on all queries; "
          "sign tests per half (better/worse, p)")
    print("| variant | before | after | bare Whoosh | tantivy | FTS5 | R@100 before, after, Whoosh "
          "| after - before | after - Whoosh | after - the best baseline of each half |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for key, runs in results.items():
        if chosen not in runs or base not in runs:
            continue
        a, b = halves(next(iter(runs.values())).keys(), seed)
        cells = [f"{fmean(runs[e][q][0] for q in a):.3f} / {fmean(runs[e][q][0] for q in b):.3f}"
                 for e in (base, chosen, *BASELINES)]
        recall = ", ".join(f"{fmean(v[1] for v in runs[e].values()):.3f}" for e in (base, chosen, "whoosh"))
        tests = []
        for other in (base, "whoosh"):
            parts = []
            for half in (a, b):
                wins, losses, p = sign_test([runs[chosen][q][0] - runs[other][q][0] for q in half])
                parts.append(f"{wins}/{losses} p {p:.2f}")
            tests.append("; ".join(parts))
        parts = []
        for half in (a, b):
            best = max(BASELINES, key=lambda e: fmean(runs[e][q][0] for q in half))
            wins, losses, p = sign_test([runs[chosen][q][0] - runs[best][q][0] for q in half])
            parts.append(f"{best} {fmean(runs[chosen][q][0] - runs[best][q][0] for q in half):+.4f} "
                         f"{wins}/{losses} p {p:.2f}")
        tests.append("; ".join(parts))
        print(f"| {key} | " + " | ".join(cells) + f" | {recall} | " + " | ".join(tests) + " |")


def analyse(out: Path, seed: int, configs: list[dict], around: dict = BEFORE,
            knobs: tuple[str, ...] = tuple(KNOBS)) -> None:
    """Each knob chosen on one half and reported on the other, against ``around`` (the configuration the knobs
    vary from), over the variants that have every configuration; then per length, and every figure."""
    results = {p.stem.replace("--", "/"): json.loads(p.read_text()) for p in sorted(out.glob("*.json"))}
    results = {key: runs for key, runs in results.items() if all(config_name(c) in runs for c in configs)}
    split = {key: halves(next(iter(r.values())).keys(), seed) for key, r in results.items()}
    before = config_name(around)

    def mean(key, name, half, measure=0):
        return fmean(results[key][name][q][measure] for q in half)

    print(f"\nheld-out halves (seed {seed}): per knob, the value chosen on one half, reported on the other")
    for knob in knobs:
        values = KNOBS[knob]
        for chosen_on, held_out in ((0, 1), (1, 0)):
            names = {v: config_name({**around, knob: v}) for v in values}
            usable = [v for v in values if all(names[v] in r for r in results.values())]
            means = {v: round(fmean(mean(k, names[v], split[k][chosen_on]) for k in results), 6) for v in usable}
            top = max(means.values())
            tied = [v for v in usable if means[v] == top]
            best = DEFAULTS[knob] if DEFAULTS[knob] in tied else tied[0]
            listed = ", ".join(f"{v}: {m:.4f}" for v, m in means.items())
            print(f"{knob}: chosen on {'AB'[chosen_on]} -> {best} ({listed}); on {'AB'[held_out]}:")
            if best == around[knob]:
                continue
            for key in results:
                half = split[key][held_out]
                deltas = [results[key][names[best]][q][0] - results[key][before][q][0] for q in half]
                wins, losses, p = sign_test(deltas)
                print(f"  {key:<24} {mean(key, before, half):.4f} -> {mean(key, names[best], half):.4f} "
                      f"({fmean(deltas):+.4f}; {wins} better, {losses} worse, p {p:.3f})")
    lengths = sorted({key.split("/")[1] for key in results})
    print("\nper length: each configuration's nDCG@10 minus before's, mean over the variants of that length "
          "(all queries), and how many variants it raises / lowers")
    print(f"{'configuration':<28} " + " ".join(f"{length:>20}" for length in lengths))
    for name in [config_name(c) for c in configs] + list(BASELINES):
        cells = []
        for length in lengths:
            keys = [k for k in results if k.endswith("/" + length) and name in results[k]]
            deltas = [fmean(v[0] for v in results[k][name].values()) - fmean(v[0] for v in results[k][before].values())
                      for k in keys]
            cells.append(f"{fmean(deltas):+.4f} {sum(d > 0 for d in deltas)}/{sum(d < 0 for d in deltas)}"
                         if deltas else "")
        print(f"{name[:28]:<28} " + " ".join(f"{c:>20}" for c in cells))
    print("\nevery configuration, nDCG@10 A / B per variant; baselines below")
    for key in results:
        print(key)
        for name in [config_name(c) for c in configs] + list(BASELINES):
            if name in results[key]:
                a, b = split[key]
                print(f"  {name:<90} {mean(key, name, a):.4f} {mean(key, name, b):.4f}  "
                      f"R@100 {mean(key, name, a, 1):.4f} {mean(key, name, b, 1):.4f}")


if __name__ == "__main__":
    main()
