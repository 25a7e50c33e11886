"""A partner's sync by external id: PUT /api/v1/{resource}/by-external-id/{external_id} makes the society's
record be the body, created when new, replaced (with If-Match) when it exists; on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from atn_hub.models import RECORD_MODELS
from tests.helpers import TYPE, create, url
from tests.payloads import EDIT, RESOURCES, valid


def put_url(resource: str, external_id: str) -> str:
    return f"/api/v1/{resource}/by-external-id/{external_id}"


def count(db_session, resource) -> int:
    found = db_session.scalar(select(func.count()).select_from(RECORD_MODELS[TYPE[resource]]))
    db_session.rollback()
    return found


@pytest.mark.parametrize("resource", RESOURCES)
def test_a_new_external_id_creates_the_record_and_says_where(client, member, db_session, resource):
    body = valid(resource)
    del body["external_id"]
    created = client.put(put_url(resource, "NL-P-1"), json=body, headers=member.headers)
    assert created.status_code == 201, created.json
    assert created.json["external_id"] == "NL-P-1" and created.json["society"] == "NL"
    assert created.json["status"] == "draft"
    assert created.headers["Location"].endswith(url(resource, created.json["id"]))
    got = client.get(created.headers["Location"], headers=member.headers)
    assert got.json["id"] == created.json["id"] and got.headers["ETag"] == created.headers["ETag"]
    assert count(db_session, resource) == 1


@pytest.mark.parametrize("resource", RESOURCES)
def test_an_existing_external_id_is_replaced_with_its_etag(client, member, db_session, resource):
    first = client.put(put_url(resource, "NL-P-1"), json=valid(resource, external_id="NL-P-1"),
                       headers=member.headers)
    field, value = EDIT[resource]
    changed = valid(resource, **{field: value})
    del changed["external_id"]
    missing = client.put(put_url(resource, "NL-P-1"), json=changed, headers=member.headers)
    assert missing.status_code == 428
    star = client.put(put_url(resource, "NL-P-1"), json=changed, headers={**member.headers, "If-Match": "*"})
    assert star.status_code == 412
    replaced = client.put(put_url(resource, "NL-P-1"), json=changed,
                          headers={**member.headers, "If-Match": first.headers["ETag"]})
    assert replaced.status_code == 200, replaced.json
    assert replaced.json["id"] == first.json["id"] and replaced.json[field] == value
    assert replaced.json["version"] == first.json["version"] + 1 and "Location" not in replaced.headers
    stale = client.put(put_url(resource, "NL-P-1"), json=changed,
                       headers={**member.headers, "If-Match": first.headers["ETag"]})
    assert stale.status_code == 412 and stale.headers["ETag"] == replaced.headers["ETag"]
    assert count(db_session, resource) == 1


def test_fields_left_out_go_back_to_their_defaults_but_translations_stay(client, member):
    first = client.put(put_url("practices", "NL-P-1"), json=valid("practices"), headers=member.headers)
    assert first.json["results"] and first.json["topics"] and first.json["translations"]
    body = valid("practices")
    for left_out in ("results", "topics", "visibility", "translations"):
        del body[left_out]
    replaced = client.put(put_url("practices", "NL-P-1"), json=body,
                          headers={**member.headers, "If-Match": first.headers["ETag"]})
    assert replaced.status_code == 200, replaced.json
    assert replaced.json["results"] is None and replaced.json["topics"] == []
    assert replaced.json["visibility"] == "network"
    assert replaced.json["translations"] == first.json["translations"]


def test_the_same_record_sent_again_changes_nothing(client, member):
    first = client.put(put_url("practices", "NL-P-1"), json=valid("practices"), headers=member.headers)
    again = client.put(put_url("practices", "NL-P-1"), json=valid("practices"),
                       headers={**member.headers, "If-Match": first.headers["ETag"]})
    assert again.status_code == 200 and again.json["version"] == first.json["version"]


def test_a_published_record_is_changed_through_its_pending_revision(client, member, coordinator):
    first = client.put(put_url("practices", "NL-P-1"), json=valid("practices"), headers=member.headers).json
    client.post(url("practices", first["id"]) + "/submit", headers=member.headers)
    client.post(url("practices", first["id"]) + "/review", json={"decision": "approve"}, headers=coordinator.headers)
    etag = client.get(url("practices", first["id"]), headers=member.headers).headers["ETag"]
    replaced = client.put(put_url("practices", "NL-P-1"), json=valid("practices", title="Synced title"),
                          headers={**member.headers, "If-Match": etag})
    assert replaced.status_code == 200, replaced.json
    assert replaced.json["status"] == "published" and replaced.json["title"] != "Synced title"
    assert replaced.json["pending_revision"] is not None


def test_the_body_may_not_name_another_external_id(client, member):
    response = client.put(put_url("practices", "NL-P-1"), json=valid("practices", external_id="SYNC-2"),
                          headers=member.headers)
    assert response.status_code == 422 and "external_id" in response.json["errors"]["json"]


def test_an_external_id_too_long_or_with_control_characters_is_refused(client, member):
    for bad in ("x" * 201, "tab%09in"):
        response = client.put(put_url("practices", bad), json=valid("practices", external_id=None),
                              headers=member.headers)
        assert response.status_code == 422 and "external_id" in response.json["errors"]["path"]


def test_another_societys_external_id_is_its_own(client, member, other_member, db_session):
    mine = client.put(put_url("practices", "NL-P-1"), json=valid("practices"), headers=member.headers)
    theirs = client.put(put_url("practices", "NL-P-1"), json=valid("practices", countries=["GB"]),
                        headers=other_member.headers)
    assert mine.status_code == theirs.status_code == 201
    assert theirs.json["society"] == "GB" and theirs.json["id"] != mine.json["id"]
    assert count(db_session, "practices") == 2


def test_who_may_put(client, member, admin, make_caller, db_session):
    anonymous = client.put(put_url("practices", "NL-P-1"), json=valid("practices"))
    assert anonymous.status_code == 401
    reader = make_caller("member", "NL", scope="read")
    assert client.put(put_url("practices", "NL-P-1"), json=valid("practices"),
                      headers=reader.headers).status_code == 403
    no_society = client.put(put_url("practices", "NL-P-1"), json=valid("practices"), headers=admin.headers)
    assert no_society.status_code == 422 and "society" in no_society.json["errors"]["json"]
    created = client.put(put_url("practices", "NL-P-1"), json=valid("practices", society="NL"),
                         headers=admin.headers)
    assert created.status_code == 201 and created.json["society"] == "NL"
    foreign = client.put(put_url("practices", "NL-P-1"), json=valid("practices", society="GB"),
                         headers=member.headers)
    assert foreign.status_code == 403
    assert count(db_session, "practices") == 1


def test_a_duplicate_external_id_on_create_names_the_existing_record(client, member):
    first = create(client, member, "practices").json
    again = client.post(url("practices"), json=valid("practices"), headers=member.headers)
    assert again.status_code == 409
    assert again.json["existing_id"] == first["id"] and first["id"] in again.json["detail"]
    assert "external_id" in again.json["errors"]["json"]


def test_if_match_on_a_record_that_does_not_exist_fails_and_creates_nothing(client, member, db_session):
    first = client.put(put_url("practices", "NL-P-1"), json=valid("practices"), headers=member.headers)
    client.delete(url("practices", first.json["id"]), headers=member.headers)
    gone = client.put(put_url("practices", "NL-P-1"), json=valid("practices"),
                      headers={**member.headers, "If-Match": first.headers["ETag"]})
    assert gone.status_code == 412 and "without If-Match" in gone.json["detail"]
    assert count(db_session, "practices") == 0
