"""The OpenAPI document is good enough for generators: a client made by openapi-python-client from the
committed openapi.yaml builds without warnings, searches and follows the changes feed of a live server."""
from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

from tests.helpers import listed, publish
from tests.payloads import valid

ROOT = Path(__file__).resolve().parents[1]


def generate(target: Path) -> None:
    bin_dir = Path(sys.executable).parent
    result = subprocess.run([str(bin_dir / "openapi-python-client"), "generate", "--path", str(ROOT / "openapi.yaml"),
                             "--output-path", str(target), "--meta", "none", "--fail-on-warning"],
                            capture_output=True, text=True, timeout=300,
                            env={**os.environ, "PATH": f"{bin_dir}:{os.environ.get('PATH', '')}"})
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_partner_journey_written_against_the_generated_client_type_checks_and_runs(
        live_server, client, member, make_caller, tmp_path, monkeypatch):
    coordinator = make_caller("coordinator", "GB")
    published = [publish(client, member, coordinator, "practices", visibility="public", external_id=f"NL-{n}",
                         title=f"Legal-practical support during the residence procedure {n}")["id"]
                 for n in range(3)]
    generate(tmp_path / "atn_hub_client")

    # the partner's code (tests/client_journey.py) type-checks against the generated package: its functions are
    # named after the operations, their parameters (If-Match among them) and models are typed
    checked = subprocess.run([str(Path(sys.executable).parent / "mypy"), "--strict", "--follow-imports=silent",
                              "--no-incremental", str(ROOT / "tests" / "client_journey.py")],
                             capture_output=True, text=True, timeout=600, cwd=tmp_path,
                             env={**os.environ, "MYPYPATH": str(tmp_path)})
    assert checked.returncode == 0, checked.stdout + checked.stderr

    monkeypatch.syspath_prepend(str(tmp_path))
    journey = importlib.import_module("tests.client_journey")
    record = {**valid("practices"), "external_id": "NL-EVENINGS"}
    own = [{**valid("practices"), "external_id": f"NL-SYNC-{n}", "title": f"Synced practice {n}"} for n in range(2)]
    result = journey.journey(live_server, member.token, record, own)

    assert sorted(result["found"]) == sorted(published)  # page after page, each once
    submitted = result["submitted"]
    assert submitted["status"] == "submitted" and submitted["title"] == "Legal-practical support, evenings included"
    assert set(result["copy"]) == set(listed(client, member))  # the feed's copy is the lists' content
    assert result["copy"][("practice", submitted["id"])]["status"] == "submitted"
    assert int(result["cursor"]) > 0
    assert {external_id: (p["title"], p["version"]) for external_id, p in result["pushed"].items()} == \
        {"NL-SYNC-0": ("Synced practice 0", 1), "NL-SYNC-1": ("Synced practice 1", 1)}  # the same body: no change
    synced = sorted(r["external_id"] for r in listed(client, member).values()
                    if (r["external_id"] or "").startswith(("NL-SYNC", "NL-EVENINGS")))
    assert synced == ["NL-EVENINGS", "NL-SYNC-0", "NL-SYNC-1"]  # one each: the retried create made no second
