"""Revisions: editing a published record goes through review while the published version stays visible;
approval replaces it atomically; the history and diffs say who changed what and when."""
from __future__ import annotations

import json

import pytest

from tests.helpers import create, decide_at_once, edit, post, publish, url
from tests.payloads import RESOURCES

TITLE = {"practices": "title", "contacts": "role", "training-materials": "title", "projects": "title"}


@pytest.mark.parametrize("resource", RESOURCES)
def test_a_revision_goes_through_review_while_the_published_version_stays(client, member, other_member,
                                                                          make_caller, resource):
    coordinator = make_caller("coordinator", "GB")
    field = TITLE[resource]
    record = publish(client, member, coordinator, resource, visibility="public")
    original = record[field]

    edited = edit(client, member, resource, record["id"], {field: "A better title"})
    assert edited.status_code == 200, edited.json
    assert edited.json[field] == original and edited.json["version"] == record["version"]
    assert edited.json["pending_revision"]["status"] == "draft"
    assert {"field": field, "from": original, "to": "A better title"} in edited.json["pending_revision"]["changes"]
    assert set(edited.json["actions"]) >= {"edit", "submit"}
    # Everyone else still sees the published version, and nothing of the pending one.
    for caller in (None, other_member, coordinator):
        got = client.get(url(resource, record["id"]), headers=caller.headers if caller else {}).json
        assert got[field] == original and got["pending_revision"] is None
    assert post(client, coordinator, resource, record["id"], "review", {"decision": "approve"}).status_code == 409

    assert post(client, member, resource, record["id"], "submit").status_code == 200
    assert edit(client, member, resource, record["id"], {field: "Again"}).status_code == 409  # awaits review
    seen = client.get(url(resource, record["id"]), headers=coordinator.headers).json
    assert seen["pending_revision"]["status"] == "submitted" and "review" in seen["actions"]
    assert client.get(url(resource, record["id"])).json[field] == original  # still the published one

    back = post(client, coordinator, resource, record["id"], "review",
                {"decision": "request_changes", "comment": "Shorter, please."})
    assert back.status_code == 200 and back.json["status"] == "published"
    assert client.get(url(resource, record["id"]), headers=member.headers).json["pending_revision"]["status"] \
        == "changes_requested"
    assert edit(client, member, resource, record["id"], {field: "Short"}).status_code == 200
    assert post(client, member, resource, record["id"], "submit").status_code == 200
    approved = post(client, coordinator, resource, record["id"], "review", {"decision": "approve"})
    assert approved.status_code == 200
    assert approved.json[field] == "Short" and approved.json["version"] == record["version"] + 1
    public = client.get(url(resource, record["id"])).json
    assert public[field] == "Short" and public["status"] == "published" and public["pending_revision"] is None


def test_rejecting_a_revision_keeps_the_published_version(client, member, coordinator):
    record = publish(client, member, coordinator, "practices")
    edit(client, member, "practices", record["id"], {"summary": "Rewritten."})
    post(client, member, "practices", record["id"], "submit")
    rejected = post(client, coordinator, "practices", record["id"], "review",
                    {"decision": "reject", "comment": "The old summary was right."})
    assert rejected.status_code == 200
    got = client.get(url("practices", record["id"]), headers=member.headers).json
    assert got["summary"] == record["summary"] and got["pending_revision"] is None
    assert post(client, member, "practices", record["id"], "submit").status_code == 409  # nothing to submit
    assert edit(client, member, "practices", record["id"], {"summary": "A new try."}).status_code == 200


def test_a_stale_etag_cannot_overwrite_a_pending_revision(client, member, coordinator):
    record = publish(client, member, coordinator, "practices")
    stale = client.get(url("practices", record["id"]), headers=member.headers).headers["ETag"]
    assert edit(client, member, "practices", record["id"], {"title": "First edit"}).status_code == 200
    second = client.patch(url("practices", record["id"]), json={"title": "Lost update"},
                          headers={**member.headers, "If-Match": stale})
    assert second.status_code == 412
    got = client.get(url("practices", record["id"]), headers=member.headers).json
    assert got["pending_revision"]["changes"][0]["to"] == "First edit"


