"""Links between records: a practice's contacts (with their part) and training materials, a material's
practices, a project's practices and materials, and the projects a practice or material is part of. Each end
checks visibility; deleting one end removes the link; links go through revisions like any content."""
from __future__ import annotations

import uuid

from tests.helpers import create, edit, post, publish, url
from tests.payloads import valid


def ids(records):
    return [r["id"] for r in records]


def test_records_link_each_other_and_a_practice_shows_its_projects(client, member, other_member, coordinator):
    contact = publish(client, member, coordinator, "contacts", visibility="public")
    material = publish(client, member, coordinator, "training-materials", external_id="T-signals")
    practice = create(client, member, "practices", visibility="public",
                      contacts=[{"id": contact["id"], "role": "focal point"}],
                      training_materials=[material["id"]]).json
    assert practice["contacts"] == [{"id": contact["id"], "role": "focal point"}]
    assert practice["training_materials"] == [material["id"]] and practice["projects"] == []
    post(client, member, "practices", practice["id"], "submit")
    post(client, coordinator, "practices", practice["id"], "review", {"decision": "approve"})
    project = create(client, member, "projects", practices=[practice["id"]], training_materials=[material["id"]]).json
    assert project["practices"] == [practice["id"]] and project["training_materials"] == [material["id"]]

    # The project is a draft: only its society sees that it names the practice and the material.
    assert client.get(url("practices", practice["id"]), headers=member.headers).json["projects"] == [project["id"]]
    assert client.get(url("practices", practice["id"]), headers=other_member.headers).json["projects"] == []
    post(client, member, "projects", project["id"], "submit")
    post(client, coordinator, "projects", project["id"], "review", {"decision": "approve"})
    for caller in (member, other_member, None):
        headers = caller.headers if caller else {}
        if caller is None:  # the project is for the network only: anonymous readers do not see it named
            assert client.get(url("practices", practice["id"])).json["projects"] == []
            continue
        shown = client.get(url("practices", practice["id"]), headers=headers).json
        assert shown["projects"] == [project["id"]]
        listed = client.get(url("training-materials"), headers=headers).json
        assert next(m for m in listed if m["id"] == material["id"])["projects"] == [project["id"]]
    # A material names the practices it serves.
    revised = edit(client, member, "training-materials", material["id"], {"practices": [practice["id"]]})
    assert revised.status_code == 200, revised.json


def test_a_link_never_reveals_a_record_the_reader_may_not_see(client, member, other_member, coordinator):
    network_contact = publish(client, member, coordinator, "contacts", visibility="network")
    draft_material = create(client, member, "training-materials", external_id="T-draft").json
    practice = publish(client, member, coordinator, "practices", visibility="public",
                       contacts=[{"id": network_contact["id"], "role": "focal point"}],
                       training_materials=[draft_material["id"]])
    # Its society sees both links; another society's member the published contact only; anonymous neither.
    own = client.get(url("practices", practice["id"]), headers=member.headers).json
    assert ids(own["contacts"]) == [network_contact["id"]] and own["training_materials"] == [draft_material["id"]]
    theirs = client.get(url("practices", practice["id"]), headers=other_member.headers).json
    assert ids(theirs["contacts"]) == [network_contact["id"]] and theirs["training_materials"] == []
    anonymous = client.get(url("practices", practice["id"])).json
    assert anonymous["contacts"] == [] and anonymous["training_materials"] == []
    listed = client.get(url("practices")).json
    assert next(p for p in listed if p["id"] == practice["id"])["training_materials"] == []
    # The same in the changes feed.
    feed = client.get("/api/v1/changes?type=practice").json["changes"]
    assert all(c["record"]["contacts"] == [] and c["record"]["training_materials"] == [] for c in feed)


