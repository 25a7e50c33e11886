"""Issue 16's journey in a Dutch browser (locale nl-NL), a screenshot at each step (tests/e2e/screenshots/m*.png):
a member of the Netherlands Red Cross opens a French practice that has an English and a Dutch translation and
reads it in Dutch (the text marked lang="nl"), switches to the original (lang="fr") and back; then edits a
translation of their own society's practice in the editor, choosing countries and a new translation's language
with the pickers by keyboard only, saves, and reads the result. axe-core finds nothing on the record page and
the editor. The records are made through the API in the test (no demo data is relied on)."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import COORDINATOR, PASSWORD, sign_in
from tests.e2e.test_accessibility import axe_violations

FRENCH = {
    "title": "Maraudes auprès des travailleurs saisonniers",
    "summary": "Des bénévoles rencontrent les travailleurs saisonniers dans les vergers.",
    "body": "Chaque récolte, des équipes de bénévoles parlent des droits des travailleurs.",
}
ENGLISH = {"title": "Outreach to seasonal workers", "summary": "Volunteers meet seasonal workers in the orchards."}
DUTCH = {"title": "Bezoeken aan seizoenarbeiders",
         "summary": "Vrijwilligers ontmoeten seizoenarbeiders in de boomgaarden."}
OWN = {"title": "Buddies for survivors at the asylum centre", "summary": "Trained volunteers accompany survivors."}
OWN_DUTCH_TITLE = "Maatjes voor overlevenden in het azc"
EDITED_DUTCH_TITLE = "Maatjes voor slachtoffers in het aanmeldcentrum"
FRENCH_TITLE = "Des parrains pour les victimes au centre d'accueil"

# Requests made with the signed-in page's own token (as the console makes them).
FETCH = """async ([method, path, body]) => {
    const token = JSON.parse(sessionStorage.getItem("atn-hub.tokens")).access_token;
    const headers = {Authorization: `Bearer ${token}`, "Content-Type": "application/json"};
    const answer = await fetch(`/api/v1/${path}`, {method, headers, body: body ? JSON.stringify(body) : undefined});
    return [answer.status, await answer.json()];
}"""


def call(page, method: str, path: str, body: dict | None = None) -> dict:
    status, answer = page.evaluate(FETCH, [method, path, body])
    assert status in (200, 201), (status, answer)
    return answer


def dutch_page(browsing):
    """A page in a browser whose language is Dutch (axe is injected, so the page's CSP is bypassed)."""
    return browsing.page(locale="nl-NL", bypass_csp=True)


def sign_in_by_id(page, email: str) -> None:
    """The sign-in, by the controls' ids (whatever language the pages speak)."""
    page.goto("/")
    page.locator("#sign-in").click()
    page.wait_for_url("**/oauth/authorize?**")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").first.click()  # no consent page: the console is the hub's own client
    page.locator("#sign-out").wait_for()


def in_dutch(page) -> None:
    """The console speaks the browser's language: Dutch."""
    page.locator("main h1").first.wait_for()
    expect(page.locator("html")).to_have_attribute("lang", "nl")


def test_dutch_member_reads_a_french_practice_in_dutch_and_edits_a_translation(browsing, axe_script, screenshot):
    # The French Red Cross shares a practice with English and Dutch translations; the coordinator publishes it.
    french = browsing.page()
    sign_in(french, "member.fr@demo.atn-hub.example")
    practice = call(french, "POST", "practices", {
        **FRENCH, "language": "fr", "countries": ["FR"], "visibility": "network",
        "translations": {"en": ENGLISH,
                         "nl": {**DUTCH, "body": "Bij elke oogst vertellen vrijwilligers over rechten."}}})
    call(french, "POST", f"practices/{practice['id']}/submit")
    coordinator = browsing.page()
    sign_in(coordinator, COORDINATOR)
    call(coordinator, "POST", f"practices/{practice['id']}/review", {"decision": "approve", "comment": None})

    # 1. The Dutch member opens it: the Dutch translation, marked as Dutch, the original named.
    member = dutch_page(browsing)
    sign_in_by_id(member, "member.nl@demo.atn-hub.example")
    own = call(member, "POST", "practices", {**OWN, "language": "en", "countries": ["NL"],
                                             "translations": {"nl": {"title": OWN_DUTCH_TITLE}}})
    member.goto(f"/practices/{practice['id']}")
    in_dutch(member)
    heading = member.get_by_role("heading", level=1)
    expect(heading).to_have_text(DUTCH["title"])
    expect(heading).to_have_attribute("lang", "nl")
    expect(member.locator("dd[data-field=summary]")).to_have_text(DUTCH["summary"])
    expect(member.locator("dd[data-field=summary]")).to_have_attribute("lang", "nl")
    expect(member.locator("dd[data-field=body]")).to_have_attribute("lang", "nl")
    expect(member.locator("#shown-language")).to_contain_text("Nederlands")
    expect(member.locator("#shown-language")).to_contain_text("Frans")  # translated from French
    expect(member.locator("#shown-language")).to_contain_text("vertaling van de auteur")
    expect(member.locator("dd[data-field=countries]")).to_have_text("Frankrijk")  # names, not codes
    expect(member.locator("dd[data-field=language]")).to_have_text("Frans")
    switch = member.locator("#show-original")
    expect(switch).to_have_text("Origineel tonen (Français)")
    expect(switch.locator("span")).to_have_attribute("lang", "fr")
    assert axe_violations(member, axe_script) == []
    screenshot(member, "m01-french-practice-in-dutch")

    # 2. The original, by keyboard; the French text is marked French. Then back to Dutch.
    switch.focus()
    member.keyboard.press("Enter")
    expect(heading).to_have_text(FRENCH["title"])
    expect(heading).to_have_attribute("lang", "fr")
    expect(member.locator("dd[data-field=body]")).to_have_text(FRENCH["body"])
    expect(member.locator("dd[data-field=body]")).to_have_attribute("lang", "fr")
    back = member.locator("#show-translation")
    expect(back).to_be_focused()
    expect(back).to_have_text("Vertaling tonen (Nederlands)")
    expect(member.locator(".other-languages")).to_contain_text("Engels")
    screenshot(member, "m02-french-practice-original")
    member.keyboard.press("Enter")
    expect(heading).to_have_text(DUTCH["title"])

    # 3. Their own society's practice in the editor: the Dutch translation beside the English original.
    member.goto(f"/edit/practices/{own['id']}")
    in_dutch(member)
    dutch = member.locator("#translation-nl")
    expect(dutch.locator("[data-original=title]")).to_have_text(OWN["title"])
    expect(dutch.locator("[data-original=title]")).to_have_attribute("lang", "en")
    title = member.locator("#field-translations-nl-title")
    expect(title).to_have_attribute("lang", "nl")
    expect(title).to_have_value(OWN_DUTCH_TITLE)
    expect(member.locator("#field-language")).to_have_value("Engels")

    # The language picker finds by name and by code; Escape leaves the choice as it was.
    language = member.locator("#field-language")
    language.focus()
    member.keyboard.type("Neder")
    expect(member.locator("#field-language[aria-expanded=true]")).to_have_count(1)
    listbox = member.locator(f"#{language.get_attribute('aria-controls')}")
    expect(listbox.locator("[role=option]").first).to_have_text(re.compile("^Nederlands"))
    first_option = listbox.locator("[role=option]").first.get_attribute("id")
    expect(language).to_have_attribute("aria-activedescendant", first_option)
    assert axe_violations(member, axe_script) == []  # with the listbox open too
    member.keyboard.press("Control+A")
    member.keyboard.type("nl")
    expect(listbox.locator("[role=option]").first).to_have_text(re.compile("^Nederlands"))
    member.keyboard.press("Escape")
    expect(language).to_have_attribute("aria-expanded", "false")
    member.keyboard.press("Escape")
    expect(language).to_have_value("Engels")

    # Countries by keyboard: Belgium added, removed with Backspace, added again.
    countries = member.locator("#field-countries")
    countries.focus()
    member.keyboard.type("Belg")
    member.keyboard.press("Enter")
    chips = member.locator(".picker:has(#field-countries) .picker-chip > span")
    said = member.locator(".picker:has(#field-countries) [role=status]")  # what a screen reader hears
    expect(chips).to_have_text(["Nederland", "België"])
    expect(said).to_have_text("België toegevoegd, 2 gekozen.")
    member.keyboard.press("Backspace")
    expect(chips).to_have_text(["Nederland"])
    expect(said).to_have_text("België verwijderd, 1 gekozen.")
    member.keyboard.type("BE")
    member.keyboard.press("ArrowDown")
    member.keyboard.press("ArrowUp")
    member.keyboard.press("Enter")
    expect(chips).to_have_text(["Nederland", "België"])

    # The Dutch title changed; a French translation added by choosing French from the picker.
    title.focus()
    member.keyboard.press("Control+A")
    member.keyboard.type(EDITED_DUTCH_TITLE)
    adder = member.locator("#field-translations-add")
    adder.focus()
    member.keyboard.type("frans")
    member.keyboard.press("Enter")
    expect(adder).to_have_value("Frans")
    member.keyboard.press("Tab")
    expect(member.locator("#add-translation")).to_be_focused()
    member.keyboard.press("Enter")
    french_title = member.locator("#field-translations-fr-title")
    expect(french_title).to_be_focused()
    expect(french_title).to_have_attribute("lang", "fr")
    member.keyboard.type(FRENCH_TITLE)
    # A translation added by mistake (Italian) is removed again; the Italian is no longer offered twice.
    adder.focus()
    member.keyboard.type("Italiaans")
    member.keyboard.press("Enter")
    member.keyboard.press("Tab")
    member.keyboard.press("Enter")
    expect(member.locator("#translation-it")).to_be_visible()
    member.locator("#translation-it button.danger").focus()
    member.keyboard.press("Enter")
    expect(member.locator("#translation-it")).to_have_count(0)
    expect(adder).to_be_focused()
    expect(member.locator("fieldset.translation")).to_have_count(2)
    assert axe_violations(member, axe_script) == []
    screenshot(member, "m03-editor-translations-side-by-side")
    member.set_viewport_size({"width": 390, "height": 844})  # on a phone, original above translation
    assert member.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(member, "m03-phone-editor-translations")
    member.set_viewport_size({"width": 1280, "height": 900})

    # What the API refuses about a translation (a 422 naming translations.fr.title; here the answer is made up,
    # as the form lets nothing invalid through) is said next to that field, which gets the focus.
    refusal = {"code": 422, "status": "Unprocessable Entity", "message": "The request was refused.",
               "errors": {"json": {"translations": {"fr": {"title": ["Refused by the server."]}}}}}
    member.route(f"**/api/v1/practices/{own['id']}",
                 lambda route: route.fulfill(status=422, json=refusal) if route.request.method == "PATCH"
                 else route.fallback())
    save = member.locator("form.editor button[type=submit]")
    save.focus()
    member.keyboard.press("Enter")
    expect(member.locator("#field-translations-fr-title-error")).to_have_text("Refused by the server.")
    expect(french_title).to_have_attribute("aria-invalid", "true")
    expect(french_title).to_be_focused()
    screenshot(member, "m04-editor-translation-refused")
    member.unroute(f"**/api/v1/practices/{own['id']}")

    # 4. Saved: the record page shows the member's Dutch, as edited, and names its origin and last change.
    save.focus()
    member.keyboard.press("Enter")
    expect(heading).to_have_text(EDITED_DUTCH_TITLE)
    expect(heading).to_have_attribute("lang", "nl")
    expect(member.locator("dd[data-field=countries]")).to_have_text("Nederland, België")
    expect(member.locator("#shown-language")).to_contain_text("vertaling van de auteur")
    expect(member.locator("#shown-language")).to_contain_text("Demo member")
    expect(member.locator(".other-languages")).to_contain_text("Frans")
    assert axe_violations(member, axe_script) == []
    screenshot(member, "m05-own-practice-translation-saved")
    saved = call(member, "GET", f"practices/{own['id']}")
    assert saved["translations"]["nl"]["title"] == EDITED_DUTCH_TITLE
    assert saved["translations"]["fr"]["title"] == FRENCH_TITLE
    assert saved["translations"]["fr"]["origin"] == "author"
    assert saved["countries"] == ["NL", "BE"]
    member.locator(".other-languages button[data-language=fr]").click()
    expect(heading).to_have_text(FRENCH_TITLE)
    expect(heading).to_have_attribute("lang", "fr")


def test_materials_and_contacts_are_read_in_dutch_with_their_languages_named(browsing, screenshot):
    """A training material and a contact (their own language the first of `languages`) with Dutch translations:
    the Dutch text, marked Dutch; the languages and country by name; the editor's pickers show names."""
    member = dutch_page(browsing)
    sign_in_by_id(member, "member.nl@demo.atn-hub.example")
    material = call(member, "POST", "training-materials", {
        "title": "Spotting the signs of exploitation", "description": "A guide for volunteers at the border.",
        "format": "pdf", "languages": ["en", "de"], "translations": {
            "nl": {"title": "Signalen van uitbuiting herkennen", "description": "Een gids voor vrijwilligers."}}})
    contact = call(member, "POST", "contacts", {"name": "Anna de Vries", "role": "Anti-trafficking coordinator",
                                                "country": "NL", "languages": ["en", "nl"],
                                                "translations": {"nl": {"role": "Coördinator mensenhandel"}}})

    member.goto(f"/training-materials/{material['id']}")
    in_dutch(member)
    heading = member.get_by_role("heading", level=1)
    expect(heading).to_have_text("Signalen van uitbuiting herkennen")
    expect(heading).to_have_attribute("lang", "nl")
    expect(member.locator("dd[data-field=description]")).to_have_attribute("lang", "nl")
    expect(member.locator("dd[data-field=languages]")).to_have_text("Engels, Duits")
    expect(member.locator("dd[data-field=format]")).to_have_text("PDF")
    expect(member.locator("#show-original")).to_have_text("Origineel tonen (English)")
    screenshot(member, "m06-training-material-in-dutch")

    member.goto(f"/contacts/{contact['id']}")
    in_dutch(member)
    expect(member.get_by_role("heading", level=1)).to_have_text("Anna de Vries")
    expect(member.locator("dd[data-field=role]")).to_have_text("Coördinator mensenhandel")
    expect(member.locator("dd[data-field=role]")).to_have_attribute("lang", "nl")
    expect(member.locator("dd[data-field=country]")).to_have_text("Nederland")
    member.locator("#show-original").click()
    expect(member.locator("dd[data-field=role]")).to_have_text("Anti-trafficking coordinator")
    expect(member.locator("dd[data-field=role]")).to_have_attribute("lang", "en")

    member.goto(f"/edit/contacts/{contact['id']}")
    in_dutch(member)
    expect(member.locator("#field-country")).to_have_value("Nederland")
    expect(member.locator(".picker:has(#field-languages) .picker-chip > span")).to_have_text(["Engels", "Nederlands"])
    expect(member.locator("#field-translations-nl-role")).to_have_value("Coördinator mensenhandel")
    expect(member.locator("#translation-nl [data-original=role]")).to_have_attribute("lang", "en")
    screenshot(member, "m07-contact-editor-in-dutch")
