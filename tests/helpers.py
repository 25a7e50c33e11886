"""What many tests do through the API: address a record, create one, put it in a state, post a workflow
action, edit a published one, publish one, decide at once against a live server, list what a caller sees."""
from __future__ import annotations

import threading
import uuid

import requests

from atn_hub.models import RECORD_MODELS
from atn_hub.principal import SYSTEM
from atn_hub.services import change_log, revisions
from tests.payloads import RESOURCES, valid

TYPE = {"practices": "practice", "contacts": "contact", "training-materials": "training-material",
        "projects": "project"}


def url(resource: str, record_id=None) -> str:
    return f"/api/v1/{resource}" + (f"/{record_id}" if record_id else "")


def create(client, caller, resource, **changes):
    response = client.post(url(resource), json=valid(resource, **changes), headers=caller.headers)
    assert response.status_code == 201, response.json
    return response


def set_status(db_session, resource, record_id, status, visibility=None):
    """Put a record in a state directly (as an administrator's repair would), logged like every write."""
    record = db_session.get(RECORD_MODELS[TYPE[resource]], uuid.UUID(record_id))
    before = change_log.state_of(record)
    record.status = status
    if visibility:
        record.visibility = visibility
    revisions.record_change(db_session, SYSTEM, record, "updated", before=before,
                             fields={"status": status, "visibility": record.visibility})
    db_session.commit()


def post(client, caller, resource, record_id, action, body=None):
    return client.post(url(resource, record_id) + f"/{action}", json=body, headers=caller.headers)


def edit(client, caller, resource, record_id, body):
    etag = client.get(url(resource, record_id), headers=caller.headers).headers["ETag"]
    return client.patch(url(resource, record_id), json=body, headers={**caller.headers, "If-Match": etag})


def publish(client, member, coordinator, resource, **changes):
    record = create(client, member, resource, **changes).json
    post(client, member, resource, record["id"], "submit")
    published = post(client, coordinator, resource, record["id"], "review", {"decision": "approve"})
    assert published.status_code == 200, published.json
    return published.json


def decide_at_once(live_server, record_id, callers, decisions) -> list[int]:
    """Each caller posts its decision on the practice at the same moment, against a real server."""
    barrier = threading.Barrier(len(callers))
    statuses = []

    def decide(caller, body):
        barrier.wait()
        statuses.append(requests.post(f"{live_server}/api/v1/practices/{record_id}/review", json=body,
                                      headers=caller.headers, timeout=30).status_code)

    threads = [threading.Thread(target=decide, args=pair) for pair in zip(callers, decisions, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(statuses)


CALLER_SPECIFIC = ("actions", "pending_revision")  # what a record says of its caller, not of itself


def listed(client, caller):
    """Every record the caller's lists show, by (type, id), without what is said of the caller."""
    headers = caller.headers if caller else {}
    state = {}
    for resource in RESOURCES:
        for record in client.get(f"/api/v1/{resource}?page_size=100", headers=headers).json:
            state[(TYPE[resource], record["id"])] = {k: v for k, v in record.items() if k not in CALLER_SPECIFIC}
    return state


def shown_in_lists(client, caller):
    """Every record the caller's lists show, by (type, id), with its pending revision (as they see it) and, for
    a training material, a practice or a project, its list of files; without the caller's actions."""
    headers = caller.headers if caller else {}
    state = {}
    for resource in RESOURCES:
        for record in client.get(f"/api/v1/{resource}?page_size=100", headers=headers).json:
            shown = {k: v for k, v in record.items() if k != "actions"}
            if resource in ("training-materials", "practices", "projects"):
                files = client.get(url(resource, record["id"]) + "/files", headers=headers)
                assert files.status_code == 200, files.json
                shown["files"] = files.json
            state[(TYPE[resource], record["id"])] = shown
    return state
