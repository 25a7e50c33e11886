"""The README's Security section names, for each risk and rule, the tests that prove it: each of them exists."""
from __future__ import annotations

import ast
import re

from tests.conftest import ROOT


def _named_tests() -> list[tuple[str, str]]:
    readme = (ROOT / "README.md").read_text()
    table = readme.split("<!-- security-map -->", 1)[1].split("<!-- /security-map -->", 1)[0]
    return re.findall(r"`(tests/[\w/]+\.py)::(test_\w+)`", table)


def test_every_test_the_security_map_names_exists():
    named = _named_tests()
    assert len(named) > 40
    missing = []
    for path, name in named:
        file = ROOT / path
        tree = ast.parse(file.read_text()) if file.exists() else ast.Module(body=[], type_ignores=[])
        if name not in {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}:
            missing.append(f"{path}::{name}")
    assert not missing, missing


def test_every_owasp_api_risk_of_2023_has_a_row():
    readme = (ROOT / "README.md").read_text()
    table = readme.split("<!-- security-map -->", 1)[1].split("<!-- /security-map -->", 1)[0]
    assert [f"API{n} " in table for n in range(1, 11)] == [True] * 10
