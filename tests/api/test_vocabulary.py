"""Societies and topics: readable by everyone, managed by administrators only."""
from __future__ import annotations

from tests.helpers import create

SOCIETY = {"code": "be", "name": "Belgian Red Cross", "name_local": "Rode Kruis België / Croix-Rouge de Belgique",
           "languages": ["nl", "fr", "de"], "website": "https://www.redcross.be", "email": "info@redcross.be"}
TOPIC = {"code": "forced-begging", "category": "exploitation",
         "labels": {"en": "Forced begging", "nl": "Gedwongen bedelarij", "fr": "Mendicité forcée",
                    "de": "Erzwungenes Betteln", "es": "Mendicidad forzada"}}


def test_admin_manages_societies(client, admin):
    created = client.post("/api/v1/societies", json=SOCIETY, headers=admin.headers)
    assert created.status_code == 201 and created.json["code"] == "BE"
    assert client.post("/api/v1/societies", json=SOCIETY, headers=admin.headers).status_code == 409
    got = client.get("/api/v1/societies/be")
    assert got.status_code == 200 and got.json["name_local"].startswith("Rode Kruis")
    patched = client.patch("/api/v1/societies/BE", json={"website": "https://www.rodekruis.be"},
                           headers={**admin.headers, "If-Match": got.headers["ETag"]})
    assert patched.status_code == 200 and patched.json["website"] == "https://www.rodekruis.be"
    assert [s["code"] for s in client.get("/api/v1/societies?language=fr").json] == ["BE"]
    assert client.delete("/api/v1/societies/BE", headers=admin.headers).status_code == 204
    assert client.get("/api/v1/societies/BE").status_code == 404


def test_members_cannot_manage_societies(client, member):
    response = client.post("/api/v1/societies", json=SOCIETY, headers=member.headers)
    assert response.status_code == 403
    assert 'scope="admin"' in response.headers["WWW-Authenticate"]
    assert client.delete("/api/v1/societies/NL", headers=member.headers).status_code == 403


def test_society_with_records_cannot_be_removed(client, admin, member):
    create(client, member, "practices")
    assert client.delete("/api/v1/societies/NL", headers=admin.headers).status_code == 409


def test_society_bad_input(client, admin):
    for body, field in (({**SOCIETY, "code": "XY"}, "code"), ({**SOCIETY, "email": "nope"}, "email"),
                        ({**SOCIETY, "languages": ["klingon"]}, "languages"), ({"code": "BE"}, "name")):
        response = client.post("/api/v1/societies", json=body, headers=admin.headers)
        assert response.status_code == 422 and field in response.json["errors"]["json"], (body, response.json)


def test_admin_manages_topics(client, admin, member):
    assert client.post("/api/v1/topics", json=TOPIC, headers=member.headers).status_code == 403
    assert client.post("/api/v1/topics", json=TOPIC, headers=admin.headers).status_code == 201
    missing_label = {**TOPIC, "code": "x-topic", "labels": {"en": "Only English"}}
    response = client.post("/api/v1/topics", json=missing_label, headers=admin.headers)
    assert response.status_code == 422 and "labels" in response.json["errors"]["json"]
    listed = client.get("/api/v1/topics?category=exploitation").json
    assert "forced-begging" in [t["code"] for t in listed]
    got = client.get("/api/v1/topics/forced-begging")
    assert got.json["labels"]["fr"] == "Mendicité forcée"
    assert client.delete("/api/v1/topics/forced-begging", headers=admin.headers).status_code == 204


def test_topic_in_use_cannot_be_removed(client, admin, member):
    create(client, member, "practices")
    assert client.delete("/api/v1/topics/legal-aid", headers=admin.headers).status_code == 409
    assert client.get("/api/v1/topics/legal-aid").status_code == 200
