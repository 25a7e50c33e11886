"""The hub's own client (``atn-hub-web``: the console and Swagger UI): its redirect URIs follow ATN_PUBLIC_URL,
still matched exactly, and it skips the consent page on its way back to the hub's own pages; other clients,
and its other redirect URIs, get the consent page as before."""
from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlparse

import pytest
import requests
from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from atn_hub.oauth.first_party import CLIENT_ID, own_redirect_uris
from tests.oauth.helpers import PASSWORD, REDIRECT, authorize_url, csrf, make_client, make_user, sign_in

HUB = "http://127.0.0.1:5000"  # the suite's apps' ATN_PUBLIC_URL (the default)


@pytest.fixture
def console_client(db_session, reference_data):
    """The console's client as `atn-hub demo load` registered it at the default address, plus one URI of
    another app."""
    client_id, _ = make_client(db_session, name="ATN Hub web", society_code=None, grant="authorization_code",
                               scope="read write contacts:read moderate", redirect_uris=[HUB + "/", REDIRECT],
                               public=True, client_id=CLIENT_ID)
    return client_id


def test_the_hubs_own_pages_on_both_loopback_names_are_its_redirect_uris():
    assert own_redirect_uris("http://127.0.0.1:8000") == [
        "http://127.0.0.1:8000/", "http://127.0.0.1:8000/docs/assets/oauth2-redirect.html",
        "http://localhost:8000/", "http://localhost:8000/docs/assets/oauth2-redirect.html"]
    assert own_redirect_uris("https://hub.example/") == ["https://hub.example/",
                                                         "https://hub.example/docs/assets/oauth2-redirect.html"]


@pytest.mark.parametrize("redirect_uri", [HUB + "/", HUB + "/docs/assets/oauth2-redirect.html",
                                          "http://localhost:5000/"])
def test_the_console_signs_in_without_a_consent_page(client, console_client, db_session, redirect_uri):
    user = make_user(db_session)
    url, verifier = authorize_url(console_client, redirect_uri=redirect_uri, scope="read write")
    signed_in = sign_in(client, url, user.email)
    assert signed_in.status_code == 303
    answer = client.get(url)  # straight back with a code: no "Allow"
    assert answer.status_code == 302 and answer.headers["Location"].startswith(redirect_uri + "?")
    query = parse_qs(urlparse(answer.headers["Location"]).query)
    assert query["state"] == ["s-123"]
    token = client.post("/oauth/token", data={"grant_type": "authorization_code", "code": query["code"][0],
                                              "redirect_uri": redirect_uri, "client_id": console_client,
                                              "code_verifier": verifier})
    assert token.status_code == 200 and set(token.json["scope"].split()) == {"read", "write"}


def test_other_clients_and_other_redirect_uris_still_ask_for_consent(client, console_client, db_session):
    user = make_user(db_session)
    other, _ = make_client(db_session, name="Partner app", society_code=None, grant="authorization_code",
                           scope="read", redirect_uris=[HUB + "/"], public=True)
    for client_id, redirect_uri in ((console_client, REDIRECT), (other, HUB + "/")):
        url, _ = authorize_url(client_id, redirect_uri=redirect_uri)
        sign_in(client, url, user.email)
        page = client.get(url)
        assert page.status_code == 200 and "asks for access" in page.get_data(as_text=True)
        allowed = client.post(url, data={"csrf_token": csrf(page.get_data(as_text=True)), "action": "allow"})
        assert allowed.headers["Location"].startswith(redirect_uri + "?code=")


@pytest.mark.parametrize("redirect_uri", [HUB, HUB + "/?x=1", HUB + "/docs", HUB + "/oauth2-redirect.html",
                                          "http://127.0.0.1:5001/", "https://127.0.0.1:5000/",
                                          "http://127.0.0.2:5000/"])
def test_the_hubs_own_pages_are_matched_exactly(client, console_client, redirect_uri):
    response = client.get(authorize_url(console_client, redirect_uri=redirect_uri)[0])
    assert response.status_code == 400 and "Location" not in response.headers


