"""Speed of ATN Hub: bulk import, indexing, single writes that return once searchable, and search latency
over HTTP (gunicorn), next to a bare Whoosh searcher over the same records in the same run.

    python bench/search_speed.py --records 10000 [--records 100000] [--queries 300] [--writes 200]

For each size:
1. Records are made from real text: the passages of the shared data's */corpus.jsonl (cranfield and the
   XQuAD-R sets: de, el, en, es, ru, tr), cycled and combined (a passage plus one or two others of the same
   language) until the count is reached; each gets a title (the first words of its first passage), its
   language, a country among a few EU codes (its society) and visibility public.
   They are written as JSON lines and imported with `atn-hub import --type practice --publish` into SQLite
   in a temporary instance folder (bulk import throughput), then indexed by `indexer.catch_up()`
   (indexing throughput), separately.
2. The instance is served by gunicorn on 127.0.0.1; after a warm-up, `GET /api/v1/search?q=...` (facets are
   always computed) is sent for 1- to 4-word queries (words of the same collections' queries.jsonl,
   lower-cased, punctuation stripped), one at a time from one client (requests.Session); p50/p95/p99.
   Then `GET /api/v1/topics` on the same server, for reference: about the floor (HTTP, WSGI,
   authentication, rate limits, logging, JSON, and two small database queries) of any request.
3. Single writes: `POST /api/v1/practices?refresh=wait_for` with a personal access token, one at a time;
   writes/s and p50/p95 latency of a write that answers once it is searchable.
4. The same queries on a bare Whoosh index of the same records (one TEXT field, StemmingAnalyzer, OR of the
   words, top 10; only `searcher.search(...)` is timed); overhead ratio = ATN Hub p95 / bare p95.

Every loop is bounded by a count and a time limit; gunicorn listens on 127.0.0.1 only and is killed at the
end, on errors too.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import requests
from shared_data import shared_data
from whoosh import index as windex
from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import ID, TEXT, Schema
from whoosh.qparser import OrGroup, QueryParser

from atn_hub import create_app
from atn_hub.cli.database import upgrade
from atn_hub.extensions import get_db
from atn_hub.principal import ANONYMOUS, SYSTEM
from atn_hub.services import accounts
from atn_hub.services import search as search_service

DATA = shared_data()
COLLECTIONS = {"cranfield": "en", "xquad-r-de": "de", "xquad-r-el": "el", "xquad-r-en": "en",
               "xquad-r-es": "es", "xquad-r-ru": "ru", "xquad-r-tr": "tr"}
SOCIETIES = [  # a few EU societies; each record belongs to one and names its country
    {"code": "NL", "name": "Netherlands Red Cross", "name_local": "Nederlandse Rode Kruis", "languages": ["nl"]},
    {"code": "DE", "name": "German Red Cross", "name_local": "Deutsches Rotes Kreuz", "languages": ["de"]},
    {"code": "ES", "name": "Spanish Red Cross", "name_local": "Cruz Roja Española", "languages": ["es"]},
    {"code": "GR", "name": "Hellenic Red Cross", "name_local": "Ελληνικός Ερυθρός Σταυρός", "languages": ["el"]},
    {"code": "IT", "name": "Italian Red Cross", "name_local": "Croce Rossa Italiana", "languages": ["it"]},
    {"code": "FR", "name": "French Red Cross", "name_local": "Croix-Rouge française", "languages": ["fr"]},
]
WORD = re.compile(r"[^\W_]+")
TITLE_WORDS = 8
QUERY_LENGTHS = (1, 2, 3, 4)
GOAL_P95_MS, GOAL_RATIO, GOAL_IMPORT = 100.0, 1.5, 500.0
GOAL_AT_RECORDS = 100_000


# --- records and queries ------------------------------------------------------------------------------


def load_passages() -> dict[str, list[str]]:
    """language -> passages (title and text of each document, stripped of a leading BOM)."""
    by_language: dict[str, list[str]] = {}
    for name, language in COLLECTIONS.items():
        with (DATA / name / "corpus.jsonl").open(encoding="utf-8") as lines:
            for line in lines:
                doc = json.loads(line)
                text = doc.get("text", "").lstrip("\ufeff").strip()
                title = (doc.get("title") or "").strip()
                if title and not text.startswith(title):
                    text = f"{title}. {text}"
                if text:
                    by_language.setdefault(language, []).append(text)
    return by_language


def make_records(count: int, seed: int = 7) -> list[dict]:
    """`count` records: passages cycled; each combined with one or two other passages of its language,
    chosen differently in each cycle so that no two records have the same text."""
    rng = random.Random(seed)
    by_language = load_passages()
    pool = [(language, i) for language, passages in by_language.items() for i in range(len(passages))]
    rng.shuffle(pool)  # languages mixed at any count
    records = []
    for n in range(count):
        cycle, (language, i) = n // len(pool), pool[n % len(pool)]
        passages = by_language[language]
        parts = [passages[i]]
        for extra in range(1 + (n + cycle) % 2):
            parts.append(passages[(i + 1 + extra + cycle * 37 + rng.randrange(len(passages))) % len(passages)])
        words = parts[0].split()
        title = " ".join(words[:TITLE_WORDS]).rstrip(".,;:") or "·"
        society = SOCIETIES[rng.randrange(len(SOCIETIES))]["code"]
        text = " ".join(parts)
        records.append({"external_id": f"bench-{n}", "society": society, "title": title[:300],
                        "summary": text[:4000], "body": text[4000:], "language": language,
                        "countries": [society], "visibility": "public"})
    return records


def make_queries(per_length: int, seed: int = 11) -> dict[int, list[str]]:
    """n-word queries for n in 1..4: consecutive words of a real query of a random collection."""
    rng = random.Random(seed)
    questions: list[list[str]] = []
    for name in COLLECTIONS:
        with (DATA / name / "queries.jsonl").open(encoding="utf-8") as lines:
            for line in lines:
                words = WORD.findall(json.loads(line)["text"].lower())
                if words:
                    questions.append(words)
    queries: dict[int, list[str]] = {}
    for length in QUERY_LENGTHS:
        candidates = [q for q in questions if len(q) >= length]
        chosen = []
        for _ in range(per_length):
            words = rng.choice(candidates)
            start = rng.randrange(len(words) - length + 1)
            chosen.append(" ".join(words[start:start + length]))
        queries[length] = chosen
    return queries


# --- figures ------------------------------------------------------------------------------------------


def percentiles(values: list[float]) -> dict[str, float]:
    if len(values) < 2:
        v = values[0] if values else float("nan")
        return {"p50": v, "p95": v, "p99": v, "n": len(values)}
    q = statistics.quantiles(values, n=100, method="inclusive")
    return {"p50": q[49], "p95": q[94], "p99": q[98], "n": len(values)}


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


# --- gunicorn -----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    def __init__(self, instance: Path, url: str, workers: int, log: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, ATN_DATABASE_URL=url, ATN_INSTANCE_DIR=str(instance),
                   ATN_INDEX_DIR=str(instance / "index"), ATN_SECRET_KEY="bench-secret-key-not-for-production",
                   ATN_LOG_LEVEL="WARNING")
        self.log = log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{self.port}",
             "--log-level", "warning", "atn_hub.wsgi:app"],
            env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
            cwd=str(Path(__file__).resolve().parents[1]))

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log.name}")
            try:
                if requests.get(f"{self.base}/api/v1/search", params={"q": ""}, timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.25)
        raise RuntimeError(f"gunicorn did not answer within {timeout} s")

    def stop(self) -> None:
        stop_group(self.process, 15)
        self.log.close()


def stop_group(process: subprocess.Popen, timeout: float) -> None:
    """Stop a server started in its own session (the master and its workers): TERM, then KILL."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=timeout)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait(timeout=10)


