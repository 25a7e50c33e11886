"""Idempotency-Key on the API's POSTs, as a partner's retries meet it: a create retried after a lost response
makes one record, not two; the key with another body is refused; keys are each caller's own and expire."""
from __future__ import annotations

import uuid
from datetime import timedelta

from flask import request
from sqlalchemy import func, select, update

from atn_hub.db import utcnow
from atn_hub.models import IdempotencyKey, Practice
from atn_hub.oauth.protector import load_principal
from atn_hub.services import idempotency
from tests.helpers import create, url
from tests.payloads import valid


def practices_count(db_session) -> int:
    count = db_session.scalar(select(func.count()).select_from(Practice))
    db_session.rollback()
    return count


def keyed(caller, key: str) -> dict:
    return {**caller.headers, "Idempotency-Key": key}


def test_a_create_retried_with_its_key_makes_one_record_and_answers_the_first_response(client, member, db_session):
    key = str(uuid.uuid4())
    first = client.post(url("practices"), json=valid("practices"), headers=keyed(member, key))
    assert first.status_code == 201 and "Idempotent-Replayed" not in first.headers
    retry = client.post(url("practices"), json=valid("practices"), headers=keyed(member, key))
    assert retry.status_code == 201
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.json == first.json
    assert retry.headers["Location"] == first.headers["Location"]
    assert retry.headers["ETag"] == first.headers["ETag"]
    assert retry.content_type == first.content_type
    assert practices_count(db_session) == 1


def test_the_same_body_in_another_key_order_is_the_same_request(client, member, db_session):
    key = str(uuid.uuid4())
    body = valid("practices")
    client.post(url("practices"), json=body, headers=keyed(member, key))
    reordered = dict(reversed(list(body.items())))
    assert client.post(url("practices"), json=reordered, headers=keyed(member, key)).headers.get(
        "Idempotent-Replayed") == "true"
    assert practices_count(db_session) == 1


def test_a_key_reused_for_another_body_or_path_is_refused_naming_the_header(client, member, db_session):
    key = str(uuid.uuid4())
    assert client.post(url("practices"), json=valid("practices"), headers=keyed(member, key)).status_code == 201
    other = client.post(url("practices"), json=valid("practices", title="Another"), headers=keyed(member, key))
    assert other.status_code == 422 and other.content_type == "application/problem+json"
    assert "Idempotency-Key" in other.json["detail"] and "Idempotency-Key" in other.json["errors"]["headers"]
    elsewhere = client.post(url("contacts"), json=valid("contacts"), headers=keyed(member, key))
    assert elsewhere.status_code == 422
    assert practices_count(db_session) == 1


def test_a_malformed_key_is_refused_naming_the_header(client, member):
    for bad in ("", "has space", "x" * 256, "clé"):
        response = client.post(url("practices"), json=valid("practices"), headers=keyed(member, bad))
        assert response.status_code == 400, bad
        assert "Idempotency-Key" in response.json["detail"]


def test_keys_are_each_callers_own(client, member, make_caller, db_session):
    key = str(uuid.uuid4())
    colleague = make_caller("member", "NL")
    first = client.post(url("practices"), json=valid("practices", external_id=None), headers=keyed(member, key))
    second = client.post(url("practices"), json=valid("practices", external_id=None), headers=keyed(colleague, key))
    assert first.status_code == second.status_code == 201
    assert "Idempotent-Replayed" not in second.headers and second.json["id"] != first.json["id"]
    assert practices_count(db_session) == 2


def test_a_narrower_token_of_the_same_person_never_gets_a_wider_ones_response(client, make_caller, db_session):
    from atn_hub.principal import SYSTEM
    from atn_hub.services import accounts
    from tests.conftest import Caller

    wide = make_caller("member", "NL")  # every scope of a member, contacts:read among them
    _, secret = accounts.create_personal_token(db_session, SYSTEM, wide.user, scope="read write")
    db_session.commit()
    narrow = Caller(wide.user, secret)
    contact = create(client, wide, "contacts").json
    key = str(uuid.uuid4())
    shown = client.post(url("contacts", contact["id"]) + "/submit", headers=keyed(wide, key))
    assert shown.status_code == 200 and shown.json["name"] == contact["name"]
    other = client.post(url("contacts", contact["id"]) + "/submit", headers=keyed(narrow, key))
    assert "Idempotent-Replayed" not in other.headers  # not the wider token's answer, with its contact's name
    assert other.json.get("name") is None


