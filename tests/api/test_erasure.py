"""Personal data: erasing a contact scrubs its personal fields everywhere; its data export holds everything."""
from __future__ import annotations

import json
import logging
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import make_url, select

from atn_hub import db
from atn_hub.models import ChangeLog
from tests.helpers import create, edit, publish, url
from tests.payloads import valid

NAME, EMAIL, PHONE = "Anna Jansen", "anna.jansen@rodekruis-nl.example", "+31 70 123 4567"


def traces(db_session) -> str:
    """Everything the change log holds, as one string to search."""
    text = json.dumps([row.payload for row in db_session.scalars(select(ChangeLog))])
    db_session.rollback()
    return text


def test_erasure_scrubs_personal_fields_everywhere_and_keeps_a_tombstone(client, db_session, member, coordinator,
                                                                          app, tmp_path):
    contact = publish(client, member, coordinator, "contacts")
    edit(client, member, "contacts", contact["id"], {"email": "a.jansen@rodekruis-nl.example"})  # a revision
    practice = client.post("/api/v1/practices?refresh=wait_for",
                           json=valid("practices", contacts=[{"id": contact["id"]}]), headers=member.headers).json
    found = client.get("/api/v1/search?q=Jansen", headers=member.headers).json
    assert [h["id"] for h in found["hits"]] == [contact["id"]]
    assert NAME in traces(db_session) and EMAIL in traces(db_session)

    response = client.delete(url("contacts", contact["id"]) + "?erase=true&refresh=wait_for", headers=member.headers)
    assert response.status_code == 204 and response.headers["X-Searchable"] == "true"

    log = traces(db_session)
    for value in (NAME, EMAIL, PHONE, "a.jansen@rodekruis-nl.example"):
        assert value not in log
    tombstones = client.get("/api/v1/changes?type=contact", headers=member.headers).json["changes"]
    assert tombstones[-1]["action"] == "deleted" and tombstones[-1]["record_id"] == contact["id"]
    assert all(c["record"] is None or c["record"]["name"] is None for c in tombstones)
    assert client.get(url("contacts", contact["id"]), headers=member.headers).status_code == 404
    assert client.get(url("practices", practice["id"]), headers=member.headers).json["contacts"] == []
    assert client.get("/api/v1/search?q=Jansen", headers=member.headers).json["total"] == 0
    assert client.get("/api/v1/search?q=rodekruis", headers=member.headers).json["total"] == 0
    # Nothing of it stays in the index's files either: no stored field, no term (Whoosh only marks deleted
    # documents until a merge rewrites their segment; an erasure forces that merge).
    engine = app.extensions["atn_search"].engine
    from whoosh import index as windex

    ix = windex.open_dir(str(engine.current_generation()))
    with ix.reader() as reader:
        stored = json.dumps([fields for fields in reader.all_stored_fields()], default=str)
        assert "Jansen" not in stored and "rodekruis" not in stored
        for field in ("personal", "all"):
            terms = {t.decode() if isinstance(t, bytes) else t for t in reader.lexicon(field)}
            assert not {"jansen", "anna"} & terms, field
    ix.close()

    result = app.test_cli_runner().invoke(args=["export", str(tmp_path / "export")])
    assert result.exit_code == 0, result.output
    exported = "".join(p.read_text() for p in (tmp_path / "export").iterdir())
    assert NAME not in exported and EMAIL not in exported


def on_disk(database_url: str, values: list[str]) -> list[str]:
    """Which of ``values`` the SQLite database file and its write-ahead log hold, as bytes. Read by another
    process: opening and closing the file here would drop this process's POSIX locks on it (SQLite's
    connections would then look gone to others, and the last of those to close deletes the log under them)."""
    path = Path(make_url(database_url).database)
    script = ("import sys, pathlib; data = b''.join(pathlib.Path(p).read_bytes() for p in sys.argv[1:3] "
              "if pathlib.Path(p).exists()); print('\\n'.join(v for v in sys.argv[3:] if v.encode() in data))")
    found = subprocess.run([sys.executable, "-c", script, str(path), f"{path}-wal", *values], check=True,
                           capture_output=True, text=True).stdout
    return [line for line in found.splitlines() if line]


