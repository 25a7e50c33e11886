"""What an attacker tries against sign-in and the token endpoint: locking others out, telling known emails by
the answer's timing, parameters that broke the server, a forged Host header, and redeeming one code or one
refresh token several times at once."""
from __future__ import annotations

import statistics
import threading
import time
import uuid

import pytest
import requests
from sqlalchemy import create_engine, text

from atn_hub import create_app
from tests.oauth.helpers import (
    REDIRECT,
    authorization_code,
    authorize_url,
    basic,
    csrf,
    make_client,
    make_user,
    redeem,
    sign_in,
)


def at(address: str) -> dict:
    return {"environ_base": {"REMOTE_ADDR": address}}


def test_failures_from_other_addresses_never_lock_the_consoles_client_out(client, web_client, db_session):
    user = make_user(db_session)
    code, verifier = authorization_code(client, web_client, user.email)
    tokens = redeem(client, web_client, code, verifier).json
    for i in range(10):  # a stranger, from ten addresses, fails to authenticate as the console's client
        failed = client.post("/oauth/token", data={"grant_type": "client_credentials", "client_id": web_client},
                             **at(f"203.0.113.{i}"))
        assert failed.status_code in (400, 401)
    refreshed = client.post("/oauth/token", data={"grant_type": "refresh_token", "client_id": web_client,
                                                  "refresh_token": tokens["refresh_token"]}, **at("198.51.100.7"))
    assert refreshed.status_code == 200, refreshed.json


def test_failures_from_other_addresses_never_lock_a_machine_client_out(client, db_session, reference_data):
    client_id, secret = make_client(db_session)
    for i in range(10):
        failed = client.post("/oauth/token", data={"grant_type": "client_credentials"},
                             headers=basic(client_id, "guess"), **at(f"203.0.113.{i}"))
        assert failed.status_code in (400, 401)
    ok = client.post("/oauth/token", data={"grant_type": "client_credentials"}, headers=basic(client_id, secret),
                     **at("198.51.100.7"))
    assert ok.status_code == 200


def test_failures_from_other_addresses_never_lock_a_person_out(app, client, web_client, db_session):
    user = make_user(db_session)
    url, _ = authorize_url(web_client)
    for i in range(10):
        assert sign_in(client, url, user.email, "not the password", **at(f"203.0.113.{i}")).status_code == 401
    assert sign_in(app.test_client(), url, user.email, **at("198.51.100.7")).status_code == 303


def test_one_address_has_one_budget_for_all_accounts(app, client, web_client, db_session):
    """Trying many accounts from one address: after its budget, that address is refused for any of them
    (while another address is not)."""
    user = make_user(db_session)
    url, _ = authorize_url(web_client)
    statuses = [sign_in(client, url, f"guess-{i}@example.org", "not the password", **at("203.0.113.9")).status_code
                for i in range(30)]
    assert statuses == [401] * 30
    locked = sign_in(client, url, user.email, **at("203.0.113.9"))
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
    assert sign_in(app.test_client(), url, user.email, **at("198.51.100.7")).status_code == 303


def test_a_success_does_not_reset_the_addresses_budget(app, web_client, db_session):
    """An attacker with one account of their own cannot clear their address's count by signing in with it."""
    own = make_user(db_session, email="attacker@example.org")
    url, _ = authorize_url(web_client)
    for round_ in range(3):
        for i in range(10):
            response = sign_in(app.test_client(), url, f"victim-{round_}-{i}@example.org", "guess",
                               **at("203.0.113.9"))
            assert response.status_code in (401, 429)
        sign_in(app.test_client(), url, own.email, **at("203.0.113.9"))
    assert sign_in(app.test_client(), url, "victim-last@example.org", "guess", **at("203.0.113.9")).status_code == 429


def test_sign_in_takes_as_long_for_an_unknown_email_as_for_a_known_one(app, web_client, db_session):
    user = make_user(db_session)
    url, _ = authorize_url(web_client)

    def timed(email: str, address: str) -> float:
        client = app.test_client()
        page = client.get(url, **at(address))
        form = {"csrf_token": csrf(page.get_data(as_text=True)), "action": "sign-in", "email": email,
                "password": "not the password"}
        started = time.perf_counter()
        assert client.post(url, data=form, **at(address)).status_code == 401
        return time.perf_counter() - started

    known = statistics.median(timed(user.email, f"192.0.2.{i}") for i in range(4))
    unknown = statistics.median(timed(f"nobody-{i}@example.org", f"192.0.2.{10 + i}") for i in range(4))
    assert unknown > known / 2, (known, unknown)


def test_a_quotation_mark_in_a_parameter_is_a_clear_400_not_a_server_error(client, web_client, db_session,
                                                                          reference_data):
    url, _ = authorize_url(web_client, redirect_uri=REDIRECT + '"x')
    page = client.get(url)
    assert page.status_code == 400 and "Location" not in page.headers
    assert "quotation mark" in page.get_data(as_text=True)

    client_id, secret = make_client(db_session)
    token = client.post("/oauth/token", data={"grant_type": "client_credentials", "scope": 'read"'},
                        headers=basic(client_id, secret))
    assert token.status_code == 400 and token.json["error"] == "invalid_scope"


def test_the_sign_in_page_cannot_be_framed_or_cached(client, web_client):
    """RFC 9700 4.16: no clickjacking of the consent; the page (with its CSRF token) is never cached."""
    page = client.get(authorize_url(web_client)[0])
    assert page.status_code == 200
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["Cache-Control"] == "no-store"