def test_another_clients_id_gets_none_of_the_hubs_pages(client, db_session, reference_data):
    other, _ = make_client(db_session, name="Partner app", society_code=None, grant="authorization_code",
                           scope="read", redirect_uris=[REDIRECT], public=True)
    response = client.get(authorize_url(other, redirect_uri=HUB + "/")[0])
    assert response.status_code == 400 and "Location" not in response.headers


def test_sign_in_works_on_any_port_set_as_the_public_address(live_server, db_session, reference_data):
    """A server on a random port with ATN_PUBLIC_URL set to it (the `serving` fixture does), the console's
    client registered for the default port 5000 only: the console's sign-in completes over HTTP."""
    assert not live_server.endswith(":5000")
    user = make_user(db_session)
    make_client(db_session, name="ATN Hub web", society_code=None, grant="authorization_code",
                scope="read write contacts:read moderate", redirect_uris=own_redirect_uris(HUB), public=True,
                client_id=CLIENT_ID)
    home = live_server + "/"
    verifier = generate_token(48)
    url = live_server + "/oauth/authorize?" + urlencode({
        "response_type": "code", "client_id": CLIENT_ID, "redirect_uri": home, "scope": "read write",
        "state": "st", "code_challenge": create_s256_code_challenge(verifier), "code_challenge_method": "S256"})
    browser = requests.Session()
    page = browser.get(url)
    assert page.status_code == 200 and 'name="password"' in page.text
    answer = browser.post(url, data={"csrf_token": csrf(page.text), "action": "sign-in", "email": user.email,
                                     "password": PASSWORD}, allow_redirects=False)
    assert answer.status_code == 303
    answer = browser.get(url, allow_redirects=False)
    assert answer.status_code == 302 and answer.headers["Location"].startswith(home + "?")
    code = parse_qs(urlparse(answer.headers["Location"]).query)["code"][0]
    token = requests.post(live_server + "/oauth/token", data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": home, "client_id": CLIENT_ID,
        "code_verifier": verifier}).json()
    me = requests.get(live_server + "/api/v1/me", headers={"Authorization": f"Bearer {token['access_token']}"})
    assert me.status_code == 200 and me.json()["email"] == user.email
    # Another port is not the hub's address: refused, not redirected to.
    other_port = requests.get(live_server + "/oauth/authorize?" + urlencode({
        "response_type": "code", "client_id": CLIENT_ID, "redirect_uri": "http://127.0.0.1:5001/",
        "code_challenge": create_s256_code_challenge(verifier), "code_challenge_method": "S256"}),
        allow_redirects=False)
    assert other_port.status_code == 400 and "Location" not in other_port.headers


def test_signing_out_ends_the_sign_in_session_so_the_next_sign_in_asks_again(client, console_client, db_session):
    user = make_user(db_session)
    url, _ = authorize_url(console_client, redirect_uri=HUB + "/")
    sign_in(client, url, user.email)
    assert client.get(url).status_code == 302  # signed in: straight back to the console
    out = client.post("/oauth/logout", headers={"Origin": HUB})
    assert out.status_code == 204 and "atn_session=;" in out.headers["Set-Cookie"]
    page = client.get(url)
    assert page.status_code == 200 and 'name="password"' in page.get_data(as_text=True)
    assert user.email not in page.get_data(as_text=True)


@pytest.mark.parametrize("origin", [None, "null", "https://evil.example", "http://127.0.0.1:5001",
                                    "http://localhost:8080"])
def test_only_the_hubs_own_pages_can_sign_a_person_out(client, console_client, db_session, origin):
    user = make_user(db_session)
    url, _ = authorize_url(console_client, redirect_uri=HUB + "/")
    sign_in(client, url, user.email)
    refused = client.post("/oauth/logout", headers={"Origin": origin} if origin else {})
    assert refused.status_code == 403 and refused.mimetype == "application/problem+json"
    assert client.get(url).status_code == 302  # still signed in
    # the address the request reached counts as the hub's own too (the test client's is http://localhost)
    assert client.post("/oauth/logout", headers={"Origin": "http://localhost"}).status_code == 204
