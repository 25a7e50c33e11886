"""Fixtures: an app per database backend (SQLite, and PostgreSQL on a throw-away database), a clean database
per test, a test client, and principals with real bearer tokens."""
from __future__ import annotations

import contextlib
import os
import shutil
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from atn_hub import create_app
from atn_hub.cli.database import upgrade
from atn_hub.db import Base, write_intent, writing
from atn_hub.models import Society, Topic
from atn_hub.principal import SYSTEM
from atn_hub.services import accounts

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


# Rate limits stay on in the suite (they are part of the app), high enough for its bursts; this process's
# apps and the servers it starts read these. tests/test_ops.py checks the limits with low values.
os.environ.setdefault("ATN_RATE_LIMIT_IP", "1000000/minute")
os.environ.setdefault("ATN_RATE_LIMIT_CLIENT", "1000000/minute")


def _postgres_admin_url() -> str | None:
    """The server to create throw-away databases on; None (skip) only where none is configured."""
    url = os.environ.get("ATN_TEST_POSTGRES_URL", DEFAULT_PG)
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect():
            return url
    except Exception as exc:
        if os.environ.get("CI") or os.environ.get("ATN_TEST_POSTGRES_URL"):
            raise RuntimeError(f"PostgreSQL is required here but unreachable at {url}: {exc}") from exc
        return None
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def postgres_url():
    admin_url = _postgres_admin_url()
    if admin_url is None:
        pytest.skip("no PostgreSQL server configured (set ATN_TEST_POSTGRES_URL)")
    name = f"atn_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request, tmp_path_factory):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'atn.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    upgrade(url)
    return request.param, url


@pytest.fixture(scope="session")
def app_for_backend(backend, tmp_path_factory):
    name, url = backend
    instance = tmp_path_factory.mktemp(f"instance-{name}")
    # Text extraction and deliveries (webhooks, notifications) run when a test asks (extract_pending(),
    # outbox.run_once()), so tests are deterministic; the background threads are tested against a live server.
    app = create_app({"database_url": url, "instance_dir": instance, "testing": True, "secret_key": "test-secret",
                      "index_poll_seconds": 0.05, "extractor": "off", "delivery": "off"})
    yield app
    app.extensions["atn_search"].stop()
    app.extensions["atn_files"].stop()
    app.extensions["atn_delivery"].stop()
    app.extensions["atn_db"].engine.dispose()


def _wipe(engine, attempts: int = 5) -> None:
    """Empty every table. PostgreSQL's TRUNCATE locks the tables one by one; a reader that holds one of them
    and then asks for another (an indexer loading a practice, then its society) is a deadlock, which
    PostgreSQL resolves by aborting one side: the wipe, harmless to run again. (The ``app`` fixture holds its
    indexer off with the writer lock; the retry is for wipes beside an indexer whose lock the caller does not
    hold: another app's on the same database, or one a test leaves running.)"""
    for attempt in range(attempts):
        try:
            with engine.begin() as conn:
                if engine.dialect.name == "postgresql":
                    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
                    conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
                else:
                    for table in reversed(Base.metadata.sorted_tables):
                        conn.execute(table.delete())
            return
        except OperationalError as exc:
            if getattr(exc.orig, "sqlstate", None) != "40P01" or attempt == attempts - 1:  # deadlock_detected
                raise
            time.sleep(0.05 * (attempt + 1))  # the reader that won finishes its transaction meanwhile


@pytest.fixture
def app(app_for_backend):
    db = app_for_backend.extensions["atn_db"]
    engine = app_for_backend.extensions["atn_search"].engine
    # The app's indexer thread reads records only under the writer lock: holding it, the wipe has no reader
    # beside it, and an empty index generation starts from the empty log (its sequence starts again at 1).
    with engine.writer_lock():
        _wipe(db.engine)
        engine.swap_to(engine.create_generation())
    shutil.rmtree(app_for_backend.config["ATN_SETTINGS"].files_dir, ignore_errors=True)  # stored file contents
    # No app context stays pushed: each test-client request must get its own (as in production), or
    # per-request state (g, flask-smorest's ETag context) would leak from one request into the next.
    yield app_for_backend
    db.session.remove()


@pytest.fixture
def db_session(app):
    """A session of the test's own, beside the app's. Its transactions start deferred (readers never block
    the app's writers); end them (commit or rollback) before the next request."""
    token = write_intent.set(False)
    session = app.extensions["atn_db"].new_session()
    yield session
    session.close()
    write_intent.reset(token)