# --- the phases ---------------------------------------------------------------------------------------


def timed_gets(session: requests.Session, url: str, params: list[dict], deadline: float) -> list[float]:
    """ms of each GET (its JSON read), one after another until ``deadline``; any answer but 200 stops the run."""
    elapsed = []
    for p in params:
        if time.monotonic() > deadline:
            break
        t0 = time.perf_counter()
        response = session.get(url, params=p, timeout=30)
        ms = (time.perf_counter() - t0) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} {p}: {response.status_code} {response.text[:300]}")
        response.json()
        elapsed.append(ms)
    return elapsed


def timed_http_searches(session: requests.Session, base: str, queries: list[str], deadline: float) -> list[float]:
    return timed_gets(session, f"{base}/api/v1/search", [{"q": q} for q in queries], deadline)


def bare_whoosh(records: list[dict], directory: Path, queries: dict[int, list[str]],
                deadline: float) -> tuple[float, dict[int, list[float]]]:
    started = time.perf_counter()
    directory.mkdir()
    schema = Schema(id=ID(stored=True, unique=True), body=TEXT(analyzer=StemmingAnalyzer()))
    ix = windex.create_in(str(directory), schema)
    writer = ix.writer(procs=1, limitmb=256)
    for record in records:
        writer.add_document(id=record["external_id"],
                            body=f"{record['title']} {record['summary']} {record['body']}")
    writer.commit()
    index_s = time.perf_counter() - started
    parser = QueryParser("body", schema, group=OrGroup)
    elapsed: dict[int, list[float]] = {}
    with ix.searcher() as searcher:  # BM25F by default
        for q in queries[1][:20]:  # warm-up
            searcher.search(parser.parse(q), limit=10)
        for length, texts in queries.items():
            elapsed[length] = []
            for q in texts:
                if time.monotonic() > deadline:
                    break
                query = parser.parse(q)
                t0 = time.perf_counter()
                searcher.search(query, limit=10)
                elapsed[length].append((time.perf_counter() - t0) * 1000)
    ix.close()
    return index_s, elapsed