def test_a_client_error_is_replayed_but_a_conflict_lets_the_retry_run_again(client, member, db_session):
    key = str(uuid.uuid4())
    refused = client.post(url("practices"), json=valid("practices", language="xx"), headers=keyed(member, key))
    assert refused.status_code == 422
    again = client.post(url("practices"), json=valid("practices", language="xx"), headers=keyed(member, key))
    assert again.status_code == 422 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json["detail"] == refused.json["detail"]

    create(client, member, "practices")  # takes external_id NL-P-1
    key = str(uuid.uuid4())
    clash = client.post(url("practices"), json=valid("practices"), headers=keyed(member, key))
    assert clash.status_code == 409
    db_session.execute(update(Practice).values(external_id="NL-P-old"))
    db_session.commit()
    retried = client.post(url("practices"), json=valid("practices"), headers=keyed(member, key))
    assert retried.status_code == 201 and "Idempotent-Replayed" not in retried.headers


def test_a_key_held_by_a_request_still_running_answers_409(app, client, member, db_session):
    key = str(uuid.uuid4())
    with app.test_request_context(url("practices"), method="POST", json=valid("practices"), headers=member.headers):
        running = idempotency.fingerprint(request)
        caller = idempotency.caller_of(load_principal(db_session))
    db_session.add(IdempotencyKey(caller=caller, key=key, request_hash=running, headers={}))
    db_session.commit()
    response = client.post(url("practices"), json=valid("practices"), headers=keyed(member, key))
    assert response.status_code == 409 and "Idempotency-Key" in response.json["detail"]
    assert practices_count(db_session) == 0


def test_keys_expire_after_the_configured_hours(client, member, db_session):
    key = str(uuid.uuid4())
    assert client.post(url("practices"), json=valid("practices", external_id=None),
                       headers=keyed(member, key)).status_code == 201
    db_session.execute(update(IdempotencyKey).values(created_at=utcnow() - timedelta(hours=25)))
    db_session.commit()
    fresh = client.post(url("practices"), json=valid("practices", external_id=None), headers=keyed(member, key))
    assert fresh.status_code == 201 and "Idempotent-Replayed" not in fresh.headers
    assert practices_count(db_session) == 2
    assert db_session.scalar(select(func.count()).select_from(IdempotencyKey)) == 1  # the expired one purged


def test_workflow_actions_take_keys_too(client, member, coordinator):
    record = create(client, member, "practices").json
    key = str(uuid.uuid4())
    submitted = client.post(url("practices", record["id"]) + "/submit", headers=keyed(member, key))
    assert submitted.status_code == 200
    again = client.post(url("practices", record["id"]) + "/submit", headers=keyed(member, key))
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json["status"] == "submitted"
    without_key = client.post(url("practices", record["id"]) + "/submit", headers=member.headers)
    assert without_key.status_code == 409  # what a retry without a key meets: the work was already done


def test_requests_without_a_key_are_unchanged(client, member, db_session):
    create(client, member, "practices", external_id=None)
    create(client, member, "practices", external_id=None)
    assert practices_count(db_session) == 2
    assert db_session.scalar(select(func.count()).select_from(IdempotencyKey)) == 0


def test_the_header_is_documented_on_every_post(app):
    import yaml

    from tests.conftest import ROOT

    doc = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    posts = [(path, item["post"]) for path, item in doc["paths"].items() if "post" in item
             and path.startswith("/api/")]  # the OAuth endpoints are RFC 6749's, not the API's
    assert posts
    for path, operation in posts:
        assert "Idempotency-Key" in [p["name"] for p in operation.get("parameters", [])], path


def test_an_upload_retried_with_its_key_is_stored_once(client, member):
    import io

    material = create(client, member, "training-materials").json
    files = url("training-materials", material["id"]) + "/files"
    key = str(uuid.uuid4())

    def upload(content: bytes):
        return client.post(files, headers=keyed(member, key), content_type="multipart/form-data",
                           data={"file": (io.BytesIO(content), "notes.txt")})

    first = upload(b"Reflection period notes.\n" * 40)
    assert first.status_code == 201, first.json
    retry = upload(b"Reflection period notes.\n" * 40)
    assert retry.status_code == 201 and retry.headers["Idempotent-Replayed"] == "true"
    assert retry.json["id"] == first.json["id"]
    assert upload(b"Other notes.\n" * 40).status_code == 422
    assert len(client.get(files, headers=member.headers).json) == 1


def test_the_same_create_sent_at_once_with_one_key_makes_one_record(live_server, member, db_session):
    """A client that retries before its first attempt has answered (against a real server, on each backend):
    the first holds the key; the others get 409 while it runs, or its response once it is done."""
    import threading

    import requests

    key, barrier, statuses = str(uuid.uuid4()), threading.Barrier(4), []

    def send():
        barrier.wait()
        statuses.append(requests.post(f"{live_server}{url('practices')}", json=valid("practices"),
                                      headers=keyed(member, key), timeout=30).status_code)

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(statuses) <= {201, 409} and 201 in statuses, statuses
    assert practices_count(db_session) == 1
