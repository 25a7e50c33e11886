"""Operations: request IDs, security headers, rate limits, health checks, metrics."""
from __future__ import annotations

import io
import json
import logging
import os
import shutil

import pytest

from atn_hub import create_app
from atn_hub.logs import JSONFormatter
from tests.helpers import create
from tests.payloads import valid


def test_request_ids_are_echoed_or_made_and_logged(client):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JSONFormatter())
    logging.getLogger("atn_hub.access").addHandler(handler)
    try:
        given = client.get("/api/v1/practices", headers={"X-Request-ID": "partner-42.a"})
        made = client.get("/api/v1/practices", headers={"X-Request-ID": "bad id <script>"})
    finally:
        logging.getLogger("atn_hub.access").removeHandler(handler)
    assert given.headers["X-Request-ID"] == "partner-42.a"
    assert len(made.headers["X-Request-ID"]) == 32 and made.headers["X-Request-ID"] != "bad id"
    access = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert {"partner-42.a", made.headers["X-Request-ID"]} <= {line.get("request_id") for line in access}
    assert all({"method", "path", "status", "duration_ms"} <= set(line) for line in access)


def test_security_headers(client):
    api = client.get("/api/v1/practices")
    assert api.headers["X-Content-Type-Options"] == "nosniff" and api.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'none'" in api.headers["Content-Security-Policy"]
    assert "Strict-Transport-Security" not in api.headers  # plain HTTP: no HSTS
    secure = client.get("/api/v1/practices", base_url="https://hub.example")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")
    docs = client.get("/docs")
    assert "script-src" not in docs.headers["Content-Security-Policy"] or "'unsafe-inline'" not in \
        docs.headers["Content-Security-Policy"].split("script-src")[1].split(";")[0]
    for path in ("/api/v1/practices/not-a-uuid", "/api/v1/nothing-here"):
        body = client.get(path).get_data(as_text=True)
        assert "Traceback" not in body and "SELECT" not in body


@pytest.fixture
def limited_app(backend, tmp_path):
    _, url = backend
    app = create_app({"database_url": url, "instance_dir": tmp_path, "testing": True, "secret_key": "s",
                      "indexer": "off", "extractor": "off", "delivery": "off", "rate_limit_client": "3/minute",
                      "rate_limit_ip": "7/minute"})
    yield app
    app.extensions["atn_db"].engine.dispose()


