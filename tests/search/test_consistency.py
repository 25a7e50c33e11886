"""The index is a projection of the database: it survives kill -9 anywhere, several gunicorn workers and
several nodes stay consistent, a rebuild swaps in without downtime, and verify reports drift."""
from __future__ import annotations

import math
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from atn_hub.indexing import indexer as indexer_module
from atn_hub.indexing.indexer import Indexer
from atn_hub.models import ChangeLog
from search_index.engine import SearchRequest, Visibility
from search_index.whoosh_engine import WhooshEngine
from tests.conftest import free_port
from tests.helpers import create
from tests.payloads import valid
from tests.processes import kill_9, server_env, start, verify


def dev_server(port: int) -> list[str]:
    return [sys.executable, "-m", "atn_hub.cli", "run", "-h", "127.0.0.1", "-p", str(port), "--no-reload",
            "--no-debugger"]


def found(base: str, query: str, headers: dict) -> int:
    response = requests.get(base + "/api/v1/search", params={"q": query, "expand": "false"}, headers=headers,
                            timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["total"]


def test_kill_9_between_commit_and_indexing_loses_nothing(backend, app, member, tmp_path):
    index_dir = tmp_path / "node" / "index"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # A node whose indexer is not running: every write commits, none is indexed; then it dies hard.
    server = start(dev_server(port), server_env(backend, index_dir, ATN_INDEXER="off"), base)
    for number in range(12):
        body = valid("practices", external_id=f"k{number}", title=f"Noodopvang kraanwoord {number}")
        assert requests.post(base + "/api/v1/practices", json=body, headers=member.headers).status_code == 201
    assert found(base, "kraanwoord", member.headers) == 0
    kill_9(server)

    # An indexing process killed in the middle of its work (after its first commit of 2-row batches).
    catch_up = start([sys.executable, "-m", "atn_hub.cli", "index", "catch-up"],
                     server_env(backend, index_dir, ATN_INDEX_BATCH="2"))
    engine = WhooshEngine(index_dir)
    deadline = time.monotonic() + 30
    while engine.applied_seq() == 0 and time.monotonic() < deadline and catch_up.poll() is None:
        time.sleep(0.005)
    if catch_up.poll() is None:
        kill_9(catch_up)  # wherever it is: between batches, inside a Whoosh commit, or just done

    # The next node start catches up: everything is searchable, and the index agrees with the database.
    server = start(dev_server(port), server_env(backend, index_dir), base)
    try:
        deadline = time.monotonic() + 10
        while found(base, "kraanwoord", member.headers) != 12:
            assert time.monotonic() < deadline, "the index did not catch up"
            time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=10)
    code, report = verify(backend, index_dir)
    assert code == 0 and report["drift"] is False and report["database"] == report["index"] == 12


def test_two_gunicorn_workers_stay_consistent(backend, app, member, tmp_path):
    index_dir = tmp_path / "node" / "index"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start([sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "--graceful-timeout",
                    "5", "atn_hub.wsgi:app"], server_env(backend, index_dir), base)
    try:
        statuses = []
        for number in range(16):
            body = valid("practices", external_id=f"g{number}", title=f"Tweewerkers zoekwoord{number}")
            wait = "?refresh=wait_for" if number % 2 else ""
            with requests.Session() as fresh:  # a new connection: either worker may answer
                created = fresh.post(base + "/api/v1/practices" + wait, json=body,
                                     headers={**member.headers, "Connection": "close"})
            statuses.append(created.status_code)
            deadline = time.monotonic() + (0.2 if wait else 1.0)
            while True:
                with requests.Session() as fresh:
                    hits = fresh.get(base + "/api/v1/search", params={"q": f"zoekwoord{number}"},
                                     headers={**member.headers, "Connection": "close"})
                statuses.append(hits.status_code)
                if hits.json()["total"] == 1:
                    break
                assert time.monotonic() < deadline, f"write {number} not searchable in time"
                time.sleep(0.02)
        assert set(statuses) <= {200, 201}
    finally:
        server.terminate()
        server.wait(timeout=20)
    code, report = verify(backend, index_dir)
    assert code == 0 and report["index"] == 16


def test_several_nodes_with_their_own_index_agree(app, client, member):
    db = app.extensions["atn_db"]
    nodes = [app.extensions["atn_search"].engine]
    for name in ("node-b", "node-c"):
        nodes.append(WhooshEngine(Path(app.instance_path) / name / str(time.time_ns())))
    for number in range(5):
        client.post("/api/v1/practices", json=valid("practices", external_id=f"n{number}"), headers=member.headers)
    for engine in nodes:
        Indexer(engine, db.session_factory).catch_up(wait=5)
    reports = [Indexer(engine, db.session_factory).verify() for engine in nodes]
    assert all(not (r["missing"] or r["extra"] or r["stale"]) and r["index"] == 5 for r in reports)
    assert len({frozenset(engine.versions().items()) for engine in nodes}) == 1


