"""The issue's journey in a real browser, a screenshot at each step (tests/e2e/screenshots/): a member signs in,
creates a practice (the form checks what the API checks, and shows what the API still refuses next to the
field), submits it; the coordinator approves it from the moderation queue, seeing the diff; anyone finds it
by searching, with its snippet highlighted; the search's URL is a deep link."""
from __future__ import annotations

import re
import time

from playwright.sync_api import expect

from tests.e2e.conftest import COORDINATOR, MEMBER, sign_in

WORD = "Quokkaline"
TITLE = f"{WORD} outreach to seasonal orchard workers"
MARKUP = '<img src="x" onerror="alert(1)">'  # text that looks like HTML stays text everywhere


def test_member_creates_and_submits_coordinator_approves_anyone_finds_it(browsing, screenshot):
    # 1. A member of the Netherlands Red Cross signs in (authorization code + PKCE) and opens a new practice.
    member = browsing.page()
    sign_in(member, MEMBER)
    expect(member.locator("#account")).to_contain_text("member, NL")
    screenshot(member, "01-member-signed-in")
    member.get_by_role("link", name="My society").click()
    expect(member.get_by_role("heading", name="My society", level=1)).to_be_focused()
    member.get_by_role("link", name="New practice").click()
    expect(member.get_by_role("heading", name="New practice")).to_be_visible()

    # 2. Saving an empty form: the required fields are named before anything is sent.
    posts = []
    member.on("request", lambda r: posts.append(r.url) if r.method == "POST" and "/api/" in r.url else None)
    member.get_by_role("button", name="Save draft").click()
    for field in ("title", "summary", "language", "countries"):
        expect(member.locator(f"#field-{field}-error")).to_have_text("Missing data for required field.")
    expect(member.locator("#field-title")).to_be_focused()
    expect(member.locator("#field-title")).to_have_attribute("aria-invalid", "true")
    assert posts == []
    screenshot(member, "02-practice-form-required-fields")

    # 3. Language and countries are chosen by name from pickers (a code can no longer be mistyped); what only the
    # API knows (years out of order) comes back next to its field.
    member.locator("#field-title").fill(TITLE)
    member.locator("#field-summary").fill(
        f"{WORD}: volunteers tell seasonal workers in the orchards where to get help.")
    member.locator("#field-body").fill(
        f"Every harvest, {WORD} {MARKUP} teams visit orchards with leaflets in eight languages about labour "
        "exploitation and the rights of workers.")
    for field, typed in (("language", "Engl"), ("countries", "Netherl"), ("countries", "BE")):
        member.locator(f"#field-{field}").fill(typed)
        member.locator(f"#field-{field}").press("Enter")
    expect(member.locator("#field-language")).to_have_value("English")
    expect(member.locator(".picker:has(#field-countries) .picker-chip > span")).to_have_text(["Netherlands", "Belgium"])
    member.get_by_label("Visibility").select_option("public")
    member.get_by_role("group", name="Areas (4P)").get_by_label("prevention").check()
    member.get_by_label("Since (year)").fill("2024")
    member.get_by_label("Until (year)").fill("2020")
    member.get_by_role("button", name="Save draft").click()
    expect(member.locator("#field-end_year-error")).to_have_text("end_year is before start_year.")
    assert len(posts) == 1
    screenshot(member, "03-practice-form-api-error")

    # 4. Corrected, saved as a draft, then submitted for review.
    member.get_by_label("Until (year)").fill("2026")
    member.get_by_role("button", name="Save draft").click()
    expect(member.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    expect(member.locator("#record-status")).to_have_text("draft")
    record_path = member.url.replace(browsing.base, "")
    assert re.fullmatch(r"/practices/[0-9a-f-]{36}", record_path)
    member.get_by_role("button", name="Submit for review").click()
    expect(member.locator("#record-status")).to_have_text("submitted")
    expect(member.get_by_role("button", name="Submit for review")).to_have_count(0)
    screenshot(member, "04-practice-submitted")

    # 5. The coordinator finds it in the moderation queue, with the diff, and approves it.
    coordinator = browsing.page()
    sign_in(coordinator, COORDINATOR)
    coordinator.get_by_role("link", name="Moderation").click()
    item = coordinator.locator("article.queue-item", has_text=TITLE)
    expect(item).to_be_visible()
    title_row = item.locator("table.diff tr", has=coordinator.locator("th", has_text=re.compile("^title$", re.I)))
    expect(title_row.locator("td.after")).to_have_text(TITLE)
    expect(item).to_contain_text("new record")
    screenshot(coordinator, "05-moderation-queue-with-diff")
    item.get_by_label("Approve and publish").check()
    item.get_by_label("Comment for the society").fill("Clear and useful, thank you.")
    item.get_by_role("button", name="Record decision").click()
    expect(coordinator.locator("article.queue-item", has_text=TITLE)).to_have_count(0)
    screenshot(coordinator, "06-moderation-approved")

    # The member sees it published, with the coordinator's comment.
    member.reload()
    expect(member.locator("#record-status")).to_have_text("published")

    # 6. Anyone (not signed in) searches for it and finds it, the matching word highlighted.
    visitor = browsing.page()
    visitor.goto("/")
    visitor.get_by_label("Search practices, contacts, training materials and projects").fill(WORD.lower())
    visitor.keyboard.press("Enter")
    hit = visitor.locator("li.hit", has_text=TITLE)
    deadline = time.monotonic() + 15
    while not hit.count() and time.monotonic() < deadline:  # searchable within a second or so of approval
        time.sleep(0.3)
        visitor.reload()
    expect(hit).to_have_count(1)
    expect(hit.locator(".snippet mark").first).to_have_text(re.compile(WORD, re.I))
    assert "?q=quokkaline" in visitor.url
    expect(hit.locator(".snippet")).to_contain_text('<img src="x"')  # markup in a record is shown as text
    assert hit.locator(".snippet img").count() == 0
    screenshot(visitor, "07-anonymous-search-finds-it")

    # 7. The URL holds the search: opening it afresh shows the same results.
    fresh = browsing.page()
    fresh.goto(visitor.url)
    expect(fresh.locator("li.hit", has_text=TITLE).locator(".snippet mark").first).to_have_text(re.compile(WORD, re.I))
    expect(fresh.get_by_label("Search practices, contacts, training materials and projects")).to_have_value(
        WORD.lower())
    hit.get_by_role("link", name=TITLE).click()
    expect(visitor.get_by_role("heading", name=TITLE, level=1)).to_be_focused()
    expect(visitor.locator("#record-status")).to_have_text("published")
    expect(visitor.locator("dd.long")).to_contain_text(MARKUP)
    assert visitor.locator("main img").count() == 0
    assert visitor.url.endswith(record_path)
    screenshot(visitor, "08-anonymous-record-page")

    # 8. The member proposes a change to the published practice (a PATCH with the record's ETag): it becomes
    # a pending revision that the coordinator reviews as a diff against what the network sees.
    member.get_by_role("link", name="Propose changes").click()
    summary = member.locator("#field-summary")
    expect(summary).to_have_value(re.compile(WORD))
    new_summary = f"{WORD}: volunteers and interpreters tell seasonal workers where to get help."
    summary.fill(new_summary)
    member.get_by_role("button", name="Save", exact=True).click()
    expect(member.get_by_role("heading", name="Pending changes (draft)")).to_be_visible()
    expect(member.locator("#record-status")).to_have_text("published")
    member.get_by_role("button", name="Submit for review").click()
    expect(member.get_by_role("heading", name="Pending changes (submitted)")).to_be_visible()

    coordinator.get_by_role("link", name="Moderation").click()
    revision = coordinator.locator("article.queue-item", has_text=TITLE)
    expect(revision).to_contain_text("changes to a published record")
    row = revision.locator("table.diff tr", has=coordinator.locator("th", has_text=re.compile("^summary$", re.I)))
    expect(row.locator("td.before")).to_contain_text("volunteers tell seasonal workers")
    expect(row.locator("td.after")).to_have_text(new_summary)
    expect(revision.locator("table.diff tbody tr")).to_have_count(1)
    screenshot(coordinator, "10-moderation-revision-diff")