def test_only_records_the_holders_society_can_see_may_be_linked(client, member, other_member, coordinator):
    their_draft = create(client, other_member, "training-materials", external_id="T-theirs").json
    their_published = publish(client, other_member, coordinator, "training-materials", external_id="T-shared")
    their_contact = publish(client, other_member, coordinator, "contacts", country="GB")
    missing = str(uuid.uuid4())
    answers = []
    for changes in ({"training_materials": [their_draft["id"]]}, {"training_materials": [missing]}):
        response = client.post(url("practices"), json=valid("practices", **changes), headers=member.headers)
        assert response.status_code == 422 and "training_materials" in response.json["errors"]["json"]
        answers.append(response.json["detail"].replace(their_draft["id"], "X").replace(missing, "X"))
    assert answers[0] == answers[1]  # another society's draft answers exactly like a record that does not exist
    # Contacts are the holder's society's own (personal data stays with the society that keeps it).
    response = client.post(url("practices"), json=valid("practices", contacts=[{"id": their_contact["id"]}]),
                           headers=member.headers)
    assert response.status_code == 422 and "contacts" in response.json["errors"]["json"]
    # Another society's published material may be linked: the network shares it.
    linked = create(client, member, "practices", training_materials=[their_published["id"]]).json
    assert linked["training_materials"] == [their_published["id"]]
    twice = client.post(url("practices"), json=valid("practices", contacts=[{"id": missing}, {"id": missing}]),
                        headers=member.headers)
    assert twice.status_code == 422 and "contacts" in twice.json["errors"]["json"]


def test_deleting_or_erasing_one_end_removes_the_link_and_logs_it(client, member, coordinator):
    contact = publish(client, member, coordinator, "contacts")
    material = create(client, member, "training-materials").json
    practice = publish(client, member, coordinator, "practices", contacts=[{"id": contact["id"], "role": None}],
                       training_materials=[material["id"]])
    project = create(client, member, "projects", practices=[practice["id"]], training_materials=[material["id"]]).json
    # A pending revision of the practice that still names the material.
    assert edit(client, member, "practices", practice["id"], {"title": "Revised"}).status_code == 200

    since = client.get("/api/v1/changes?since=0&limit=1000", headers=member.headers).json["next_cursor"]
    assert client.delete(url("training-materials", material["id"]), headers=member.headers).status_code == 204
    assert client.get(url("practices", practice["id"]), headers=member.headers).json["training_materials"] == []
    assert client.get(url("projects", project["id"]), headers=member.headers).json["training_materials"] == []
    changed = client.get(f"/api/v1/changes?since={since}", headers=member.headers).json["changes"]
    assert {(c["type"], c["record_id"]) for c in changed if c["action"] == "updated"} == {
        ("practice", practice["id"]), ("project", project["id"])}
    # Approving the pending revision does not bring the link back.
    post(client, member, "practices", practice["id"], "submit")
    approved = post(client, coordinator, "practices", practice["id"], "review", {"decision": "approve"}).json
    assert approved["title"] == "Revised" and approved["training_materials"] == []

    erased = client.delete(url("contacts", contact["id"]) + "?erase=true", headers=member.headers)
    assert erased.status_code == 204
    assert client.get(url("practices", practice["id"]), headers=member.headers).json["contacts"] == []


def test_links_of_a_published_record_go_through_review(client, member, coordinator):
    first = publish(client, member, coordinator, "training-materials", external_id="T-1")
    second = publish(client, member, coordinator, "training-materials", external_id="T-2")
    practice = publish(client, member, coordinator, "practices", training_materials=[first["id"]])
    revised = edit(client, member, "practices", practice["id"], {"training_materials": [first["id"], second["id"]]})
    assert revised.status_code == 200
    shown = revised.json
    assert shown["training_materials"] == [first["id"]]  # the network still sees the published version
    assert [c["field"] for c in shown["pending_revision"]["changes"]] == ["training_materials"]
    post(client, member, "practices", practice["id"], "submit")
    approved = post(client, coordinator, "practices", practice["id"], "review", {"decision": "approve"}).json
    assert approved["training_materials"] == [first["id"], second["id"]]
    history = client.get(url("practices", practice["id"]) + "/revisions/diff?from=1&to=2",
                         headers=member.headers).json
    assert "training_materials" in [c["field"] for c in history["changes"]]


