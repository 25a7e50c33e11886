"""Issue 17's journey, tried as new users would, with the real SMTP server the console server sends through (the
session's `mailbox`) and the server's own background delivery (no worker): a Dutch member (a browser in Dutch)
chooses Dutch for their messages and submits a practice from its page; the coordinator finds the e-mail in the
mailbox, its link leads to the record, the notice is in the console's inbox; they approve it on the moderation
page; the member is told, by e-mail in Dutch and in their inbox. Screenshots: tests/e2e/screenshots/n*.png."""
from __future__ import annotations

import json
import re
import uuid

from playwright.sync_api import expect

from tests.e2e.conftest import COORDINATOR, MEMBER, sign_in
from tests.e2e.test_multilingual_journey import call, dutch_page, sign_in_by_id
from tests.payloads import valid

CATALOGUES = __import__("pathlib").Path(__file__).resolve().parents[2] / "atn_hub" / "static" / "console" / "i18n"
DUTCH = json.loads((CATALOGUES / "nl.json").read_text(encoding="utf-8"))
MEMBER_NAME = "Demo member, Netherlands Red Cross"
COORDINATOR_NAME = "Demo Coordinator (ATN co-chair)"


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def test_a_submission_reaches_the_coordinator_by_e_mail_and_inbox_and_the_decision_the_member_in_dutch(
        browsing, mailbox, screenshot):
    title = f"Nachtelijke doorverwijzing {uuid.uuid4().hex[:6]}"

    # 1. The Dutch member chooses Dutch for their messages, in the inbox's settings (the console speaks Dutch).
    member = dutch_page(browsing)
    sign_in_by_id(member, MEMBER)
    member.goto("/notifications")
    expect(member.locator("h1")).to_have_text(DUTCH["inbox.heading"])
    member.locator("#setting-language").select_option("nl")
    member.locator("form.settings button[type=submit]").click()
    expect(member.locator("#settings-status")).to_have_text(DUTCH["inbox.settings.saved"])

    # 2. They write a practice and submit it from its page.
    practice = call(member, "POST", "practices", valid(
        "practices", title=title, summary="Vrijwilligers verwijzen 's nachts telefonisch door.", translations={},
        external_id=None, language="nl"))
    member.goto(f"/practices/{practice['id']}")
    with member.expect_response(lambda r: r.url.endswith("/submit") and r.request.method == "POST") as submitted:
        member.locator("#submit-record").click()
    assert submitted.value.status == 200
    screenshot(member, "n1-member-submitted")

    # 3. The coordinator's mail: the submission, in English (their setting), with the link to the record.
    [told] = mailbox.wait_for(COORDINATOR, about=title)
    assert told["Subject"] == f"Submitted for review: “{title}” ({MEMBER_NAME})"
    link = re.search(r"https?://\S+/practices/[0-9a-f-]{36}", text_of(told)).group(0)
    assert link.endswith(f"/practices/{practice['id']}")

    # 4. Signed in, they see the notice in the inbox (counted in the header), and the mail's link opens the record.
    coordinator = browsing.page()
    sign_in(coordinator, COORDINATOR)
    inbox = coordinator.locator("#nav-inbox-link")
    expect(inbox).to_have_attribute("data-unread", re.compile(r"^[1-9]\d*$"))
    inbox.click()
    notice = coordinator.locator("li.notice-item", has_text=title)
    expect(notice).to_contain_text(f"{MEMBER_NAME} submitted {title} for review.")
    screenshot(coordinator, "n2-coordinator-inbox")
    coordinator.goto(link)
    expect(coordinator.locator("h1")).to_have_text(title)

    # 5. They approve it on the moderation page.
    coordinator.goto("/moderation")
    item = coordinator.locator("article.queue-item", has_text=title)
    item.get_by_label("Approve and publish").check()
    item.get_by_role("button", name="Record decision").click()
    expect(coordinator.locator("article.queue-item", has_text=title)).to_have_count(0)

    # 6. The member is told in Dutch: by e-mail, and in the inbox of their Dutch console.
    [decision] = mailbox.wait_for(MEMBER, about=title)
    assert decision["Content-Language"] == "nl"
    assert decision["Subject"] == DUTCH["mail.decision.approve"].format(title=title, name=COORDINATOR_NAME)
    assert link in text_of(decision) and DUTCH["mail.open"] in text_of(decision)
    member.goto("/notifications")
    told_member = member.locator("li.notice-item.unread", has_text=title)
    expect(told_member).to_contain_text(DUTCH["inbox.kind.decision.approve"].format(name=COORDINATOR_NAME,
                                                                                     record=title))
    screenshot(member, "n3-member-told-in-dutch")
