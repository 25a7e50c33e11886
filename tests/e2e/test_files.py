"""A training material's files: listed on its page and downloaded with the bearer token (a draft's files are
as private as the draft, so a plain link would not do)."""
from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.conftest import MEMBER, sign_in

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
        const upload = await fetch(`/api/v1/training-materials/${material.id}/files`, {method: "POST", headers: auth, body: form});
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
