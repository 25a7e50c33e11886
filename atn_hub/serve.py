"""``atn-hub serve``: gunicorn with production defaults, configured from the command line and ATN_* settings."""
from __future__ import annotations

import multiprocessing
import os
import shutil
from pathlib import Path

from gunicorn.app.base import BaseApplication
from gunicorn.util import import_app

WSGI_APP = "atn_hub.wsgi:app"


def default_workers() -> int:
    return min(2 * multiprocessing.cpu_count() + 1, 8)


class Server(BaseApplication):
    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key, value)

    def load(self):
        # Each worker makes its app after the fork, from the WSGI entry point (as `gunicorn atn_hub.wsgi:app`).
        return import_app(WSGI_APP)


def _child_exit(server, worker) -> None:
    """Prometheus: drop the live gauges of a worker that stopped."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def serve(bind: str, workers: int, timeout: int, instance_dir: Path) -> None:
    metrics_dir = instance_dir / "prometheus"  # counters of all workers, summed by /metrics
    shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    # The command line made an app in this (master) process already: switch Prometheus to multiprocess
    # values and drop the metrics made in single-process mode, so that each worker makes its own.
    from prometheus_client import values

    from .ops import reset_metrics

    values.ValueClass = values.get_value_class()
    reset_metrics()
    Server({
        "bind": bind, "workers": workers, "worker_class": "sync", "timeout": timeout, "graceful_timeout": 30,
        "keepalive": 5, "max_requests": 5000, "max_requests_jitter": 500, "limit_request_line": 8190,
        "forwarded_allow_ips": os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"), "accesslog": None,
        "errorlog": "-", "loglevel": "warning", "child_exit": _child_exit, "proc_name": "atn-hub",
    }).run()
