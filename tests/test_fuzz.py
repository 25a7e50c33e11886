"""Schema fuzzing: Schemathesis against a live server from the committed openapi.yaml, for every operation,
anonymously and with tokens of each role: no 5xx, and every response conforms to the document (status code,
content type, body). A bounded run here; `make fuzz` runs a long one."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHECKS = "not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance"


def schemathesis(base_url: str, token: str | None, workdir: Path, examples: int, seed: int = 1) -> subprocess.CompletedProcess:
    command = [str(Path(sys.executable).parent / "schemathesis"), "run", str(ROOT / "openapi.yaml"), "--url", base_url,
               "--checks", CHECKS, "--max-examples", str(examples), "--seed", str(seed), "--no-color",
               "--phases", "examples,fuzzing",
               # Fuzzing must not revoke the very token it runs with.
               "--exclude-path-regex", "/me/tokens/"]
    if token:
        command += ["-H", f"Authorization: Bearer {token}"]
    return subprocess.run(command, cwd=workdir, capture_output=True, text=True, timeout=900,
                          env={**os.environ, "SCHEMATHESIS_HOOKS": ""})


@pytest.fixture
def demo_data(app, reference_data):  # the reference societies first: demo load completes them
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("role", ["anonymous", "member", "coordinator", "admin"])
def test_no_server_errors_and_every_response_as_documented(live_server, demo_data, make_caller, tmp_path, role):
    token = None if role == "anonymous" else make_caller(role, None if role == "admin" else "NL").token
    result = schemathesis(live_server, token, tmp_path, examples=int(os.environ.get("ATN_FUZZ_EXAMPLES", "2")))
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert " passed" in result.stdout
