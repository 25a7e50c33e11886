"""The console's tokens: refreshed when the access token expires (the refresh token rotates), revoked on
sign-out; and a second person signs in on the same browser."""
from __future__ import annotations

import json

from playwright.sync_api import expect

from tests.e2e.conftest import COORDINATOR, MEMBER, PASSWORD, sign_in

TOKENS = "() => JSON.parse(sessionStorage.getItem('atn-hub.tokens'))"


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

    page.get_by_role("button", name="Sign out").click()
    expect(page.locator("#sign-in")).to_be_visible()
    assert page.evaluate(TOKENS) is None
    status = page.evaluate("async (token) => (await fetch('/api/v1/me', {headers: {Authorization: `Bearer ${token}`}})).status",
                           after["access_token"])
    assert status == 401
    refreshed = page.evaluate("""async (token) => { const r = await fetch('/oauth/token', {method: 'POST',
        body: new URLSearchParams({grant_type: 'refresh_token', refresh_token: token, client_id: 'atn-hub-web'})});
        return [r.status, await r.text()]; }""", after["refresh_token"])
    assert refreshed[0] == 400 and json.loads(refreshed[1])["error"] == "invalid_grant"

    # Someone else at the same computer: the sign-in page remembers the member until told otherwise.
    page.locator("#sign-in").click()
    expect(page.get_by_text("Signed in as Demo member")).to_be_visible()
    screenshot(page, "09-consent-not-you")
    page.get_by_role("button", name="Sign in as someone else").click()
    page.get_by_label("Email").fill(COORDINATOR)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Allow").click()
    expect(page.locator("#account")).to_contain_text("coordinator, NL")
    expect(page.get_by_role("link", name="Moderation")).to_be_visible()
