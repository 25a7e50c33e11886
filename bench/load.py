"""Mixed load on ATN Hub served by `atn-hub serve` (gunicorn, 4 workers) on 127.0.0.1: 80% searches, 15% reads,
5% writes, by many clients at once for several minutes, on SQLite and on PostgreSQL. Afterwards the node's
index must agree exactly with the database (`atn-hub index verify`).

    python bench/load.py [--db sqlite|postgres|both] [--duration 180] [--clients 16] [--records 5000]

For each database:
1. A fresh instance in a temporary folder (PostgreSQL: a throw-away database `atn_load_<pid>` on
   `--postgres`, dropped at the end): migrations, `atn-hub demo load` (societies, topics, contacts,
   practices, training materials, demo accounts), then `--records` published practices made from the real
   passages of the shared data (as in search_speed.py) through `atn-hub import --publish`, indexed before
   the server starts. Personal access tokens for the demo members of six societies, the coordinator and
   the administrator are made in-process.
2. `atn-hub serve -w 4` on a free port (rate limits left on, raised far above the load so that they count
   but do not refuse: `ATN_RATE_LIMIT_IP`/`_CLIENT`).
3. `--clients` threads, each with its own HTTP session and caller (anonymous, a member, the coordinator or
   the administrator, in turn), send requests back to back for `--duration` seconds, each chosen at random:
   - 80% `GET /api/v1/search`: 1 to 4 words of the collections' real queries, a fifth of them with a filter
     (type, country or language), a tenth sorted by newest, a tenth on page 2;
   - 15% reads: a published practice, contact or training material by id, a list page, the changes feed;
   - 5% writes by members, on their own society's drafts: create a practice, edit it (If-Match with the
     ETag just received), submit it (it then waits for the coordinators), or delete it; each client keeps
   at most two drafts going.
   Any answer other than the expected 2xx (or a transport error) counts as an error and is printed.
4. Figures: requests, errors, throughput (requests/s) and p50/p95/p99 per kind and overall.
5. The load stops; the node's indexers get up to 60 s to apply the log (`/metrics` index lag 0), the
   server is stopped, and `atn-hub index verify` compares the index with the database: its exit code and
   report are printed (0 = no drift).

Everything listens on 127.0.0.1 only; the server runs in its own process group and is killed at the end,
on errors too.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import requests
from search_speed import SOCIETIES, free_port, make_queries, make_records, percentiles, stop_group
from sqlalchemy import create_engine, null, select, text

from atn_hub import create_app
from atn_hub.cli.database import upgrade
from atn_hub.extensions import get_db
from atn_hub.models import Contact, Practice, TrainingMaterial, User
from atn_hub.principal import SYSTEM
from atn_hub.services import accounts

ROOT = Path(__file__).resolve().parents[1]
SECRET = "load-bench-secret-key-not-for-production"
MIX = (0.80, 0.15, 0.05)  # searches, reads, writes (--mix)
WRITE_SOCIETIES = [s["code"] for s in SOCIETIES]
DEMO_DOMAIN = "demo.atn-hub.example"


# --- the instance ------------------------------------------------------------------------------------


class Instance:
    """A fresh database and instance folder, filled with demo data and `records` published practices."""

    def __init__(self, db: str, tmp: Path, postgres: str):
        self.tmp, self.db = tmp, db
        self.folder = tmp / "instance"
        self.folder.mkdir()
        self.admin_url = None
        if db == "sqlite":
            self.url = f"sqlite:///{self.folder}/atn.db"
        else:
            name = f"atn_load_{os.getpid()}"
            self.admin_url = postgres
            engine = create_engine(postgres, isolation_level="AUTOCOMMIT")
            with engine.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            engine.dispose()
            self.url = postgres.rsplit("/", 1)[0] + f"/{name}"
            self.pg_name = name

    @property
    def env(self) -> dict:
        return dict(os.environ, ATN_DATABASE_URL=self.url, ATN_INSTANCE_DIR=str(self.folder),
                    ATN_INDEX_DIR=str(self.folder / "index"), ATN_SECRET_KEY=SECRET, ATN_LOG_LEVEL="WARNING",
                    ATN_RATE_LIMIT_IP="1000000/minute", ATN_RATE_LIMIT_CLIENT="1000000/minute")

    def fill(self, records: int) -> dict:
        upgrade(self.url)
        app = create_app({"database_url": self.url, "instance_dir": self.folder,
                          "index_dir": self.folder / "index", "indexer": "off", "extractor": "off",
                          "log_level": "WARNING", "secret_key": SECRET})
        runner = app.test_cli_runner()
        out = runner.invoke(args=["demo", "load"])
        assert out.exit_code == 0, out.output
        societies, practices = self.tmp / "societies.jsonl", self.tmp / "practices.jsonl"
        societies.write_text("".join(json.dumps(s, ensure_ascii=False) + "\n" for s in SOCIETIES), encoding="utf-8")
        with practices.open("w", encoding="utf-8") as f:
            for record in make_records(records):
                f.write(json.dumps(record, ensure_ascii=False) + "\n")
        for record_type, path, extra in (("society", societies, []), ("practice", practices, ["--publish"])):
            out = runner.invoke(args=["import", "--type", record_type, *extra, str(path)])
            assert out.exit_code == 0, out.output
        search = app.extensions["atn_search"]
        t = time.perf_counter()
        search.indexer.catch_up(wait=10)
        print(f"  filled and indexed in {time.perf_counter() - t:.1f} s (index)", flush=True)

        with app.app_context():
            session = get_db().new_session()
            try:
                # members of the six societies' demo accounts (made by `demo load` for the societies it knew,
                # here for the bench's other societies too), the coordinator and the administrator
                users = {u.email: u for u in session.scalars(select(User))}
                tokens: dict[str, list[str]] = {"member": [], "coordinator": [], "admin": []}
                for code in WRITE_SOCIETIES:
                    email = f"member.{code.lower()}@{DEMO_DOMAIN}"
                    user = users.get(email) or accounts.create_user(
                        session, SYSTEM, email=email, name=f"Load member {code}", role="member",
                        society_code=code, password=None)
                    tokens["member"].append(accounts.create_personal_token(session, SYSTEM, user, scope=None,
                                                                           name="load")[1])
                for role in ("coordinator", "admin"):
                    user = users[f"{role}@{DEMO_DOMAIN}"]
                    tokens[role].append(accounts.create_personal_token(session, SYSTEM, user, scope=None,
                                                                       name="load")[1])
                published, public = {}, {}
                for path, model in (("practices", Practice), ("contacts", Contact),
                                    ("training-materials", TrainingMaterial)):
                    rows = session.execute(select(model.id, getattr(model, "visibility", null()))
                                           .where(model.status == "published").order_by(model.id).limit(2000))
                    rows = [(str(i), v) for i, v in rows]
                    published[path] = [i for i, _ in rows]
                    public[path] = [i for i, v in rows if v == "public"]  # contacts: none (network only)
                session.commit()
            finally:
                session.close()
        return {"tokens": tokens, "published": published, "public": public}

    def drop(self) -> None:
        if self.admin_url:
            engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
            with engine.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)'))
            engine.dispose()


class Server:
    """`atn-hub serve -w N` on a free port of 127.0.0.1, in its own process group."""

    def __init__(self, instance: Instance, workers: int):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = instance.tmp / "server.log"
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [str(Path(sys.executable).with_name("atn-hub")), "serve", "-w", str(workers),
             "-b", f"127.0.0.1:{self.port}"],
            env=instance.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True, cwd=str(ROOT))

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}; see {self.log_path}")
            try:
                if requests.get(f"{self.base}/health/ready", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.25)
        raise RuntimeError(f"the server was not ready within {timeout} s; see {self.log_path}")

    def index_lag(self) -> int | None:
        """The node's ``atn_index_lag`` at /metrics (/health/ready tells no counts)."""
        try:
            lines = requests.get(f"{self.base}/metrics", timeout=10).text.splitlines()
            return int(float(next(line for line in lines if line.startswith("atn_index_lag ")).split()[1]))
        except (requests.RequestException, StopIteration, ValueError):
            return None

    def stop(self) -> None:
        stop_group(self.process, 30)
        self.log.close()


