"""Accessibility and small screens: axe-core (run in the page) finds no violation on the search, record,
my-society, editor, inbox and moderation pages (with its assignment controls); at a phone's size (390x844)
nothing overflows sideways. Screenshots of each page at phone size are saved (tests/e2e/screenshots/phone-*.png)."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import COORDINATOR, MEMBER, axe_violations, sign_in
from tests.e2e.test_inbox import NOTIFIED

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def check_page(page, axe_script, screenshot, name: str) -> None:
    page.set_viewport_size(DESKTOP)
    assert axe_violations(page, axe_script) == [], name
    page.set_viewport_size(PHONE)
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{name} overflows sideways at phone size: {widths}"
    screenshot(page, f"phone-{name}")
    page.set_viewport_size(DESKTOP)


def test_public_pages(browsing, axe_script, screenshot):
    # bypass_csp: Playwright injects axe as an inline script, which the console's CSP (rightly) forbids.
    page = browsing.page(bypass_csp=True)
    page.goto("/")
    expect(page.get_by_role("heading", name="Search ATN Hub")).to_be_visible()
    check_page(page, axe_script, screenshot, "search-start")

    page.goto("/?q=exploitation&type=practice")
    expect(page.locator("#results-heading")).to_contain_text("results for “exploitation”")
    expect(page.locator(".hit .snippet mark").first).to_be_visible()
    check_page(page, axe_script, screenshot, "search-results")

    page.goto("/?q=exploitaton")
    expect(page.locator(".suggestion")).to_contain_text("Did you mean exploitation?")
    check_page(page, axe_script, screenshot, "search-suggestion")

    page.goto("/?q=exploitation")
    page.locator(".hit a").first.click()
    expect(page.locator("#record-status")).to_have_text("published")
    check_page(page, axe_script, screenshot, "record")


def test_member_pages(browsing, axe_script, screenshot):
    page = browsing.page(bypass_csp=True)
    sign_in(page, MEMBER)
    page.goto("/my-society")
    expect(page.get_by_role("heading", name="My society", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Practices", level=2)).to_be_visible()
    check_page(page, axe_script, screenshot, "my-society")

    page.get_by_role("link", name="New practice").click()
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("#field-title-error")).to_have_text("Missing data for required field.")
    check_page(page, axe_script, screenshot, "practice-form-errors")

    page.goto("/my-society")
    page.get_by_role("link", name="New training material").click()
    expect(page.get_by_label("Format")).to_be_visible()
    check_page(page, axe_script, screenshot, "training-material-form")

    page.goto("/notifications")
    expect(page.get_by_role("heading", name="E-mail and inbox settings")).to_be_visible()
    expect(page.get_by_label("Decisions on your society's records")).to_be_visible()
    expect(page.get_by_label("Submissions for review")).to_have_count(0)  # coordinators' only
    check_page(page, axe_script, screenshot, "inbox-member")


def test_coordinator_pages(browsing, axe_script, screenshot):
    member = browsing.page()
    sign_in(member, MEMBER)
    submitted = member.evaluate("""async () => {
        const token = JSON.parse(sessionStorage.getItem("atn-hub.tokens")).access_token;
        const headers = {Authorization: `Bearer ${token}`, "Content-Type": "application/json"};
        const created = await (await fetch("/api/v1/practices", {method: "POST", headers, body: JSON.stringify({
            title: "Peer support groups for survivors", summary: "Monthly groups led by trained peers.",
            language: "en", countries: ["NL"]})})).json();
        const answer = await fetch(`/api/v1/practices/${created.id}/submit`, {method: "POST", headers});
        return answer.status;
    }""")
    assert submitted == 200

    page = browsing.page(bypass_csp=True)
    sign_in(page, COORDINATOR)
    page.get_by_role("link", name="Moderation").click()
    item = page.locator("article.queue-item", has_text="Peer support groups for survivors")
    expect(item.locator("table.diff")).to_be_visible()
    expect(item.get_by_role("button", name="Assign to me")).to_be_visible()
    check_page(page, axe_script, screenshot, "moderation")

    # The inbox with the submission's notice in it (made by the server's delivery in the background).
    page.wait_for_function(NOTIFIED, arg=["submission", "Peer support groups for survivors"], polling=300,
                           timeout=60_000)
    page.goto("/notifications")
    expect(page.locator("li.notice-item.unread").first).to_be_visible()
    check_page(page, axe_script, screenshot, "inbox")
    page.goto("/moderation")
    item = page.locator("article.queue-item", has_text="Peer support groups for survivors")

    # Sending back needs a comment: said before anything is sent, as the API would.
    item.get_by_label("Request changes").check()
    item.get_by_role("button", name="Record decision").click()
    expect(item.locator(".field-error")).to_contain_text("A comment is required")
    expect(item.get_by_label("Comment for the society")).to_be_focused()
    item.get_by_label("Comment for the society").fill("Please say how peers are trained.")
    item.get_by_role("button", name="Record decision").click()
    expect(page.locator("article.queue-item", has_text="Peer support groups for survivors")).to_have_count(0)

    # The member reads the comment on the record, which may be edited and submitted again.
    member.goto("/my-society")
    member.get_by_role("link", name="Peer support groups for survivors").click()
    expect(member.locator("#record-status")).to_have_text("changes requested")
    expect(member.locator(".discussion")).to_contain_text("Please say how peers are trained.")
    expect(member.get_by_role("link", name="Edit")).to_be_visible()
    expect(member.get_by_role("button", name="Submit for review")).to_be_visible()
