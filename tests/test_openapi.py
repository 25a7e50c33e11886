"""The committed openapi.yaml is what the code generates, and it is a valid OpenAPI document."""
from __future__ import annotations

import subprocess
import sys

import yaml
from openapi_spec_validator import validate

from tests.conftest import ROOT


def generate() -> str:
    result = subprocess.run([sys.executable, "-m", "atn_hub.cli", "openapi", "print", "--format=yaml"],
                            capture_output=True, text=True, cwd=ROOT, check=True,
                            env={"ATN_INSTANCE_DIR": str(ROOT / "instance"), "PATH": ""})
    return result.stdout


def test_committed_openapi_matches_the_code():
    committed = (ROOT / "openapi.yaml").read_text()
    assert generate().strip() == committed.strip(), (
        "openapi.yaml is stale: run `atn-hub openapi write --format=yaml openapi.yaml` and commit it")


def test_openapi_document_is_valid():
    document = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    validate(document)
    assert document["openapi"].startswith("3.1")
    assert "/api/v1/practices/{record_id}" in document["paths"]


def test_docs_are_served_without_network(client):
    page = client.get("/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/docs/assets/swagger-ui-bundle.js" in html and "https://" not in html.split("<body>")[0]
    asset = client.get("/docs/assets/swagger-ui-bundle.js")
    assert asset.status_code == 200 and len(asset.data) > 100_000
    asset.close()
    assert client.get("/openapi.json").json["info"]["title"] == "ATN Hub"
