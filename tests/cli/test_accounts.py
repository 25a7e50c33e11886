"""`atn-hub users`, `clients` and `tokens`."""
from __future__ import annotations

import json


def test_users_clients_and_tokens_from_the_command_line(app, reference_data, client):
    runner = app.test_cli_runner()
    created = runner.invoke(args=["users", "create", "--email", "Sven@RodaKorset.example", "--name", "Sven",
                                  "--society", "NL", "--role", "member", "--password-stdin"],
                            input="a very long password\n")
    assert created.exit_code == 0, created.output
    assert json.loads(created.stdout)["email"] == "sven@rodakorset.example"

    token = runner.invoke(args=["tokens", "create", "--user", "sven@rodakorset.example", "--scope", "read write",
                                "--expires-in", "7"])
    assert token.exit_code == 0, token.output
    printed = json.loads(token.stdout)
    assert printed["scope"] == "read write" and printed["expires_in"] == 7 * 86400
    headers = {"Authorization": f"Bearer {printed['access_token']}"}
    assert client.get("/api/v1/me", headers=headers).json["society"] == "NL"

    too_much = runner.invoke(args=["tokens", "create", "--user", "sven@rodakorset.example", "--scope", "admin"])
    assert too_much.exit_code == 1 and "admin" in too_much.output

    assert runner.invoke(args=["users", "disable", "--email", "sven@rodakorset.example"]).exit_code == 0
    assert client.get("/api/v1/me", headers=headers).status_code == 401

    registered = runner.invoke(args=["clients", "create", "--society", "NL", "--name", "NL sync", "--grant",
                                     "client_credentials", "--scope", "read write"])
    assert registered.exit_code == 0, registered.output
    details = json.loads(registered.stdout)
    assert details["client_id"] and details["client_secret"]
    minted = client.post("/oauth/token", data={"grant_type": "client_credentials", "client_id": details["client_id"],
                                               "client_secret": details["client_secret"]})
    assert minted.status_code == 200
    assert runner.invoke(args=["clients", "revoke", details["client_id"]]).exit_code == 0
    minted_headers = {"Authorization": f"Bearer {minted.json['access_token']}"}
    assert client.get("/api/v1/me", headers=minted_headers).status_code == 401

    duplicate = runner.invoke(args=["users", "create", "--email", "sven@rodakorset.example", "--name", "S",
                                    "--society", "NL", "--role", "member", "--no-password"])
    assert duplicate.exit_code == 1 and "exists already" in duplicate.output


def test_demo_load_creates_accounts_that_can_sign_in(app, client):
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    accounts = json.loads(result.stdout)["accounts"]
    assert accounts["web_client_id"] == "atn-hub-web"
    from atn_hub.models import User
    from atn_hub.services.accounts import verify_password

    session = app.extensions["atn_db"].new_session()
    coordinator = session.query(User).filter_by(email=accounts["coordinator"]).one()
    assert coordinator.role == "coordinator" and verify_password(coordinator, accounts["password"])
    assert session.query(User).filter(User.email.like("member.%")).count() >= 25
    session.close()
