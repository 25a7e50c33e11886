"""Fault scenario: PostgreSQL stopped and restarted under load (run by hand, as root, on a machine whose
PostgreSQL cluster may be stopped for a few seconds: it stops the real server).

    python bench/pg_restart.py [--duration 90] [--stop-at 25] [--down 15] [--clients 12] [--records 2000]

1. A throw-away database on the local cluster, filled as in bench/load.py; `atn-hub serve -w 4` on it.
2. The mixed load of bench/load.py (80% search, 15% reads, 5% writes) for `--duration` seconds. At
   `--stop-at` seconds the cluster is stopped (`pg_ctlcluster <version> main stop -m fast`: every
   connection is cut), and started again `--down` seconds later.
3. While the database is away, an answer must be `503` with `Retry-After` (searches may still answer
   `200` from the node's index); anything else (another 5xx, a 500, a hung request, a dropped connection)
   is an error. After the restart every kind of request must succeed again: the time to the first
   successful write is printed.
4. Nothing lost: every write the server acknowledged (201, 200, 204) is in the database afterwards, as
   acknowledged (created records exist with their last acknowledged summary, deleted ones are gone), and
   `atn-hub index verify` finds no drift between the index and the database.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import ROOT, Client, Figures, Instance, Server, make_queries, report
from sqlalchemy import create_engine, text


def cluster() -> tuple[str, str]:
    line = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, check=True).stdout.split("\n")[0]
    version, name = line.split()[:2]
    return version, name


def pg_ctl(action: str) -> None:
    version, name = cluster()
    command = ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, action]
    if action == "stop":
        command += ["-m", "fast"]
    subprocess.run(command, check=True, timeout=60)


class OutageClient(Client):
    """A load client that accepts 503 + Retry-After while the database is away, and notes when."""


    def judge(self, kind, method, path, response, ms, expect):
        if response.status_code == 503 and response.headers.get("Retry-After"):
            self.figures.add(kind, ms, 503, True)
            with self.figures.lock:
                self.figures.unavailable.append(time.monotonic())
            return None
        accepted = super().judge(kind, method, path, response, ms, expect)
        if accepted is not None and kind.startswith("write"):
            with self.figures.lock:
                self.figures.write_ok.append(time.monotonic())
        return accepted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=90)
    parser.add_argument("--stop-at", type=float, default=25)
    parser.add_argument("--down", type=float, default=15)
    parser.add_argument("--clients", type=int, default=12)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()

    print(f"=== PostgreSQL stopped at {args.stop_at:.0f} s for {args.down:.0f} s, under load "
          f"({args.clients} clients, {args.workers} workers, {args.duration:.0f} s) ===", flush=True)
    ok = False
    with tempfile.TemporaryDirectory(prefix="atn-pg-restart-") as tmp:
        instance = Instance("postgres", Path(tmp), args.postgres)
        server = None
        try:
            setup = instance.fill(args.records)
            queries = [q for qs in make_queries(200).values() for q in qs]
            server = Server(instance, args.workers)
            server.wait_ready()
            figures = Figures()
            figures.unavailable, figures.write_ok = [], []
            started = time.monotonic()
            clients = [OutageClient(n, server.base, setup, queries, figures, started + args.duration)
                       for n in range(args.clients)]
            for c in clients:
                c.start()
            time.sleep(args.stop_at)
            stopped = time.monotonic()
            pg_ctl("stop")
            print(f"  {stopped - started:5.1f} s: PostgreSQL stopped", flush=True)
            time.sleep(args.down)
            pg_ctl("start")
            restarted = time.monotonic()
            print(f"  {restarted - started:5.1f} s: PostgreSQL started", flush=True)
            for c in clients:
                c.join()
            wall = time.monotonic() - started
            result = report(figures, wall)
            unavailable = figures.unavailable
            first_write = min((t for t in figures.write_ok if t > restarted), default=None)
            print(f"\n503 with Retry-After: {len(unavailable)} answers, from "
                  f"{(min(unavailable) - started) if unavailable else float('nan'):.1f} s to "
                  f"{(max(unavailable) - started) if unavailable else float('nan'):.1f} s")
            print("first acknowledged write after the restart: "
                  + (f"{first_write - restarted:.1f} s after it" if first_write else "NONE"))

            lag, t = server.index_lag(), time.monotonic()
            while lag != 0 and time.monotonic() - t < 60:
                time.sleep(0.5)
                lag = server.index_lag()
            server.stop()
            server = None

            # every acknowledged write is in the database, as acknowledged
            last: dict[str, tuple[str, str]] = {}  # a record is one client's: its acknowledgements are in order
            for c in clients:
                for action, record_id, summary in c.acknowledged:
                    last[record_id] = (action, summary)
            engine = create_engine(instance.url)
            with engine.connect() as conn:
                rows = dict(conn.execute(text("SELECT CAST(id AS text), summary FROM practice")).all())
            engine.dispose()
            lost = [(rid, a) for rid, (a, s) in last.items()
                    if (a == "deleted" and rid in rows) or (a != "deleted" and rows.get(rid) != s)]
            print(f"acknowledged writes: {sum(len(c.acknowledged) for c in clients)} on {len(last)} records; "
                  f"lost or different: {len(lost)}" + (f" {lost[:5]}" if lost else ""))
            verify = subprocess.run([str(Path(sys.executable).with_name("atn-hub")), "index", "verify"],
                                    env=instance.env, cwd=str(ROOT), capture_output=True, text=True, timeout=600)
            print(f"atn-hub index verify: exit {verify.returncode}")
            ok = (result["errors"] == 0 and bool(unavailable) and first_write is not None and not lost
                  and verify.returncode == 0)
            print(f"\nresult: {'PASS' if ok else 'FAIL'}")
        finally:
            if server is not None:
                server.stop()
            if subprocess.run(["pg_isready", "-h", "127.0.0.1"], capture_output=True).returncode != 0:
                pg_ctl("start")
            instance.drop()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