def test_invalid_revision_is_refused_and_changes_nothing(client, member, coordinator):
    record = publish(client, member, coordinator, "practices")
    bad = edit(client, member, "practices", record["id"], {"end_year": 1990})  # before start_year 2019
    assert bad.status_code == 422 and "end_year" in bad.json["errors"]["json"]
    assert client.get(url("practices", record["id"]), headers=member.headers).json["pending_revision"] is None
    unknown = edit(client, member, "practices", record["id"], {"topics": ["no-such-topic"]})
    assert unknown.status_code == 422 and "topics" in unknown.json["errors"]["json"]


def test_history_says_who_changed_what_and_diffs_any_two(client, member, coordinator):
    record = create(client, member, "practices").json
    edit(client, member, "practices", record["id"], {"title": "Second title"})
    post(client, member, "practices", record["id"], "submit")
    post(client, coordinator, "practices", record["id"], "review", {"decision": "approve"})
    edit(client, member, "practices", record["id"], {"summary": "A pending summary."})

    history = client.get(url("practices", record["id"]) + "/revisions", headers=member.headers)
    assert history.status_code == 200
    revisions = history.json
    assert [r["action"] for r in revisions] == ["created", "updated", "revised"]
    assert [r["number"] for r in revisions] == [1, 2, 3]
    assert revisions[1]["changed"] == ["title"] and revisions[2]["changed"] == ["summary"]
    assert revisions[2]["pending"] is True and revisions[2]["status"] == "draft"
    assert revisions[0]["author_user_id"] == str(member.user.id)
    assert revisions[0]["author_name"] == member.user.name

    one = client.get(url("practices", record["id"]) + "/revisions/2", headers=member.headers).json
    assert one["content"]["title"] == "Second title"
    assert one["changes"] == [{"field": "title", "from": record["title"], "to": "Second title"}]
    diff = client.get(url("practices", record["id"]) + "/revisions/diff?from=1&to=3", headers=member.headers).json
    assert {c["field"] for c in diff["changes"]} == {"title", "summary"}
    assert client.get(url("practices", record["id"]) + "/revisions/9", headers=member.headers).status_code == 404
    bad = client.get(url("practices", record["id"]) + "/revisions/diff?from=1&to=9", headers=member.headers)
    assert bad.status_code == 422 and "to" in bad.json["errors"]["json"]
    missing = client.get(url("practices", record["id"]) + "/revisions/diff?from=1", headers=member.headers)
    assert missing.status_code == 422 and "to" in missing.json["errors"]["query"]


def test_history_is_for_the_society_and_coordinators(client, member, other_member, coordinator):
    record = publish(client, member, coordinator, "practices", visibility="public")
    path = url("practices", record["id"]) + "/revisions"
    assert client.get(path).status_code == 401
    assert client.get(path, headers=other_member.headers).status_code == 403
    assert client.get(path, headers=coordinator.headers).status_code == 200
    draft = create(client, member, "practices", external_id="draft").json
    assert client.get(url("practices", draft["id"]) + "/revisions", headers=other_member.headers).status_code == 404


def test_contact_history_hides_personal_fields_without_the_scope(client, member, make_caller):
    no_personal = make_caller("member", "NL", scope="read write")
    record = create(client, member, "contacts").json
    edit(client, member, "contacts", record["id"], {"email": "new@rodekruis-nl.example"})
    shown = client.get(url("contacts", record["id"]) + "/revisions/2", headers=member.headers).json
    assert shown["content"]["email"] == "new@rodekruis-nl.example"
    hidden = client.get(url("contacts", record["id"]) + "/revisions/2", headers=no_personal.headers).json
    assert hidden["content"]["email"] is None and hidden["content"]["name"] is None
    assert hidden["changes"] == [{"field": "email", "from": None, "to": None}]


