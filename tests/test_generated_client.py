"""The OpenAPI document is good enough for generators: a client made by openapi-python-client from the
committed openapi.yaml builds without warnings, searches and follows the changes feed of a live server."""
from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

from tests.helpers import listed, publish

ROOT = Path(__file__).resolve().parents[1]


def generate(target: Path) -> None:
    bin_dir = Path(sys.executable).parent
    result = subprocess.run([str(bin_dir / "openapi-python-client"), "generate", "--path", str(ROOT / "openapi.yaml"),
                             "--output-path", str(target), "--meta", "none", "--fail-on-warning"],
                            capture_output=True, text=True, timeout=300,
                            env={**os.environ, "PATH": f"{bin_dir}:{os.environ.get('PATH', '')}"})
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_generated_client_searches_and_syncs(live_server, client, member, make_caller, tmp_path, monkeypatch):
    coordinator = make_caller("coordinator", "GB")
    record = publish(client, member, coordinator, "practices", visibility="public",
                     title="Legal-practical support during the residence procedure")
    generate(tmp_path / "atn_hub_client")
    monkeypatch.syspath_prepend(str(tmp_path))
    package = importlib.import_module("atn_hub_client")
    search = importlib.import_module("atn_hub_client.api.search.get_api_v1_search")
    changes = importlib.import_module("atn_hub_client.api.changes.get_api_v1_changes")

    api = package.AuthenticatedClient(base_url=live_server, token=member.token, raise_on_unexpected_status=True)
    found = search.sync(client=api, q="residence procedure")
    assert found.total >= 1 and record["id"] in {str(hit.id) for hit in found.hits}
    assert found.hits[0].snippet and "<mark>residence</mark>" in found.hits[0].snippet

    copy, cursor = {}, "0"
    while True:
        page = changes.sync(client=api, since=cursor, limit=2)
        for change in page.changes:
            key = (change.type_.value if hasattr(change.type_, "value") else change.type_, str(change.record_id))
            if change.record is None:
                copy.pop(key, None)
            else:
                copy[key] = change.record.to_dict()
        cursor = page.next_cursor
        if not page.has_more:
            break
    assert set(copy) == set(listed(client, member))
    assert copy[("practice", record["id"])]["title"] == record["title"]