def _practices(client, member, count: int, prefix: str) -> list[dict]:
    return [create(client, member, "practices", external_id=f"{prefix}{n}", title=f"Achterstand {n}").json
            for n in range(count)]


def _log_rows(app) -> int:
    with app.extensions["atn_db"].session_factory() as session:
        return session.scalar(select(func.count()).select_from(ChangeLog))


def _away_node(app) -> tuple[WhooshEngine, Indexer]:
    """A node whose index missed everything so far: its first catch-up meets the whole log as a backlog."""
    engine = WhooshEngine(Path(app.instance_path) / "backlog" / str(time.time_ns()))
    return engine, Indexer(engine, app.extensions["atn_db"].session_factory)


def _total(engine, q: str) -> int:
    return engine.search(SearchRequest(q=q, visibility=Visibility(everything=True))).total


def test_a_backlog_is_indexed_in_large_commits_each_record_once(app, client, member, monkeypatch):
    """A backlog (a bulk import) is committed BATCH log rows at a time, its records loaded from the database
    LOAD_CHUNK at a time into that one commit: a few segments, not one per chunk, no record twice though the
    backlog changed some twice, and updates and deletions of records that older segments hold."""
    monkeypatch.setattr(indexer_module, "LOAD_CHUNK", 7)
    engine, indexer = _away_node(app)
    indexer.batch = 40
    created = _practices(client, member, 30, "b")
    first = _log_rows(app)  # the fixtures' rows (users, societies) and the 30 practices
    assert indexer.catch_up(wait=5) == first
    for record in created[:10]:
        etag = client.get(f"/api/v1/practices/{record['id']}", headers=member.headers).headers["ETag"]
        assert client.patch(f"/api/v1/practices/{record['id']}", json={"title": f"Bijgewerkt {record['external_id']}"},
                            headers={**member.headers, "If-Match": etag}).status_code == 200
    for record in created[10:15]:
        assert client.delete(f"/api/v1/practices/{record['id']}", headers=member.headers).status_code == 204
    created += _practices(client, member, 30, "c")
    rows = _log_rows(app)

    assert indexer.catch_up(wait=5) == rows - first
    segments = list(engine.searcher().reader().leaf_readers())
    first_commits = math.ceil(first / 40)
    assert len(segments) == first_commits + math.ceil((rows - first) / 40)  # a segment a commit...
    assert len(segments) < first_commits + math.ceil(45 / 7)  # ...not a chunk
    report = indexer.verify()
    assert report["index"] == 55 and not (report["missing"] or report["extra"] or report["stale"])
    assert _total(engine, "Bijgewerkt") == 10 and _total(engine, "Achterstand") == 45


def test_a_commit_stops_loading_after_its_time_and_covers_the_log_up_to_there(app, client, member, monkeypatch):
    monkeypatch.setattr(indexer_module, "LOAD_CHUNK", 7)
    monkeypatch.setattr(indexer_module, "COMMIT_SECONDS", 0.0)  # every commit stops after its first chunk
    before = _log_rows(app)  # the fixtures' rows, no record among them
    _practices(client, member, 30, "t")
    engine, indexer = _away_node(app)
    indexer.batch = 40
    assert indexer.catch_up(wait=5, max_batches=1) == before + 7  # up to the first 7 records' rows, no further
    assert engine.applied_seq() == before + 7 and engine.doc_count() == 7
    assert indexer.catch_up(wait=5) == 23
    assert len(list(engine.searcher().reader().leaf_readers())) == 5  # 7 + 7 + 7 + 7 + 2
    report = indexer.verify()
    assert report["index"] == 30 and not (report["missing"] or report["extra"] or report["stale"])


def test_a_commit_that_fails_midway_keeps_nothing_of_it(app, client, member, monkeypatch):
    monkeypatch.setattr(indexer_module, "LOAD_CHUNK", 7)
    _practices(client, member, 20, "f")
    engine, indexer = _away_node(app)
    real, calls, here = indexer_module.load_documents, [], threading.current_thread()

    def failing(session, keys):  # (the app's own indexer thread loads too: only this thread's loads fail)
        if threading.current_thread() is not here:
            return real(session, keys)
        calls.append(len(keys))
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return real(session, keys)

    monkeypatch.setattr(indexer_module, "load_documents", failing)
    with pytest.raises(RuntimeError, match="went away"):
        indexer.catch_up(wait=5)
    assert engine.applied_seq() == 0 and engine.versions() == {}  # the first chunk was not committed alone
    monkeypatch.setattr(indexer_module, "load_documents", real)
    assert indexer.catch_up(wait=5) == _log_rows(app) and engine.doc_count() == 20


