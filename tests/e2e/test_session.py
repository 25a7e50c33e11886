"""The console's tokens: refreshed when the access token expires (the refresh token rotates), revoked on
sign-out, in every browser on "Sign out everywhere"; signing out ends the hub's sign-in session too, so a
second person on the same browser is asked for their own e-mail and password."""
from __future__ import annotations

import json

from playwright.sync_api import expect

from tests.e2e.conftest import COORDINATOR, MEMBER, PASSWORD, sign_in

TOKENS = "() => JSON.parse(sessionStorage.getItem('atn-hub.tokens'))"
ME_STATUS = "async (token) => (await fetch('/api/v1/me', {headers: {Authorization: `Bearer ${token}`}})).status"


def test_refresh_sign_out_and_another_person(browsing, screenshot):
    page = browsing.page()
    sign_in(page, MEMBER)
    before = page.evaluate(TOKENS)
    page.evaluate("() => { const t = JSON.parse(sessionStorage.getItem('atn-hub.tokens')); t.expires_at = 0;"
                  " sessionStorage.setItem('atn-hub.tokens', JSON.stringify(t)); }")
    page.get_by_role("link", name="My society").click()
    expect(page.get_by_role("heading", name="Practices", level=2)).to_be_visible()
    after = page.evaluate(TOKENS)
    assert after["access_token"] != before["access_token"] and after["refresh_token"] != before["refresh_token"]

    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.locator("#sign-in")).to_be_visible()
    assert page.evaluate(TOKENS) is None
    status = page.evaluate(ME_STATUS, after["access_token"])
    assert status == 401
    refreshed = page.evaluate("""async (token) => { const r = await fetch('/oauth/token', {method: 'POST',
        body: new URLSearchParams({grant_type: 'refresh_token', refresh_token: token, client_id: 'atn-hub-web'})});
        return [r.status, await r.text()]; }""", after["refresh_token"])
    assert refreshed[0] == 400 and json.loads(refreshed[1])["error"] == "invalid_grant"

    # Someone else at the same computer (a reception centre's): signing out ended the hub's sign-in session
    # too, so "Sign in" asks for an e-mail and password, neither going on as the member nor showing "Allow".
    page.locator("#sign-in").click()
    page.wait_for_url("**/oauth/authorize?**")
    expect(page.get_by_label("Password")).to_be_visible()
    expect(page.get_by_text("Demo member")).to_have_count(0)
    expect(page.get_by_role("button", name="Allow")).to_have_count(0)
    screenshot(page, "09-sign-in-after-sign-out")
    page.get_by_label("Email").fill(COORDINATOR)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#account")).to_contain_text("coordinator, NL")
    expect(page.get_by_role("link", name="Moderation")).to_be_visible()


def test_sign_out_everywhere_ends_the_sessions_of_other_browsers(browsing, screenshot):
    office, home = browsing.page(), browsing.page()
    sign_in(office, MEMBER)
    sign_in(home, MEMBER)
    at_home = home.evaluate(TOKENS)
    screenshot(office, "09b-signed-in-sign-out-everywhere")
    office.get_by_role("button", name="Sign out everywhere").click()
    expect(office.locator("#sign-in")).to_be_visible()
    expect(office.locator("#status")).to_have_text("Signed out everywhere.")
    status = office.evaluate(ME_STATUS, at_home["access_token"])
    assert status == 401
    home.reload()
    expect(home.locator("#sign-in")).to_be_visible()  # its refresh token was revoked too


def test_a_stale_edit_is_refused_with_a_clear_message(browsing):
    """The editor sends the ETag it loaded with (If-Match): someone else's save in between is not overwritten."""
    page = browsing.page()
    sign_in(page, MEMBER)
    script = """async ([method, path, body, etag]) => {
        const token = JSON.parse(sessionStorage.getItem("atn-hub.tokens")).access_token;
        const headers = {Authorization: `Bearer ${token}`, "Content-Type": "application/json"};
        if (etag) headers["If-Match"] = etag;
        const answer = await fetch(path, {method, headers, body: body && JSON.stringify(body)});
        return [answer.status, answer.headers.get("ETag"), await answer.json()];
    }"""
    _, etag, created = page.evaluate(script, ["POST", "/api/v1/practices", {
        "title": "Buddy scheme for survivors", "summary": "Volunteers accompany survivors.", "language": "en",
        "countries": ["NL"]}, None])
    page.goto(f"/edit/practices/{created['id']}")
    expect(page.get_by_label("Title")).to_have_value("Buddy scheme for survivors")
    status, _, _ = page.evaluate(script, ["PATCH", f"/api/v1/practices/{created['id']}",
                                          {"title": "Buddy scheme (renamed elsewhere)"}, etag])
    assert status == 200
    page.get_by_label("Summary").fill("Trained volunteers accompany survivors to appointments.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#form-error")).to_contain_text("Someone changed this record meanwhile")
    page.goto(f"/practices/{created['id']}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Buddy scheme (renamed elsewhere)")
