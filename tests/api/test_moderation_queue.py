"""The coordinators' queue: oldest first, filters, submitter, diff, discussion, assignment."""
from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import update

from atn_hub.db import utcnow
from atn_hub.models import Submission
from tests.files.helpers import files_url, upload
from tests.helpers import create, edit, post, publish, url

QUEUE = "/api/v1/moderation/queue"


def test_queue_lists_submissions_oldest_first_with_diff_and_discussion(client, db_session, member, other_member,
                                                                       coordinator):
    fresh = create(client, member, "practices", external_id="fresh").json
    published = publish(client, member, coordinator, "practices", external_id="published")
    edit(client, member, "practices", published["id"], {"title": "Edited title"})
    post(client, member, "practices", published["id"], "submit")
    post(client, member, "practices", fresh["id"], "submit")
    contact = create(client, other_member, "contacts", country="GB", external_id="GB-C", languages=["en"]).json
    post(client, other_member, "contacts", contact["id"], "submit")
    not_submitted = create(client, member, "training-materials").json
    # Age them: the revision was submitted 3 days ago, the new practice 1 day ago, the contact just now.
    for record_id, days in ((published["id"], 3), (fresh["id"], 1)):
        db_session.execute(update(Submission).where(Submission.record_id == uuid.UUID(record_id))
                           .values(submitted_at=utcnow() - timedelta(days=days)))
    db_session.commit()

    response = client.get(QUEUE, headers=coordinator.headers)
    assert response.status_code == 200
    items = response.json
    assert [i["record_id"] for i in items] == [published["id"], fresh["id"], contact["id"]]
    assert not_submitted["id"] not in {i["record_id"] for i in items}
    revision, new = items[0], items[1]
    assert revision["kind"] == "revision" and revision["status"] == "submitted"
    assert revision["diff"] == [{"field": "title", "from": published["title"], "to": "Edited title"}]
    assert revision["submitted_by"]["user_id"] == str(member.user.id)
    assert [c["decision"] for c in revision["discussion"]] == ["approve"]  # the record's first review
    assert revision["assignee"] is None
    assert new["kind"] == "new" and {"field": "title", "from": None, "to": fresh["title"]} in new["diff"]
    assert items[2]["type"] == "contact" and items[2]["society"] == "GB"

    def ids(query):
        return [i["record_id"] for i in client.get(QUEUE + query, headers=coordinator.headers).json]

    assert ids("?type=contact") == [contact["id"]]
    assert ids("?type=practice&type=contact") == [published["id"], fresh["id"], contact["id"]]
    assert ids("?society=GB") == [contact["id"]]
    assert ids("?country=GB") == [contact["id"]]
    assert ids("?language=nl") == [published["id"], fresh["id"]]
    assert ids("?age=2d") == [published["id"]]
    assert ids("?age=12h") == [published["id"], fresh["id"]]
    bad = client.get(QUEUE + "?age=soon", headers=coordinator.headers)
    assert bad.status_code == 422 and "age" in bad.json["errors"]["query"]

    # A decision takes the submission out of the queue, and its comment is in the discussion.
    post(client, coordinator, "practices", fresh["id"], "review", {"decision": "request_changes",
                                                                    "comment": "Add the results."})
    assert fresh["id"] not in ids("")
    reply = client.post(url("practices", fresh["id"]) + "/comments", json={"comment": "Done, resubmitting."},
                        headers=member.headers)
    assert reply.status_code == 201
    post(client, member, "practices", fresh["id"], "submit")
    again = next(i for i in client.get(QUEUE, headers=coordinator.headers).json if i["record_id"] == fresh["id"])
    assert [c["comment"] for c in again["discussion"]] == ["Add the results.", "Done, resubmitting."]
    assert [c["decision"] for c in again["discussion"]] == ["request_changes", None]


def test_the_queue_is_for_coordinators(client, member, admin):
    assert client.get(QUEUE).status_code == 401
    forbidden = client.get(QUEUE, headers=member.headers)
    assert forbidden.status_code == 403 and 'scope="moderate"' in forbidden.headers["WWW-Authenticate"]
    assert client.get(QUEUE, headers=admin.headers).status_code == 200