@pytest.fixture
def client(app):
    return app.test_client()


TOPICS = [
    ("legal-aid", "theme"), ("psychosocial-support", "theme"), ("residence-procedure", "support_phase"),
    ("identification", "support_phase"), ("migrants", "target_group"), ("children", "target_group"),
    ("labour-exploitation", "exploitation"), ("sexual-exploitation", "exploitation"),
]
SOCIETIES = [("NL", "Netherlands Red Cross", "Nederlandse Rode Kruis", ["nl"]),
             ("GB", "British Red Cross", "British Red Cross", ["en"]),
             ("DE", "German Red Cross", "Deutsches Rotes Kreuz", ["de"])]


@pytest.fixture
def reference_data(db_session):
    """Three societies and a few topics: what every record needs."""
    for code, name, local, languages in SOCIETIES:
        db_session.add(Society(code=code, name=name, name_local=local, languages=languages))
    for code, category in TOPICS:
        label = code.replace("-", " ")
        db_session.add(Topic(code=code, category=category,
                             labels={lang: label for lang in ("en", "nl", "fr", "de", "es")}))
    db_session.commit()


class Caller:
    """A user with a real bearer token; ``headers`` go on requests."""

    def __init__(self, user, token: str):
        self.user = user
        self.token = token
        self.headers = {"Authorization": f"Bearer {token}"}


@pytest.fixture
def make_caller(db_session, reference_data):
    def make(role: str = "member", society: str | None = "NL", scope: str | None = None) -> Caller:
        email = f"{role}-{society or 'none'}-{uuid.uuid4().hex[:6]}@example.org"
        # A writer's transaction from its start (on SQLite BEGIN IMMEDIATE, waiting for a live server's writers):
        # a deferred one that read first would fail at its first write once another process has written since.
        # (A transaction holding the test's own unsaved changes is left to commit with these.)
        if not (db_session.new or db_session.dirty or db_session.deleted):
            db_session.rollback()
        with writing():
            user = accounts.create_user(db_session, SYSTEM, email=email, name=f"{role} of {society}", role=role,
                                        society_code=society, password=None)
            admin_like = SYSTEM
            _, secret = accounts.create_personal_token(db_session, admin_like, user, scope=scope)
            db_session.commit()
        return Caller(user, secret)

    return make


@pytest.fixture
def member(make_caller):
    return make_caller("member", "NL")


@pytest.fixture
def other_member(make_caller):
    return make_caller("member", "GB")


@pytest.fixture
def coordinator(make_caller):
    return make_caller("coordinator", "NL")


@pytest.fixture
def admin(make_caller):
    return make_caller("admin", None)


ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(database_url: str, instance_dir: Path, port: int | None = None, **env_overrides: str):
    """The app in its own process (``atn-hub run``), serving real HTTP on 127.0.0.1; yields its base URL.
    It delivers webhooks and notifications only when asked (``ATN_DELIVERY="thread"``): a live server often
    shares the test's database, whose tests drive deliveries themselves."""
    import subprocess
    import sys

    import requests

    port = port or free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "ATN_DATABASE_URL": database_url, "ATN_INSTANCE_DIR": str(instance_dir),
           "ATN_SECRET_KEY": "live-test-secret", "ATN_LOG_LEVEL": "WARNING", "ATN_PUBLIC_URL": base,
           "ATN_DELIVERY": "off", **env_overrides}
    # The server's log goes to a file: a pipe nobody reads fills up after some thousand requests and then
    # blocks the server mid-request (holding whatever it holds, SQLite's write lock included).
    log_path = Path(instance_dir).parent / f"server-{port}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = open(log_path, "wb")
    process = subprocess.Popen([sys.executable, "-m", "atn_hub.cli", "run", "-h", "127.0.0.1", "-p", str(port),
                                "--no-reload", "--no-debugger"], env=env, stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.monotonic() + 60
    while True:
        try:
            requests.get(base + "/.well-known/oauth-authorization-server", timeout=5)
            break
        except requests.RequestException:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                log.close()
                raise RuntimeError(log_path.read_bytes().decode(errors="replace")[-2000:]) from None
            time.sleep(0.1)
    try:
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture
def live_server(app, backend, tmp_path):
    """The app in its own process, serving real HTTP on 127.0.0.1, on the test's database."""
    _, url = backend
    with serving(url, tmp_path / "instance") as base:
        yield base
