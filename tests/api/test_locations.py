"""Every 201 answer says where the new resource is (Location), so a partner need not build URLs."""
from __future__ import annotations

import pytest

from tests.helpers import create, url

BASE = "http://localhost"


def test_a_created_record_is_where_location_says(client, member):
    for resource in ("practices", "contacts", "training-materials"):
        created = create(client, member, resource)
        location = created.headers["Location"]
        assert location == f"{BASE}{url(resource, created.json['id'])}"
        assert client.get(location, headers=member.headers).json["id"] == created.json["id"]


def test_a_comment_is_located_by_its_discussion(client, member):
    record = create(client, member, "practices").json
    comment = client.post(url("practices", record["id"]) + "/comments", json={"comment": "Ready?"},
                          headers=member.headers)
    assert comment.status_code == 201
    assert comment.headers["Location"] == f"{BASE}{url('practices', record['id'])}/comments"


@pytest.mark.parametrize("path,body,identifier", [
    ("/api/v1/societies", {"code": "MC", "name": "Monaco Red Cross", "name_local": "Croix-Rouge monégasque"},
     "code"),
    ("/api/v1/topics", {"code": "fuzz-topic", "category": "theme",
                        "labels": dict.fromkeys(("en", "nl", "fr", "de", "es"), "a topic")}, "code"),
    ("/api/v1/users", {"email": "new@example.org", "name": "New", "society": "NL", "role": "member"}, "id"),
    ("/api/v1/clients", {"name": "Partner sync", "society": "NL", "grant": "client_credentials", "scope": "read"},
     "client_id"),
    ("/api/v1/me/tokens", {"name": "a second token", "scope": "read"}, "id"),
])
def test_the_administrators_objects_are_where_location_says(client, admin, path, body, identifier):
    created = client.post(path, json=body, headers=admin.headers)
    assert created.status_code == 201, created.json
    assert created.headers["Location"] == f"{BASE}{path}/{created.json[identifier]}"


def test_a_webhook_and_a_file_are_where_location_says(client, member, settings):
    hook = client.post("/api/v1/webhooks", json={"url": "http://127.0.0.1:9/atn", "events": ["*"]},
                       headers=member.headers)
    assert hook.status_code == 201, hook.json
    assert client.get(hook.headers["Location"], headers=member.headers).json["id"] == hook.json["id"]
    material = create(client, member, "training-materials").json
    upload = client.post(url("training-materials", material["id"]) + "/files", headers=member.headers,
                         data={"file": (__import__("io").BytesIO(b"Reflection period notes.\n" * 40), "notes.txt")},
                         content_type="multipart/form-data")
    assert upload.status_code == 201, upload.json
    assert upload.headers["Location"] == f"{BASE}{url('training-materials', material['id'])}/files/{upload.json['id']}"
