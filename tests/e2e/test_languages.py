"""The console in the reader's language, in a real browser: a Dutch browser (nl-NL) gets the console in Dutch
(<html lang="nl">, Dutch labels, countries, languages and record types by their Dutch names, each hit's text
marked with its own language), the sign-in page in Dutch too; the language switcher on every page
re-renders the page in French and the choice survives a reload; axe-core finds nothing on the Dutch search
page. Screenshots: tests/e2e/screenshots/lang-*.png."""
from __future__ import annotations

import json
import re

from playwright.sync_api import expect

from atn_hub.console import CONSOLE_DIR
from tests.e2e.conftest import MEMBER, PASSWORD, axe_violations

CATALOGUES = CONSOLE_DIR / "i18n"
DUTCH = json.loads((CATALOGUES / "nl.json").read_text(encoding="utf-8"))


def test_a_dutch_browser_gets_the_console_in_dutch(browsing, axe_script, screenshot):
    page = browsing.page(locale="nl-NL", bypass_csp=True)
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("heading", name="Zoeken in ATN Hub", level=1)).to_be_visible()
    expect(page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Mijn vereniging")).to_be_visible()
    expect(page.locator(".skip-link")).to_have_text("Naar de inhoud")
    expect(page.get_by_label("Taal", exact=True)).to_have_value("nl")
    expect(page.get_by_label("Taal", exact=True).locator("option:checked")).to_have_text("Nederlands")
    expect(page.get_by_role("button", name="Inloggen")).to_be_visible()
    assert page.title() == "Zoeken · ATN Hub"
    screenshot(page, "lang-nl-search-start")

    # Facets and hits by name, in Dutch: the country filter reads "Nederland", not NL.
    page.goto("/?country=NL")
    expect(page.locator("#results-heading")).to_have_text(re.compile(r"^\d+ resultaten?$"))
    expect(page.locator(".active-filters")).to_contain_text("Land: Nederland")
    country_facet = page.locator(".facet", has=page.get_by_role("heading", name="Land", exact=True))
    expect(country_facet.get_by_role("link", name=re.compile(r"\bNederland \(\d+\)$"))).to_be_visible()
    expect(page.locator(".facet", has=page.get_by_role("heading", name="Soort", exact=True))).to_contain_text(
        "Goede praktijk")
    expect(page.locator(".facet", has=page.get_by_role("heading", name="Taal", exact=True))).to_contain_text(
        "Nederlands")
    # Societies by their own name when it is Dutch; by their English name otherwise, marked as English.
    societies = page.locator(".facet", has=page.get_by_role("heading", name="Vereniging", exact=True))
    expect(societies.get_by_role("link", name=re.compile(r"^Nederlandse Rode Kruis \(\d+\)$"))).to_be_visible()
    english = 0
    for link in societies.get_by_role("link").all():  # (a Belgian project with the Netherlands taking part is here)
        dutch = link.inner_text().startswith(("Nederlandse Rode Kruis", "Rode Kruis"))
        assert link.locator('span[lang="en"]').count() == (0 if dutch else 1), link.inner_text()
        english += not dutch
    assert english >= 1
    first = page.locator("li.hit").first
    expect(first.locator(".meta")).to_contain_text("Nederland")
    expect(first.locator(".meta")).to_contain_text("bijgewerkt op")
    assert "NL" not in first.locator(".meta").inner_text().split(" · ")
    # Every hit's title (and snippet) says its own language, so a screen reader reads it with the right voice.
    hits = page.locator("li.hit")
    assert hits.count() > 0
    assert hits.locator("h3[lang]").count() == hits.count()
    assert page.locator("li.hit h3:not([lang])").count() == 0

    page.goto("/?q=mensenhandel")
    expect(page.locator("#results-heading")).to_contain_text("resultaten voor ‘mensenhandel’")
    snippets = page.locator("li.hit .snippet")
    assert snippets.count() > 0 and page.locator("li.hit .snippet:not([lang])").count() == 0
    assert axe_violations(page, axe_script) == []
    screenshot(page, "lang-nl-search-results")


def test_sign_in_in_dutch(browsing, screenshot):
    page = browsing.page(locale="nl-NL")
    page.goto("/")
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url("**/oauth/authorize?**")
    assert "ui_locales=nl" in page.url
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("heading", name=re.compile("^Log in om verder te gaan naar"))).to_be_visible()
    screenshot(page, "lang-nl-sign-in")
    page.get_by_label("E-mailadres").fill(MEMBER)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    # The console is the hub's own client: no consent page (other clients' is in Dutch too: tests/oauth/test_i18n.py).
    expect(page.locator("#account")).to_contain_text("Ingelogd als")
    expect(page.locator("#account")).to_contain_text("(lid, NL)")

    page.get_by_role("link", name="Mijn vereniging").click()
    expect(page.get_by_role("heading", name="Mijn vereniging", level=1)).to_be_focused()
    expect(page.get_by_role("heading", name="Goede praktijken", level=2)).to_be_visible()
    expect(page.get_by_role("link", name="Nieuwe goede praktijk")).to_be_visible()
    expect(page.get_by_role("columnheader", name="Bijgewerkt").first).to_be_visible()
    screenshot(page, "lang-nl-my-society")


def french_catalogue(page) -> dict:
    """The French catalogue; until the translators' fr.json exists, a stand-in (English text but for the
    search page's heading and button) is served in its place, so the switch itself is what is tested."""
    path = CATALOGUES / "fr.json"
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    stand_in = {**json.loads((CATALOGUES / "en.json").read_text(encoding="utf-8")),
                "search.heading": "Rechercher dans ATN Hub", "search.submit": "Rechercher", "language.label": "Langue"}
    page.route("**/static/console/i18n/fr.json", lambda route: route.fulfill(
        status=200, content_type="application/json", body=json.dumps(stand_in, ensure_ascii=False)))
    return stand_in


def test_switching_to_french_re_renders_and_is_remembered(browsing, screenshot):
    page = browsing.page(locale="nl-NL")
    french = french_catalogue(page)
    page.goto("/?country=NL")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.locator(".active-filters")).to_contain_text("Nederland")

    switcher = page.locator("#language-select")
    switcher.focus()  # as a person reaches it, by Tab or by clicking
    switcher.select_option(label="Français")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text(french["search.heading"])
    expect(page.locator(".active-filters")).to_contain_text("Pays-Bas")  # the browser's CLDR names, in French
    expect(switcher).to_be_focused()  # the page re-rendered around the switcher; focus stayed with it
    expect(page.get_by_label(french["language.label"], exact=True)).to_have_value("fr")
    assert "?country=NL" in page.url  # the same page, only in another language
    screenshot(page, "lang-fr-after-switch")

    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text(french["search.heading"])
    expect(page.locator("#language-select")).to_have_value("fr")

    # Another page keeps it too, and switching back to Dutch works the same way.
    page.goto("/my-society")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.locator("#language-select").select_option("nl")
    expect(page.get_by_role("heading", name=DUTCH["society.heading"], level=1)).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "nl")
