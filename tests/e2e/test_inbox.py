"""The inbox in the console: a member's submission reaches the coordinator's inbox (made by the server's
background delivery from the change log), counted in the header; the notice names the record and who submitted
it; marking it read (or following the record's link) lowers the count; the notification settings are kept; a
coordinator takes a queue item, gives it back, and assigns it by name."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import COORDINATOR, MEMBER, sign_in

COORDINATOR_NAME = "Demo Coordinator (ATN co-chair)"

# A request with the page's own token (the console keeps it in sessionStorage), answering {status, body}.
API = """async ([method, path, body]) => {
    const token = JSON.parse(sessionStorage.getItem("atn-hub.tokens")).access_token;
    const headers = {Authorization: `Bearer ${token}`, "Content-Type": "application/json"};
    const answer = await fetch(`/api/v1/${path}`, {method, headers, body: body ? JSON.stringify(body) : undefined});
    return {status: answer.status, body: await answer.json().catch(() => null)};
}"""

# True once the caller has an unread notification of `kind` naming the record titled `title`. page.wait_for_function
# calls it again and again (it awaits no promise): each call asks the API anew once the last answer is in.
NOTIFIED = """([kind, title]) => {
    const poll = (window.inboxPoll ||= {busy: false, found: false});
    if (!poll.busy && !poll.found) {
        poll.busy = true;
        const token = JSON.parse(sessionStorage.getItem("atn-hub.tokens")).access_token;
        fetch("/api/v1/me/notifications?unread=true&page_size=100", {headers: {Authorization: `Bearer ${token}`}})
            .then((answer) => (answer.ok ? answer.json() : []))
            .then((notices) => { poll.found = notices.some((n) => n.kind === kind && n.record?.title === title); })
            .catch(() => {})
            .finally(() => { poll.busy = false; });
    }
    return poll.found;
}"""


def submit_practice(browsing, title: str) -> str:
    """A member creates and submits a practice; returns its id."""
    member = browsing.page()
    sign_in(member, MEMBER)
    created = member.evaluate(API, ["POST", "practices", {"title": title, "summary": "Referrals at night, by phone.",
                                                          "language": "en", "countries": ["NL"]}])
    assert created["status"] == 201, created
    submitted = member.evaluate(API, ["POST", f"practices/{created['body']['id']}/submit", None])
    assert submitted["status"] == 200, submitted
    return created["body"]["id"]


def submitted_and_told(browsing, title: str):
    """A member submits a practice; the coordinator signs in, and their inbox has its notice. Returns the
    practice's id and the coordinator's page."""
    record_id = submit_practice(browsing, title)
    page = browsing.page()
    sign_in(page, COORDINATOR)
    page.wait_for_function(NOTIFIED, arg=["submission", title], polling=300, timeout=60_000)
    return record_id, page


def unread(page) -> int:
    """The header's count, once the shell has asked for it."""
    link = page.locator("#nav-inbox-link")
    expect(link).to_have_attribute("data-unread", re.compile(r"^\d+$"))
    return int(link.get_attribute("data-unread"))


def test_signed_out_the_inbox_asks_to_sign_in(browsing):
    page = browsing.page()
    page.goto("/notifications?unread=true")
    expect(page.get_by_role("heading", name="Inbox", level=1)).to_be_visible()
    expect(page.locator("#main").get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.locator("#nav-inbox")).to_be_hidden()