def test_the_feed_shows_each_state_with_the_links_it_had(client, member, coordinator):
    first = publish(client, member, coordinator, "training-materials", external_id="T-first")
    second = publish(client, member, coordinator, "training-materials", external_id="T-second")
    since = client.get("/api/v1/changes?since=0&limit=1000", headers=member.headers).json["next_cursor"]
    practice = create(client, member, "practices", training_materials=[first["id"]]).json
    assert edit(client, member, "practices", practice["id"],
                {"training_materials": [first["id"], second["id"]]}).status_code == 200
    changes = client.get(f"/api/v1/changes?since={since}&type=practice", headers=member.headers).json["changes"]
    assert [c["record"]["training_materials"] for c in changes] == [[first["id"]], [first["id"], second["id"]]]


def test_diffs_and_histories_never_name_a_linked_record_the_reader_may_not_see(client, member, other_member,
                                                                               coordinator, make_caller):
    """Another society's draft, linked in a revision submitted for review, is named neither in the record's
    pending revision, nor in the moderation queue, the revision history, its diff, nor the feed."""
    gb_coordinator = make_caller("coordinator", "GB")  # not the one of the draft's society
    draft = create(client, member, "training-materials", external_id="T-private").json
    practice = publish(client, member, coordinator, "practices")
    assert edit(client, member, "practices", practice["id"],
                {"title": "Revised", "training_materials": [draft["id"]]}).status_code == 200
    assert post(client, member, "practices", practice["id"], "submit").status_code == 200
    path = url("practices", practice["id"])
    own = client.get(path, headers=member.headers).json["pending_revision"]["changes"]
    assert {c["field"] for c in own} == {"title", "training_materials"}  # its society sees its own draft
    for caller in (gb_coordinator,):
        seen = [client.get(path, headers=caller.headers).text,
                client.get("/api/v1/moderation/queue", headers=caller.headers).text,
                client.get(path + "/revisions", headers=caller.headers).text,
                client.get(path + "/revisions/2", headers=caller.headers).text,
                client.get(path + "/revisions/diff?from=1&to=2", headers=caller.headers).text,
                client.get("/api/v1/changes?type=practice&limit=1000", headers=caller.headers).text]
        assert all(draft["id"] not in text for text in seen)
        pending = client.get(path, headers=caller.headers).json["pending_revision"]["changes"]
        assert [c["field"] for c in pending] == ["title"]  # the link it may not see is no change to it


def test_a_deletion_unlinks_as_the_hub_not_as_the_deleter(client, member, other_member, coordinator):
    material = publish(client, member, coordinator, "training-materials", external_id="T-shared")
    theirs = create(client, other_member, "projects", training_materials=[material["id"]]).json
    assert post(client, member, "training-materials", material["id"], "archive").status_code == 200
    assert client.delete(url("training-materials", material["id"]), headers=member.headers).status_code == 204
    history = client.get(url("projects", theirs["id"]) + "/revisions", headers=other_member.headers).json
    assert len(history) == 2 and history[-1]["author_name"] is None  # the hub's change, not NL's member's
    assert all(entry["author_name"] != member.user.name for entry in history)
    assert client.get(url("projects", theirs["id"]), headers=other_member.headers).json["training_materials"] == []


def test_the_projects_of_a_thousand_records_are_found_in_one_go(app, db_session, member):
    """A feed page may hold a thousand states: the projects naming them are looked for in batches (SQLite
    refuses one expression of a thousand terms)."""
    from types import SimpleNamespace

    from atn_hub.principal import SYSTEM
    from atn_hub.services import links

    records = [SimpleNamespace(id=uuid.uuid4()) for _ in range(1000)]
    assert links.shown(db_session, SYSTEM, "practice", records) == [{"contacts": [], "training_materials": [],
                                                                     "projects": []}] * 1000