# --- the clients -------------------------------------------------------------------------------------


class Figures:
    def __init__(self):
        self.lock = threading.Lock()
        self.elapsed: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.statuses: Counter = Counter()

    def add(self, kind: str, ms: float, status: int | str, ok: bool, detail: str = "") -> None:
        with self.lock:
            self.elapsed[kind].append(ms)
            self.statuses[(kind.split(" ")[0], status)] += 1
            if not ok:
                self.errors.append(f"{kind}: {status} {detail[:200]}")


class Client(threading.Thread):
    def __init__(self, n: int, base: str, setup: dict, queries: list[str], figures: Figures, stop_at: float,
                 mix: tuple[float, float, float] = MIX):
        super().__init__(daemon=True, name=f"client-{n}")
        self.mix = mix
        self.rng = random.Random(1000 + n)
        self.base, self.setup, self.queries, self.figures, self.stop_at = base, setup, queries, figures, stop_at
        tokens = setup["tokens"]
        # callers in turn: anonymous, members (one society each), the coordinator, the administrator
        callers = [None] + tokens["member"] + tokens["coordinator"] + tokens["admin"]
        self.reader = callers[n % len(callers)]
        self.writer = tokens["member"][n % len(tokens["member"])]
        self.session = requests.Session()
        self.drafts: list[tuple[str, str, str]] = []  # (id, etag, status)
        self.acknowledged: list[tuple[str, str, str]] = []  # (created|edited|deleted, id, summary) confirmed

    def call(self, kind: str, method: str, path: str, token: str | None, expect: tuple[int, ...], **kwargs):
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        t0 = time.perf_counter()
        try:
            response = self.session.request(method, self.base + path, headers=headers, timeout=60, **kwargs)
        except requests.RequestException as exc:
            self.figures.add(kind, (time.perf_counter() - t0) * 1000, type(exc).__name__, False, str(exc))
            return None
        if response.status_code not in (204, 304):
            _ = response.content  # read the whole body inside the timing
        return self.judge(kind, method, path, response, (time.perf_counter() - t0) * 1000, expect)

    def judge(self, kind: str, method: str, path: str, response: requests.Response, ms: float,
              expect: tuple[int, ...]) -> requests.Response | None:
        """Count the answer; the response if it is one of ``expect``, else None (an error)."""
        ok = response.status_code in expect
        self.figures.add(kind, ms, response.status_code, ok, f"{method} {path}: {response.text.strip()}")
        return response if ok else None

    def search(self) -> None:
        params = {"q": self.rng.choice(self.queries)}
        roll = self.rng.random()
        if roll < 0.2:
            params.update(self.rng.choice([{"type": "practice"}, {"type": "training-material"},
                                           {"country": self.rng.choice(WRITE_SOCIETIES)},
                                           {"language": self.rng.choice(["en", "de", "es", "el", "ru", "tr"])}]))
        elif roll < 0.3:
            params["sort"] = "newest"
        elif roll < 0.4:
            params["page"] = 2
        self.call("search", "GET", "/api/v1/search", self.reader, (200,), params=params)

    def read(self) -> None:
        published = self.setup["published" if self.reader else "public"]  # anonymous: public records only
        roll = self.rng.random()
        if roll < 0.6:
            kinds = [k for k in published if published[k]]
            path = self.rng.choice(kinds)
            self.call("read record", "GET", f"/api/v1/{path}/{self.rng.choice(published[path])}", self.reader, (200,))
        elif roll < 0.85:
            path = self.rng.choice(["practices", "contacts", "training-materials"])
            self.call("read list", "GET", f"/api/v1/{path}", self.reader, (200,),
                      params={"page": self.rng.randint(1, 5), "page_size": 20})
        else:
            self.call("read changes", "GET", "/api/v1/changes", self.reader, (200,),
                      params={"since": self.rng.randint(0, 3000), "limit": 50})

    def write(self) -> None:
        roll = self.rng.random()
        if not self.drafts or (len(self.drafts) < 2 and roll < 0.4):
            word = self.rng.choice(self.queries)
            body = {"title": f"Load test practice: {word}"[:300], "summary": f"Written under load about {word}.",
                    "body": " ".join(self.rng.sample(self.queries, 5)), "language": "en",
                    "countries": [self.rng.choice(WRITE_SOCIETIES)], "visibility": "network",
                    "external_id": f"load-{uuid.uuid4().hex[:12]}"}
            r = self.call("write create", "POST", "/api/v1/practices", self.writer, (201,), json=body)
            if r is not None:
                self.drafts.append((r.json()["id"], r.headers["ETag"], "draft"))
                self.acknowledged.append(("created", r.json()["id"], body["summary"]))
            return
        i = self.rng.randrange(len(self.drafts))
        record_id, etag, status = self.drafts[i]
        roll = self.rng.random()
        if status == "draft" and roll < 0.5:
            body = {"summary": f"Edited under load at {time.time():.3f}: {self.rng.choice(self.queries)}."}
            r = self.call("write edit", "PATCH", f"/api/v1/practices/{record_id}", self.writer, (200,),
                          json=body, headers={"If-Match": etag})
            if r is not None:
                self.drafts[i] = (record_id, r.headers["ETag"], "draft")
                self.acknowledged.append(("edited", record_id, body["summary"]))
        elif status == "draft" and roll < 0.8:
            r = self.call("write submit", "POST", f"/api/v1/practices/{record_id}/submit", self.writer, (200,))
            if r is not None:
                self.drafts.pop(i)  # in the coordinators' queue now: no longer the society's to change
        else:
            r = self.call("write delete", "DELETE", f"/api/v1/practices/{record_id}", self.writer, (204,))
            self.drafts.pop(i)
            if r is not None:
                self.acknowledged.append(("deleted", record_id, ""))

    def run(self) -> None:
        while time.monotonic() < self.stop_at:
            roll = self.rng.random()
            try:
                if roll < self.mix[0]:
                    self.search()
                elif roll < self.mix[0] + self.mix[1]:
                    self.read()
                else:
                    self.write()
            except Exception as exc:
                self.figures.add("client", 0.0, type(exc).__name__, False, repr(exc))


