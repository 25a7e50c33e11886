"""What a token may do with tokens: a token creates only tokens with scopes it holds, a machine client's none;
personal tokens always expire; revoking a grant (or signing out everywhere) revokes what was made with it; a
reused authorization code revokes what it gave."""
from __future__ import annotations

import time
from datetime import UTC

import pytest

from atn_hub.principal import SYSTEM
from atn_hub.services import accounts
from tests.oauth.helpers import authorization_code, basic, make_client, make_user, redeem


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def mint(client, token: str, scope: str, **extra):
    return client.post("/api/v1/me/tokens", json={"name": "x", "scope": scope, **extra}, headers=bearer(token))


def test_a_third_party_apps_read_token_cannot_mint_a_broader_or_permanent_token(client, web_client, db_session):
    user = make_user(db_session, role="admin", society=None)
    code, verifier = authorization_code(client, web_client, user.email, scope="read")
    token = redeem(client, web_client, code, verifier).json["access_token"]

    broader = mint(client, token, "read write contacts:read moderate admin", expires_in_days=None)
    assert broader.status_code == 422 and "expires_in_days" in broader.json["errors"]["json"]
    broader = mint(client, token, "read write contacts:read moderate admin")
    assert broader.status_code == 403 and "scope" in broader.json["errors"]["json"]
    assert "write" in broader.json["message"] and "admin" in broader.json["message"]
    same = mint(client, token, "read")
    assert same.status_code == 201 and same.json["scope"] == "read"


def test_a_members_read_token_mints_no_write_token(client, make_caller):
    reader = make_caller("member", "NL", scope="read")
    assert mint(client, reader.token, "read write contacts:read").status_code == 403
    assert mint(client, reader.token, "read").status_code == 201


def test_a_machine_clients_token_mints_no_personal_token(client, db_session, reference_data):
    client_id, secret = make_client(db_session, scope="read write")
    token = client.post("/oauth/token", data={"grant_type": "client_credentials"},
                        headers=basic(client_id, secret)).json["access_token"]
    response = mint(client, token, "read")
    assert response.status_code == 403
    from atn_hub.models import OAuthToken

    assert db_session.query(OAuthToken).filter_by(kind="personal").count() == 0


def test_personal_tokens_always_expire_within_the_configured_maximum(app, client, member, monkeypatch):
    default = mint(client, member.token, "read")
    assert default.status_code == 201
    expires_at = default.json["expires_at"]
    from datetime import datetime, timedelta

    assert abs(datetime.fromisoformat(expires_at) - (datetime.now(UTC) + timedelta(days=90))) \
        < timedelta(minutes=5)
    never = mint(client, member.token, "read", expires_in_days=None)
    assert never.status_code == 422 and "expires_in_days" in never.json["errors"]["json"]
    assert mint(client, member.token, "read", expires_in_days=366).status_code == 201
    too_long = mint(client, member.token, "read", expires_in_days=367)
    assert too_long.status_code == 422 and "expires_in_days" in too_long.json["errors"]["json"]

    monkeypatch.setattr(app.config["ATN_SETTINGS"], "personal_token_max_days", 30)
    assert mint(client, member.token, "read", expires_in_days=31).status_code == 422
    assert mint(client, member.token, "read", expires_in_days=30).status_code == 201


def test_revoking_a_grant_revokes_the_personal_tokens_made_with_it(client, web_client, db_session):
    user = make_user(db_session)
    code, verifier = authorization_code(client, web_client, user.email, scope="read write")
    grant = redeem(client, web_client, code, verifier).json
    child = mint(client, grant["access_token"], "read").json["access_token"]
    grandchild = mint(client, child, "read").json["access_token"]
    _, unrelated = accounts.create_personal_token(db_session, SYSTEM, accounts.user_by_email(db_session, user.email),
                                                  scope="read")
    db_session.commit()
    for token in (child, grandchild, unrelated):
        assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200

    revoked = client.post("/oauth/revoke", data={"token": grant["refresh_token"], "client_id": web_client})
    assert revoked.status_code == 200
    for token in (grant["access_token"], child, grandchild):
        assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
    assert client.get("/api/v1/me", headers=bearer(unrelated)).status_code == 200