def test_two_coordinators_deciding_a_revision_at_once(live_server, client, member, make_caller):
    first, second = make_caller("coordinator", "GB"), make_caller("coordinator", "DE")
    record = publish(client, member, first, "practices")
    edit(client, member, "practices", record["id"], {"title": "Revised title"})
    post(client, member, "practices", record["id"], "submit")
    bodies = [{"decision": "approve"}, {"decision": "request_changes", "comment": "Not yet."}]
    assert decide_at_once(live_server, record["id"], (first, second), bodies) == [200, 409]
    got = client.get(url("practices", record["id"]), headers=member.headers).json
    approved = got["title"] == "Revised title"
    assert approved == (got["pending_revision"] is None)  # either applied, or sent back: never both


PRIVATE_EDIT = {"practices": {"summary": "A private draft summary."},
                "contacts": {"email": "private.draft@rodekruis-nl.example"}}


@pytest.mark.parametrize("resource", ["practices", "contacts"])
def test_a_coordinator_of_another_society_reads_only_what_was_submitted_to_them(client, member, admin, make_caller,
                                                                                resource):
    reviewer = make_caller("coordinator", "GB")  # with contacts:read
    field = TITLE[resource]
    record = create(client, member, resource).json  # 1: saved as a draft, never submitted as such
    path = url(resource, record["id"])
    edit(client, member, resource, record["id"], {field: "Submitted wording"})  # 2: then submitted
    for endpoint in ("/revisions", "/revisions/2", "/comments"):  # the draft is not theirs to read at all
        assert client.get(path + endpoint, headers=reviewer.headers).status_code == 404
    post(client, member, resource, record["id"], "submit")
    post(client, reviewer, resource, record["id"], "review", {"decision": "approve"})
    edit(client, member, resource, record["id"], PRIVATE_EDIT[resource])  # 3: the pending revision's draft
    private = next(iter(PRIVATE_EDIT[resource].values()))

    def numbers(caller):
        response = client.get(path + "/revisions", headers=caller.headers)
        assert response.status_code == 200, response.json
        return [r["number"] for r in response.json]

    assert numbers(member) == numbers(admin) == [1, 2, 3]
    assert numbers(reviewer) == [2]
    missing = client.get(path + "/revisions/9", headers=reviewer.headers)
    for hidden in (1, 3):  # answered exactly like a number that does not exist
        response = client.get(path + f"/revisions/{hidden}", headers=reviewer.headers)
        assert response.status_code == 404
        assert response.json["message"] == missing.json["message"].replace("9", str(hidden))
    for query, field_named in (("from=2&to=3", "to"), ("from=1&to=2", "from")):
        diff = client.get(path + f"/revisions/diff?{query}", headers=reviewer.headers)
        assert diff.status_code == 422 and field_named in diff.json["errors"]["json"]
    second = client.get(path + "/revisions/2", headers=reviewer.headers).json
    assert second["content"][field] == "Submitted wording"
    assert all(change["from"] is None for change in second["changes"])  # not compared with the unseen draft
    assert private not in json.dumps(client.get(path, headers=reviewer.headers).json)
    assert client.get(path + "/comments", headers=reviewer.headers).status_code == 200

    # Once submitted, the revision is theirs to review, compared with what they saw before it.
    post(client, member, resource, record["id"], "submit")
    assert numbers(reviewer) == [2, 3]
    third = client.get(path + "/revisions/3", headers=reviewer.headers).json
    assert third["pending"] is True and [c["to"] for c in third["changes"]] == [private]
    diff = client.get(path + "/revisions/diff?from=2&to=3", headers=reviewer.headers)
    assert diff.status_code == 200 and [c["to"] for c in diff.json["changes"]] == [private]
