"""The changes feed: following it from the start rebuilds exactly what the API's lists show each caller, a
record's pending revision and a material's files included."""
from __future__ import annotations

import json
import time

import pytest

from atn_hub.services import webhooks
from tests.files.helpers import extract, files_url, upload
from tests.helpers import create, edit, post, publish, shown_in_lists, url


def follow(client, caller, limit=3, since="0", state=None):
    """A partner's sync client: applies every change in order; returns its copy and the last cursor."""
    state = {} if state is None else state
    headers = caller.headers if caller else {}
    for _ in range(1000):
        page = client.get(f"/api/v1/changes?since={since}&limit={limit}", headers=headers)
        assert page.status_code == 200, page.json
        for change in page.json["changes"]:
            key = (change["type"], change["record_id"])
            if change["action"] in ("created", "updated", "published"):
                assert change["record"]["id"] == change["record_id"]
                state[key] = change["record"]
            else:
                assert change["record"] is None and change["external_id"] is not None
                state.pop(key, None)
        since = page.json["next_cursor"]
        if not page.json["has_more"]:
            return state, since
    raise AssertionError("the feed did not end")


@pytest.fixture
def history(app, client, member, other_member, make_caller, admin):
    """A bit of everything: drafts, submissions, publications, a revision, archiving, deletions."""
    coordinator = make_caller("coordinator", "DE")
    contact = publish(client, member, coordinator, "contacts", visibility="public")
    practice = publish(client, member, coordinator, "practices", visibility="public", external_id="P-public",
                       contacts=[{"id": contact["id"], "role": None}])
    publish(client, member, coordinator, "practices", external_id="P-network")
    draft = create(client, member, "practices", external_id="P-draft").json
    edit(client, member, "practices", draft["id"], {"title": "Draft, edited"})
    submitted = create(client, other_member, "training-materials", external_id="T-submitted").json
    post(client, other_member, "training-materials", submitted["id"], "submit")
    material = publish(client, other_member, coordinator, "training-materials", external_id="T-archived",
                       visibility="public")
    post(client, other_member, "training-materials", material["id"], "archive")
    # A revision of the public practice, approved: one update for everyone who sees it.
    edit(client, member, "practices", practice["id"], {"title": "Revised and approved"})
    post(client, member, "practices", practice["id"], "submit")
    post(client, coordinator, "practices", practice["id"], "review", {"decision": "approve"})
    # A pending revision, not approved: a change for those who see it (the society; coordinators once submitted).
    edit(client, member, "practices", practice["id"], {"summary": "Pending."})
    # Files: of a draft (at once), of a published material (through its pending revision, then submitted),
    # one added and removed again, and one with its text extracted.
    draft_material = create(client, member, "training-materials", external_id="T-draft-files").json
    kept = upload(client, member, draft_material["id"], b"Kept notes", "kept.txt").json
    dropped = upload(client, member, draft_material["id"], b"Dropped notes", "dropped.txt").json
    assert client.delete(files_url(draft_material["id"], dropped["id"]), headers=member.headers).status_code == 204
    assert kept["text_status"] == "pending"
    shared = publish(client, member, coordinator, "training-materials", external_id="T-shared")
    upload(client, member, shared["id"], b"Course notes, published", "published.txt")
    edit(client, member, "training-materials", shared["id"], {"title": "Shared, with a new file"})
    post(client, member, "training-materials", shared["id"], "submit")
    post(client, coordinator, "training-materials", shared["id"], "review", {"decision": "approve"})
    upload(client, member, shared["id"], b"Course notes, pending", "pending.txt")
    post(client, member, "training-materials", shared["id"], "submit")
    extract(app)
    # Public to network: gone for anonymous callers, an update for the network.
    network = publish(client, other_member, coordinator, "practices", external_id="P-goes-network",
                      visibility="public")
    edit(client, other_member, "practices", network["id"], {"visibility": "network"})
    post(client, other_member, "practices", network["id"], "submit")
    post(client, coordinator, "practices", network["id"], "review", {"decision": "approve"})
    # Deleted: the contact (the practice naming it stops naming it), and a draft.
    assert client.delete(url("contacts", contact["id"]), headers=member.headers).status_code == 204
    gone = create(client, member, "training-materials", external_id="T-gone").json
    assert client.delete(url("training-materials", gone["id"]), headers=member.headers).status_code == 204
    second_contact = create(client, member, "contacts", external_id="C-draft").json
    return {"coordinator": coordinator, "practice": practice, "contact": second_contact}


