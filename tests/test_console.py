"""The web console is served at / and at each of its pages' paths (deep links), as one document with a
strict Content-Security-Policy; its assets come from the app itself; other paths keep their JSON errors."""
from __future__ import annotations

import re
import uuid

import pytest

from atn_hub.console import CONSOLE_DIR

RECORD = str(uuid.uuid4())
PAGES = ["/", "/?q=mensenhandel&type=practice&country=NL&page=2", f"/practices/{RECORD}", f"/contacts/{RECORD}",
         f"/training-materials/{RECORD}", "/my-society", "/new/practices", "/new/training-materials",
         f"/edit/contacts/{RECORD}", "/moderation", "/notifications", "/notifications?unread=true&page=2",
         "/dashboard", "/dashboard?type=practice&since=2026-01-01"]


@pytest.mark.parametrize("path", PAGES)
def test_every_console_page_is_the_console_document(client, path):
    response = client.get(path)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert b'<script type="module" src="/static/console/js/main.js">' in response.data
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "default-src 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "require-trusted-types-for 'script'" in policy and "frame-ancestors 'none'" in policy
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_no_inline_script_and_no_asset_from_the_network():
    for path in CONSOLE_DIR.rglob("*"):
        if path.suffix not in (".html", ".js", ".css"):
            continue
        text = path.read_text()
        assert not re.search(r"https?://(?!\$\{)", text.replace("http://www.w3.org", "")), path
        assert "innerHTML" not in text and "insertAdjacentHTML" not in text and "eval(" not in text, path
        if path.suffix == ".html":
            scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", text, re.S)
            assert len(scripts) == text.count("<script") and all("src=" in attrs and not body.strip()
                                                                  for attrs, body in scripts), path
            assert not re.search(r"\son[a-z]+=", text), path  # no inline event handlers


def test_console_assets_are_served(client):
    for asset in ("js/main.js", "js/search.js", "console.css"):
        response = client.get(f"/static/console/{asset}")
        assert response.status_code == 200, asset
        response.close()


@pytest.mark.parametrize("path", ["/nowhere", "/practices/not-a-uuid", "/edit/societies/" + RECORD])
def test_other_paths_are_not_the_console(client, path):
    response = client.get(path)
    assert response.status_code == 404 and response.is_json
