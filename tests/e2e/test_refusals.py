"""A refused action said in the reader's language, in a real browser: a Dutch member submits a draft that a
colleague has submitted meanwhile; the record page says why in Dutch (the API's 409), then the server's own
words, marked as English for screen readers. axe-core finds nothing wrong with the message."""
from __future__ import annotations

from playwright.sync_api import expect

from atn_hub.i18n import catalogue
from tests.e2e.conftest import MEMBER, axe_violations
from tests.e2e.test_multilingual_journey import call, dutch_page, sign_in_by_id

DUTCH, ENGLISH = catalogue("nl"), catalogue("en")


def test_a_refused_submission_says_why_in_the_readers_language(browsing, axe_script, screenshot):
    page = dutch_page(browsing)
    sign_in_by_id(page, MEMBER)
    practice = call(page, "POST", "practices", {
        "title": "Opvang na de eerste melding", "summary": "Vrijwilligers begeleiden de eerste nacht.",
        "language": "nl", "countries": ["NL"]})
    page.goto(f"/practices/{practice['id']}")
    submit = page.locator("#submit-record")
    expect(submit).to_be_visible()

    # A colleague submits it meanwhile (the same society's account, through the API): this page still offers it.
    call(page, "POST", f"practices/{practice['id']}/submit")
    submit.click()

    message = page.locator("#record-message")
    expect(message).to_have_class("error")
    expect(message).to_contain_text(DUTCH["api.refused.409"])
    assert ENGLISH["api.refused.409"] not in message.inner_text()
    server = message.locator('span[lang="en"]')
    expect(server).to_contain_text("cannot be submitted")
    assert page.locator("html").get_attribute("lang") == "nl"
    screenshot(page, "refusal-nl-submitted-meanwhile")
    assert axe_violations(page, axe_script) == []


def test_a_refused_search_says_why_in_the_readers_language(browsing, axe_script, screenshot):
    page = dutch_page(browsing)
    page.goto("/")
    page.locator("#q").fill("v* opvang")
    page.locator("#q").press("Enter")
    error = page.locator("#search-error")
    expect(error).to_have_text(DUTCH["search.refused.wildcard_too_short"].format(term="v*", min=2))
    assert "letters before" not in error.inner_text()  # not the server's English sentence
    expect(page.locator("#q")).to_have_value("v* opvang")  # kept, to be mended
    screenshot(page, "refusal-nl-search")
    assert axe_violations(page, axe_script) == []

    # A reason this console does not know yet is shown as the server says it, marked as English.
    page.route("**/api/v1/search?*", lambda route: route.fulfill(status=400, content_type="application/problem+json",
                                                                  body='{"status": 400, "detail": "Not today.", '
                                                                       '"errors": {"query": {"q": ["Not today."]}}, '
                                                                       '"query_error": {"reason": "newer"}}'))
    page.locator("#q").fill("opvang")
    page.locator("#q").press("Enter")
    expect(error.locator('span[lang="en"]')).to_have_text("Not today.")