def test_rate_limits_per_client_and_per_ip(limited_app, member, other_member):
    client = limited_app.test_client()
    answers = [client.get("/api/v1/practices", headers=member.headers) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    # the headers tell the caller the limit that binds them (their token's 3, not the address's 7); Retry-After
    # only when refused
    assert [(a.headers["X-RateLimit-Limit"], a.headers["X-RateLimit-Remaining"]) for a in answers[:3]] == \
        [("3", "2"), ("3", "1"), ("3", "0")]
    assert all("Retry-After" not in a.headers for a in answers[:3])
    refused = client.get("/api/v1/practices", headers=member.headers)
    assert refused.json["code"] == 429 and int(refused.headers["Retry-After"]) > 0
    # Another client from the same address still has its own allowance, until the address's is used up.
    assert [client.get("/api/v1/practices", headers=other_member.headers).status_code
            for _ in range(3)] == [200, 200, 429]  # the address's 7 requests a minute are used up
    elsewhere = client.get("/api/v1/practices", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert elsewhere.status_code == 200 and elsewhere.headers["X-RateLimit-Remaining"] == "2"  # no token: 3 too
    assert client.get("/health/live").status_code == 200  # health checks are never limited


def test_health_live_and_ready(app, client, member, tmp_path):
    assert client.get("/health/live").json == {"status": "ok"}
    create(client, member, "practices")
    indexer = app.extensions["atn_search"].indexer
    assert indexer.wait_for(indexer.last_logged_seq())
    ready = client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json == {"status": "ok", "checks": {"database": {"status": "ok"}, "index": {"status": "ok"}}}

    down = create_app({"database_url": f"sqlite:///{tmp_path}/missing/dir/atn.db", "instance_dir": tmp_path,
                       "testing": True, "secret_key": "s", "indexer": "off", "extractor": "off", "delivery": "off"})
    answer = down.test_client().get("/health/ready")
    assert answer.status_code == 503 and answer.json["checks"]["database"]["status"] == "down"
    assert answer.headers["Retry-After"]


def test_readiness_tells_no_one_how_many_private_drafts_there_are(app, client, member):
    """Anonymous callers (load balancers) get statuses only: nothing in the answer grows with the drafts
    (index documents, change-log length and index lag counted them)."""
    indexer = app.extensions["atn_search"].indexer
    answers = []
    for drafts in range(1, 4):
        create(client, member, "practices", external_id=f"private-{drafts}")
        assert indexer.wait_for(indexer.last_logged_seq())
        answers.append(client.get("/health/ready").get_data(as_text=True))
    assert len(set(answers)) == 1, answers
    assert not any(char.isdigit() for char in answers[0])


def test_readiness_tells_a_deleted_index_and_a_rebuild_restores_it(app, client, member):
    search = app.extensions["atn_search"]
    create(client, member, "practices")
    assert search.indexer.wait_for(search.indexer.last_logged_seq())
    search.stop()
    shutil.rmtree(search.engine.directory)
    broken = client.get("/health/ready")
    assert broken.status_code == 503 and broken.json["checks"]["index"]["status"] in ("missing", "down")
    result = app.test_cli_runner().invoke(args=["index", "rebuild"])
    assert result.exit_code == 0, result.output
    assert client.get("/health/ready").status_code == 200


def test_metrics(app, client, member, monkeypatch):
    client.get("/api/v1/practices", headers=member.headers)
    body = client.get("/metrics").get_data(as_text=True)
    assert 'atn_http_requests_total{endpoint="/api/v1/practices",method="GET",status="200"}' in body
    assert "atn_http_request_duration_seconds_bucket" in body
    assert "atn_index_lag" in body and 'atn_queue_length{queue="moderation"}' in body
    assert 'atn_queue_length{queue="webhooks"}' in body and 'atn_queue_length{queue="extraction"}' in body
    monkeypatch.setattr(app.config["ATN_SETTINGS"], "metrics_token", "scrape-me")
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer scrape-me"}).status_code == 200
    assert client.get("/metrics", headers={"Authorization": "Bearer scrape-me"},
                      environ_base={"REMOTE_ADDR": "203.0.113.5"}).status_code == 200


def test_without_a_metrics_token_only_this_machine_reads_the_metrics(client):
    """The queue lengths and the index lag count private drafts: no stranger watches them grow."""
    stranger = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.5"})
    assert stranger.status_code == 403 and "ATN_METRICS_TOKEN" in stranger.json["message"]
    assert "atn_queue_length" not in stranger.get_data(as_text=True)
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200


def test_serve_runs_gunicorn_with_several_workers(backend, tmp_path):
    import signal
    import socket
    import subprocess
    import sys
    import time

    import requests

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "ATN_DATABASE_URL": backend[1], "ATN_INSTANCE_DIR": str(tmp_path),
           "ATN_SECRET_KEY": "serve-test", "ATN_LOG_LEVEL": "WARNING"}
    process = subprocess.Popen([sys.executable, "-m", "atn_hub.cli", "serve", "-b", f"127.0.0.1:{port}", "-w", "2"],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{base}/health/live", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        for _ in range(20):
            assert requests.get(f"{base}/api/v1/practices", timeout=10).status_code == 200
        assert requests.get(f"{base}/health/ready", timeout=10).status_code == 200
        metrics = requests.get(f"{base}/metrics", timeout=10).text
        line = next(row for row in metrics.splitlines()
                    if row.startswith('atn_http_requests_total{endpoint="/api/v1/practices"'))
        assert float(line.rsplit(" ", 1)[1]) == 20  # summed over the workers
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=40) == 0
        process.stderr.close()


def test_a_corrupted_index_is_reported_searches_get_503_and_a_rebuild_restores_it(app, client, member):
    search = app.extensions["atn_search"]
    created = create(client, member, "practices").json
    assert search.indexer.wait_for(search.indexer.last_logged_seq())
    search.stop()
    generation = search.engine.current_generation()
    for path in generation.iterdir():  # every segment, TOC and lock file overwritten with garbage
        if path.is_file():
            path.write_bytes(b"\x00garbage\xff" * 64)
    search.engine.reset_readers()  # as a new process would: nothing cached from before the damage

    broken = client.get("/health/ready")
    assert broken.status_code == 503 and broken.json["checks"]["index"]["status"] == "down"
    assert broken.json["checks"]["index"]["hint"] == "atn-hub index rebuild"
    answer = client.get("/api/v1/search", query_string={"q": "residence"}, headers=member.headers)
    assert answer.status_code == 503 and answer.headers["Retry-After"]
    assert "rebuild" in answer.json["message"] and "Traceback" not in answer.get_data(as_text=True)
    saved = client.post("/api/v1/practices?refresh=wait_for", json=valid("practices", external_id="NL-P-9"),
                        headers=member.headers)  # the write is saved; the node says it cannot show it yet
    assert saved.status_code == 201 and saved.headers["X-Searchable"] == "unavailable"

    result = app.test_cli_runner().invoke(args=["index", "rebuild"])
    assert result.exit_code == 0, result.output
    assert client.get("/health/ready").status_code == 200
    found = client.get("/api/v1/search", query_string={"q": "residence"}, headers=member.headers)
    assert found.status_code == 200 and {h["id"] for h in found.json["hits"]} == {created["id"], saved.json["id"]}
