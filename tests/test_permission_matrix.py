"""The permission matrix in README.md, walked cell by cell: the README is the one statement of the rules,
and this test keeps it true."""
from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT
from tests.helpers import create, set_status, url
from tests.payloads import valid

ROLES = {"anonymous": None, "member, own society": ("member", "NL"), "member, other society": ("member", "GB"),
         "coordinator, other society": ("coordinator", "GB"), "admin": ("admin", None)}


def matrix() -> list[tuple[str, str, str, int]]:
    text = (ROOT / "README.md").read_text()
    table = text.split("<!-- permission-matrix -->")[1].split("<!-- /permission-matrix -->")[0]
    rows = [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in table.strip().splitlines()]
    header, body = rows[0], rows[2:]
    assert header[2:] == list(ROLES)
    cells = []
    for row in body:
        for role, status in zip(header[2:], row[2:], strict=True):
            cells.append((row[0], row[1], role, int(status)))
    return cells


CELLS = matrix()


def test_the_matrix_covers_every_state_action_and_role():
    states = {c[0] for c in CELLS}
    assert {re.sub(r" \(.*\)", "", s) for s in states} == {"draft", "submitted", "changes_requested", "rejected",
                                                           "published", "archived"}
    assert {c[1] for c in CELLS} == {"read", "edit", "sync", "delete", "submit", "approve", "archive"}
    assert len(CELLS) == len(states) * 7 * len(ROLES)


# The rules are every record type's; a practice and a project (the type added last) are walked through them.
@pytest.mark.parametrize("resource", ["practices", "projects"])
@pytest.mark.parametrize("state,action,role,expected", CELLS, ids=[f"{s}-{a}-{r}" for s, a, r, _ in CELLS])
def test_permission_matrix(client, make_caller, db_session, state, action, role, expected, resource):
    owner = make_caller("member", "NL")
    admin = make_caller("admin", None)
    record = create(client, owner, resource).json
    status, _, visibility = state.partition(" (")
    set_status(db_session, resource, record["id"], status, visibility.rstrip(")") or "network")
    caller = make_caller(*ROLES[role]) if ROLES[role] else None
    headers = caller.headers if caller else {}
    if action == "read":
        response = client.get(url(resource, record["id"]), headers=headers)
    elif action == "edit":
        etag = client.get(url(resource, record["id"]), headers=admin.headers).headers["ETag"]
        response = client.patch(url(resource, record["id"]), json={"title": "Edited"},
                                headers={**headers, "If-Match": etag})
    elif action == "sync":  # the whole record by its external id; a caller without a society names it
        etag = client.get(url(resource, record["id"]), headers=admin.headers).headers["ETag"]
        body = valid(resource, **({"society": "NL"} if role == "admin" else {}))
        response = client.put(f"/api/v1/{resource}/by-external-id/{record['external_id']}", json=body,
                              headers={**headers, "If-Match": etag})
    elif action == "delete":
        response = client.delete(url(resource, record["id"]), headers=headers)
    elif action == "approve":
        response = client.post(url(resource, record["id"]) + "/review", json={"decision": "approve"},
                               headers=headers)
    else:
        response = client.post(url(resource, record["id"]) + f"/{action}", headers=headers)
    assert response.status_code == expected, response.get_json()
    if response.status_code >= 400:
        assert response.is_json and response.json["code"] == expected


def notifications_matrix() -> list[tuple[str, str, str, int]]:
    text = (ROOT / "README.md").read_text()
    table = text.split("<!-- notifications-matrix -->")[1].split("<!-- /notifications-matrix -->")[0]
    rows = [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in table.strip().splitlines()]
    header, body = rows[0], rows[2:]
    cells = []
    for row in body:
        method, path = row[0].split(" ", 1)
        cells.extend((method, path, role, int(status)) for role, status in zip(header[1:], row[1:], strict=True))
    return cells


NOTIFICATION_CALLERS = {"member": ("member", "NL", None), "coordinator": ("coordinator", "GB", None),
                        "admin": ("admin", None, None), "member, token without read": ("member", "NL", "write")}
NOTIFICATION_CELLS = notifications_matrix()


def test_the_notifications_matrix_covers_every_endpoint_and_caller():
    assert {(c[0], c[1]) for c in NOTIFICATION_CELLS} == {
        ("GET", "/api/v1/me/notifications"), ("POST", "/api/v1/me/notifications/read"),
        ("GET", "/api/v1/me/notification-settings"), ("PATCH", "/api/v1/me/notification-settings"),
        ("GET", "/api/v1/moderation/coordinators"), ("GET", "/api/v1/mail/deliveries")}
    assert {c[2] for c in NOTIFICATION_CELLS} == {"anonymous", "machine client", *NOTIFICATION_CALLERS}


@pytest.mark.parametrize("method,path,role,expected", NOTIFICATION_CELLS,
                         ids=[f"{m}-{p.rsplit('/', 1)[1]}-{r}" for m, p, r, _ in NOTIFICATION_CELLS])
def test_notifications_matrix(client, make_caller, db_session, method, path, role, expected):
    if role == "anonymous":
        headers = {}
    elif role == "machine client":
        from tests.oauth.helpers import basic, make_client

        client_id, secret = make_client(db_session, scope="read write")
        token = client.post("/oauth/token", data={"grant_type": "client_credentials", "scope": "read write"},
                            headers=basic(client_id, secret)).json["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
    else:
        headers = make_caller(*NOTIFICATION_CALLERS[role][:2], scope=NOTIFICATION_CALLERS[role][2]).headers
    body = {"all": True} if path.endswith("/read") else {"comment": "daily"} if method == "PATCH" else None
    response = client.open(path, method=method, json=body, headers=headers)
    assert response.status_code == expected, response.get_json()
    if response.status_code >= 400:
        assert response.is_json and response.json["code"] == expected


def stats_matrix() -> tuple[list[str], list[list[str]]]:
    text = (ROOT / "README.md").read_text()
    table = text.split("<!-- stats-matrix -->")[1].split("<!-- /stats-matrix -->")[0]
    rows = [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in table.strip().splitlines()]
    return rows[0][1:], rows[2:]


STATS_CALLERS, STATS_ROWS = stats_matrix()


def stats_headers(client, make_caller, db_session, role: str) -> dict:
    if role == "anonymous":
        return {}
    if role == "machine client":
        from tests.oauth.helpers import basic, make_client

        client_id, secret = make_client(db_session, scope="read write")
        token = client.post("/oauth/token", data={"grant_type": "client_credentials", "scope": "read write"},
                            headers=basic(client_id, secret)).json["access_token"]
        return {"Authorization": f"Bearer {token}"}
    return make_caller(*NOTIFICATION_CALLERS[role][:2], scope=NOTIFICATION_CALLERS[role][2]).headers


@pytest.mark.parametrize("role", STATS_CALLERS)
def test_stats_matrix(app, client, make_caller, db_session, role):
    headers = stats_headers(client, make_caller, db_session, role)
    column = STATS_CALLERS.index(role) + 1
    for row in STATS_ROWS:
        if row[0].startswith("GET "):
            response = client.get(row[0].split(" ", 1)[1], headers=headers)
            assert response.status_code == int(row[column]), response.get_json()
            if response.status_code >= 400:
                assert response.is_json and response.json["code"] == int(row[column])
    answer = client.get("/api/v1/stats", headers=headers).json
    shown = dict((row[0], row[column]) for row in STATS_ROWS)
    assert answer["visibility"] == shown["visibility"]
    review = "shown" if answer["queue"] is not None and answer["review_times"] is not None else "null"
    assert review == shown["review figures"]
