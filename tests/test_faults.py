"""Faults: a worker killed with -9 during writes, the database going away and coming back under load, the
disk filling up during an upload. Nothing acknowledged is lost; while the database is away the API answers
503 with Retry-After, and it recovers by itself."""
from __future__ import annotations

import errno
import io
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import requests

from tests.conftest import free_port
from tests.files.helpers import files_url, upload
from tests.helpers import create, url
from tests.payloads import valid
from tests.processes import kill_9, server_env, start, verify


def test_kill_9_of_a_worker_during_writes_loses_nothing_acknowledged(backend, app, member, tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    index_dir = tmp_path / "index"
    master = start([sys.executable, "-m", "atn_hub.cli", "serve", "-b", f"127.0.0.1:{port}", "-w", "2"],
                   server_env(backend, index_dir), base)
    acknowledged, stop = [], threading.Event()

    def write(n: int) -> None:
        session = requests.Session()
        i = 0
        while not stop.is_set():
            i += 1
            try:
                response = session.post(f"{base}/api/v1/practices",
                                        json=valid("practices", external_id=f"w{n}-{i}", title=f"Write {n}-{i}"),
                                        headers=member.headers, timeout=30)
            except requests.RequestException:
                continue  # the worker died under this request: not acknowledged
            if response.status_code == 201:
                acknowledged.append(response.json()["id"])

    threads = [threading.Thread(target=write, args=(n,)) for n in range(3)]
    try:
        for thread in threads:
            thread.start()
        time.sleep(3)
        workers = subprocess.run(["pgrep", "-P", str(master.pid)], capture_output=True, text=True).stdout.split()
        assert workers, "no gunicorn workers found"
        os.kill(int(workers[0]), signal.SIGKILL)
        time.sleep(4)  # gunicorn starts a new worker; writes go on
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        assert len(acknowledged) > 10
        for record_id in acknowledged:
            assert requests.get(f"{base}/api/v1/practices/{record_id}", headers=member.headers,
                                timeout=30).status_code == 200
        deadline = time.monotonic() + 60
        while (code := verify(backend, index_dir)[0]) != 0 and time.monotonic() < deadline:
            time.sleep(1)
        assert code == 0  # database and index agree exactly
    finally:
        stop.set()
        kill_9(master)


class FlakyLink:
    """A TCP proxy to PostgreSQL that can be cut and restored, as if the server stopped and started."""

    def __init__(self, target: tuple[str, int]):
        self.target, self.port = target, free_port()
        self.listener: socket.socket | None = None
        self.connections: list[socket.socket] = []
        self.up()

    def up(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", self.port), reuse_port=False)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def down(self) -> None:
        # Closing a listening socket does not wake a thread blocked in accept() on Linux (the kernel keeps
        # accepting for it): shut it down first, and refuse whatever the old listener still hands over.
        listener, self.listener = self.listener, None
        try:
            listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        listener.close()
        for conn in self.connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
                conn.close()
            except OSError:
                pass
        self.connections = []

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            if listener is not self.listener:  # cut meanwhile: as if nobody were listening
                client.close()
                return
            server = socket.create_connection(self.target)
            self.connections += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.close()
                except OSError:
                    pass


def pg_member_token(url: str, tmp_path) -> dict:
    """A member of NL with a personal token, made directly in the PostgreSQL test database."""
    import uuid

    from atn_hub import create_app
    from atn_hub.cli.database import upgrade
    from atn_hub.extensions import get_db
    from atn_hub.principal import SYSTEM
    from atn_hub.services import accounts
    from tests.conftest import _wipe

    upgrade(url)
    app = create_app({"database_url": url, "instance_dir": tmp_path / "setup", "testing": True, "secret_key": "s",
                      "indexer": "off", "extractor": "off", "delivery": "off"})
    try:
        _wipe(app.extensions["atn_db"].engine)
        with app.app_context():
            session = get_db().session
            from atn_hub.services.societies import create_society

            create_society(session, SYSTEM, {"code": "NL", "name": "Netherlands Red Cross",
                                             "name_local": "Nederlandse Rode Kruis", "languages": ["nl"]})
            user = accounts.create_user(session, SYSTEM, email=f"m-{uuid.uuid4().hex[:6]}@example.org", name="M",
                                        role="member", society_code="NL", password=None)
            _, secret = accounts.create_personal_token(session, SYSTEM, user, scope=None)
            session.commit()
    finally:
        app.extensions["atn_db"].engine.dispose()
    return {"Authorization": f"Bearer {secret}"}


def bare(external_id: str) -> dict:
    """A valid practice naming no topics (this database has no reference topics)."""
    return valid("practices", external_id=external_id, topics=[], target_groups=[], forms_of_exploitation=[])


def test_database_away_under_load_then_back(postgres_url, tmp_path):
    """PostgreSQL going away (the link to it cut, as if it stopped) and coming back, under writes."""
    from sqlalchemy.engine import make_url

    headers = pg_member_token(postgres_url, tmp_path)
    real = make_url(postgres_url)
    link = FlakyLink((real.host, real.port))
    proxied = real.set(host="127.0.0.1", port=link.port).render_as_string(hide_password=False)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start([sys.executable, "-m", "atn_hub.cli", "serve", "-b", f"127.0.0.1:{port}", "-w", "2"],
                   server_env(("postgresql", proxied), tmp_path / "index"), base)
    try:
        deadline = time.monotonic() + 30  # a new node is ready once its index has caught up
        while requests.get(f"{base}/health/ready", timeout=10).status_code != 200:
            assert time.monotonic() < deadline, "never ready"
            time.sleep(0.3)
        link.down()
        statuses = set()
        for i in range(6):
            response = requests.post(f"{base}/api/v1/practices", json=bare(f"down-{i}"),
                                     headers=headers, timeout=60)
            statuses.add(response.status_code)
            assert response.status_code == 503 and response.headers["Retry-After"], response.text
            assert response.json()["code"] == 503
        ready = requests.get(f"{base}/health/ready", timeout=30)
        assert ready.status_code == 503 and ready.json()["status"] == "unavailable"
        link.up()
        deadline = time.monotonic() + 30
        while requests.get(f"{base}/health/ready", timeout=30).status_code != 200:
            assert time.monotonic() < deadline, "did not recover"
            time.sleep(0.5)
        created = requests.post(f"{base}/api/v1/practices", json=bare("after"),
                                headers=headers, timeout=30)
        assert created.status_code == 201
        listed = requests.get(f"{base}/api/v1/practices?page_size=100", headers=headers, timeout=30).json()
        ids = {p["external_id"] for p in listed}
        # Nothing half-written: every record is whole. (A write whose COMMIT reached the server just as the
        # link was cut can be saved although its client got 503: the ambiguity of any lost acknowledgement.)
        assert "after" in ids and ids <= {"after"} | {f"down-{i}" for i in range(6)}
    finally:
        kill_9(server)
        link.down()


def test_disk_full_during_an_upload_is_a_clear_error_and_leaves_no_half_file(app, client, member, monkeypatch):
    material = create(client, member, "training-materials").json
    real_fdopen = os.fdopen

    class Full(io.RawIOBase):
        def __init__(self, fd, mode):
            self._file = real_fdopen(fd, mode)
            self.written = 0

        def write(self, data):
            self.written += len(data)
            if self.written > 1000:
                raise OSError(errno.ENOSPC, "No space left on device")
            return self._file.write(data)

        def close(self):
            self._file.close()
            super().close()

    monkeypatch.setattr("atn_hub.files.storage.os.fdopen", Full)
    response = upload(client, member, material["id"], b"A brochure.\n" * 500, "brochure.txt")
    assert response.status_code == 507 and response.json["errors"]["files"]["file"]
    tmp = app.extensions["atn_files"].settings.tmp_dir
    assert not tmp.exists() or list(tmp.iterdir()) == []
    assert client.get(files_url(material["id"]), headers=member.headers).json == []
    monkeypatch.undo()
    assert upload(client, member, material["id"], b"A brochure.\n", "brochure.txt").status_code == 201
    assert client.get(url("training-materials", material["id"]), headers=member.headers).status_code == 200
