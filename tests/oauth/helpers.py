from __future__ import annotations

import base64
import re
from urllib.parse import parse_qs, urlencode, urlparse

from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from atn_hub.principal import SYSTEM
from atn_hub.services import accounts

PASSWORD = "correct horse battery staple"
REDIRECT = "http://127.0.0.1:9/callback"


def make_user(db_session, email="nina@rodekruis-nl.example", role="member", society="NL"):
    user = accounts.create_user(db_session, SYSTEM, email=email, name="Nina", role=role, society_code=society,
                                password=PASSWORD)
    db_session.commit()
    return user


def make_client(db_session, **kwargs):
    defaults = dict(name="Client", society_code="NL", grant="client_credentials", scope="read write")
    client, secret = accounts.create_client(db_session, SYSTEM, **{**defaults, **kwargs})
    db_session.commit()
    return client.client_id, secret


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def basic(client_id, secret):
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


def authorize_url(client_id, **overrides):
    verifier = generate_token(48)
    params = {"response_type": "code", "client_id": client_id, "redirect_uri": REDIRECT, "scope": "read",
              "state": "s-123", "code_challenge": create_s256_code_challenge(verifier),
              "code_challenge_method": "S256", **overrides}
    return "/oauth/authorize?" + urlencode({k: v for k, v in params.items() if v is not None}), verifier


def sign_in(client, url, email, password=PASSWORD, **kwargs):
    page = client.get(url, **kwargs)
    return client.post(url, data={"csrf_token": csrf(page.get_data(as_text=True)), "action": "sign-in",
                                  "email": email, "password": password}, **kwargs)


def authorization_code(client, client_id, email, scope="read"):
    """Sign in and allow through the test client: the code and its PKCE verifier."""
    url, verifier = authorize_url(client_id, scope=scope)
    sign_in(client, url, email)
    page = client.get(url).get_data(as_text=True)
    answer = client.post(url, data={"csrf_token": csrf(page), "action": "allow"})
    return parse_qs(urlparse(answer.headers["Location"]).query)["code"][0], verifier


def redeem(client, client_id, code, verifier):
    return client.post("/oauth/token", data={"grant_type": "authorization_code", "code": code,
                                             "redirect_uri": REDIRECT, "client_id": client_id,
                                             "code_verifier": verifier})
