"""A training material's files: listed on its page and downloaded with the bearer token (a draft's files are
as private as the draft, so a plain link would not do)."""
from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.conftest import COORDINATOR, MEMBER, sign_in

CONTENT = "Checklist for first contact: safety, interpreter, consent.\n"


def test_member_downloads_a_file_of_a_draft(browsing):
    page = browsing.page()
    sign_in(page, MEMBER)
    material_id = page.evaluate("""async (content) => {
        const token = JSON.parse(sessionStorage.getItem("atn-hub.tokens")).access_token;
        const auth = {Authorization: `Bearer ${token}`};
        const material = await (await fetch("/api/v1/training-materials", {method: "POST",
            headers: {...auth, "Content-Type": "application/json"},
            body: JSON.stringify({title: "First contact checklist", format: "other", languages: ["en"]})})).json();
        const form = new FormData();
        form.append("file", new Blob([content], {type: "text/plain"}), "checklist.txt");
        const upload = await fetch(`/api/v1/training-materials/${material.id}/files`,
                                   {method: "POST", headers: auth, body: form});
        if (upload.status !== 201) throw new Error(await upload.text());
        return material.id;
    }""", CONTENT)
    page.goto(f"/training-materials/{material_id}")
    expect(page.locator("#record-status")).to_have_text("draft")
    link = page.get_by_role("link", name="Download checklist.txt")
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == "checklist.txt"
    assert Path(download.path()).read_text() == CONTENT


API = """async ([method, path, body]) => {
    const token = JSON.parse(sessionStorage.getItem("atn-hub.tokens")).access_token;
    const headers = {Authorization: `Bearer ${token}`};
    if (body instanceof Array) {  // [filename, text]: an upload
        const form = new FormData();
        form.append("file", new Blob([body[1]], {type: "text/plain"}), body[0]);
        body = form;
    } else if (body) {
        headers["Content-Type"] = "application/json";
        body = JSON.stringify(body);
    }
    const answer = await fetch(path, {method, headers, body});
    return [answer.status, await answer.json()];
}"""


def test_a_file_added_to_a_published_material_is_marked_pending_review(browsing, screenshot):
    member, coordinator = browsing.page(), browsing.page()
    sign_in(member, MEMBER)
    sign_in(coordinator, COORDINATOR)
    _, material = member.evaluate(API, ["POST", "/api/v1/training-materials",
                                        {"title": "Reflection period guide", "format": "other", "languages": ["en"]}])
    path = f"/api/v1/training-materials/{material['id']}"
    assert member.evaluate(API, ["POST", f"{path}/submit", None])[0] == 200
    assert coordinator.evaluate(API, ["POST", f"{path}/review", {"decision": "approve"}])[0] == 200
    status, _ = member.evaluate(API, ["POST", f"{path}/files", ["guide.txt", CONTENT]])
    assert status == 201

    member.goto(f"/training-materials/{material['id']}")
    expect(member.locator("#record-status")).to_have_text("published")
    expect(member.locator(".files")).to_contain_text("guide.txt (1 KB) (added in the pending revision")
    screenshot(member, "14-file-pending-review")
