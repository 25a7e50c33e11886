"""Both flows end to end with Authlib's own OAuth client against a real server process on 127.0.0.1:
token issue, protected call, refresh rotation, reuse detection, revocation, introspection, metadata."""
from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session, OAuthError

from tests.oauth.helpers import PASSWORD, REDIRECT, csrf, make_client, make_user


def test_client_credentials_flow(live_server, db_session, reference_data):
    client_id, secret = make_client(db_session, scope="read write", can_introspect=True)
    session = OAuth2Session(client_id, secret, scope="read write", token_endpoint_auth_method="client_secret_basic")
    token = session.fetch_token(live_server + "/oauth/token", grant_type="client_credentials")
    assert token["token_type"] == "Bearer" and token["expires_in"] == 3600 and "refresh_token" not in token

    me = session.get(live_server + "/api/v1/me").json()
    assert me == {"kind": "client", "client_id": client_id, "society": "NL", "scopes": ["read", "write"],
                  "role": "member", "name": "Client", "user_id": None, "email": None}
    created = session.post(live_server + "/api/v1/practices", json={
        "title": "Outreach to seasonal workers", "summary": "Information in the fields.", "language": "en",
        "countries": ["NL"]})
    assert created.status_code == 201 and created.json()["society"] == "NL"

    # the same with the secret in the body (client_secret_post)
    post_session = OAuth2Session(client_id, secret, scope="read", token_endpoint_auth_method="client_secret_post")
    assert post_session.fetch_token(live_server + "/oauth/token", grant_type="client_credentials")["scope"] == "read"

    introspection = requests.post(live_server + "/oauth/introspect", data={"token": token["access_token"]},
                                  auth=(client_id, secret)).json()
    assert introspection["active"] is True and introspection["scope"] == "read write"
    assert introspection["client_id"] == client_id

    revoked = session.revoke_token(live_server + "/oauth/revoke", token=token["access_token"],
                                   token_type_hint="access_token")
    assert revoked.status_code == 200
    after = requests.get(live_server + "/api/v1/me", headers={"Authorization": f"Bearer {token['access_token']}"})
    assert after.status_code == 401 and "invalid_token" in after.headers["WWW-Authenticate"]
    assert requests.post(live_server + "/oauth/introspect", data={"token": token["access_token"]},
                         auth=(client_id, secret)).json() == {"active": False}


def _sign_in_and_consent(base: str, authorization_url: str, email: str) -> requests.Response:
    browser = requests.Session()
    page = browser.get(authorization_url)
    assert page.status_code == 200 and 'name="password"' in page.text
    assert "script" not in page.text.lower()  # no inline (or any) scripts on the sign-in page
    signed_in = browser.post(authorization_url, data={"csrf_token": csrf(page.text), "action": "sign-in",
                                                      "email": email, "password": PASSWORD})
    assert signed_in.status_code == 200 and "asks for access" in signed_in.text
    return browser.post(authorization_url, data={"csrf_token": csrf(signed_in.text), "action": "allow"},
                        allow_redirects=False)


def test_authorization_code_flow_with_pkce_refresh_rotation_and_revocation(live_server, db_session,
                                                                           reference_data):
    user = make_user(db_session)
    client_id, secret = make_client(db_session, name="ATN Hub web", society_code=None, grant="authorization_code",
                                    scope="read write contacts:read moderate", redirect_uris=[REDIRECT],
                                    public=True)
    assert secret is None
    oauth = OAuth2Session(client_id, redirect_uri=REDIRECT, scope="read write", code_challenge_method="S256",
                          token_endpoint_auth_method="none")
    verifier = generate_token(48)
    url, state = oauth.create_authorization_url(live_server + "/oauth/authorize", code_verifier=verifier)
    answer = _sign_in_and_consent(live_server, url, user.email)
    assert answer.status_code == 302
    location = answer.headers["Location"]
    assert location.startswith(REDIRECT) and parse_qs(urlparse(location).query)["state"] == [state]

    token = oauth.fetch_token(live_server + "/oauth/token", authorization_response=location, code_verifier=verifier)
    assert set(token["scope"].split()) == {"read", "write"} and token["refresh_token"]
    me = oauth.get(live_server + "/api/v1/me").json()
    assert me["kind"] == "user" and me["email"] == user.email and me["society"] == "NL"

    # refresh rotation: a new refresh token, the old one is dead
    first_refresh = token["refresh_token"]
    rotated = oauth.refresh_token(live_server + "/oauth/token", refresh_token=first_refresh)
    assert rotated["refresh_token"] != first_refresh
    assert oauth.get(live_server + "/api/v1/me").status_code == 200

    # presenting the old refresh token again revokes the whole family, the new tokens included
    reuse = requests.post(live_server + "/oauth/token", data={"grant_type": "refresh_token", "client_id": client_id,
                                                             "refresh_token": first_refresh})
    assert reuse.status_code == 400 and reuse.json()["error"] == "invalid_grant"
    assert oauth.get(live_server + "/api/v1/me").status_code == 401
    with pytest.raises(OAuthError):
        oauth.refresh_token(live_server + "/oauth/token", refresh_token=rotated["refresh_token"])


def test_public_client_revokes_its_refresh_token(live_server, db_session, reference_data):
    user = make_user(db_session)
    client_id, _ = make_client(db_session, name="web", society_code=None, grant="authorization_code",
                               scope="read", redirect_uris=[REDIRECT], public=True)
    oauth = OAuth2Session(client_id, redirect_uri=REDIRECT, scope="read", code_challenge_method="S256",
                          token_endpoint_auth_method="none")
    verifier = generate_token(48)
    url, _ = oauth.create_authorization_url(live_server + "/oauth/authorize", code_verifier=verifier)
    location = _sign_in_and_consent(live_server, url, user.email).headers["Location"]
    token = oauth.fetch_token(live_server + "/oauth/token", authorization_response=location, code_verifier=verifier)
    response = oauth.revoke_token(live_server + "/oauth/revoke", token=token["refresh_token"],
                                  token_type_hint="refresh_token")
    assert response.status_code == 200
    assert oauth.get(live_server + "/api/v1/me").status_code == 401  # the family is gone


def test_metadata(live_server):
    document = requests.get(live_server + "/.well-known/oauth-authorization-server").json()
    assert document["issuer"] == live_server
    assert document["token_endpoint"] == live_server + "/oauth/token"
    assert document["code_challenge_methods_supported"] == ["S256"]
    assert "implicit" not in document["grant_types_supported"] and "password" not in document["grant_types_supported"]
    assert set(document["scopes_supported"]) == {"read", "write", "contacts:read", "moderate", "admin"}