def test_a_submission_reaches_the_coordinators_inbox(browsing):
    title = "Night shelter referrals (inbox test)"
    record_id, page = submitted_and_told(browsing, title)
    page.goto("/")
    count = unread(page)
    assert count > 0
    link = page.locator("#nav-inbox-link")
    link.click()
    expect(page).to_have_url(re.compile(r"/notifications$"))
    expect(page.get_by_role("heading", name="Inbox", level=1)).to_be_focused()
    expect(link).to_have_attribute("aria-current", "page")
    expect(link).to_have_text(f"Inbox ({count})")
    expect(link).to_have_accessible_name(f"Inbox, {count} unread")

    notice = page.locator("li.notice-item", has=page.get_by_role("link", name=title))
    expect(notice).to_have_count(1)
    expect(notice).to_contain_text(f"Demo member, Netherlands Red Cross submitted {title} for review.")
    expect(notice.get_by_role("link", name=title)).to_have_attribute("href", f"/practices/{record_id}")
    expect(notice.locator(".unread-marker")).to_have_text("Unread")

    notice.get_by_role("button", name="Mark as read").click()
    expect(page.locator("#status")).to_have_text("Marked as read.")
    expect(notice.locator(".unread-marker")).to_have_count(0)
    expect(notice.get_by_role("button", name="Mark as read")).to_have_count(0)
    expect(link).to_have_attribute("data-unread", str(count - 1))

    # Unread only, as a deep link: the notice read is not listed.
    page.goto("/notifications?unread=true")
    expect(page.get_by_role("link", name="Unread only")).to_have_attribute("aria-current", "true")
    expect(page.locator("li.notice-item", has=page.get_by_role("link", name=title))).to_have_count(0)


def test_following_the_record_from_a_notice_reads_it(browsing):
    title = "Court accompaniment (inbox link test)"
    record_id, page = submitted_and_told(browsing, title)
    page.goto("/notifications?unread=true")
    count = unread(page)
    page.locator("li.notice-item").get_by_role("link", name=title).click()
    expect(page).to_have_url(re.compile(f"/practices/{record_id}$"))
    expect(page.get_by_role("heading", name=title, level=1)).to_be_focused()
    expect(page.locator("#nav-inbox-link")).to_have_attribute("data-unread", str(count - 1))


def test_notification_settings_are_kept(browsing):
    page = browsing.page()
    sign_in(page, COORDINATOR)
    page.goto("/notifications")
    expect(page.get_by_role("heading", name="E-mail and inbox settings")).to_be_visible()
    setting = page.get_by_label("Comments in review discussions")
    choice = "weekly" if setting.input_value() == "daily" else "daily"
    setting.select_option(choice)
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#settings-status")).to_have_text("Settings saved.")
    page.reload()
    expect(page.get_by_label("Comments in review discussions")).to_have_value(choice)
    expect(page.get_by_label("Language of messages").locator("option[value=nl]")).to_have_text("Nederlands")


def test_a_coordinator_takes_a_queue_item(browsing):
    title = "Outreach at bus stations (assignment test)"
    submit_practice(browsing, title)

    page = browsing.page()
    sign_in(page, COORDINATOR)
    page.get_by_role("link", name="Moderation").click()
    item = page.locator("article.queue-item", has=page.get_by_role("link", name=title))
    expect(item.locator(".meta")).to_contain_text("unassigned")
    item.get_by_role("button", name="Assign to me").click()
    item = page.locator("article.queue-item", has=page.get_by_role("link", name=title))
    expect(item.locator(".meta")).to_contain_text(f"assigned to {COORDINATOR_NAME}")
    expect(page.locator("#status")).to_have_text(f"“{title}” is now assigned to {COORDINATOR_NAME}.")
    expect(item.get_by_role("heading", name=title)).to_be_focused()
    expect(item.get_by_role("button", name="Assign to me")).to_have_count(0)

    item.get_by_role("button", name="Unassign").click()
    item = page.locator("article.queue-item", has=page.get_by_role("link", name=title))
    expect(item.locator(".meta")).to_contain_text("unassigned")
    expect(page.locator("#status")).to_have_text(f"“{title}” is now unassigned.")

    # Any coordinator, by name, from GET /api/v1/moderation/coordinators.
    expect(item.get_by_label("Assign to").locator("option", has_text="Demo Administrator")).to_have_count(1)
    item.get_by_label("Assign to").select_option(label=COORDINATOR_NAME)
    item.get_by_role("button", name="Assign", exact=True).click()
    expect(page.locator("article.queue-item", has=page.get_by_role("link", name=title)).locator(".meta")
           ).to_contain_text(f"assigned to {COORDINATOR_NAME}")
