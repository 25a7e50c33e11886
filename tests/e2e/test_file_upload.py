"""Adding and removing a record's files on its page: the labelled picker and the drop zone upload with a progress
bar per file, the server's refusal (415) is shown next to the picker and describes it, Remove asks first, and
only those who may edit the record see any of it. axe-core finds nothing wrong on the page with the control."""
from __future__ import annotations

import re
import time

from playwright.sync_api import expect

from tests.e2e.conftest import COORDINATOR, MEMBER, axe_violations, sign_in
from tests.files import samples

OTHER_SOCIETY = "member.fr@demo.atn-hub.example"
CONTENT = "Checklist for first contact: safety, interpreter, consent.\n"
REPORT_PDF = samples.pdf(["Ten years of legal-practical support", "Volunteers in Kampen supported 412 people."])

CALL = """async ([method, path, body]) => {
    const token = JSON.parse(sessionStorage.getItem("atn-hub.tokens")).access_token;
    const headers = {Authorization: `Bearer ${token}`};
    if (body) headers["Content-Type"] = "application/json";
    const answer = await fetch(path, {method, headers, body: body ? JSON.stringify(body) : undefined});
    return [answer.status, await answer.json()];
}"""

DROP = """([selector, name, text]) => {
    const zone = document.querySelector(selector);
    const files = new DataTransfer();
    files.items.add(new File([text], name, {type: "text/plain"}));
    zone.dispatchEvent(new DragEvent("dragenter", {dataTransfer: files, bubbles: true, cancelable: true}));
    zone.dispatchEvent(new DragEvent("dragover", {dataTransfer: files, bubbles: true, cancelable: true}));
    const highlighted = zone.classList.contains("dragover");
    zone.dispatchEvent(new DragEvent("drop", {dataTransfer: files, bubbles: true, cancelable: true}));
    return [highlighted, zone.classList.contains("dragover")];
}"""


def new_material(page, title: str) -> str:
    status, material = page.evaluate(CALL, ["POST", "/api/v1/training-materials",
                                            {"title": title, "format": "other", "languages": ["en"]}])
    assert status == 201, material
    return material["id"]


def test_a_member_adds_and_removes_files_of_a_draft(browsing, axe_script, screenshot):
    # bypass_csp: Playwright injects axe as an inline script, which the console's CSP (rightly) forbids.
    page = browsing.page(bypass_csp=True)
    sign_in(page, MEMBER)
    material_id = new_material(page, "Interview guide for first contact")
    page.goto(f"/training-materials/{material_id}")
    expect(page.locator("#record-status")).to_have_text("draft")
    files = page.locator("#files-list")
    expect(files).to_contain_text("No files.")

    # The picker: a real file input with its label, several files at a time.
    picker = page.get_by_label("Choose files")
    expect(picker).to_have_attribute("type", "file")
    expect(picker).to_have_attribute("multiple", "")
    picker.set_input_files([{"name": "checklist.txt", "mimeType": "text/plain", "buffer": CONTENT.encode()},
                            {"name": "big-notes.txt", "mimeType": "text/plain", "buffer": b"notes\n" * 400}])
    expect(files.get_by_role("link", name="Download checklist.txt")).to_be_visible()
    expect(files.locator("li", has_text="checklist.txt")).to_contain_text("checklist.txt (1 KB)")
    expect(files.locator("li", has_text="big-notes.txt")).to_contain_text("big-notes.txt (3 KB)")
    expect(files.locator("li", has_text="checklist.txt")).to_contain_text("Text not read yet")
    expect(page.locator("#status")).to_have_text("2 files added.")
    expect(page.locator("#file-uploads li")).to_have_count(0)  # the progress bars go once each file is in

    # Drag and drop onto the zone, which is highlighted while a file is over it.
    highlighted, after = page.evaluate(DROP, ["#file-drop", "dropped.txt", CONTENT])
    assert highlighted and not after
    expect(files.get_by_role("link", name="Download dropped.txt")).to_be_visible()
    expect(files.locator("li", has_text="dropped.txt")).to_contain_text("dropped.txt (1 KB)")
    expect(page.locator("#status")).to_have_text("1 file added.")

    # While a file is on its way, its progress bar is named after it (the request is held here to see it).
    held = []
    page.route(f"**/api/v1/training-materials/{material_id}/files",
               lambda route: held.append(route) if route.request.method == "POST" else route.continue_())
    picker.set_input_files({"name": "slow.txt", "mimeType": "text/plain", "buffer": CONTENT.encode()})
    expect(page.get_by_role("progressbar", name="Uploading slow.txt")).to_be_visible()
    page.locator("#file-drop").scroll_into_view_if_needed()
    screenshot(page, "15-file-upload-progress", full_page=False)
    held[0].continue_()
    page.unroute(f"**/api/v1/training-materials/{material_id}/files")
    expect(files.get_by_role("link", name="Download slow.txt")).to_be_visible()
    expect(page.get_by_role("progressbar")).to_have_count(0)

    # A program is refused by the server (415): its words next to the picker, which they describe.
    picker.set_input_files({"name": "setup.exe", "mimeType": "application/octet-stream",
                            "buffer": b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(range(256)) * 4})
    errors = page.locator("#file-upload-errors")
    expect(errors).to_contain_text("setup.exe was not added: files of this type are not accepted")
    detail = errors.locator(".server-detail").inner_text().strip()  # the server's words, marked as English
    assert detail and errors.locator(".server-detail").get_attribute("lang") == "en"
    expect(picker).to_have_attribute("aria-invalid", "true")
    expect(picker).to_have_accessible_description(re.compile(re.escape(detail[:40])))
    expect(files).not_to_contain_text("setup")
    assert axe_violations(page, axe_script) == []
    screenshot(page, "15-file-upload")

    # Remove asks first; declined, the file stays; accepted, it goes and the list is read again.
    item = files.locator("li", has_text="dropped.txt")
    page.once("dialog", lambda dialog: dialog.dismiss())
    item.get_by_role("button", name="Remove dropped.txt").click()
    expect(item).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    item.get_by_role("button", name="Remove dropped.txt").click()
    expect(files.get_by_role("link", name="Download dropped.txt")).to_have_count(0)
    expect(page.locator("#status")).to_have_text("dropped.txt removed.")
    expect(page.locator("#files-heading")).to_be_focused()
    expect(files.locator("li")).to_have_count(3)
    status, listed = page.evaluate(CALL, ["GET", f"/api/v1/training-materials/{material_id}/files", None])
    assert status == 200 and sorted(f["filename"] for f in listed) == ["big-notes.txt", "checklist.txt", "slow.txt"]