def test_following_the_feed_rebuilds_what_the_lists_show(client, history, member, other_member, admin,
                                                         make_caller):
    callers = {"anonymous": None, "member": member, "other member": other_member,
               "coordinator": history["coordinator"], "admin": admin,
               "member without contacts:read": make_caller("member", "NL", scope="read")}
    for name, caller in callers.items():
        expected = shown_in_lists(client, caller)
        synced, _ = follow(client, caller)
        assert synced == expected, name
    # Anonymous callers see public published records only.
    anonymous = follow(client, None)[0]
    assert {r["external_id"] for r in anonymous.values()} == {"P-public", "T-shared"}
    shared = next(r for r in anonymous.values() if r["external_id"] == "T-shared")
    assert [f["filename"] for f in shared["files"]] == ["published.txt"] and shared["pending_revision"] is None
    assert shared["files"][0]["pending_change"] is None and shared["files"][0]["text_status"] == "done"
    assert anonymous[("practice", history["practice"]["id"])]["title"] == "Revised and approved"
    assert anonymous[("practice", history["practice"]["id"])]["contacts"] == []


def test_a_sync_client_resumes_from_its_cursor(client, history, member):
    state, cursor = follow(client, member, limit=100)
    again = client.get(f"/api/v1/changes?since={cursor}", headers=member.headers).json
    assert again == {"changes": [], "next_cursor": cursor, "has_more": False}
    practice = create(client, member, "practices", external_id="P-later").json
    later = client.get(f"/api/v1/changes?since={cursor}", headers=member.headers).json
    assert [(c["action"], c["record_id"]) for c in later["changes"]] == [("created", practice["id"])]
    state, cursor = follow(client, member, since=cursor, state=state)
    assert state == shown_in_lists(client, member)
    # Other societies never hear of the draft.
    other = client.get(f"/api/v1/changes?since={int(cursor) - 1}", headers=history["coordinator"].headers).json
    assert other["changes"] == []


def test_tombstones_name_the_record(client, member):
    record = create(client, member, "practices", external_id="P-tomb").json
    client.delete(url("practices", record["id"]), headers=member.headers)
    changes = client.get("/api/v1/changes", headers=member.headers).json["changes"]
    assert [c["action"] for c in changes] == ["created", "deleted"]
    tombstone = changes[-1]
    assert tombstone == {**tombstone, "type": "practice", "record_id": record["id"], "external_id": "P-tomb",
                         "society": "NL", "record": None}
    assert int(changes[0]["cursor"]) < int(tombstone["cursor"])


def test_personal_fields_follow_the_callers_scope(client, member, make_caller, coordinator):
    publish(client, member, coordinator, "contacts")
    reader = make_caller("member", "GB", scope="read")
    record = client.get("/api/v1/changes?type=contact", headers=reader.headers).json["changes"][-1]["record"]
    assert record["name"] is None and record["email"] is None and record["role"]
    full = client.get("/api/v1/changes?type=contact", headers=member.headers).json["changes"][-1]["record"]
    assert full["email"] == "anna.jansen@rodekruis-nl.example"


@pytest.mark.parametrize("query, field", [("since=abc", "since"), ("since=-1", "since"), ("limit=0", "limit"),
                                          ("limit=1001", "limit"), ("type=society", "type")])
def test_bad_parameters_are_named(client, query, field):
    response = client.get(f"/api/v1/changes?{query}")
    assert response.status_code == 422 and field in response.json["errors"]["query"]


def changes_of(client, caller, record_id):
    page = client.get("/api/v1/changes?limit=1000", headers=caller.headers if caller else {})
    assert page.status_code == 200, page.json
    return [change for change in page.json["changes"] if change["record_id"] == record_id]


