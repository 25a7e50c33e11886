"""/api/v1/me, personal access tokens, and the administrators' users and clients."""
from __future__ import annotations

import pytest


def test_me_tells_who_the_token_speaks_for(client, member):
    me = client.get("/api/v1/me", headers=member.headers).json
    assert me["kind"] == "user" and me["society"] == "NL" and me["role"] == "member"
    assert set(me["scopes"]) == {"read", "write", "contacts:read"}
    assert client.get("/api/v1/me").status_code == 401


def test_personal_tokens_are_created_listed_used_and_revoked(client, member):
    created = client.post("/api/v1/me/tokens", json={"name": "sync script", "scope": "read",
                                                     "expires_in_days": 30}, headers=member.headers)
    assert created.status_code == 201
    token = created.json["access_token"]
    assert token.startswith("atnp_")
    listed = client.get("/api/v1/me/tokens", headers=member.headers).json
    assert [t["name"] for t in listed if t["name"] == "sync script"] == ["sync script"]
    assert all("access_token" not in t for t in listed)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=headers).json["scopes"] == ["read"]
    assert client.delete(f"/api/v1/me/tokens/{created.json['id']}", headers=member.headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_personal_token_cannot_exceed_the_role(client, member):
    response = client.post("/api/v1/me/tokens", json={"name": "x", "scope": "read moderate"}, headers=member.headers)
    assert response.status_code == 403 and "scope" in response.json["errors"]["json"]
    bad = client.post("/api/v1/me/tokens", json={"name": "x", "scope": "read,write"}, headers=member.headers)
    assert bad.status_code == 422 and "scope" in bad.json["errors"]["json"]


def test_cannot_revoke_someone_elses_token(client, member, other_member):
    created = client.post("/api/v1/me/tokens", json={"name": "mine", "scope": "read"}, headers=member.headers).json
    assert client.delete(f"/api/v1/me/tokens/{created['id']}", headers=other_member.headers).status_code == 404


def test_admin_manages_users(client, admin, member):
    body = {"email": "lea@croix-rouge.example", "name": "Léa", "society": "NL", "role": "member",
            "password": "a long enough password"}
    assert client.post("/api/v1/users", json=body, headers=member.headers).status_code == 403
    created = client.post("/api/v1/users", json=body, headers=admin.headers)
    assert created.status_code == 201 and "password" not in created.json and "password_hash" not in created.json
    assert client.post("/api/v1/users", json=body, headers=admin.headers).status_code == 409
    short = client.post("/api/v1/users", json={**body, "email": "x@y.example", "password": "short"},
                        headers=admin.headers)
    assert short.status_code == 422 and "password" in short.json["errors"]["json"]
    disabled = client.patch(f"/api/v1/users/{created.json['id']}", json={"disabled": True}, headers=admin.headers)
    assert disabled.status_code == 200 and disabled.json["disabled"] is True
    assert client.get("/api/v1/users", headers=member.headers).status_code == 403


@pytest.mark.parametrize("body,field", [
    ({"name": "x", "society": "NL", "grant": "client_credentials", "scope": "read moderate"}, "scope"),
    ({"name": "x", "grant": "client_credentials", "scope": "read"}, "society"),
    ({"name": "x", "grant": "authorization_code", "scope": "read"}, "redirect_uris"),
    ({"name": "x", "grant": "authorization_code", "scope": "read", "redirect_uris": ["http://evil.example/cb"]},
     "redirect_uris"),
    ({"name": "x", "grant": "implicit", "scope": "read"}, "grant"),
])
def test_client_registration_rules(client, admin, body, field):
    response = client.post("/api/v1/clients", json=body, headers=admin.headers)
    assert response.status_code == 422 and field in response.json["errors"]["json"], response.json


def test_admin_registers_and_revokes_clients(client, admin, member):
    body = {"name": "NL sync", "society": "NL", "grant": "client_credentials", "scope": "read write"}
    assert client.post("/api/v1/clients", json=body, headers=member.headers).status_code == 403
    created = client.post("/api/v1/clients", json=body, headers=admin.headers)
    assert created.status_code == 201 and created.json["client_secret"]
    listed = client.get("/api/v1/clients", headers=admin.headers).json
    assert all("client_secret" not in c for c in listed)
    assert client.delete(f"/api/v1/clients/{created.json['client_id']}", headers=admin.headers).status_code == 204
    assert client.get(f"/api/v1/clients/{created.json['client_id']}", headers=admin.headers).json["revoked_at"]
