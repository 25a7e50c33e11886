"""The audit trail: administrators read who did what, when, from which client; nobody can change it."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from atn_hub.cli.database import upgrade
from tests.helpers import create, post, url
from tests.oauth.helpers import basic, make_client
from tests.payloads import valid

AUDIT = "/api/v1/audit"


def test_admins_see_who_did_what_from_which_client(client, db_session, member, coordinator, admin):
    client_id, secret = make_client(db_session, scope="read write")
    token = client.post("/oauth/token", data={"grant_type": "client_credentials", "scope": "read write"},
                        headers=basic(client_id, secret)).json["access_token"]
    machine = {"Authorization": f"Bearer {token}"}
    by_client = client.post("/api/v1/practices", json=valid("practices", external_id="M-1"),
                            headers=machine).json
    record = create(client, member, "practices").json
    etag = client.get(url("practices", record["id"]), headers=member.headers).headers["ETag"]
    client.patch(url("practices", record["id"]), json={"title": "Audited"},
                 headers={**member.headers, "If-Match": etag})
    post(client, member, "practices", record["id"], "submit")
    post(client, coordinator, "practices", record["id"], "review", {"decision": "request_changes",
                                                                    "comment": "More detail."})

    response = client.get(AUDIT, headers=admin.headers)
    assert response.status_code == 200
    entries = response.json
    assert [e["seq"] for e in entries] == sorted((e["seq"] for e in entries), reverse=True)  # newest first

    mine = client.get(f"{AUDIT}?record_id={record['id']}", headers=admin.headers).json
    assert [e["action"] for e in mine] == ["changes_requested", "submitted", "updated", "created"]
    assert mine[2]["fields"] == ["title"] and mine[2]["actor_user_id"] == str(member.user.id)
    assert mine[2]["actor_email"] == member.user.email and mine[2]["client_id"] is None
    assert mine[0]["details"]["comment"] == "More detail." and mine[0]["actor_name"] == coordinator.user.name
    assert mine[0]["details"]["before"]["status"] == "submitted"
    assert "record" not in mine[0]["details"]  # no snapshots: content is read through the records' own rules

    machine_entries = client.get(f"{AUDIT}?client_id={client_id}", headers=admin.headers).json
    assert [(e["record_id"], e["action"]) for e in machine_entries] == [(by_client["id"], "created")]
    assert client.get(f"{AUDIT}?actor={member.user.id}&action=submitted&action=updated",
                      headers=admin.headers).json[0]["action"] == "submitted"
    assert client.get(f"{AUDIT}?since=2999-01-01T00:00:00Z", headers=admin.headers).json == []
    paged = client.get(f"{AUDIT}?page_size=2", headers=admin.headers)
    assert len(paged.json) == 2 and "X-Pagination" in paged.headers
    bad = client.get(f"{AUDIT}?since=yesterday", headers=admin.headers)
    assert bad.status_code == 422 and "since" in bad.json["errors"]["query"]


def test_only_admins_read_it_and_no_one_changes_it(client, member, coordinator, admin):
    assert client.get(AUDIT).status_code == 401
    for caller in (member, coordinator):
        assert client.get(AUDIT, headers=caller.headers).status_code == 403
    for method in ("post", "put", "patch", "delete"):
        assert getattr(client, method)(AUDIT, headers=admin.headers).status_code == 405
        assert getattr(client, method)(f"{AUDIT}/1", headers=admin.headers).status_code in (404, 405)


def test_postgresql_refuses_to_delete_or_rewrite_the_log(postgres_url):
    upgrade(postgres_url)
    engine = create_engine(postgres_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO change_log (at, record_type, record_id, action, payload) "
                              "VALUES (now(), 'practice', 'x', 'created', '{}')"))
        for statement in ("DELETE FROM change_log", "UPDATE change_log SET action = 'forged'",
                          "UPDATE change_log SET actor_user_id = gen_random_uuid()"):
            with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
                conn.execute(text(statement))
        with engine.begin() as conn:  # erasure's scrubbing stays possible
            conn.execute(text("""UPDATE change_log SET payload = '{"scrubbed": true}'"""))
            assert conn.scalar(text("SELECT count(*) FROM change_log WHERE action = 'created'")) >= 1
    finally:
        with engine.begin() as conn:
            conn.execute(text("TRUNCATE change_log"))  # TRUNCATE is the operators' tool, not the API's
        engine.dispose()