def test_coordinators_see_whom_they_can_assign_to(client, db_session, member, make_caller):
    first, second = make_caller("coordinator", "GB"), make_caller("coordinator", "DE")
    admin, gone = make_caller("admin", None), make_caller("coordinator", "NL")
    gone.user.disabled = True
    db_session.merge(gone.user)
    db_session.commit()
    listed = client.get("/api/v1/moderation/coordinators", headers=first.headers)
    assert listed.status_code == 200
    assert sorted(listed.json, key=lambda p: p["user_id"]) == sorted(
        ({"user_id": str(c.user.id), "name": c.user.name} for c in (first, second, admin)),
        key=lambda p: p["user_id"])  # not the disabled one, nor members
    assert [p["name"] for p in listed.json] == sorted(p["name"] for p in listed.json)
    assert client.get("/api/v1/moderation/coordinators", headers=member.headers).status_code == 403
    assert client.get("/api/v1/moderation/coordinators").status_code == 401


def test_assign_to_self_or_another_coordinator(client, member, make_caller):
    first, second = make_caller("coordinator", "GB"), make_caller("coordinator", "DE")
    record = create(client, member, "practices").json
    post(client, member, "practices", record["id"], "submit")
    item = client.get(QUEUE, headers=first.headers).json[0]
    path = f"{QUEUE}/{item['id']}/assign"

    mine = client.post(path, json={"assignee_id": str(first.user.id)}, headers=first.headers)
    assert mine.status_code == 200 and mine.json["assignee"]["user_id"] == str(first.user.id)
    assert [i["id"] for i in client.get(QUEUE + "?assignee=me", headers=first.headers).json] == [item["id"]]
    assert client.get(QUEUE + "?assignee=none", headers=first.headers).json == []
    handed = client.post(path, json={"assignee_id": str(second.user.id)}, headers=first.headers)
    assert handed.json["assignee"]["name"] == second.user.name
    assert [i["id"] for i in client.get(QUEUE + "?assignee=me", headers=second.headers).json] == [item["id"]]

    not_coordinator = client.post(path, json={"assignee_id": str(member.user.id)}, headers=first.headers)
    assert not_coordinator.status_code == 422 and "assignee_id" in not_coordinator.json["errors"]["json"]
    assert client.post(path, json={"assignee_id": str(first.user.id)}, headers=member.headers).status_code == 403
    assert client.post(path, json={}, headers=first.headers).status_code == 422
    opened = client.post(path, json={"assignee_id": None}, headers=first.headers)
    assert opened.json["assignee"] is None
    assert client.get(f"{QUEUE}/{item['id']}", headers=first.headers).json["id"] == item["id"]

    post(client, first, "practices", record["id"], "review", {"decision": "approve"})
    assert client.get(f"{QUEUE}/{item['id']}", headers=first.headers).status_code == 404
    assert client.post(path, json={"assignee_id": None}, headers=first.headers).status_code == 404


def test_the_diff_shows_the_files_a_submission_adds_and_removes(client, member, make_caller):
    reviewer = make_caller("coordinator", "GB")
    material = create(client, member, "training-materials").json
    handout = upload(client, member, material["id"], b"Handout for volunteers.\n", "handout.txt").json
    post(client, member, "training-materials", material["id"], "submit")
    [new] = client.get(QUEUE, headers=reviewer.headers).json
    assert {"field": "files", "from": None, "to": ["handout.txt"]} in new["diff"]
    post(client, reviewer, "training-materials", material["id"], "review", {"decision": "approve"})

    upload(client, member, material["id"], b"Checklist for first contact.\n", "checklist.txt")
    client.delete(files_url(material["id"], handout["id"]), headers=member.headers)
    edit(client, member, "training-materials", material["id"], {"title": "Een betere titel"})
    post(client, member, "training-materials", material["id"], "submit")
    [revision] = client.get(QUEUE, headers=reviewer.headers).json
    assert revision["kind"] == "revision" and revision["diff"] == [
        {"field": "title", "from": material["title"], "to": "Een betere titel"},
        {"field": "files", "from": ["handout.txt"], "to": ["checklist.txt"]}]