# --- one run -----------------------------------------------------------------------------------------


def run(db: str, args) -> dict:
    print(f"\n=== {db}: {args.records} practices + demo data, {args.workers} workers, {args.clients} clients, "
          f"{args.duration:.0f} s, mix {args.mix} (search, read, write %) ===", flush=True)
    result = {"db": db}
    with tempfile.TemporaryDirectory(prefix="atn-load-") as tmp:
        instance = Instance(db, Path(tmp), args.postgres)
        server = None
        try:
            setup = instance.fill(args.records)
            queries = [q for length, qs in make_queries(200).items() for q in qs]
            server = Server(instance, args.workers)
            server.wait_ready()
            for q in queries[:40]:  # warm every worker a little
                requests.get(f"{server.base}/api/v1/search", params={"q": q}, timeout=30)
            figures = Figures()
            started = time.monotonic()
            stop_at = started + args.duration
            clients = [Client(n, server.base, setup, queries, figures, stop_at, args.shares)
                       for n in range(args.clients)]
            for c in clients:
                c.start()
            next_report = started + 30
            while any(c.is_alive() for c in clients):
                time.sleep(1)
                if time.monotonic() >= next_report:
                    with figures.lock:
                        done = sum(len(v) for v in figures.elapsed.values())
                        errors = len(figures.errors)
                    print(f"  {time.monotonic() - started:5.0f} s: {done} requests, {errors} errors", flush=True)
                    next_report += 30
            wall = time.monotonic() - started
            result.update(report(figures, wall))

            # the node's indexers apply what is left of the log
            t = time.monotonic()
            lag = server.index_lag()
            while lag != 0 and time.monotonic() - t < 60:
                time.sleep(0.5)
                lag = server.index_lag()
            result["lag_after_s"] = time.monotonic() - t
            print(f"index lag after the load: {lag} ({result['lag_after_s']:.1f} s to reach it)", flush=True)
            server.stop()
            server = None
            verify = subprocess.run([str(Path(sys.executable).with_name("atn-hub")), "index", "verify"],
                                    env=instance.env, cwd=str(ROOT), capture_output=True, text=True, timeout=600)
            result["verify"] = verify.returncode
            print(f"atn-hub index verify: exit {verify.returncode}", flush=True)
            print("  " + (verify.stdout.strip() or verify.stderr.strip()).replace("\n", "\n  ")[:3000], flush=True)
        finally:
            if server is not None:
                server.stop()
            instance.drop()
    return result


