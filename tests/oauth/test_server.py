"""The authorization server's rules, through the test client: PKCE S256 required, exact redirect URIs,
no implicit or password grant, strict scopes, brute-force locks, disabled users and revoked clients."""
from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from atn_hub.principal import SYSTEM
from atn_hub.services import accounts
from tests.oauth.helpers import PASSWORD, REDIRECT, authorize_url, basic, csrf, make_client, make_user, sign_in


def test_pkce_is_required_and_s256_only(client, web_client):
    url, _ = authorize_url(web_client, code_challenge=None, code_challenge_method=None)
    response = client.get(url)
    assert response.status_code == 302
    query = parse_qs(urlparse(response.headers["Location"]).query)
    assert query["error"] == ["invalid_request"] and query["state"] == ["s-123"]
    url, _ = authorize_url(web_client, code_challenge_method="plain")
    assert "error=invalid_request" in client.get(url).headers["Location"]


def test_redirect_uri_must_match_exactly(client, web_client):
    for uri in (REDIRECT + "/", REDIRECT + "?x=1", "http://127.0.0.1:9/other", "https://evil.example/callback"):
        url, _ = authorize_url(web_client, redirect_uri=uri)
        response = client.get(url)
        assert response.status_code == 400  # never redirected to an unregistered URI
        assert "Location" not in response.headers


def test_implicit_and_password_grants_are_refused(client, web_client, db_session):
    url, _ = authorize_url(web_client, response_type="token")
    response = client.get(url)
    assert response.status_code in (302, 400)
    assert "access_token" not in response.headers.get("Location", "")
    make_user(db_session)
    password = client.post("/oauth/token", data={"grant_type": "password", "username": "nina@rodekruis-nl.example",
                                                 "password": PASSWORD, "client_id": web_client})
    assert password.status_code == 400 and password.json["error"] == "unsupported_grant_type"


def test_client_asking_for_more_scope_gets_an_error_not_a_smaller_token(client, db_session, reference_data):
    client_id, secret = make_client(db_session, scope="read")
    response = client.post("/oauth/token", data={"grant_type": "client_credentials", "scope": "read write"},
                           headers=basic(client_id, secret))
    assert response.status_code == 400 and response.json["error"] == "invalid_scope"


def test_consent_grants_only_what_the_role_allows(client, web_client, db_session):
    user = make_user(db_session)  # a member: no "moderate"
    url, verifier = authorize_url(web_client, scope="read moderate")
    consent = sign_in(client, url, user.email)
    assert consent.status_code == 303
    page = client.get(url).get_data(as_text=True)
    assert "moderate" not in page.split("It will be able to:")[1]
    answer = client.post(url, data={"csrf_token": csrf(page), "action": "allow"})
    code = parse_qs(urlparse(answer.headers["Location"]).query)["code"][0]
    token = client.post("/oauth/token", data={"grant_type": "authorization_code", "code": code,
                                              "redirect_uri": REDIRECT, "client_id": web_client,
                                              "code_verifier": verifier})
    assert token.status_code == 200 and token.json["scope"] == "read"


def test_user_can_deny(client, web_client, db_session):
    user = make_user(db_session)
    url, _ = authorize_url(web_client)
    sign_in(client, url, user.email)
    page = client.get(url).get_data(as_text=True)
    answer = client.post(url, data={"csrf_token": csrf(page), "action": "deny"})
    assert "error=access_denied" in answer.headers["Location"] and "state=s-123" in answer.headers["Location"]


def test_someone_else_can_sign_in_on_the_same_browser(client, web_client, db_session):
    first = make_user(db_session)
    second = make_user(db_session, email="coordinator@rodekruis-nl.example", role="coordinator")
    url, _ = authorize_url(web_client)
    sign_in(client, url, first.email)
    page = client.get(url).get_data(as_text=True)
    assert "Sign in as someone else" in page
    forged = client.post(url, data={"csrf_token": "forged", "action": "switch-user"})
    assert forged.status_code == 400 and "asks for access" in forged.get_data(as_text=True)
    switched = client.post(url, data={"csrf_token": csrf(page), "action": "switch-user"})
    assert switched.status_code == 303
    page = client.get(url).get_data(as_text=True)
    assert 'name="password"' in page and first.email not in page
    assert sign_in(client, url, second.email).status_code == 303
    assert second.email in client.get(url).get_data(as_text=True)


