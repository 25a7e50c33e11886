"""Files are content: adding or removing a file of a published training material (or practice) is part of its
pending revision, reviewed like any edit; the network (and search, the changes feed, webhooks) sees the change
only once a coordinator approves it."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from atn_hub.models import WebhookDelivery
from atn_hub.services import webhooks
from tests.files import samples
from tests.files.helpers import extract, fetch, files_url, upload
from tests.helpers import create, post, publish, url

PHRASE = "Volunteers accompany presumed victims through the residence procedure in Utrecht"
QUEUE = "/api/v1/moderation/queue"


@pytest.fixture
def reviewer(make_caller):
    """A coordinator of another society than the material's (NL)."""
    return make_caller("coordinator", "GB")


@pytest.fixture
def kind():
    return "training-materials"


@pytest.fixture
def published(client, member, reviewer, kind):
    return publish(client, member, reviewer, kind, visibility="public")


def found(app, client, caller=None) -> list[str]:
    """The records whose text has the phrase (not its translations: the glossary would find the material)."""
    indexer = app.extensions["atn_search"].indexer
    assert indexer.wait_for(indexer.last_logged_seq())
    response = client.get(f'/api/v1/search?q="{PHRASE}"&expand=false', headers=caller.headers if caller else {})
    assert response.status_code == 200, response.json
    return [hit["id"] for hit in response.json["hits"]]


def listed(client, material_id, caller=None, kind="training-materials") -> list[tuple[str, str | None]]:
    response = client.get(files_url(material_id, kind=kind), headers=caller.headers if caller else {})
    assert response.status_code == 200, response.json
    return [(f["filename"], f["pending_change"]) for f in response.json]


def feed_files(client, caller=None, kind="training-materials") -> list[tuple[str, dict | None]]:
    changes = client.get(f"/api/v1/changes?since=0&type={kind.rstrip('s')}",
                         headers=caller.headers if caller else {}).json["changes"]
    return [(c["action"], c["files"]) for c in changes]


def names(files: dict | None, side: str) -> list[str]:
    return [f["filename"] for f in (files or {}).get(side, [])]


@pytest.mark.parametrize("kind", ["training-materials", "practices"])
def test_a_file_added_to_a_published_record_reaches_the_network_only_once_approved(
        app, client, member, other_member, reviewer, published, kind):
    record_id = published["id"]
    added = upload(client, member, record_id, samples.pdf(["Cover", PHRASE + "."]), "brochure.pdf.hta",
                   kind=kind)
    assert added.status_code == 201, added.json
    file = added.json
    assert extract(app) == 1

    # Nobody but the society sees it, nor finds its text; the society sees it as a change of the pending revision.
    for caller in (None, other_member, reviewer):
        assert fetch(client, files_url(record_id, file["id"], kind=kind),
                     headers=caller.headers if caller else {}).status_code == 404
        assert client.get(files_url(record_id, kind=kind), headers=caller.headers if caller else {}).json == []
        assert found(app, client, caller) == []
    assert file["pending_change"] == "added" and file["filename"] == "brochure.pdf"
    assert listed(client, record_id, member, kind=kind) == [("brochure.pdf", "added")]
    own = client.get(url(kind, record_id), headers=member.headers).json
    assert own["pending_revision"]["status"] == "draft"
    assert {"field": "files", "from": [], "to": ["brochure.pdf"]} in own["pending_revision"]["changes"]
    assert client.get(QUEUE, headers=reviewer.headers).json == []
    assert [action for action, _ in feed_files(client, kind=kind)] == ["published"]  # the publication only

    # Submitted, the coordinators review it: in the queue with the file in the diff, and downloadable.
    assert post(client, member, kind, record_id, "submit").status_code == 200
    [item] = client.get(QUEUE, headers=reviewer.headers).json
    assert item["kind"] == "revision" and item["diff"] == [{"field": "files", "from": [], "to": ["brochure.pdf"]}]
    assert listed(client, record_id, reviewer, kind=kind) == [("brochure.pdf", "added")]
    assert fetch(client, files_url(record_id, file["id"], kind=kind), headers=reviewer.headers).status_code == 200
    assert listed(client, record_id, None, kind=kind) == [] and found(app, client) == []

    approved = post(client, reviewer, kind, record_id, "review", {"decision": "approve"})
    assert approved.status_code == 200 and approved.json["version"] == published["version"] + 1
    assert approved.json["pending_revision"] is None
    for caller in (None, other_member):
        assert listed(client, record_id, caller, kind=kind) == [("brochure.pdf", None)]
        download = fetch(client, files_url(record_id, file["id"], kind=kind),
                         headers=caller.headers if caller else {})
        assert download.status_code == 200 and download.mimetype == "application/pdf"
        assert found(app, client, caller) == [record_id]
    # The feed (and so webhooks) tells of the file when it is published.
    [(action, files)] = feed_files(client, kind=kind)[1:]
    assert action == "updated" and names(files, "added") == ["brochure.pdf"] and files["removed"] == []
    assert files["added"][0]["id"] == file["id"] and files["added"][0]["sha256"] == file["sha256"]


