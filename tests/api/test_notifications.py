"""The in-app inbox, end to end on SQLite and PostgreSQL: the worker turns the review workflow's changes into
notifications for the people they concern (never a request), each person lists and marks theirs, chooses how
often per kind, and is never told what they may not read."""
from __future__ import annotations

import uuid

from sqlalchemy import select

from atn_hub.models import Notification
from atn_hub.services import notifications
from tests.helpers import create, post, url

INBOX = "/api/v1/me/notifications"
SETTINGS = "/api/v1/me/notification-settings"


def work(app) -> dict:
    """One pass of the worker's notification channel, in this process."""
    return notifications.run_once(app.extensions["atn_db"].session_factory, app.config["ATN_SETTINGS"])


def inbox(client, caller, **params) -> list[dict]:
    response = client.get(INBOX, query_string=params, headers=caller.headers)
    assert response.status_code == 200, response.json
    return response.json


def kinds(client, caller) -> list[str]:
    return [n["kind"] for n in inbox(client, caller)]


def queue_item(client, coordinator, record_id) -> dict:
    items = client.get("/api/v1/moderation/queue", headers=coordinator.headers).json
    return next(item for item in items if item["record_id"] == record_id)


def test_a_submission_tells_the_coordinators_and_the_decision_tells_the_society(app, client, make_caller):
    member, colleague = make_caller("member", "NL"), make_caller("member", "NL")
    coordinator, other_coordinator = make_caller("coordinator", "GB"), make_caller("coordinator", "DE")
    stranger = make_caller("member", "GB")
    practice = create(client, member, "practices", title="Buddy programme for survivors").json
    post(client, member, "practices", practice["id"], "submit")
    assert inbox(client, coordinator) == []  # made by the worker, never in the request

    work(app)
    [told] = inbox(client, coordinator)
    assert told["kind"] == "submission" and told["read"] is False
    assert told["record"] == {"type": "practice", "id": practice["id"], "title": "Buddy programme for survivors",
                              "language": practice["language"]}
    assert told["actor"] == {"id": str(member.user.id), "name": member.user.name}
    assert kinds(client, other_coordinator) == ["submission"]
    assert inbox(client, member) == [] and inbox(client, colleague) == [] and inbox(client, stranger) == []

    decided = post(client, coordinator, "practices", practice["id"], "review",
                   {"decision": "request_changes", "comment": "Name the municipality, please."})
    assert decided.status_code == 200, decided.json
    work(app)
    for person in (member, colleague):
        [decision] = inbox(client, person)
        assert decision["kind"] == "decision" and decision["decision"] == "request_changes"
        assert decision["comment"] == "Name the municipality, please."
        assert decision["actor"]["name"] == coordinator.user.name
    assert kinds(client, coordinator) == ["submission"]  # never told of their own decision
    assert inbox(client, stranger) == []

    post(client, member, "practices", practice["id"], "submit")
    post(client, coordinator, "practices", practice["id"], "review", {"decision": "approve"})
    work(app)
    assert kinds(client, member) == ["decision", "decision"]
    assert inbox(client, member)[0]["decision"] == "approve"  # newest first
    assert kinds(client, other_coordinator) == ["submission", "submission"]
    work(app)  # a second pass makes nothing twice
    assert len(inbox(client, member)) == 2


def test_once_assigned_only_the_assignee_hears_of_the_discussion(app, client, make_caller):
    member = make_caller("member", "NL")
    lead, assignee, bystander = (make_caller("coordinator", code) for code in ("GB", "DE", "GB"))
    practice = create(client, member, "practices").json
    post(client, member, "practices", practice["id"], "submit")
    item = queue_item(client, lead, practice["id"])
    response = client.post(f"/api/v1/moderation/queue/{item['id']}/assign",
                           json={"assignee_id": str(assignee.user.id)}, headers=lead.headers)
    assert response.status_code == 200, response.json
    reply = client.post(url("practices", practice["id"]) + "/comments", json={"comment": "Sources added."},
                        headers=member.headers)
    assert reply.status_code == 201, reply.json
    work(app)

    assert kinds(client, assignee) == ["comment", "assignment", "submission"]
    comment, assignment, _ = inbox(client, assignee)
    assert comment["comment"] == "Sources added." and comment["actor"]["name"] == member.user.name
    assert assignment["actor"]["name"] == lead.user.name
    assert kinds(client, lead) == ["submission"]  # they assigned it: the discussion is the assignee's now
    assert kinds(client, bystander) == ["submission"]
    assert inbox(client, member) == []

    answer = client.post(url("practices", practice["id"]) + "/comments", json={"comment": "Thanks, reading."},
                         headers=assignee.headers)
    assert answer.status_code == 201
    work(app)
    assert kinds(client, member) == ["comment"]
    assert kinds(client, assignee) == ["comment", "assignment", "submission"]  # not told of their own reply