def report(figures: Figures, wall: float) -> dict:
    every = [ms for values in figures.elapsed.values() for ms in values]
    groups: dict[str, list[float]] = defaultdict(list)
    for kind, values in figures.elapsed.items():
        groups[kind.split(" ")[0]].extend(values)
    print(f"\n{'kind':<16} {'n':>7} {'share':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    rows = sorted(figures.elapsed.items()) + sorted(groups.items()) + [("all", every)]
    for kind, values in rows:
        p = percentiles(values)
        print(f"{kind:<16} {len(values):>7} {len(values) / max(1, len(every)):>6.1%} {p['p50']:>8.1f} "
              f"{p['p95']:>8.1f} {p['p99']:>8.1f}")
    throughput = len(every) / wall
    print(f"\n{len(every)} requests in {wall:.0f} s: {throughput:.1f} requests/s; errors: {len(figures.errors)}")
    statuses = ", ".join(f"{k} {s}: {n}" for (k, s), n in sorted(figures.statuses.items(), key=str))
    print(f"statuses: {statuses}")
    for line in figures.errors[:20]:
        print(f"  error: {line}")
    p = percentiles(every)
    return {"requests": len(every), "errors": len(figures.errors), "throughput": throughput, **p}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--duration", type=float, default=180, help="seconds of load per database")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (threads)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--records", type=int, default=5000, help="published practices besides the demo data")
    parser.add_argument("--mix", default="80,15,5", help="percent of searches, reads and writes")
    parser.add_argument("--postgres", default=os.environ.get(
        "ATN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
        help="a PostgreSQL server (URL of any database on it; a throw-away database is created beside it)")
    args = parser.parse_args()
    args.shares = tuple(float(x) / 100 for x in args.mix.split(","))
    results = [run(db, args) for db in (["sqlite", "postgres"] if args.db == "both" else [args.db])]
    print("\nsummary")
    for r in results:
        print(f"  {r['db']:<9} {r['requests']} requests, {r['throughput']:.1f}/s, errors {r['errors']}, "
              f"p50 {r['p50']:.1f} ms, p95 {r['p95']:.1f} ms, p99 {r['p99']:.1f} ms, index verify exit {r['verify']}")
    sys.exit(0 if all(r["errors"] == 0 and r["verify"] == 0 for r in results) else 1)


if __name__ == "__main__":
    main()
