"""Practices, contacts and training materials through the API: the happy paths and the bad inputs, on
SQLite and PostgreSQL."""
from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import func, select

from atn_hub.models import ChangeLog
from tests.helpers import create, url
from tests.payloads import EDIT, RESOURCES, valid


def log_count(db_session) -> int:
    count = db_session.scalar(select(func.count()).select_from(ChangeLog))
    db_session.rollback()
    return count


@pytest.mark.parametrize("resource", RESOURCES)
def test_create_get_update_delete(client, member, db_session, resource):
    created = create(client, member, resource).json
    assert created["status"] == "draft"
    assert created["society"] == "NL"
    assert uuid.UUID(created["id"]).version == 4
    assert set(created["actions"]) == {"edit", "submit", "delete"}

    got = client.get(url(resource, created["id"]), headers=member.headers)
    assert got.status_code == 200
    assert got.json["external_id"] == valid(resource)["external_id"]
    etag = got.headers["ETag"]

    field, value = EDIT[resource]
    patched = client.patch(url(resource, created["id"]), json={field: value},
                           headers={**member.headers, "If-Match": etag})
    assert patched.status_code == 200, patched.json
    assert patched.json[field] == value
    assert patched.json["version"] == created["version"] + 1
    assert patched.headers["ETag"] != etag

    deleted = client.delete(url(resource, created["id"]), headers=member.headers)
    assert deleted.status_code == 204
    assert client.get(url(resource, created["id"]), headers=member.headers).status_code == 404
    actions = db_session.scalars(select(ChangeLog.action).order_by(ChangeLog.seq)).all()
    assert actions[-3:] == ["created", "updated", "deleted"]


@pytest.mark.parametrize("resource", RESOURCES)
def test_update_needs_current_etag(client, member, resource):
    created = create(client, member, resource).json
    field, value = EDIT[resource]
    missing = client.patch(url(resource, created["id"]), json={field: value}, headers=member.headers)
    assert missing.status_code == 428 and missing.content_type == "application/problem+json"
    assert "If-Match" in missing.json["detail"] and "ETag" in missing.json["detail"]
    etag = client.get(url(resource, created["id"]), headers=member.headers).headers["ETag"]
    assert client.patch(url(resource, created["id"]), json={field: value},
                        headers={**member.headers, "If-Match": etag}).status_code == 200
    stale = client.patch(url(resource, created["id"]), json={field: "again"},
                         headers={**member.headers, "If-Match": etag})
    current = client.get(url(resource, created["id"]), headers=member.headers).headers["ETag"]
    assert stale.status_code == 412 and stale.headers["ETag"] == current != etag
    assert current in stale.json["detail"] and stale.json["title"] == "Precondition Failed"
    star = client.patch(url(resource, created["id"]), json={field: "again"},
                        headers={**member.headers, "If-Match": "*"})
    assert star.status_code == 412  # a record's write always names the version it changes
    assert client.get(url(resource, created["id"]), headers=member.headers).json[field] == value
    assert client.patch(url(resource, created["id"]), json={field: "again"},
                        headers={**member.headers, "If-Match": current}).status_code == 200