def test_the_upload_control_fits_a_phone(browsing, screenshot):
    page = browsing.page(viewport=(320, 720))
    sign_in(page, MEMBER)
    material_id = new_material(page, "Phone-sized guide")
    page.goto(f"/training-materials/{material_id}")
    expect(page.get_by_label("Choose files")).to_be_visible()
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"the page overflows sideways at 320 px: {widths}"
    screenshot(page, "phone-file-upload")


def test_a_member_of_another_society_sees_the_files_of_a_published_material_but_no_upload(browsing):
    member, coordinator, other = browsing.page(), browsing.page(), browsing.page()
    sign_in(member, MEMBER)
    sign_in(coordinator, COORDINATOR)
    sign_in(other, OTHER_SOCIETY)
    material_id = new_material(member, "Shelter intake leaflet")
    member.goto(f"/training-materials/{material_id}")
    member.get_by_label("Choose files").set_input_files(
        {"name": "leaflet.txt", "mimeType": "text/plain", "buffer": CONTENT.encode()})
    expect(member.locator("#files-list")).to_contain_text("leaflet.txt (1 KB)")
    path = f"/api/v1/training-materials/{material_id}"
    assert member.evaluate(CALL, ["POST", f"{path}/submit", None])[0] == 200
    assert coordinator.evaluate(CALL, ["POST", f"{path}/review", {"decision": "approve"}])[0] == 200

    other.goto(f"/training-materials/{material_id}")
    expect(other.locator("#record-status")).to_have_text("published")
    expect(other.locator("#files-list")).to_contain_text("leaflet.txt (1 KB)")
    expect(other.locator("#file-upload")).to_have_count(0)
    expect(other.locator("#file-drop")).to_have_count(0)
    expect(other.get_by_role("button", name=re.compile("^Remove"))).to_have_count(0)

    # Its own society still may: on a published material the picker says the change is reviewed first.
    member.goto(f"/training-materials/{material_id}")
    expect(member.locator("#file-upload-hint")).to_contain_text("pending revision")


def test_a_member_attaches_an_evaluation_report_to_a_practice_and_search_finds_its_page(browsing, extract_files):
    page, coordinator = browsing.page(), browsing.page()
    sign_in(page, MEMBER)
    sign_in(coordinator, COORDINATOR)
    status, practice = page.evaluate(CALL, ["POST", "/api/v1/practices", {
        "title": "Legal-practical support since 2009", "summary": "Volunteers accompany victims.", "body": "",
        "language": "en", "countries": ["NL"], "kind": "good_practice", "visibility": "public"}])
    assert status == 201, practice
    page.goto(f"/practices/{practice['id']}")
    files = page.locator("#files-list")
    expect(files).to_contain_text("No files.")
    page.get_by_label("Choose files").set_input_files(
        {"name": "evaluation-2019.pdf", "mimeType": "application/pdf", "buffer": REPORT_PDF})
    expect(files.get_by_role("link", name="Download evaluation-2019.pdf")).to_be_visible()
    status, listed = page.evaluate(CALL, ["GET", f"/api/v1/practices/{practice['id']}/files", None])
    assert status == 200 and [(f["filename"], f["practice_id"]) for f in listed] == [("evaluation-2019.pdf",
                                                                                      practice["id"])]
    assert page.evaluate(CALL, ["POST", f"/api/v1/practices/{practice['id']}/submit", None])[0] == 200
    assert coordinator.evaluate(CALL, ["POST", f"/api/v1/practices/{practice['id']}/review",
                                       {"decision": "approve"}])[0] == 200
    assert extract_files() >= 1  # (with any other test's files still waiting)
    status, listed = page.evaluate(CALL, ["GET", f"/api/v1/practices/{practice['id']}/files", None])
    assert [f["text_status"] for f in listed] == ["done"]

    # Anyone searching for a word inside the report finds the practice, told which file and page it is on.
    reader = browsing.page()
    reader.goto("/")
    deadline = time.monotonic() + 30  # the server's indexer takes the extracted text in its next pass
    while reader.evaluate("async () => (await (await fetch('/api/v1/search?q=Kampen')).json()).total") == 0:
        assert time.monotonic() < deadline, "the report's text never became searchable"
        reader.wait_for_timeout(200)
    reader.goto("/?q=Kampen")
    hit = reader.locator("li.hit", has_text="Legal-practical support since 2009")
    expect(hit.locator(".hit-file")).to_have_text("Found in evaluation-2019.pdf, page 2", timeout=20_000)