def run_size(count: int, args) -> dict:
    print(f"\n=== {count} records ===", flush=True)
    t = time.perf_counter()
    records = make_records(count)
    queries = make_queries(args.queries)
    print(f"generated {len(records)} records in {time.perf_counter() - t:.1f} s "
          f"(languages: {', '.join(sorted({r['language'] for r in records}))})", flush=True)
    result: dict = {"records": count}
    with tempfile.TemporaryDirectory(prefix="atn-speed-") as tmp:
        instance = Path(tmp, "instance")
        url = f"sqlite:///{instance}/atn.db"
        instance.mkdir()
        upgrade(url)
        app = create_app({"database_url": url, "instance_dir": instance, "index_dir": instance / "index",
                          "indexer": "off", "log_level": "WARNING",
                          "secret_key": "bench-secret-key-not-for-production"})
        runner = app.test_cli_runner()
        societies, practices = Path(tmp, "societies.jsonl"), Path(tmp, "practices.jsonl")
        societies.write_text("".join(json.dumps(s) + "\n" for s in SOCIETIES))
        with practices.open("w", encoding="utf-8") as f:
            for record in records:
                f.write(json.dumps(record, ensure_ascii=False) + "\n")
        out = runner.invoke(args=["import", "--type", "society", str(societies)])
        assert out.exit_code == 0, out.output

        # 1a. bulk import
        t = time.perf_counter()
        out = runner.invoke(args=["import", "--type", "practice", "--publish", str(practices)])
        result["import_s"] = time.perf_counter() - t
        assert out.exit_code == 0, out.output
        print(f"import: {out.output.strip().splitlines()[-1]} in {result['import_s']:.1f} s", flush=True)

        # 1b. indexing the imported log
        search = app.extensions["atn_search"]
        t = time.perf_counter()
        applied = search.indexer.catch_up(wait=10)
        result["index_s"] = time.perf_counter() - t
        with app.app_context():
            indexed = search.engine.doc_count()
        print(f"indexed: {applied} log rows, {indexed} documents in {result['index_s']:.1f} s", flush=True)
        assert indexed >= count, f"only {indexed} of {count} records indexed"

        # an administrator's personal access token for the writes
        with app.app_context():
            session = get_db().new_session()
            try:
                user = accounts.create_user(session, SYSTEM, email="bench-admin@example.org", name="Bench admin",
                                            role="admin", society_code=None, password=None)
                _, token = accounts.create_personal_token(session, SYSTEM, user, scope=None, name="bench")
                session.commit()
            finally:
                session.close()

        # in-process search service, same queries (no HTTP, no JSON): to see where the time goes
        with app.app_context():
            for q in queries[1][:20]:
                search_service.search(search.engine, ANONYMOUS, {"q": q})
            deadline = time.monotonic() + args.time_limit
            service: list[float] = []
            for length in QUERY_LENGTHS:
                for q in queries[length][: max(1, args.queries // 3)]:
                    if time.monotonic() > deadline:
                        break
                    t0 = time.perf_counter()
                    search_service.search(search.engine, ANONYMOUS, {"q": q})
                    service.append((time.perf_counter() - t0) * 1000)
            result["service"] = percentiles(service)
        search.stop()

        # 2. HTTP searches, 3. single writes: gunicorn
        server = Gunicorn(instance, url, args.workers, Path(tmp, "gunicorn.log"))
        try:
            server.wait_ready()
            http = requests.Session()
            warm = [q for length in QUERY_LENGTHS for q in queries[length][:10]]
            for _ in range(2):  # every worker opens its searcher and fills its caches
                timed_http_searches(http, server.base, warm, time.monotonic() + 120)
            deadline = time.monotonic() + args.time_limit
            ours = {length: timed_http_searches(http, server.base, queries[length], deadline)
                    for length in QUERY_LENGTHS}
            result["ours"] = {length: percentiles(v) for length, v in ours.items()}
            result["ours"]["all"] = percentiles([x for v in ours.values() for x in v])
            print(f"searched: {result['ours']['all']['n']} queries over HTTP", flush=True)
            # The floor: a small request through the same server and middleware (two small queries, no search)
            result["floor"] = percentiles(timed_gets(http, f"{server.base}/api/v1/topics", [{}] * 200,
                                                     time.monotonic() + args.time_limit))

            headers = {"Authorization": f"Bearer {token}"}
            writes, searchable = [], 0
            deadline = time.monotonic() + args.time_limit
            started = time.perf_counter()
            for n in range(args.writes):
                if time.monotonic() > deadline:
                    break
                record = dict(records[n % len(records)], external_id=f"bench-write-{n}")
                t0 = time.perf_counter()
                response = http.post(f"{server.base}/api/v1/practices", params={"refresh": "wait_for"},
                                     json=record, headers=headers, timeout=30)
                writes.append((time.perf_counter() - t0) * 1000)
                if response.status_code != 201:
                    raise RuntimeError(f"write {n}: {response.status_code} {response.text[:300]}")
                searchable += response.headers.get("X-Searchable") == "true"
            result["writes_s"] = time.perf_counter() - started
            result["writes"] = percentiles(writes)
            result["searchable"] = searchable
            print(f"wrote: {len(writes)} practices, {searchable} answered X-Searchable: true", flush=True)
        finally:
            server.stop()

        # 4. bare Whoosh, same records and queries
        deadline = time.monotonic() + args.time_limit
        result["bare_index_s"], bare = bare_whoosh(records, Path(tmp, "bare"), queries, deadline)
        result["bare"] = {length: percentiles(v) for length, v in bare.items()}
        result["bare"]["all"] = percentiles([x for v in bare.values() for x in v])
    print_size(result, args)
    return result


def print_size(r: dict, args) -> None:
    count = r["records"]
    imp, idx = count / r["import_s"], count / r["index_s"]
    w = r["writes"]
    print(f"\nATN Hub speed, {count} records (gunicorn -w {args.workers}, SQLite, 2 cores)")
    print(f"{'measure':<44} {'value':>12}   goal")
    print(f"{'bulk import (atn-hub import --publish)':<44} {imp:>8.0f} r/s   >= {GOAL_IMPORT:.0f} r/s: "
          f"{verdict(imp >= GOAL_IMPORT)} ({r['import_s']:.1f} s)")
    print(f"{'indexing (indexer.catch_up)':<44} {idx:>8.0f} r/s   ({r['index_s']:.1f} s)")
    print(f"{'bare Whoosh indexing (1 field, 1 commit)':<44} {count / r['bare_index_s']:>8.0f} r/s   "
          f"({r['bare_index_s']:.1f} s)")
    print(f"{'single writes (POST ?refresh=wait_for)':<44} {w['n'] / r['writes_s']:>8.1f} w/s   "
          f"p50 {w['p50']:.1f} ms, p95 {w['p95']:.1f} ms, {r['searchable']}/{w['n']} searchable on return")
    print(f"\n{'query words':<12} {'n':>5} {'ATN p50':>8} {'p95':>8} {'p99':>8} {'bare p50':>9} {'p95':>8} "
          f"{'p99':>8} {'ratio p50':>9} {'ratio p95':>9}")
    for key in (*QUERY_LENGTHS, "all"):
        o, b = r["ours"][key], r["bare"][key]
        print(f"{str(key):<12} {o['n']:>5} {o['p50']:>8.1f} {o['p95']:>8.1f} {o['p99']:>8.1f} {b['p50']:>9.1f} "
              f"{b['p95']:>8.1f} {b['p99']:>8.1f} {o['p50'] / b['p50']:>9.2f} {o['p95'] / b['p95']:>9.2f}")
    s = r["service"]
    print(f"(in-process search service, no HTTP: p50 {s['p50']:.1f} ms, p95 {s['p95']:.1f} ms over {s['n']} "
          f"queries)")
    f = r["floor"]
    print(f"(HTTP floor, GET /api/v1/topics on the same server: p50 {f['p50']:.1f} ms, p95 {f['p95']:.1f} ms: about "
          f"what any request costs here besides its own work)")
    o, b = r["ours"]["all"], r["bare"]["all"]
    scope = "" if count >= GOAL_AT_RECORDS else f" (the goal is for {GOAL_AT_RECORDS} records; this is {count})"
    print(f"\ngoal p95 < {GOAL_P95_MS:.0f} ms: {verdict(o['p95'] < GOAL_P95_MS)} ({o['p95']:.1f} ms){scope}")
    print(f"goal overhead ratio (p95) < {GOAL_RATIO}: {verdict(o['p95'] / b['p95'] < GOAL_RATIO)} "
          f"({o['p95'] / b['p95']:.2f}; p50 ratio {o['p50'] / b['p50']:.2f}){scope}")
    print(f"goal bulk import >= {GOAL_IMPORT:.0f} records/s: {verdict(imp >= GOAL_IMPORT)} ({imp:.0f})", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, action="append", help="records to load (repeatable)")
    parser.add_argument("--queries", type=int, default=300, help="queries per query length (1 to 4 words)")
    parser.add_argument("--writes", type=int, default=200, help="single writes over HTTP")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--time-limit", type=float, default=300, help="seconds at most per timed loop")
    args = parser.parse_args()
    for count in args.records or [10_000]:
        run_size(count, args)


if __name__ == "__main__":
    main()
