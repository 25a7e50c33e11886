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


def _cli(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_clients_update_changes_name_redirect_uris_and_scopes_and_logs_it(app, reference_data, client, db_session):
    from sqlalchemy import select

    from atn_hub.models import ChangeLog
    from tests.oauth.helpers import authorization_code, make_user, redeem

    created = json.loads(_cli(app, "clients", "create", "--name", "Case app", "--grant", "authorization_code",
                              "--scope", "read write contacts:read", "--redirect-uri", "http://127.0.0.1:9/callback",
                              "--public").stdout)
    client_id = created["client_id"]
    make_user(db_session)
    code, verifier = authorization_code(client, client_id, "nina@rodekruis-nl.example", scope="read contacts:read")
    held = redeem(client, client_id, code, verifier).json
    headers = {"Authorization": f"Bearer {held['access_token']}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200

    renamed = _cli(app, "clients", "update", client_id, "--name", "Case app (NL)", "--redirect-uri",
                   "https://cases.example/cb", "--redirect-uri", "http://localhost:8080/cb")
    assert renamed.exit_code == 0, renamed.output
    assert json.loads(renamed.stdout) == {
        "client_id": client_id, "name": "Case app (NL)", "grant_types": ["authorization_code", "refresh_token"],
        "scope": "read write contacts:read", "redirect_uris": ["https://cases.example/cb", "http://localhost:8080/cb"],
        "tokens_revoked": 0}
    assert client.get("/api/v1/me", headers=headers).status_code == 200  # a new name ends no session

    narrowed = _cli(app, "clients", "update", client_id, "--scope", "read write")
    assert narrowed.exit_code == 0, narrowed.output
    assert json.loads(narrowed.stdout)["scope"] == "read write" and json.loads(narrowed.stdout)["tokens_revoked"] == 1
    assert client.get("/api/v1/me", headers=headers).status_code == 401  # it held contacts:read: revoked
    refreshed = client.post("/oauth/token", data={"grant_type": "refresh_token", "client_id": client_id,
                                                  "refresh_token": held["refresh_token"]})
    assert refreshed.status_code == 400

    entries = db_session.scalars(select(ChangeLog).where(ChangeLog.record_type == "client",
                                                         ChangeLog.record_id == client_id)
                                 .order_by(ChangeLog.seq)).all()
    assert [(e.action, e.payload) for e in entries[1:]] == [
        ("updated", {"name": "Case app (NL)",
                     "redirect_uris": ["https://cases.example/cb", "http://localhost:8080/cb"]}),
        ("updated", {"scope": "read write", "tokens_revoked": 1})]
    db_session.rollback()


def test_clients_update_refuses_what_the_clients_kind_does_not_allow_naming_the_option(app, reference_data):
    machine = json.loads(_cli(app, "clients", "create", "--society", "NL", "--name", "NL sync", "--grant",
                              "client_credentials", "--scope", "read").stdout)["client_id"]
    browser_app = json.loads(_cli(app, "clients", "create", "--name", "App", "--grant", "authorization_code",
                                  "--scope", "read", "--redirect-uri", "https://app.example/cb",
                                  "--public").stdout)["client_id"]
    refused = [
        (machine, ["--scope", "read moderate"], "--scope", "read, write and contacts:read only"),
        (machine, ["--scope", "read admin"], "--scope", "read, write and contacts:read only"),
        (browser_app, ["--scope", "read everything"], "--scope", "Unknown scope(s): everything"),
        (machine, ["--redirect-uri", "https://nl.example/cb"], "--redirect-uri", "never redirected to"),
        (browser_app, ["--redirect-uri", "http://app.example/cb"], "--redirect-uri", "loopback"),
        (browser_app, ["--name", " "], "--name", "1 to 200 characters"),
    ]
    for client_id, options, option, reason in refused:
        result = _cli(app, "clients", "update", client_id, *options)
        assert result.exit_code != 0 and option in result.output and reason in result.output, (options, result.output)
    nothing = _cli(app, "clients", "update", machine)
    assert nothing.exit_code != 0 and "--scope" in nothing.output
    unknown = _cli(app, "clients", "update", "no-such-client", "--name", "X")
    assert unknown.exit_code == 1 and "No client no-such-client" in unknown.output
    assert _cli(app, "clients", "revoke", browser_app).exit_code == 0
    revoked = _cli(app, "clients", "update", browser_app, "--name", "Again")
    assert revoked.exit_code == 1 and "revoked" in revoked.output

    shown = [json.loads(_cli(app, "clients", "update", machine, "--name", "NL sync").stdout)]
    assert shown[0]["scope"] == "read" and shown[0]["redirect_uris"] == []  # unchanged by the refusals
