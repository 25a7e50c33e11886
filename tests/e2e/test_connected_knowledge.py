"""Connected knowledge, tried as a new user would: a member writes a practice in the editor, links a contact of
their society (with its part) and a training material by searching for them, attaches its evaluation report on
the practice's page, and links the practice to its project (the STEP project, in the project's editor); both
submitted and approved, a search for a word inside the report finds the practice naming file and page, and the
project's page lists its practices. axe-core finds nothing wrong on the editor with its link pickers."""
from __future__ import annotations

import time

from playwright.sync_api import expect

from tests.e2e.conftest import COORDINATOR, MEMBER, axe_violations, sign_in
from tests.e2e.test_file_upload import CALL
from tests.files import samples

TITLE = "Accompanying victims through the residence procedure in Zeeland"
REPORT = samples.pdf(["Evaluation of the Zeeland accompaniment", "Volunteers in Vlissingen met 87 clients."])
STEP = "NL-PR01"  # the demo's STEP project, run with COA, VluchtelingenWerk and CoMensha


def add_link(page, field: str, words: str, title_part: str) -> None:
    """Search a link picker until the record is found (the index takes a new record within a moment), then add it."""
    page.locator(f"#field-{field}").fill(words)
    button = page.locator(f"#field-{field}-group .link-results button", has_text=title_part).first
    deadline = time.monotonic() + 20
    while True:
        page.locator(f"#field-{field}-group").get_by_role("button", name="Search", exact=True).click()
        try:
            button.wait_for(timeout=1_000)
            break
        except Exception:
            shown = page.locator(f"#field-{field}-group").inner_text()
            assert time.monotonic() < deadline, f"{title_part} never found by {words!r}: {shown}"
    button.click()
    expect(page.locator(f"#field-{field}-chosen")).to_contain_text(title_part)


