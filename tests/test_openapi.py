"""The committed openapi.yaml is what the code generates, and it is a valid OpenAPI document."""
from __future__ import annotations

import re
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


def operations(document: dict):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield method.upper(), path, operation


def test_every_operation_has_a_stable_readable_name_a_summary_and_a_description():
    """What a generated client's functions are called by (`list_practices`, `update_practice`), and documented."""
    document = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    found = {(method, path): operation for method, path, operation in operations(document)}
    names = [operation.get("operationId") for operation in found.values()]
    assert all(names) and len(set(names)) == len(names), [k for k, o in found.items() if not o.get("operationId")]
    assert all(re.fullmatch(r"[a-z]+(_[a-z]+)*", name) for name in names), names
    assert [k for k, o in found.items() if not o.get("summary") or not o.get("description")] == []
    assert found[("GET", "/api/v1/search")]["operationId"] == "search"
    assert found[("GET", "/api/v1/practices")]["operationId"] == "list_practices"
    assert found[("PATCH", "/api/v1/practices/{record_id}")]["operationId"] == "update_practice"
    assert found[("POST", "/api/v1/training-materials/{record_id}/submit")]["operationId"] == \
        "submit_training_material"


def test_writes_declare_if_match_and_every_operation_its_errors():
    document = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    if_match = document["components"]["parameters"]["IF_MATCH"]
    assert if_match["in"] == "header" and if_match["required"] is True
    for method, path, operation in operations(document):
        if method == "PATCH" and not path.startswith(("/api/v1/me/", "/api/v1/users/")):  # those with an ETag
            refs = [p.get("$ref") for p in operation.get("parameters", [])]
            assert "#/components/parameters/IF_MATCH" in refs, path
        assert "400" in operation["responses"], (method, path)  # unknown query parameters, malformed bodies
        looks_up = "{" in path and "/by-external-id/" not in path  # a PUT by external id creates what is missing
        assert ("404" in operation["responses"]) == looks_up, (method, path)
    error = document["components"]["responses"]["BAD_REQUEST"]["content"]
    assert list(error) == ["application/problem+json"]