def test_adding_and_removing_a_file_are_updates_in_the_feed_and_webhooks(app, client, member, other_member,
                                                                         settings, receiver):
    receiver.start()
    assert client.post("/api/v1/webhooks", json={"url": receiver.url, "events": ["*"]},
                       headers=member.headers).status_code == 201
    material = create(client, member, "training-materials", external_id="T-files").json  # a draft: NL's own
    added = upload(client, member, material["id"], b"Course notes", "notes.txt").json
    listed_then = client.get(files_url(material["id"]), headers=member.headers).json
    assert client.delete(files_url(material["id"], added["id"]), headers=member.headers).status_code == 204

    feed = changes_of(client, member, material["id"])
    assert [c["action"] for c in feed] == ["created", "updated", "updated"]
    assert feed[0]["record"]["files"] == [] and feed[-1]["record"]["files"] == []
    assert feed[1]["record"]["files"] == listed_then and listed_then[0]["id"] == added["id"]
    assert feed[1]["files"] is None  # the change's files: what a publication published (none here)
    assert changes_of(client, other_member, material["id"]) == []  # another society's draft: never heard of

    deadline = time.monotonic() + 15
    while len(receiver.received) < 3:  # the worker's passes, in this process
        assert time.monotonic() < deadline, "the worker did not deliver in time"
        webhooks.run_once(app.extensions["atn_db"].session_factory, settings)
        time.sleep(0.05)
    bodies = sorted((json.loads(body) for _, body in receiver.received), key=lambda b: int(b["change"]["cursor"]))
    assert [b["event"] for b in bodies] == ["training-material.created", "training-material.updated",
                                            "training-material.updated"]
    assert [[f["id"] for f in b["change"]["record"]["files"]] for b in bodies] == [[], [added["id"]], []]
    assert bodies[1]["change"]["record"]["files"] == listed_then


def test_a_pending_revision_is_a_change_for_those_who_see_it(client, member, other_member, coordinator, admin,
                                                            make_caller):
    other_coordinator = make_caller("coordinator", "DE")
    material = publish(client, member, coordinator, "training-materials", visibility="network")
    record = url("training-materials", material["id"])
    seen_before = {name: len(changes_of(client, caller, material["id"]))
                   for name, caller in (("member", member), ("coordinator", other_coordinator),
                                        ("other member", other_member), ("admin", admin))}
    edit(client, member, "training-materials", material["id"], {"title": "A better title"})  # saved (a draft)
    pending_file = upload(client, member, material["id"], b"New notes", "new.txt").json  # joins it
    post(client, member, "training-materials", material["id"], "submit")  # coordinators see it now
    as_submitted = client.get(record, headers=other_coordinator.headers).json
    files_submitted = client.get(files_url(material["id"]), headers=other_coordinator.headers).json
    post(client, other_coordinator, "training-materials", material["id"], "review",
         {"decision": "reject", "comment": "Not this file."})  # the pending revision is gone

    def news(name, caller):
        return changes_of(client, caller, material["id"])[seen_before[name]:]

    for name, caller in (("member", member), ("admin", admin)):  # the society, administrators: every step
        feed = news(name, caller)
        assert [c["action"] for c in feed] == ["updated"] * 4, name
        assert [(c["record"]["pending_revision"] or {}).get("status") for c in feed] == \
            ["draft", "draft", "submitted", None], name
        assert [[f["filename"] for f in c["record"]["files"]] for c in feed] == [[], ["new.txt"], ["new.txt"], []]
        assert feed[1]["record"]["files"][0]["pending_change"] == "added"
        assert all(c["record"]["title"] == material["title"] for c in feed)  # the network's version stays
    # A coordinator of another society: from the submission on.
    feed = news("coordinator", other_coordinator)
    assert [c["action"] for c in feed] == ["updated", "updated"]
    assert feed[0]["record"]["pending_revision"] == as_submitted["pending_revision"]
    assert {"field": "title", "from": material["title"], "to": "A better title"} in \
        feed[0]["record"]["pending_revision"]["changes"]
    assert feed[0]["record"]["files"] == files_submitted and files_submitted[0]["id"] == pending_file["id"]
    assert feed[1]["record"]["pending_revision"] is None and feed[1]["record"]["files"] == []
    # Another society's member never sees a pending revision: nothing changed for them.
    assert news("other member", other_member) == []
    assert client.get(record, headers=other_member.headers).json["pending_revision"] is None


def test_a_cursor_past_the_end_was_not_given_by_this_hub(client, member):
    create(client, member, "practices")
    end = client.get("/api/v1/changes?limit=1000").json["next_cursor"]  # every caller's scan reaches the end
    assert client.get(f"/api/v1/changes?since={end}").status_code == 200
    response = client.get(f"/api/v1/changes?since={int(end) + 1}", headers=member.headers)
    assert response.status_code == 400 and "since" in response.json["errors"]["query"]
    assert "since=0" in response.json["detail"]