def test_revoking_a_personal_token_revokes_the_tokens_made_with_it(client, member):
    parent = mint(client, member.token, "read").json
    child = mint(client, parent["access_token"], "read").json["access_token"]
    assert client.delete(f"/api/v1/me/tokens/{parent['id']}", headers=member.headers).status_code == 204
    assert client.get("/api/v1/me", headers=bearer(child)).status_code == 401
    assert client.get("/api/v1/me", headers=member.headers).status_code == 200


def test_signing_out_everywhere_ends_every_session_and_on_request_every_personal_token(client, web_client,
                                                                                      db_session):
    user = make_user(db_session)
    sessions = []
    for _ in range(2):  # two browsers
        code, verifier = authorization_code(client, web_client, user.email, scope="read")
        sessions.append(redeem(client, web_client, code, verifier).json)
    _, script = accounts.create_personal_token(db_session, SYSTEM, accounts.user_by_email(db_session, user.email),
                                               scope="read")
    db_session.commit()

    answer = client.post("/api/v1/me/sign-out-everywhere", json={}, headers=bearer(sessions[0]["access_token"]))
    assert answer.status_code == 200 and answer.json["revoked"] == 2
    for session in sessions:
        assert client.get("/api/v1/me", headers=bearer(session["access_token"])).status_code == 401
        refreshed = client.post("/oauth/token", data={"grant_type": "refresh_token", "client_id": web_client,
                                                      "refresh_token": session["refresh_token"]})
        assert refreshed.status_code == 400
    assert client.get("/api/v1/me", headers=bearer(script)).status_code == 200

    everything = client.post("/api/v1/me/sign-out-everywhere", json={"personal_tokens": True}, headers=bearer(script))
    assert everything.status_code == 200 and everything.json["revoked"] == 1
    assert client.get("/api/v1/me", headers=bearer(script)).status_code == 401


def test_a_reused_authorization_code_revokes_the_tokens_it_gave(client, web_client, db_session):
    user = make_user(db_session)
    code, verifier = authorization_code(client, web_client, user.email)
    first = redeem(client, web_client, code, verifier)
    assert first.status_code == 200
    assert client.get("/api/v1/me", headers=bearer(first.json["access_token"])).status_code == 200

    replay = redeem(client, web_client, code, verifier)
    assert replay.status_code == 400 and replay.json["error"] == "invalid_grant"
    assert client.get("/api/v1/me", headers=bearer(first.json["access_token"])).status_code == 401
    refreshed = client.post("/oauth/token", data={"grant_type": "refresh_token", "client_id": web_client,
                                                  "refresh_token": first.json["refresh_token"]})
    assert refreshed.status_code == 400


def test_a_new_token_of_the_same_person_survives_an_old_codes_replay(client, web_client, db_session):
    user = make_user(db_session)
    old_code, old_verifier = authorization_code(client, web_client, user.email)
    redeem(client, web_client, old_code, old_verifier)
    code, verifier = authorization_code(client, web_client, user.email)
    fresh = redeem(client, web_client, code, verifier).json["access_token"]
    assert redeem(client, web_client, old_code, old_verifier).status_code == 400
    assert client.get("/api/v1/me", headers=bearer(fresh)).status_code == 200


@pytest.mark.parametrize("days_ago", [0, 400])
def test_tokens_made_before_the_rule_expire_after_the_upgrade(days_ago, tmp_path):
    """The migration gives every personal token made without an end one, 90 days after the upgrade."""
    from alembic import command
    from sqlalchemy import create_engine, text

    from atn_hub.cli.database import alembic_config, upgrade

    url = f"sqlite:///{tmp_path / 'm.db'}"
    command.upgrade(alembic_config(url), "0006")
    engine = create_engine(url)
    issued = int(time.time()) - days_ago * 86400
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO oauth_token (id, kind, access_token_hash, family_id, scope, issued_at, "
                          "expires_in, revoked, refresh_used) VALUES (:id, 'personal', 'h', :f, 'read', :i, NULL, "
                          "0, 0)"), {"id": "0" * 32, "f": "1" * 32, "i": issued})
    upgrade(url)
    with engine.connect() as conn:
        ends = conn.execute(text("SELECT issued_at + expires_in FROM oauth_token")).scalar_one()
    engine.dispose()
    assert abs(ends - (time.time() + 90 * 86400)) < 600
