"""``atn-hub index`` and ``atn-hub worker``: the node's search index."""
from __future__ import annotations

import json
import signal
import sys
import time

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from .. import delivery
from ..extensions import get_db, node_files, node_search

index_group = AppGroup("index", help="The node's search index (a projection of the database).")


@index_group.command("rebuild")
def rebuild():
    """Build a fresh index from the database beside the live one, then swap it in (no downtime)."""
    with click.progressbar(length=1, label="indexing", file=sys.stderr) as bar:
        def progress(done, total):
            bar.length = max(total, 1)
            bar.update(done - bar.pos)

        started = time.monotonic()
        generation = node_search().indexer.rebuild(progress)
    click.echo(json.dumps({"generation": generation.name, "documents": node_search().engine.doc_count(),
                           "applied_seq": node_search().engine.applied_seq(),
                           "seconds": round(time.monotonic() - started, 2)}))


@index_group.command("verify")
def verify():
    """Compare the index with the database; exits 1 on any drift (missing, extra or stale documents)."""
    report = node_search().indexer.verify()
    drift = bool(report["missing"] or report["extra"] or report["stale"])
    click.echo(json.dumps({**report, "drift": drift,
                           "missing": report["missing"][:20], "extra": report["extra"][:20],
                           "stale": report["stale"][:20]}, indent=2))
    sys.exit(1 if drift else 0)


@index_group.command("catch-up")
def catch_up():
    """Apply the change log's new entries to the index now."""
    applied = node_search().indexer.catch_up(wait=30)
    click.echo(json.dumps({"applied": applied, "applied_seq": node_search().engine.applied_seq()}))


@click.command("worker")
@click.option("--interval", type=float, default=None, help="Seconds between polls of the change log.")
@click.option("--once", is_flag=True, help="Run one pass (index, webhook fan-out and due deliveries, files' text), "
                                         "then exit.")
@with_appcontext
def worker_command(interval, once):
    """Run the background work of this node until stopped (SIGTERM): index the change log, turn it into webhook
    deliveries and notifications and deliver them, extract files' text."""
    search = node_search()
    db = get_db()
    settings = current_app.config["ATN_SETTINGS"]
    channels = delivery.channels(settings)
    interval = interval or search.interval
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    click.echo(json.dumps({"worker": "started", "interval": interval}), err=True)
    try:
        files = node_files()
        while not stopping:
            search.indexer.catch_up(wait=0)
            # webhooks, notifications, then reminders: a failed part is logged and retried (raised with --once)
            delivery.run_once(db.session_factory, settings, channels, raise_errors=once)
            extracted = files.extract_pending(limit=1)
            if once:
                break
            if not extracted:
                time.sleep(interval)
    except KeyboardInterrupt:
        pass