def test_a_member_links_a_practice_to_its_contact_material_report_and_project(browsing, extract_files, axe_script,
                                                                            screenshot):
    member = browsing.page(bypass_csp=True)  # Playwright injects axe as an inline script, which the CSP forbids
    sign_in(member, MEMBER)
    member.goto("/new/practices")
    expect(member.get_by_role("heading", name="New practice")).to_be_visible()
    member.locator("#field-title").fill(TITLE)
    member.locator("#field-summary").fill("Trained volunteers accompany victims of trafficking in Zeeland.")
    for field, typed in (("language", "Engl"), ("countries", "Netherl")):
        member.locator(f"#field-{field}").fill(typed)
        member.locator(f"#field-{field}").press("Enter")
    member.get_by_label("Visibility").select_option("public")

    # The contact: the society's own focal point, found by a word of its role, with its part in this practice.
    add_link(member, "contacts", "focal point", "Sanne de Vries")
    member.locator("#field-contacts-group input[id^='field-contacts-role-']").first.fill("Focal point for Zeeland")
    # The training material: the e-learning on the signs of trafficking.
    add_link(member, "training_materials", "e-learning signs", "Recognising signs of trafficking")
    assert axe_violations(member, axe_script) == []
    member.get_by_role("button", name="Save draft").click()
    expect(member.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    practice_id = member.url.rsplit("/", 1)[1]
    links = member.locator("#record-links")
    expect(links.locator("#links-contacts + ul")).to_contain_text("Focal point for Zeeland")
    expect(links.locator("#links-training_materials + ul").get_by_role("link")).to_contain_text(
        "Recognising signs of trafficking")

    # The evaluation report, attached on the practice's page.
    member.get_by_label("Choose files").set_input_files(
        {"name": "evaluation-zeeland.pdf", "mimeType": "application/pdf", "buffer": REPORT})
    expect(member.locator("#files-list").get_by_role("link", name="Download evaluation-zeeland.pdf")).to_be_visible()
    member.get_by_role("button", name="Submit for review").click()
    expect(member.locator("#record-status")).to_have_text("submitted")

    # The project names its practices: the member proposes the new one in the STEP project's editor.
    status, found = member.evaluate(CALL, ["GET", f"/api/v1/projects?external_id={STEP}", None])
    assert status == 200 and len(found) == 1
    project_id = found[0]["id"]
    member.goto(f"/projects/{project_id}")
    member.get_by_role("link", name="Propose changes").click()
    add_link(member, "practices", "Zeeland", TITLE)
    member.get_by_role("button", name="Save").click()
    expect(member.locator("#record-status")).to_be_visible()
    member.get_by_role("button", name="Submit for review").click()
    expect(member.locator("#record-message")).not_to_be_empty()

    # A coordinator approves both.
    coordinator = browsing.page()
    sign_in(coordinator, COORDINATOR)
    for path in (f"/api/v1/practices/{practice_id}/review", f"/api/v1/projects/{project_id}/review"):
        status, answer = coordinator.evaluate(CALL, ["POST", path, {"decision": "approve"}])
        assert status == 200, answer
    assert extract_files() >= 1

    # Anyone: a word inside the report finds the practice, naming file and page; the project lists it.
    reader = browsing.page()
    reader.goto("/")
    deadline = time.monotonic() + 30
    while reader.evaluate("async () => (await (await fetch('/api/v1/search?q=Vlissingen')).json()).total") == 0:
        assert time.monotonic() < deadline, "the report's text never became searchable"
        reader.wait_for_timeout(200)
    reader.goto("/?q=Vlissingen")
    hit = reader.locator("li.hit", has_text=TITLE)
    expect(hit.locator(".hit-file")).to_have_text("Found in evaluation-zeeland.pdf, page 2")
    hit.get_by_role("link", name=TITLE).click()
    expect(reader.locator("#links-projects + ul")).to_contain_text("STEP")
    reader.locator("#links-projects + ul").get_by_role("link").first.click()
    expect(reader.locator("#links-practices + ul").get_by_role("link", name=TITLE)).to_be_visible()
    expect(reader.locator("[data-field='partners']")).to_contain_text("CoMensha")
    expect(reader.locator("#language-switch")).to_contain_text("translated from Dutch")
    expect(reader.locator("#language-switch")).not_to_contain_text("null")
    screenshot(reader, "17-project-page")


def test_a_member_writes_a_project_with_its_partners_funders_and_period(browsing, axe_script, screenshot):
    member = browsing.page(bypass_csp=True)
    sign_in(member, MEMBER)
    member.goto("/my-society")
    member.get_by_role("link", name="New project").click()
    expect(member.get_by_role("heading", name="New project")).to_be_visible()
    member.locator("#field-title").fill("Safe harvest")
    member.locator("#field-acronym").fill("SAFE-H")
    member.locator("#field-summary").fill("Outreach to seasonal workers in the orchards of Betuwe.")
    member.locator("#field-language").fill("Engl")
    member.locator("#field-language").press("Enter")
    member.get_by_label("Start date").fill("2025-03-01")
    member.get_by_label("End date").fill("2024-12-31")
    member.get_by_label("Funded by").fill("European Union, AMIF\nMinistry of Justice and Security")
    member.get_by_role("button", name="Add a partner organisation").click()
    partner = member.locator("#field-partners-0")
    expect(partner.get_by_label("Name of the organisation")).to_be_focused()
    partner.get_by_label("Name of the organisation").fill("FairWork")
    partner.get_by_label("Kind of organisation").select_option("ngo")
    partner.get_by_label("Country").select_option("NL")
    partner.get_by_label("Web address").fill("https://www.fairwork.nu")
    member.locator("#field-societies").fill("Belg")
    member.locator("#field-societies").press("Enter")
    assert axe_violations(member, axe_script) == []
    member.get_by_role("button", name="Save draft").click()
    # The period out of order comes back from the API next to its field.
    expect(member.locator("#field-end_date-error")).to_have_text("end_date is before start_date.")
    member.get_by_label("End date").fill("2026-12-31")
    member.get_by_role("button", name="Save draft").click()
    expect(member.get_by_role("heading", name="Safe harvest", level=1)).to_be_visible()
    expect(member.locator("[data-field='partners']")).to_have_text(
        "FairWork (Non-governmental organisation, Netherlands)")
    expect(member.locator("[data-field='funders'] li")).to_have_text(["European Union, AMIF",
                                                                     "Ministry of Justice and Security"])
    expect(member.locator("[data-field='societies']")).to_have_text("Belgium")
    expect(member.locator("[data-field='start_date']")).to_have_text("Mar 1, 2025")
    screenshot(member, "18-project-written")
    # Editing it again keeps what was written (nothing is sent when nothing changed).
    member.get_by_role("link", name="Edit").click()
    expect(member.locator("#field-partners-0-name")).to_have_value("FairWork")
    expect(member.get_by_label("Funded by")).to_have_value("European Union, AMIF\nMinistry of Justice and Security")