def test_another_societys_draft_is_never_told(app, client, make_caller):
    member, coordinator, stranger = make_caller("member", "NL"), make_caller("coordinator", "GB"), \
        make_caller("member", "GB")
    colleague = make_caller("member", "NL")
    draft = create(client, member, "practices", title="Our private draft").json
    reply = client.post(url("practices", draft["id"]) + "/comments", json={"comment": "Note to self"},
                        headers=member.headers)
    assert reply.status_code == 201
    work(app)
    assert inbox(client, coordinator) == [] and inbox(client, stranger) == []
    assert [n["record"]["title"] for n in inbox(client, colleague)] == ["Our private draft"]


def test_a_contacts_name_only_with_contacts_read_and_erasure_scrubs_it(app, client, make_caller, db_session):
    member = make_caller("member", "NL")
    coordinator = make_caller("coordinator", "GB")
    narrow = make_caller("coordinator", "DE", scope="read moderate")
    contact = create(client, member, "contacts", name="Anna Jansen", role="Focal point").json
    post(client, member, "contacts", contact["id"], "submit")
    work(app)
    assert inbox(client, coordinator)[0]["record"]["title"] == "Anna Jansen"
    assert inbox(client, narrow)[0]["record"]["title"] == "Focal point"
    assert "Anna Jansen" not in str(client.get(INBOX, headers=narrow.headers).data)

    post(client, coordinator, "contacts", contact["id"], "review", {"decision": "reject", "comment": "Duplicate"})
    response = client.delete(url("contacts", contact["id"]) + "?erase=true", headers=member.headers)
    assert response.status_code == 204, response.json
    assert inbox(client, coordinator)[0]["record"]["title"] == "Focal point"
    stored = db_session.scalars(select(Notification.record_personal_title)
                                .where(Notification.record_id == uuid.UUID(contact["id"]))).all()
    assert stored and set(stored) == {None}


def test_unread_filter_pages_and_marking_read(app, client, make_caller):
    member, coordinator = make_caller("member", "NL"), make_caller("coordinator", "GB")
    other = make_caller("coordinator", "DE")
    for number in range(3):
        practice = create(client, member, "practices", title=f"Practice {number}", external_id=f"NL-N-{number}").json
        post(client, member, "practices", practice["id"], "submit")
    work(app)
    everything = inbox(client, coordinator)
    assert [n["record"]["title"] for n in everything] == ["Practice 2", "Practice 1", "Practice 0"]
    page = client.get(INBOX, query_string={"page_size": 2, "page": 2}, headers=coordinator.headers)
    assert [n["id"] for n in page.json] == [everything[2]["id"]]
    assert '"total": 3' in page.headers["X-Pagination"]

    theirs = inbox(client, other)[0]["id"]
    marked = client.post(INBOX + "/read", json={"ids": [everything[0]["id"], theirs]}, headers=coordinator.headers)
    assert marked.status_code == 200 and marked.json == {"marked": 1, "unread": 2}
    assert [n["id"] for n in inbox(client, coordinator, unread="true")] == [everything[1]["id"], everything[2]["id"]]
    assert [n["id"] for n in inbox(client, coordinator, unread="false")] == [everything[0]["id"]]
    assert inbox(client, other)[0]["read"] is False  # another person's notification stays theirs

    assert client.post(INBOX + "/read", json={"all": True}, headers=coordinator.headers).json == \
        {"marked": 2, "unread": 0}
    assert inbox(client, coordinator, unread="true") == []
    for bad in ({}, {"ids": ["nope"]}, {"ids": []}, {"all": "yes"}):
        response = client.post(INBOX + "/read", json=bad, headers=coordinator.headers)
        assert response.status_code == 422, bad
        assert set(response.json["errors"]["json"]) & {"ids", "all"}
    assert client.get(INBOX, query_string={"unread": "maybe"}, headers=coordinator.headers).status_code == 422


def test_settings_have_defaults_change_one_at_a_time_and_never_means_not_at_all(app, client, make_caller):
    member, coordinator = make_caller("member", "NL"), make_caller("coordinator", "GB")
    assert client.get(SETTINGS, headers=coordinator.headers).json == {
        "submission": "immediately", "decision": "immediately", "comment": "immediately",
        "assignment": "immediately", "review_due": "weekly", "stale": "weekly", "language": "en"}
    changed = client.patch(SETTINGS, json={"submission": "never", "language": "nl"}, headers=coordinator.headers)
    assert changed.status_code == 200, changed.json
    assert changed.json["submission"] == "never" and changed.json["language"] == "nl"
    assert changed.json["decision"] == "immediately"
    assert client.patch(SETTINGS, json={"stale": "daily"}, headers=coordinator.headers).json["language"] == "nl"
    for bad, field in (({"submission": "hourly"}, "submission"), ({"language": "xx"}, "language"),
                       ({"digest": "daily"}, "digest")):
        response = client.patch(SETTINGS, json=bad, headers=coordinator.headers)
        assert response.status_code == 422 and field in response.json["errors"]["json"], response.json

    practice = create(client, member, "practices").json
    post(client, member, "practices", practice["id"], "submit")
    work(app)
    assert inbox(client, coordinator) == []
    assert client.get(SETTINGS, headers=member.headers).json["language"] == "en"  # theirs are their own
