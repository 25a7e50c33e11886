"""The app in processes of its own, for tests of what happens to a node: start one (and wait until it
answers), kill it with SIGKILL, its environment, and `atn-hub index verify` against its index."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests


def start(command: list[str], env: dict, base: str | None = None) -> subprocess.Popen:
    process = subprocess.Popen(command, env={**os.environ, **env}, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    if base:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(base + "/api/v1/topics", timeout=5)
                return process
            except requests.RequestException:
                if process.poll() is not None or time.monotonic() > deadline:
                    kill_9(process)
                    raise AssertionError("server did not start") from None
                time.sleep(0.1)
    return process


def kill_9(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=10)


def server_env(backend, index_dir: Path, **extra) -> dict:
    _, url = backend
    return {"ATN_DATABASE_URL": url, "ATN_INSTANCE_DIR": str(index_dir.parent), "ATN_INDEX_DIR": str(index_dir),
            "ATN_SECRET_KEY": "consistency", "ATN_LOG_LEVEL": "WARNING", "ATN_INDEX_POLL_SECONDS": "0.05", **extra}


def verify(backend, index_dir: Path) -> tuple[int, dict]:
    result = subprocess.run([sys.executable, "-m", "atn_hub.cli", "index", "verify"], capture_output=True,
                            text=True, env={**os.environ, **server_env(backend, index_dir)}, timeout=120)
    return result.returncode, json.loads(result.stdout)