@pytest.mark.parametrize("resource", RESOURCES)
def test_conditional_get_answers_304(client, member, resource):
    created = create(client, member, resource).json
    first = client.get(url(resource, created["id"]), headers=member.headers)
    again = client.get(url(resource, created["id"]), headers={**member.headers, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    listing = client.get(url(resource), headers=member.headers)
    unchanged = client.get(url(resource), headers={**member.headers, "If-None-Match": listing.headers["ETag"]})
    assert unchanged.status_code == 304


BAD_INPUTS = {
    "practices": [
        ({"title": 42}, "title"),
        ({"language": "xx"}, "language"),
        ({"language": "english"}, "language"),
        ({"countries": ["ZZ"]}, "countries"),
        ({"countries": []}, "countries"),
        ({"topics": ["no-such-topic"]}, "topics"),
        ({"target_groups": ["legal-aid"]}, "target_groups"),
        ({"kind": "best"}, "kind"),
        ({"areas": ["prosecute"]}, "areas"),
        ({"start_year": 2020, "end_year": 2010}, "end_year"),
        ({"start_year": "2024"}, "start_year"),  # a string is a type error, whatever it holds
        ({"title": "x" * 301}, "title"),
        ({"contacts": [{"id": "not-a-uuid"}]}, "contacts"),
        ({"contacts": [{"id": str(uuid.uuid4())}]}, "contacts"),
        ({"contacts": [{"role": "focal point"}]}, "contacts"),
        ({"training_materials": [str(uuid.uuid4())]}, "training_materials"),
        ({"training_materials": "not a list"}, "training_materials"),
        ({"links": [{"url": "javascript:alert(1)"}]}, "links"),
        ({"status": "published"}, "status"),
        ({"published_at": "2024-01-01T00:00:00Z"}, "published_at"),
        ({"unknown_field": 1}, "unknown_field"),
        ({"translations": {"nl": {"title": "Zelfde taal"}}}, "translations"),
    ],
    "contacts": [
        ({"email": "not an email"}, "email"),
        ({"country": "Netherlands"}, "country"),
        ({"phone": "call me"}, "phone"),
        ({"consent_recorded_at": "yesterday"}, "consent_recorded_at"),
        ({"topics": ["nope"]}, "topics"),
        ({"visibility": "secret"}, "visibility"),
    ],
    "training-materials": [
        ({"format": "book"}, "format"),
        ({"languages": []}, "languages"),
        ({"duration_minutes": -5}, "duration_minutes"),
        ({"duration_minutes": "90"}, "duration_minutes"),
        ({"external_url": "ftp://example.org/x"}, "external_url"),
        ({"topics": ["nope"]}, "topics"),
        ({"practices": [str(uuid.uuid4())]}, "practices"),
    ],
    "projects": [
        ({"title": ""}, "title"),
        ({"start_date": "2024-13-01"}, "start_date"),
        ({"start_date": "2024-01-01", "end_date": "2023-01-01"}, "end_date"),
        ({"partners": [{"name": "COA", "kind": "agency"}]}, "partners"),
        ({"partners": [{"kind": "ngo"}]}, "partners"),
        ({"societies": ["XX"]}, "societies"),
        ({"societies": ["BE"]}, "societies"),
        ({"funders": "EU"}, "funders"),
        ({"web_address": "javascript:alert(1)"}, "web_address"),
        ({"practices": [str(uuid.uuid4())]}, "practices"),
        ({"training_materials": ["nope"]}, "training_materials"),
    ],
}


@pytest.mark.parametrize("resource,changes,field",
                         [(r, c, f) for r, cases in BAD_INPUTS.items() for c, f in cases])
def test_bad_input_is_a_4xx_naming_the_field_and_changes_nothing(client, member, db_session, resource,
                                                                   changes, field):
    before = log_count(db_session)
    response = client.post(url(resource), json=valid(resource, **changes), headers=member.headers)
    assert response.status_code == 422, response.json
    body = response.json
    assert response.content_type == "application/problem+json"  # RFC 9457, the earlier fields kept beside it
    assert body["status"] == body["code"] == 422 and body["title"] == "Unprocessable Entity"
    assert body["type"] == "about:blank" and body["instance"] == "/api/v1/" + resource
    assert body["request_id"] == response.headers["X-Request-ID"]
    assert field in body["errors"]["json"] and field in body["detail"], body
    assert log_count(db_session) == before
    assert client.get(url(resource), headers=member.headers).headers["X-Pagination"].startswith('{"total": 0')


@pytest.mark.parametrize("resource", RESOURCES)
def test_malformed_bodies_are_400_or_415(client, member, resource):
    not_json = client.post(url(resource), data="{not json", headers={**member.headers,
                                                                      "Content-Type": "application/json"})
    assert not_json.status_code == 400 and not_json.json["code"] == 400
    broken = client.post(url(resource), data='{"title": "Buddy programme",\n "summary": }',
                         headers={**member.headers, "Content-Type": "application/json"})
    assert broken.status_code == 400 and "line 2, column 13" in broken.json["detail"]  # where it stops being JSON
    form = client.post(url(resource), data="a=b", headers={**member.headers,
                                                            "Content-Type": "application/x-www-form-urlencoded"})
    assert form.status_code == 415 and form.json["code"] == 415


@pytest.mark.parametrize("resource", RESOURCES)
def test_unknown_and_malformed_ids_are_json_404(client, member, resource):
    for record_id in (uuid.uuid4(), "not-a-uuid", "1"):
        response = client.get(url(resource, record_id), headers=member.headers)
        assert response.status_code == 404 and response.is_json and response.json["code"] == 404


def test_wrong_method_is_json_405(client):
    response = client.put("/api/v1/practices")
    assert response.status_code == 405 and response.json["code"] == 405


def test_external_id_is_unique_per_society_and_type(client, member, other_member):
    create(client, member, "practices")
    clash = client.post(url("practices"), json=valid("practices"), headers=member.headers)
    assert clash.status_code == 409
    assert "external_id" in clash.json["errors"]["json"]
    # the same external id in another society, or for another type, is fine
    create(client, other_member, "practices", countries=["GB"], language="en", translations={})
    create(client, member, "training-materials", external_id=valid("practices")["external_id"])


def test_practice_contact_must_belong_to_the_same_society(client, member, other_member):
    theirs = create(client, other_member, "contacts", country="GB").json
    ours = create(client, member, "contacts", external_id="NL-C-2").json
    bad = client.post(url("practices"), json=valid("practices", contacts=[{"id": theirs["id"]}]),
                      headers=member.headers)
    assert bad.status_code == 422 and "contacts" in bad.json["errors"]["json"]
    named = [{"id": ours["id"], "role": "focal point"}]
    assert create(client, member, "practices", contacts=named).json["contacts"] == named


def test_regional_language_tags_are_reduced_to_the_language(client, member):
    created = create(client, member, "practices", language="pt-BR", translations={}).json
    assert created["language"] == "pt"


def test_lists_filter_paginate_and_sort_stably(client, member, db_session):
    ids = []
    for i in range(7):
        body = valid("practices", external_id=f"P{i}", title=f"Practice {i}",
                     countries=["NL", "BE"] if i % 2 else ["NL"], language="en" if i < 3 else "nl",
                     topics=["legal-aid"] if i == 0 else ["identification"], translations={})
        ids.append(client.post(url("practices"), json=body, headers=member.headers).json["id"])

    def fetch(query):
        response = client.get(f"/api/v1/practices?{query}", headers=member.headers)
        assert response.status_code == 200, response.json
        return response

    first = fetch("page=1&page_size=3&sort=title")
    meta = json.loads(first.headers["X-Pagination"])
    assert meta["total"] == 7 and meta["total_pages"] == 3
    titles = [p["title"] for p in first.json] + [p["title"] for p in fetch("page=2&page_size=3&sort=title").json] + \
        [p["title"] for p in fetch("page=3&page_size=3&sort=title").json]
    assert titles == [f"Practice {i}" for i in range(7)]
    assert len(fetch("country=BE").json) == 3
    assert len(fetch("language=en").json) == 3
    assert [p["title"] for p in fetch("topic=legal-aid").json] == ["Practice 0"]
    assert len(fetch("society=NL").json) == 7 and fetch("society=GB").json == []
    assert len(fetch("status=draft").json) == 7 and fetch("status=published").json == []
    assert fetch("external_id=P3").json[0]["id"] == ids[3]
    later = fetch("updated_since=2999-01-01T00:00:00Z")
    assert later.json == []
    assert client.get("/api/v1/practices?page_size=101", headers=member.headers).status_code == 422
    assert "country" in client.get("/api/v1/practices?country=XX", headers=member.headers).json["errors"]["query"]
    assert client.get("/api/v1/practices?updated_since=yesterday", headers=member.headers).status_code == 422


def test_oversize_body_is_413(client, member):
    response = client.post(url("practices"), data=b"{" + b" " * (3 * 1024 * 1024) + b"}",
                           headers={**member.headers, "Content-Type": "application/json"})
    assert response.status_code == 413 and response.is_json