def test_metadata_names_the_configured_address_whatever_the_host_header(app, client, monkeypatch):
    document = client.get("/.well-known/oauth-authorization-server", base_url="http://evil.example")
    assert document.status_code == 200
    assert document.json["issuer"] == "http://127.0.0.1:5000"
    assert all("evil.example" not in str(value) for value in document.json.values())

    monkeypatch.setattr(app.config["ATN_SETTINGS"], "public_url", "https://hub.example")
    document = client.get("/.well-known/oauth-authorization-server", base_url="http://evil.example").json
    assert document["issuer"] == "https://hub.example"
    assert document["token_endpoint"] == "https://hub.example/oauth/token"


def test_the_sign_in_cookie_is_secure_when_the_hub_is_served_over_https(backend, tmp_path):
    https_app = create_app({"database_url": backend[1], "instance_dir": tmp_path, "testing": True,
                            "secret_key": "x", "indexer": "off", "extractor": "off", "delivery": "off",
                            "public_url": "https://hub.example"})
    try:
        page = https_app.test_client().get("/oauth/authorize?client_id=nobody", base_url="https://hub.example")
        cookie = page.headers["Set-Cookie"]
        assert cookie.startswith("atn_session=") and "Secure" in cookie and "HttpOnly" in cookie
    finally:
        https_app.extensions["atn_search"].stop()
        https_app.extensions["atn_files"].stop()
        https_app.extensions["atn_db"].engine.dispose()


# --- several redemptions at once (on PostgreSQL, with the requests held at the database until all are in) ---
class TokenTableHold:
    """On PostgreSQL: a lock that lets every request read but none write a token until released, so that
    concurrent redemptions really overlap."""

    def __init__(self, url: str):
        self.engine = create_engine(url)
        self.holder = self.engine.connect()
        self.transaction = None

    def hold(self) -> None:
        self.transaction = self.holder.begin()
        self.holder.execute(text("LOCK TABLE oauth_token IN SHARE MODE"))

    def waiting(self) -> int:
        with self.engine.connect() as probe:  # a new transaction each time: pg_stat_activity is a snapshot
            return probe.execute(text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                      "AND datname = current_database()")).scalar_one()

    def release_when_waiting(self, count: int, timeout: float = 30) -> None:
        """Returns once ``count`` requests wait on a lock (their reads done), after releasing them."""
        deadline = time.monotonic() + timeout
        try:
            while self.waiting() < count:
                assert time.monotonic() < deadline, "the requests never reached the database"
                time.sleep(0.02)
        finally:
            self.release()

    def release(self) -> None:
        if self.transaction is not None and self.transaction.is_active:
            self.transaction.commit()

    def close(self) -> None:
        self.release()
        self.holder.close()
        self.engine.dispose()


@pytest.fixture
def token_table(backend):
    """A TokenTableHold on PostgreSQL; None on SQLite (which runs one writer at a time anyway)."""
    name, url = backend
    if name != "postgresql":
        yield None
        return
    hold = TokenTableHold(url)
    yield hold
    hold.close()


def _at_once(hold: TokenTableHold | None, count: int, send) -> list[requests.Response]:
    results: list[requests.Response] = []
    if hold is not None:
        hold.hold()
    threads = [threading.Thread(target=lambda: results.append(send())) for _ in range(count)]
    for thread in threads:
        thread.start()
    if hold is not None:
        hold.release_when_waiting(count)
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.parametrize("run", range(2))
def test_one_code_redeemed_four_times_at_once_gives_one_token_and_then_none(run, live_server, client, web_client,
                                                                           db_session, token_table):
    user = make_user(db_session, email=f"nina-{uuid.uuid4().hex[:6]}@example.org")
    code, verifier = authorization_code(client, web_client, user.email)
    body = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, "client_id": web_client,
            "code_verifier": verifier}
    answers = _at_once(token_table, 4, lambda: requests.post(live_server + "/oauth/token", data=body,
                                                                  timeout=60))
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [200, 400, 400, 400], [answer.text for answer in answers]
    assert all(a.json()["error"] == "invalid_grant" for a in answers if a.status_code == 400)
    issued = next(a.json() for a in answers if a.status_code == 200)
    # the code was replayed: what it gave is revoked (RFC 6749 10.5)
    me = requests.get(live_server + "/api/v1/me", headers={"Authorization": f"Bearer {issued['access_token']}"})
    assert me.status_code == 401


@pytest.mark.parametrize("run", range(2))
def test_one_refresh_token_used_four_times_at_once_gives_one_pair_and_ends_the_family(
        run, live_server, client, web_client, db_session, token_table):
    user = make_user(db_session, email=f"nina-{uuid.uuid4().hex[:6]}@example.org")
    code, verifier = authorization_code(client, web_client, user.email)
    tokens = redeem(client, web_client, code, verifier).json
    assert "refresh_token" in tokens, tokens
    body = {"grant_type": "refresh_token", "client_id": web_client, "refresh_token": tokens["refresh_token"]}
    answers = _at_once(token_table, 4, lambda: requests.post(live_server + "/oauth/token", data=body,
                                                                  timeout=60))
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [200, 400, 400, 400], [answer.text for answer in answers]
    issued = next(a.json() for a in answers if a.status_code == 200)
    again = requests.post(live_server + "/oauth/token", data={**body, "refresh_token": issued["refresh_token"]})
    assert again.status_code == 400  # the reuse ended the whole family, the pair just issued included
    me = requests.get(live_server + "/api/v1/me", headers={"Authorization": f"Bearer {issued['access_token']}"})
    assert me.status_code == 401