def test_a_file_removed_from_a_published_material_stays_served_until_approved(
        app, client, member, other_member, reviewer):
    draft = create(client, member, "training-materials", visibility="public").json
    file = upload(client, member, draft["id"], f"{PHRASE}.\n".encode(), "handout.txt").json
    post(client, member, "training-materials", draft["id"], "submit")
    post(client, reviewer, "training-materials", draft["id"], "review", {"decision": "approve"})
    assert extract(app) == 1

    assert client.delete(files_url(draft["id"], file["id"]), headers=member.headers).status_code == 204
    for caller in (None, other_member):
        assert fetch(client, files_url(draft["id"], file["id"]),
                     headers=caller.headers if caller else {}).status_code == 200
        assert listed(client, draft["id"], caller) == [("handout.txt", None)]
        assert found(app, client, caller) == [draft["id"]]
    assert listed(client, draft["id"], member) == [("handout.txt", "removed")]
    assert client.delete(files_url(draft["id"], file["id"]), headers=member.headers).status_code == 409
    own = client.get(url("training-materials", draft["id"]), headers=member.headers).json
    assert own["pending_revision"]["changes"] == [{"field": "files", "from": ["handout.txt"], "to": []}]

    post(client, member, "training-materials", draft["id"], "submit")
    [item] = client.get(QUEUE, headers=reviewer.headers).json
    assert item["diff"] == [{"field": "files", "from": ["handout.txt"], "to": []}]
    post(client, reviewer, "training-materials", draft["id"], "review", {"decision": "approve"})
    for caller in (None, other_member, member):
        assert listed(client, draft["id"], caller) == []
        assert fetch(client, files_url(draft["id"], file["id"]),
                     headers=caller.headers if caller else {}).status_code == 404
        assert found(app, client, caller) == []
    assert file["pending_change"] is None  # a draft's files are the draft's: no pending revision
    assert [(action, names(files, "added"), names(files, "removed")) for action, files in feed_files(client)] == [
        ("published", ["handout.txt"], []),  # published with its material
        ("updated", [], []),  # its text extracted: the files' list shows it (text_status), so the feed does
        ("updated", [], ["handout.txt"])]


def test_rejecting_a_revision_drops_its_added_files_and_keeps_its_removed_ones(client, member, reviewer):
    draft = create(client, member, "training-materials").json
    kept = upload(client, member, draft["id"], b"Kept handout.\n", "kept.txt").json
    post(client, member, "training-materials", draft["id"], "submit")
    post(client, reviewer, "training-materials", draft["id"], "review", {"decision": "approve"})

    added = upload(client, member, draft["id"], b"A new handout.\n", "new.txt").json
    undone = upload(client, member, draft["id"], b"Uploaded by mistake.\n", "mistake.txt").json
    assert client.delete(files_url(draft["id"], undone["id"]), headers=member.headers).status_code == 204
    assert client.delete(files_url(draft["id"], kept["id"]), headers=member.headers).status_code == 204
    assert listed(client, draft["id"], member) == [("kept.txt", "removed"), ("new.txt", "added")]
    post(client, member, "training-materials", draft["id"], "submit")
    # Awaiting review, its files are as frozen as its fields.
    assert upload(client, member, draft["id"], b"Late.\n", "late.txt").status_code == 409
    assert client.delete(files_url(draft["id"], kept["id"]), headers=member.headers).status_code == 409

    rejected = post(client, reviewer, "training-materials", draft["id"], "review",
                    {"decision": "reject", "comment": "Keep the old handout."})
    assert rejected.status_code == 200
    assert listed(client, draft["id"], member) == [("kept.txt", None)]
    assert fetch(client, files_url(draft["id"], added["id"]), headers=member.headers).status_code == 404
    # The society's feed told of each step, as its lists showed them: the draft made, its file uploaded, its
    # submission, its publication with the file; then the revision's six steps (two uploads, a removal of the
    # mistake and of kept.txt, the submission, the rejection), none of which published a file.
    assert [(action, names(files, "added")) for action, files in feed_files(client, member)] == [
        ("created", []), ("updated", []), ("updated", []), ("updated", ["kept.txt"]), *[("updated", [])] * 6]
    # The network's feed: only the publication with its file (the revision was never theirs to see).
    assert [(action, names(files, "added")) for action, files in feed_files(client)] == [
        ("published", ["kept.txt"])]


def test_a_webhook_tells_of_the_files_a_revision_published(app, client, member, other_member, reviewer, published,
                                                          monkeypatch):
    settings = app.config["ATN_SETTINGS"]
    monkeypatch.setattr(settings, "webhook_allow_http_loopback", True)
    hook = client.post("/api/v1/webhooks", json={"url": "http://127.0.0.1:9/hook", "events": ["*"]},
                       headers=other_member.headers)
    assert hook.status_code == 201, hook.json
    file = upload(client, member, published["id"], b"A checklist.\n", "checklist.txt").json
    post(client, member, "training-materials", published["id"], "submit")
    post(client, reviewer, "training-materials", published["id"], "review", {"decision": "approve"})

    with app.extensions["atn_db"].session_factory() as session:
        while webhooks.fan_out(session, settings):
            session.commit()
        session.commit()
        bodies = [json.loads(body) for body in session.scalars(select(WebhookDelivery.body)
                                                                .order_by(WebhookDelivery.seq))]
    assert [b["event"] for b in bodies] == ["training-material.updated"]
    assert [f["id"] for f in bodies[0]["change"]["files"]["added"]] == [file["id"]]