def test_erased_values_leave_the_sqlite_files(client, member, coordinator, backend, make_caller):
    """Not only out of every row: out of the bytes on disk (the database file's free space and the
    write-ahead log kept them). PostgreSQL keeps old row versions until VACUUM: see the README."""
    name, database_url = backend
    if name != "sqlite":
        pytest.skip("PostgreSQL keeps dead row versions until VACUUM (documented, not changed)")
    unique = uuid.uuid4().hex
    values = [f"Erika {unique}", f"erika.{unique}@rodekruis-nl.example", f"+31 6 {int(unique[:12], 16) % 10**9}"]
    contact = publish(client, member, coordinator, "contacts", name=values[0], email=values[1], phone=values[2],
                      external_id=unique)
    assert edit(client, member, "contacts", contact["id"], {"role": "Moved on"}).status_code == 200  # a revision
    for _ in range(3):  # readers at the time of the erasure (the indexer reads too)
        assert client.get(url("contacts", contact["id"]), headers=member.headers).status_code == 200
    assert on_disk(database_url, values) == values

    response = client.delete(url("contacts", contact["id"]) + "?erase=true", headers=member.headers)
    assert response.status_code == 204
    assert on_disk(database_url, [*values, unique]) == [unique]  # only the tombstone's external id stays


def test_an_erasure_stands_when_a_reader_holds_the_log_and_a_later_checkpoint_finishes_it(
        client, member, backend, app, monkeypatch):
    name, database_url = backend
    if name != "sqlite":
        pytest.skip("SQLite's write-ahead log only")
    monkeypatch.setattr(db, "CHECKPOINT_WAIT_MS", 50)
    warned = []
    monkeypatch.setattr(logging.getLogger("atn_hub.db"), "warning", lambda message, **kw: warned.append(message))
    email = f"held.{uuid.uuid4().hex}@rodekruis-nl.example"
    contact = create(client, member, "contacts", email=email).json
    reader = sqlite3.connect(make_url(database_url).database, isolation_level=None)
    try:
        reader.execute("BEGIN")
        assert reader.execute("SELECT count(*) FROM contact").fetchone()[0] >= 1  # a snapshot from before
        response = client.delete(url("contacts", contact["id"]) + "?erase=true", headers=member.headers)
        assert response.status_code == 204
        assert client.get(url("contacts", contact["id"]), headers=member.headers).status_code == 404
    finally:
        reader.close()
    assert warned == ["wal checkpoint after an erasure incomplete: the log keeps erased values for now"]
    assert db.checkpoint_wal(app.extensions["atn_db"].engine) is True
    assert on_disk(database_url, [email]) == []


def test_who_may_erase(client, member, other_member, make_caller, admin):
    contact = create(client, member, "contacts").json
    reader = make_caller("member", "NL", scope="read contacts:read")
    assert client.delete(url("contacts", contact["id"]) + "?erase=true").status_code == 401
    assert client.delete(url("contacts", contact["id"]) + "?erase=true", headers=reader.headers).status_code == 403
    assert client.delete(url("contacts", contact["id"]) + "?erase=true",
                         headers=other_member.headers).status_code == 404
    bad = client.delete(url("contacts", contact["id"]) + "?erase=maybe", headers=member.headers)
    assert bad.status_code == 422 and "erase" in bad.json["errors"]["query"]
    assert client.delete(url("contacts", contact["id"]) + "?erase=true", headers=admin.headers).status_code == 204


def test_a_plain_delete_keeps_the_history(client, db_session, member):
    contact = create(client, member, "contacts").json
    assert client.delete(url("contacts", contact["id"]), headers=member.headers).status_code == 204
    assert NAME in traces(db_session)  # deletion is not erasure: the audit trail keeps what was there


def test_the_export_holds_everything_about_a_contact(client, member, other_member, coordinator, make_caller, admin):
    contact = publish(client, member, coordinator, "contacts")
    edit(client, member, "contacts", contact["id"], {"phone": "+31 70 000 0000"})
    practice = create(client, member, "practices", contacts=[{"id": contact["id"], "role": "focal point"}]).json
    path = url("contacts", contact["id"]) + "/export"

    exported = client.get(path, headers=member.headers)
    assert exported.status_code == 200
    body = exported.json
    assert body["contact"]["email"] == EMAIL and body["contact"]["name"] == NAME
    assert [r["action"] for r in body["revisions"]] == ["created", "revised"]
    assert body["revisions"][1]["content"]["phone"] == "+31 70 000 0000"
    assert [c["action"] for c in body["changes"]] == ["created", "submitted", "published", "revised"]
    assert body["changes"][0]["actor_email"] == member.user.email
    assert [c["decision"] for c in body["review_comments"]] == ["approve"]
    assert body["named_by"] == [{"type": "practice", "id": practice["id"], "external_id": practice["external_id"],
                                 "title": practice["title"]}]

    assert client.get(path, headers=admin.headers).status_code == 200
    assert client.get(path).status_code == 401
    assert client.get(path, headers=other_member.headers).status_code == 403  # sees the contact, not its export
    no_personal = make_caller("member", "NL", scope="read write")
    assert client.get(path, headers=no_personal.headers).status_code == 403