def test_sign_in_form_needs_its_csrf_token(client, web_client, db_session):
    user = make_user(db_session)
    url, _ = authorize_url(web_client)
    client.get(url)
    response = client.post(url, data={"csrf_token": "forged", "action": "sign-in", "email": user.email,
                                      "password": PASSWORD})
    assert response.status_code == 400 and "asks for access" not in response.get_data(as_text=True)


def test_repeated_failed_sign_ins_lock_for_a_while(client, web_client, db_session):
    from datetime import timedelta

    from atn_hub.models import AuthThrottle

    user = make_user(db_session)
    url, _ = authorize_url(web_client)
    for _ in range(5):
        assert sign_in(client, url, user.email, "wrong password!").status_code == 401
    locked = sign_in(client, url, user.email, PASSWORD)  # even the right password, while locked
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
    # the lock expires on its own: the real owner gets back in
    for row in db_session.query(AuthThrottle).all():
        row.locked_until = row.locked_until - timedelta(hours=1) if row.locked_until else None
        row.window_started_at = row.window_started_at - timedelta(hours=1)
    db_session.commit()
    assert sign_in(client, url, user.email, PASSWORD).status_code == 303


def test_repeated_bad_client_secrets_lock_the_client_for_a_while(client, db_session, reference_data):
    client_id, secret = make_client(db_session)
    for _ in range(5):
        response = client.post("/oauth/token", data={"grant_type": "client_credentials"},
                               headers=basic(client_id, "not-the-secret"))
        assert response.status_code in (400, 401) and response.json["error"] == "invalid_client"
    locked = client.post("/oauth/token", data={"grant_type": "client_credentials"}, headers=basic(client_id, secret))
    assert locked.status_code == 429 and "Retry-After" in locked.headers


def test_disabled_user_and_revoked_client_lose_access(client, db_session, reference_data):
    user = make_user(db_session)
    _, personal = accounts.create_personal_token(db_session, SYSTEM, user, scope="read")
    client_id, secret = make_client(db_session)
    db_session.commit()
    machine = client.post("/oauth/token", data={"grant_type": "client_credentials", "scope": "read"},
                          headers=basic(client_id, secret)).json["access_token"]
    for token in (personal, machine):
        assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    accounts.set_disabled(db_session, SYSTEM, accounts.user_by_email(db_session, user.email))
    accounts.revoke_client(db_session, SYSTEM, accounts.get_client(db_session, SYSTEM, client_id))
    db_session.commit()
    for token in (personal, machine):
        assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    again = client.post("/oauth/token", data={"grant_type": "client_credentials"}, headers=basic(client_id, secret))
    assert again.status_code in (400, 401)


def test_tokens_and_secrets_are_stored_hashed(client, db_session, reference_data):
    from atn_hub.models import OAuthClient, OAuthToken

    client_id, secret = make_client(db_session)
    token = client.post("/oauth/token", data={"grant_type": "client_credentials"},
                        headers=basic(client_id, secret)).json["access_token"]
    stored_token = db_session.query(OAuthToken).one()
    stored_client = db_session.query(OAuthClient).one()
    assert token not in (stored_token.access_token_hash, stored_token.refresh_token_hash)
    assert secret != stored_client.client_secret_hash and len(stored_client.client_secret_hash) == 64


def test_expired_token_is_401(client, db_session, reference_data):
    from atn_hub.models import OAuthToken

    user = make_user(db_session)
    token, secret = accounts.create_personal_token(db_session, SYSTEM, user, scope="read")
    token.issued_at -= 200 * 86400
    db_session.commit()
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 401 and "expired" in response.json["message"]
    assert db_session.query(OAuthToken).count() == 1


def test_introspection_and_revocation_without_a_token_are_400(client, reference_data, db_session):
    """The OAuth document's 400s of /oauth/introspect and /oauth/revoke (a form that names no token); the live
    fuzz scenario reaches their 200s and 401s."""
    from tests.oauth.helpers import basic, make_client

    client_id, secret = make_client(db_session, can_introspect=True)
    for path in ("/oauth/introspect", "/oauth/revoke"):
        answer = client.post(path, data={"token_type_hint": "access_token"}, headers=basic(client_id, secret))
        assert answer.status_code == 400 and answer.json["error"] == "invalid_request"