def test_a_write_waiting_to_be_searchable_indexes_only_a_little_of_a_backlog(app, client, member, monkeypatch):
    before = _log_rows(app)
    monkeypatch.setattr(indexer_module, "HELP_ROWS", before + 5)
    _practices(client, member, 12, "w")
    engine, indexer = _away_node(app)
    assert indexer.wait_for(before + 12, timeout=0) is False  # one try, its help bounded
    assert engine.applied_seq() == before + 5 and engine.doc_count() == 5


def test_rebuild_swaps_in_without_downtime(app, client, member):
    search = app.extensions["atn_search"]
    for number in range(30):
        client.post("/api/v1/practices", json=valid("practices", external_id=f"r{number}", title=f"Herbouw {number}"),
                    headers=member.headers)
    search.indexer.catch_up(wait=5)
    before = search.engine.current_generation()
    failures, totals, stop = [], set(), threading.Event()

    def keep_searching():
        while not stop.is_set():
            try:
                response = client.get("/api/v1/search", query_string={"q": "Herbouw"}, headers=member.headers)
                totals.add(response.json["total"]) if response.status_code == 200 else failures.append(response)
            except Exception as exc:
                failures.append(exc)

    searcher = threading.Thread(target=keep_searching)
    searcher.start()
    try:
        search.indexer.rebuild()
    finally:
        stop.set()
        searcher.join()
    assert failures == [] and totals == {30}
    assert search.engine.current_generation() != before
    report = search.indexer.verify()
    assert report["index"] == 30 and not (report["missing"] or report["extra"] or report["stale"])


def test_verify_exits_non_zero_on_drift_and_rebuild_repairs(app, backend, client, member):
    search = app.extensions["atn_search"]
    created = client.post("/api/v1/practices?refresh=wait_for", json=valid("practices"), headers=member.headers).json
    index_dir = Path(search.engine.directory)
    assert verify(backend, index_dir)[0] == 0
    with search.engine.writer_lock():  # damage: the document disappears behind the indexer's back
        search.engine.apply([], [f"practice:{created['id']}"], search.engine.applied_seq())
    code, report = verify(backend, index_dir)
    assert code == 1 and report["missing"] == [f"practice:{created['id']}"]
    runner = app.test_cli_runner()
    assert runner.invoke(args=["index", "rebuild"]).exit_code == 0
    assert verify(backend, index_dir)[0] == 0



def _old_format(engine: WhooshEngine) -> Path:
    """Makes ``engine``'s live generation an index as the release before translations wrote it (no
    "titles" field)."""
    from whoosh import index as windex

    from search_index.schema import build_schema

    with engine.writer_lock():
        old = engine.create_generation()
        schema = build_schema()
        schema.remove("titles")
        windex.create_in(str(old), schema)
        engine.swap_to(old)
    return old


def test_an_index_of_an_earlier_format_is_rebuilt_not_written_to(app, client, member, tmp_path):
    """After an upgrade that changed the index's fields, the indexer neither fails nor writes the old
    generation: it rebuilds the index in this release's format (searches use the old one meanwhile)."""
    search = app.extensions["atn_search"]
    for number in range(2):
        created = client.post("/api/v1/practices?refresh=wait_for", headers=member.headers,
                              json=valid("practices", external_id=f"p{number}", title=f"Herbouw {number}"))
        assert created.status_code == 201
    # A node of its own (no indexer thread), its index of the earlier format.
    engine = WhooshEngine(tmp_path / "index")
    indexer = Indexer(engine, search.indexer.session_factory)
    old = _old_format(engine)
    assert not engine.schema_is_current()
    assert indexer.catch_up(wait=5) == 0  # the old generation is left alone, without an error
    assert indexer.upgrade() is True
    assert engine.current_generation() != old and engine.schema_is_current()
    assert indexer.upgrade() is False  # once is enough
    report = indexer.verify()
    assert report["index"] == 2 and not (report["missing"] or report["extra"] or report["stale"])


def test_the_indexer_thread_upgrades_the_index_by_itself(app, client, member):
    search = app.extensions["atn_search"]
    created = client.post("/api/v1/practices?refresh=wait_for", json=valid("practices"), headers=member.headers)
    assert created.status_code == 201
    old = _old_format(search.engine)
    deadline = time.monotonic() + 30
    while search.engine.current_generation() == old and time.monotonic() < deadline:
        time.sleep(0.05)
    assert search.engine.schema_is_current()
    assert search.indexer.verify()["index"] == 1
