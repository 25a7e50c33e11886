"""The moderation workflow through the API: submit, review (approve, request changes, reject), archive."""
from __future__ import annotations

import pytest

from tests.helpers import create, decide_at_once, post, url
from tests.payloads import RESOURCES


@pytest.mark.parametrize("resource", RESOURCES)
def test_the_whole_workflow(client, member, make_caller, resource):
    coordinator = make_caller("coordinator", "GB")
    record = create(client, member, resource, visibility="public").json
    assert "submit" in record["actions"]
    assert client.get(url(resource, record["id"])).status_code == 404  # anonymous: not yet

    submitted = post(client, member, resource, record["id"], "submit")
    assert submitted.status_code == 200 and submitted.json["status"] == "submitted"
    assert "edit" not in submitted.json["actions"]
    assert "review" in client.get(url(resource, record["id"]), headers=coordinator.headers).json["actions"]

    no_reason = post(client, coordinator, resource, record["id"], "review", {"decision": "request_changes"})
    assert no_reason.status_code == 422 and "comment" in no_reason.json["errors"]["json"]
    sent_back = post(client, coordinator, resource, record["id"], "review",
                     {"decision": "request_changes", "comment": "Please add the results of 2024."})
    assert sent_back.status_code == 200 and sent_back.json["status"] == "changes_requested"
    discussion = client.get(url(resource, record["id"]) + "/comments", headers=member.headers).json
    assert [c["comment"] for c in discussion] == ["Please add the results of 2024."]

    etag = client.get(url(resource, record["id"]), headers=member.headers).headers["ETag"]
    field = "role" if resource == "contacts" else "title"
    assert client.patch(url(resource, record["id"]), json={field: "Improved"},
                        headers={**member.headers, "If-Match": etag}).status_code == 200
    assert post(client, member, resource, record["id"], "submit").status_code == 200
    approved = post(client, coordinator, resource, record["id"], "review", {"decision": "approve"})
    assert approved.status_code == 200 and approved.json["status"] == "published"
    assert approved.json["published_at"] is not None
    assert client.get(url(resource, record["id"])).status_code == 200  # public now

    assert post(client, member, resource, record["id"], "archive").json["status"] == "archived"
    assert client.get(url(resource, record["id"])).status_code == 404
    assert post(client, coordinator, resource, record["id"], "unarchive").json["status"] == "published"


def test_reject_needs_a_reason_and_is_final(client, member, coordinator):
    record = create(client, member, "practices").json
    post(client, member, "practices", record["id"], "submit")
    rejected = post(client, coordinator, "practices", record["id"], "review",
                    {"decision": "reject", "comment": "Out of the network's scope."})
    assert rejected.json["status"] == "rejected"
    assert post(client, member, "practices", record["id"], "submit").status_code == 409
    assert post(client, coordinator, "practices", record["id"], "review", {"decision": "approve"}).status_code == 409


def test_members_cannot_review_and_decisions_are_validated(client, member, coordinator):
    record = create(client, member, "practices").json
    post(client, member, "practices", record["id"], "submit")
    forbidden = post(client, member, "practices", record["id"], "review", {"decision": "approve"})
    assert forbidden.status_code == 403 and 'scope="moderate"' in forbidden.headers["WWW-Authenticate"]
    bad = post(client, coordinator, "practices", record["id"], "review", {"decision": "publish"})
    assert bad.status_code == 422 and "decision" in bad.json["errors"]["json"]


def test_two_coordinators_deciding_at_once_one_wins_the_other_gets_409(live_server, client, member, make_caller):
    record = create(client, member, "practices").json
    post(client, member, "practices", record["id"], "submit")
    coordinators = [make_caller("coordinator", "GB"), make_caller("coordinator", "DE")]
    decisions = [{"decision": "approve"}, {"decision": "reject", "comment": "Duplicate of another practice."}]
    assert decide_at_once(live_server, record["id"], coordinators, decisions) == [200, 409]
    final = client.get(url("practices", record["id"]), headers=member.headers).json["status"]
    assert final in ("published", "rejected")
    comments = client.get(url("practices", record["id"]) + "/comments", headers=member.headers).json
    assert len(comments) == 1  # the losing decision left nothing behind
