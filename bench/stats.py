"""Speed of GET /api/v1/stats on a large hub, per caller class (anonymous, a society's member, a coordinator,
an administrator), counted afresh (ATN_STATS_CACHE_SECONDS=0) and read from the kept figures.

    python bench/stats.py --records 100000 [--instance DIR] [--repeat 15] [--database-url URL]

1. Records are made as bench/search_speed.py makes them (real passages of the shared collections, cycled and
   combined; a society among a few EU ones), with 1 to 3 countries and 0 to 3 topics each, and imported with
   `atn-hub import`: 80 % published (half public, half network), 20 % left as drafts; plus one contact for
   every 20 records (published, half of them past their review date). An instance folder given with
   --instance is kept, and reused by a later run with the same --records (the import is the slow part).
2. A history is appended to the change log: one submission and its decision for one record in five, over the
   24 months before now (waits of minutes to weeks), and one draft in fifty submitted and waiting in the
   queue.
3. GET /api/v1/stats through the app (Flask's test client: no HTTP server, so the figures are the endpoint's
   own work), --repeat times per caller class, unfiltered and filtered (type=practice&country=NL); then with
   the figures kept (ATN_STATS_CACHE_SECONDS=60): the first answer of a class (it counts) and the next ones
   (they read); then after a change, the answers (still read) and the delivery pass that counts every class
   again, timed on its own.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from search_speed import SOCIETIES, make_records
from sqlalchemy import func, insert, select, update

from atn_hub import create_app
from atn_hub.cli.data import DEMO_DIR
from atn_hub.cli.database import upgrade
from atn_hub.models import ChangeLog, Practice, Society, StatsSnapshot, Submission
from atn_hub.principal import SYSTEM
from atn_hub.services import accounts, stats

DEMO = DEMO_DIR
CODES = [s["code"] for s in SOCIETIES]


def topic_codes() -> list[str]:
    return [json.loads(line)["code"] for line in (DEMO / "topics.jsonl").read_text(encoding="utf-8").splitlines()]


def write_lines(path: Path, rows) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


def load(app, folder: Path, count: int) -> None:
    rng = random.Random(3)
    topics = topic_codes()
    runner = app.test_cli_runner()
    records = make_records(count)
    for n, record in enumerate(records):
        others = rng.sample([c for c in CODES if c != record["society"]], rng.randrange(0, 3))
        record["countries"] = [record["society"], *others]
        record["topics"] = rng.sample(topics, rng.randrange(0, 4))
        record["visibility"] = "public" if n % 2 else "network"
    published, drafts = records[: count * 8 // 10], records[count * 8 // 10:]
    now = datetime.now(UTC)
    contacts = [{"external_id": f"bench-contact-{n}", "society": CODES[n % len(CODES)], "name": f"Person {n}",
                 "role": "Focal point", "country": CODES[n % len(CODES)], "languages": ["en"],
                 "review_due_at": (now + timedelta(days=rng.randrange(-400, 400))).isoformat(),
                 "visibility": "public" if n % 2 else "network"} for n in range(count // 20)]
    steps = [("society", write_lines(folder / "societies.jsonl", SOCIETIES), False),
             ("topic", DEMO / "topics.jsonl", False),
             ("practice", write_lines(folder / "published.jsonl", published), True),
             ("practice", write_lines(folder / "drafts.jsonl", drafts), False),
             ("contact", write_lines(folder / "contacts.jsonl", contacts), True)]
    for kind, path, publish in steps:
        started = time.perf_counter()
        out = runner.invoke(args=["import", "--type", kind, *(["--publish"] if publish else []), str(path)])
        assert out.exit_code == 0, out.output
        print(f"imported {path.name}: {out.output.strip().splitlines()[-1]} in "
              f"{time.perf_counter() - started:.1f} s", flush=True)
    history(app, count, rng)


def history(app, count: int, rng: random.Random) -> None:
    """Submissions and decisions over two years (appended to the log), and a queue of waiting drafts."""
    session = app.extensions["atn_db"].new_session()
    try:
        societies = dict(session.execute(select(Society.code, Society.id)).all())
        now = datetime.now(UTC)
        rows = []
        for n in range(count // 5):
            decided = now - timedelta(days=rng.uniform(0, 730))
            submitted = decided - timedelta(minutes=rng.expovariate(1 / (3 * 24 * 60)))
            record_id, society = str(uuid.uuid4()), societies[CODES[n % len(CODES)]]
            decision = rng.choice(["published", "published", "changes_requested", "rejected"])
            for action, at in (("submitted", submitted), (decision, decided)):
                rows.append({"at": at, "society_id": society, "record_type": "practice", "record_id": record_id,
                             "action": action, "payload": {}})
        for start in range(0, len(rows), 5000):
            session.execute(insert(ChangeLog), rows[start:start + 5000])
        waiting = list(session.execute(select(Practice.id, Practice.society_id).where(Practice.status == "draft")
                                       .limit(count // 50)))
        session.execute(update(Practice).where(Practice.id.in_([i for i, _ in waiting])).values(status="submitted"))
        session.execute(insert(Submission), [{"id": uuid.uuid4(), "record_type": "practice", "record_id": i,
                                              "kind": "new", "society_id": s, "version": 1,
                                              "submitted_at": now - timedelta(hours=rng.uniform(0, 24 * 60))}
                                             for i, s in waiting])
        session.commit()
        print(f"history: {len(rows)} change-log rows, {len(waiting)} submissions waiting", flush=True)
    finally:
        session.close()


def callers(app) -> dict[str, dict]:
    session = app.extensions["atn_db"].new_session()
    try:
        made = {"anonymous": {}}
        for name, role, society in (("member (NL)", "member", "NL"), ("coordinator (DE)", "coordinator", "DE"),
                                    ("admin", "admin", None)):
            user = accounts.create_user(session, SYSTEM, email=f"bench-{uuid.uuid4().hex[:8]}@example.org",
                                        name=name, role=role, society_code=society, password=None)
            _, token = accounts.create_personal_token(session, SYSTEM, user, scope=None, name="bench")
            made[name] = {"Authorization": f"Bearer {token}"}
        session.commit()
        return made
    finally:
        session.close()


def timed(client, headers: dict, query: str, repeat: int) -> list[tuple[float, float]]:
    """(wall ms, CPU ms of this process) of each call: SQLite works in this process, so its CPU time is the
    endpoint's own work, whatever else the machine runs meanwhile."""
    elapsed = []
    for _ in range(repeat):
        started, cpu = time.perf_counter(), time.process_time()
        response = client.get(f"/api/v1/stats{query}", headers=headers)
        elapsed.append(((time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000))
        assert response.status_code == 200, response.get_json()
    return elapsed


def summary(values: list[tuple[float, float]]) -> str:
    wall = sorted(v[0] for v in values)
    p95 = wall[max(0, round(0.95 * len(wall)) - 1)]
    return (f"wall p50 {statistics.median(wall):6.0f}  p95 {p95:6.0f}  max {max(wall):6.0f}   "
            f"cpu p50 {statistics.median(v[1] for v in values):6.0f}")


def background(app, reader, people: dict[str, dict], repeat: int) -> None:
    """After a change: requests still read the kept figures while the delivery pass counts them again."""
    session = app.extensions["atn_db"].new_session()
    society = session.scalar(select(Society.id).limit(1))
    session.execute(insert(ChangeLog).values(at=datetime.now(UTC), society_id=society, record_type="practice",
                                             record_id=str(uuid.uuid4()), action="updated", payload={}))
    session.execute(update(StatsSnapshot).values(counted_at=datetime.now(UTC) - timedelta(minutes=2)))
    session.commit()
    session.close()
    for name, headers in people.items():
        print(f"  {name:<18} after a change  {summary(timed(reader, headers, '', repeat))}", flush=True)
    started, cpu = time.perf_counter(), time.process_time()
    counted = stats.refresh(app.extensions["atn_db"].session_factory, app.config["ATN_SETTINGS"])
    print(f"  the delivery pass counted {counted} snapshots again: wall {(time.perf_counter() - started) * 1000:6.0f}"
          f"  cpu {(time.process_time() - cpu) * 1000:6.0f} ms (off the requests)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--instance", type=Path, help="a folder to keep the loaded hub in (reused when loaded)")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--database-url", help="an empty (or loaded) database instead of SQLite in the instance "
                                               "folder, e.g. postgresql+psycopg://postgres@127.0.0.1/atn_stats")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="atn-stats-") as tmp:
        folder = (args.instance or Path(tmp)).resolve()
        folder.mkdir(parents=True, exist_ok=True)
        url = args.database_url or f"sqlite:///{folder / 'atn.db'}"
        backend = "PostgreSQL" if url.startswith("postgres") else "SQLite"
        upgrade(url)
        settings = {"database_url": url, "instance_dir": folder, "indexer": "off", "extractor": "off",
                    "delivery": "off", "log_level": "WARNING", "secret_key": "bench-secret-key-not-for-production"}
        app = create_app({**settings, "stats_cache_seconds": 0})
        session = app.extensions["atn_db"].new_session()
        loaded = session.scalar(select(func.count()).select_from(Practice))
        session.close()
        if loaded != args.records:
            assert not loaded, f"{folder} holds {loaded} practices, not {args.records}: give another --instance"
            load(app, folder, args.records)
        people = callers(app)
        client = app.test_client()
        print(f"\nGET /api/v1/stats, {args.records} practices (+ {args.records // 20} contacts), {backend}, "
              f"in-process, {args.repeat} calls each, ms (cpu: this process's)")
        for query in ("", "?type=practice&country=NL"):
            for name, headers in people.items():
                timed(client, headers, query, 1)  # warm-up
                figures = summary(timed(client, headers, query, args.repeat))
                print(f"  {name:<18} {query or '(no filter)':<28} {figures}", flush=True)
        kept = create_app({**settings, "stats_cache_seconds": 60})
        reader = kept.test_client()
        for name, headers in people.items():
            first = timed(reader, headers, "", 1)[0][0]
            print(f"  {name:<18} kept: first {first:6.0f}, then {summary(timed(reader, headers, '', args.repeat))}",
                  flush=True)
        background(kept, reader, people, args.repeat)
        for extension in ("atn_search", "atn_files", "atn_delivery"):
            kept.extensions[extension].stop()
        for extension in ("atn_search", "atn_files", "atn_delivery"):
            app.extensions[extension].stop()


if __name__ == "__main__":
    main()
