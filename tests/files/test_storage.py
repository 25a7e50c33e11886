"""The storage interface on a local directory and on an S3-compatible server (moto's, on 127.0.0.1)."""
from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest

from atn_hub.files.storage import LocalStore, S3Store, TooLarge, spool


@pytest.fixture
def s3(monkeypatch):
    from moto.server import ThreadedMotoServer

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    import uuid

    import boto3

    bucket = f"atn-files-{uuid.uuid4().hex[:8]}"  # moto keeps buckets per process, across servers
    boto3.client("s3", endpoint_url=endpoint).create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    yield endpoint, bucket
    server.stop()


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path):
    if request.param == "local":
        return LocalStore(tmp_path / "files")
    endpoint, bucket = request.getfixturevalue("s3")
    return S3Store(bucket, "atn/", endpoint_url=endpoint, tmp=tmp_path / "tmp")


def test_put_is_content_addressed_idempotent_and_readable(store, tmp_path):
    content = b"A brochure on support during residence procedures.\n" * 1000
    spooled = spool(io.BytesIO(content), tmp_path / "tmp", 10 ** 6)
    store.put(spooled)
    again = spool(io.BytesIO(content), tmp_path / "tmp", 10 ** 6)
    store.put(again)  # the same bytes again: stored once
    again.discard()
    assert [key for key, _ in store.keys()] == [spooled.sha256]
    assert store.exists(spooled.sha256) and not store.exists("0" * 64)
    path = store.local_path(spooled.sha256)
    assert Path(path).read_bytes() == content
    store.release(path)
    store.delete(spooled.sha256)
    assert list(store.keys()) == []
    with pytest.raises(FileNotFoundError):
        store.local_path(spooled.sha256)
    with pytest.raises(ValueError):
        store.exists("../../etc/passwd")


def test_spool_stops_at_the_limit_and_leaves_nothing(tmp_path):
    with pytest.raises(TooLarge):
        spool(io.BytesIO(b"x" * 5000), tmp_path, 4096)
    assert list(tmp_path.iterdir()) == []


def test_local_writes_are_atomic(tmp_path):
    store = LocalStore(tmp_path / "files")
    spooled = spool(io.BytesIO(b"complete"), store.tmp, 100)
    store.put(spooled)
    # Nothing half-written is ever visible under the content's name: only complete files are renamed there.
    assert [p.name for p in (tmp_path / "files").rglob("*") if p.is_file()] == [spooled.sha256]


def test_the_api_on_an_s3_bucket(s3, tmp_path, app, client, member, monkeypatch):
    from atn_hub.config import Settings
    from atn_hub.services.files import make_store

    endpoint, bucket = s3
    settings = Settings.from_mapping({"instance_dir": tmp_path, "s3_bucket": bucket, "s3_endpoint_url": endpoint})
    monkeypatch.setattr(app.extensions["atn_files"], "store", make_store(settings))
    caller = member
    from tests.files.helpers import fetch, files_url, upload
    from tests.files.samples import SENTENCE, pdf
    from tests.helpers import create

    material = create(client, caller, "training-materials").json
    content = pdf([SENTENCE])
    file = upload(client, caller, material["id"], content, "brochure.pdf").json
    assert app.extensions["atn_files"].extract_pending() == 1
    listed = client.get(files_url(material["id"]), headers=caller.headers).json
    assert listed[0]["text_status"] == "done"
    part = fetch(client, files_url(material["id"], file["id"]), headers={**caller.headers, "Range": "bytes=0-99"})
    assert part.status_code == 206 and part.data == content[:100]
    assert fetch(client, files_url(material["id"], file["id"]), headers=caller.headers).data == content
    client.delete(files_url(material["id"], file["id"]), headers=caller.headers)
    from atn_hub.extensions import get_db
    from atn_hub.services.files import collect_garbage

    with app.app_context():
        session = get_db().session_factory()
        assert collect_garbage(session, app.extensions["atn_files"].store, timedelta(0)) == {"removed": 1, "kept": 0}
        session.close()
