"""The search with the keyboard only: the tab order from the top of the page, Enter to search, to filter by
a facet and to open a result; focus lands where the new content starts."""
from __future__ import annotations

from playwright.sync_api import expect

FOCUSED = """() => { const el = document.activeElement;
    return el.id === "q" || el.tagName === "SELECT" ? `#${el.id}`
      : (el.getAttribute("aria-label") || el.textContent || el.tagName).trim(); }"""


def tab_until(page, predicate, limit=80) -> list[str]:
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        seen.append(page.evaluate(FOCUSED))
        if predicate(seen[-1]):
            return seen
    raise AssertionError(f"never reached; focus went {seen}")


def test_search_by_keyboard(browsing):
    page = browsing.page()
    page.goto("/")
    expect(page.get_by_role("heading", name="Search ATN Hub")).to_be_visible()
    order = tab_until(page, lambda name: name == "#q")
    assert order == ["Skip to content", "ATN Hub", "Search", "My society", "Dashboard", "API", "#language-select",
                     "Sign in", "#q"]

    page.keyboard.type("trafficking")
    page.keyboard.press("Enter")
    heading = page.locator("#results-heading")
    expect(heading).to_be_focused()
    expect(heading).to_contain_text("results for “trafficking”")
    assert "?q=trafficking" in page.url

    # A facet, by keyboard: the filter applies, the URL says so, focus returns to the results.
    tab_until(page, lambda name: name.startswith("Practice ("))
    page.keyboard.press("Enter")
    expect(page.locator("#results-heading")).to_be_focused()
    assert "type=practice" in page.url
    expect(page.locator(".active-filters")).to_contain_text("Type: Practice")

    # The first result, by keyboard (its page may show a translation into the reader's language: its address
    # is the hit's).
    first = page.locator(".hit h3 a").first
    first_title, first_path = first.text_content(), first.get_attribute("href")
    tab_until(page, lambda name: name == first_title)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_be_focused()
    assert page.url.endswith(first_path)

    # Back: the same results again, from the URL.
    page.go_back()
    expect(page.locator("#results-heading")).to_contain_text("results for “trafficking”")
    expect(page.locator(".active-filters")).to_contain_text("Type: Practice")


def test_skip_link_moves_focus_to_the_content(browsing):
    page = browsing.page()
    page.goto("/?q=trafficking")
    expect(page.locator("#results-heading")).to_be_visible()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    page.wait_for_load_state("networkidle")  # and it stays there: the in-page link does not render the page again
    assert page.evaluate("() => document.activeElement.id") == "main"


def test_the_page_refuses_html_strings_and_shows_api_errors(browsing):
    """Trusted Types (from the console's CSP): no string of HTML reaches the page, even from a script bug."""
    page = browsing.page()
    page.goto("/?q=(unclosed")
    expect(page.locator("#search-error")).to_have_text("A parenthesis is not closed.")
    outcome = page.evaluate("() => { try { document.body.innerHTML = '<b>x</b>'; return 'allowed'; }"
                            " catch (error) { return error.name; } }")
    assert outcome == "TypeError"
    browsing.problems.clear()  # the refusal above is reported on the console, as it should be
