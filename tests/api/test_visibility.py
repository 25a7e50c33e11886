"""Who sees which record: anonymous callers only published public ones; the network all published ones;
a society its own drafts; coordinators submitted ones; another society's draft is a 404."""
from __future__ import annotations

import pytest

from tests.helpers import create, set_status, url
from tests.payloads import RESOURCES


@pytest.fixture
def records(client, member, db_session):
    """One record per (status, visibility) case, owned by NL."""
    made = {}
    for case, (status, visibility) in {"draft": ("draft", "network"), "submitted": ("submitted", "network"),
                                       "rejected": ("rejected", "network"),
                                       "network": ("published", "network"), "public": ("published", "public"),
                                       "archived": ("archived", "public")}.items():
        record = create(client, member, "practices", external_id=case).json
        set_status(db_session, "practices", record["id"], status, visibility)
        made[case] = record["id"]
    return made


def visible(client, caller=None) -> set[str]:
    headers = caller.headers if caller else {}
    return {p["external_id"] for p in client.get("/api/v1/practices", headers=headers).json}


def test_anonymous_sees_published_public_only(client, records):
    assert visible(client) == {"public"}
    assert client.get(url("practices", records["public"])).status_code == 200
    for case in ("draft", "submitted", "rejected", "network", "archived"):
        assert client.get(url("practices", records[case])).status_code == 404


def test_other_society_sees_published_but_not_drafts(client, records, other_member):
    assert visible(client, other_member) == {"public", "network"}
    response = client.get(url("practices", records["draft"]), headers=other_member.headers)
    assert response.status_code == 404  # not 403: no existence leak


def test_own_society_sees_its_drafts(client, records, member):
    assert visible(client, member) == {"draft", "submitted", "rejected", "network", "public", "archived"}


def test_coordinator_sees_submitted_and_archived_too(client, records, make_caller):
    coordinator = make_caller("coordinator", "GB")
    assert visible(client, coordinator) == {"submitted", "rejected", "network", "public", "archived"}


def test_token_without_read_scope_sees_public_only(client, records, make_caller):
    writer_only = make_caller("member", "GB", scope="write")
    assert visible(client, writer_only) == {"public"}


def test_totals_count_only_what_the_caller_sees(client, records, other_member):
    assert client.get("/api/v1/practices").headers["X-Pagination"].startswith('{"total": 1,')
    assert client.get("/api/v1/practices", headers=other_member.headers).headers["X-Pagination"].startswith(
        '{"total": 2,')


@pytest.mark.parametrize("resource", RESOURCES)
def test_other_society_cannot_edit_or_delete(client, member, other_member, db_session, resource):
    record = create(client, member, resource).json
    set_status(db_session, resource, record["id"], "published")
    etag = client.get(url(resource, record["id"]), headers=other_member.headers).headers["ETag"]
    patch = client.patch(url(resource, record["id"]), json={"visibility": "public"},
                         headers={**other_member.headers, "If-Match": etag})
    assert patch.status_code == 403
    assert client.delete(url(resource, record["id"]), headers=other_member.headers).status_code == 403
    assert client.get(url(resource, record["id"]), headers=other_member.headers).json["actions"] == []


def test_published_record_is_edited_through_a_revision_not_deleted(client, member, other_member, db_session):
    record = create(client, member, "practices").json
    set_status(db_session, "practices", record["id"], "published")
    got = client.get(url("practices", record["id"]), headers=member.headers)
    assert "edit" in got.json["actions"] and got.json["pending_revision"] is None
    response = client.patch(url("practices", record["id"]), json={"title": "Changed"},
                            headers={**member.headers, "If-Match": got.headers["ETag"]})
    assert response.status_code == 200
    assert response.json["title"] == record["title"]  # the published version is untouched
    assert response.json["pending_revision"]["changes"] == [
        {"field": "title", "from": record["title"], "to": "Changed"}]
    network = client.get(url("practices", record["id"]), headers=other_member.headers).json
    assert network["title"] == record["title"] and network["pending_revision"] is None
    assert client.delete(url("practices", record["id"]), headers=member.headers).status_code == 409


def test_member_cannot_create_for_another_society(client, member):
    response = client.post(url("practices"), json={**_practice(), "society": "GB"}, headers=member.headers)
    assert response.status_code == 403 and "society" in response.json["errors"]["json"]


def test_anonymous_cannot_write(client, member):
    response = client.post(url("practices"), json=_practice())
    assert response.status_code == 401 and "Bearer" in response.headers["WWW-Authenticate"]


def test_bad_token_is_401_with_challenge(client):
    response = client.get("/api/v1/practices", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    assert response.json["code"] == 401


def test_contact_personal_fields_need_contacts_read(client, member, make_caller, db_session):
    contact = create(client, member, "contacts").json
    set_status(db_session, "contacts", contact["id"], "published", "public")
    anonymous = client.get(url("contacts", contact["id"])).json
    assert anonymous["name"] is None and anonymous["email"] is None and anonymous["phone"] is None
    assert anonymous["role"] == "Anti-trafficking focal point"
    reader = make_caller("member", "GB", scope="read")
    assert client.get(url("contacts", contact["id"]), headers=reader.headers).json["email"] is None
    full = make_caller("member", "GB", scope="read contacts:read")
    assert client.get(url("contacts", contact["id"]), headers=full.headers).json["email"] == \
        "anna.jansen@rodekruis-nl.example"


def _practice():
    from tests.payloads import valid

    return valid("practices")
