"""CORS: only the origins listed in ATN_CORS_ORIGINS, only on the API and the OAuth token and revocation
endpoints; preflights answered; the headers a browser app needs (ETag, X-Pagination, Link) exposed."""
from __future__ import annotations

import pytest

from atn_hub import create_app
from atn_hub.cli.database import upgrade
from atn_hub.cors import parse_origins

PARTNER = "https://partner.example"
OTHER = "https://evil.example"


@pytest.fixture(scope="module")
def cors_client(tmp_path_factory):
    root = tmp_path_factory.mktemp("cors")
    url = f"sqlite:///{root / 'atn.db'}"
    upgrade(url)
    app = create_app({"database_url": url, "instance_dir": root, "testing": True, "secret_key": "cors",
                      "indexer": "off", "extractor": "off", "delivery": "off",
                      "cors_origins": f"{PARTNER}, http://127.0.0.1:8080"})
    yield app.test_client()
    app.extensions["atn_search"].stop()
    app.extensions["atn_files"].stop()
    app.extensions["atn_db"].engine.dispose()


def test_a_listed_origin_gets_the_headers_and_the_exposed_ones(cors_client):
    response = cors_client.get("/api/v1/topics", headers={"Origin": PARTNER})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == PARTNER
    exposed = {h.strip().lower() for h in response.headers["Access-Control-Expose-Headers"].split(",")}
    assert {"etag", "x-pagination", "link"} <= exposed
    assert "Origin" in response.headers.get("Vary", "")
    assert "Access-Control-Allow-Credentials" not in response.headers  # bearer tokens, never cookies


def test_an_unlisted_origin_gets_none(cors_client):
    response = cors_client.get("/api/v1/topics", headers={"Origin": OTHER})
    assert response.status_code == 200
    assert not any(name.lower().startswith("access-control-") for name in response.headers.keys())


def test_preflight_for_a_patch_with_a_token_and_an_etag(cors_client):
    request = {"Origin": PARTNER, "Access-Control-Request-Method": "PATCH",
               "Access-Control-Request-Headers": "authorization, content-type, if-match"}
    response = cors_client.options("/api/v1/practices/6b1f4d0e-4a8e-4a53-9b1e-0a3c2c1b9f10", headers=request)
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == PARTNER
    assert "PATCH" in response.headers["Access-Control-Allow-Methods"]
    allowed = {h.strip().lower() for h in response.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "content-type", "if-match"} <= allowed
    assert int(response.headers["Access-Control-Max-Age"]) > 0

    refused = cors_client.options("/api/v1/practices", headers={**request, "Origin": OTHER})
    assert "Access-Control-Allow-Origin" not in refused.headers


def test_oauth_token_and_revoke_but_not_the_sign_in_page(cors_client):
    for path in ("/oauth/token", "/oauth/revoke"):
        response = cors_client.options(path, headers={"Origin": PARTNER, "Access-Control-Request-Method": "POST",
                                                      "Access-Control-Request-Headers": "content-type"})
        assert response.headers["Access-Control-Allow-Origin"] == PARTNER, path
        answer = cors_client.post(path, data={"grant_type": "client_credentials"}, headers={"Origin": PARTNER})
        assert answer.headers["Access-Control-Allow-Origin"] == PARTNER, path  # errors too: the app reads them
    for path in ("/oauth/authorize", "/oauth/introspect", "/"):
        response = cors_client.get(path, headers={"Origin": PARTNER})
        assert "Access-Control-Allow-Origin" not in response.headers, path


def test_errors_carry_the_headers_so_the_browser_app_can_read_them(cors_client):
    response = cors_client.post("/api/v1/practices", json={}, headers={"Origin": PARTNER})
    assert response.status_code == 401
    assert response.headers["Access-Control-Allow-Origin"] == PARTNER
    assert "www-authenticate" in response.headers["Access-Control-Expose-Headers"].lower()


def test_by_default_no_origin_is_allowed(client):
    response = client.get("/api/v1/topics", headers={"Origin": PARTNER})
    assert "Access-Control-Allow-Origin" not in response.headers
    preflight = client.options("/api/v1/topics", headers={"Origin": PARTNER, "Access-Control-Request-Method": "GET"})
    assert "Access-Control-Allow-Origin" not in preflight.headers


@pytest.mark.parametrize("raw", ["*", "https://*.example", "https://partner.example/", "partner.example",
                                 "https://partner.example/path", "ftp://partner.example"])
def test_anything_but_an_exact_origin_is_refused_at_start(raw):
    with pytest.raises(ValueError):
        parse_origins(raw)


def test_origins_are_parsed():
    assert parse_origins(" https://A.example ,http://127.0.0.1:8080,") == ["https://a.example", "http://127.0.0.1:8080"]
    assert parse_origins("") == [] and parse_origins(None) == []
