"""The console's pickers offer exactly the codes the API accepts: the country and language lists in
static/console/js/pickers.js are schemas/common.py's, so a person can choose every valid code and no invalid one."""
from __future__ import annotations

import re
from pathlib import Path

from schemas.common import COUNTRY_CODES, LANGUAGE_CODES

PICKERS = Path(__file__).resolve().parents[1] / "atn_hub" / "static" / "console" / "js" / "pickers.js"


def _listed(name: str) -> list[str]:
    source = PICKERS.read_text(encoding="utf-8")
    match = re.search(rf"export const {name} = \((.*?)\)\s*\.split\(\" \"\);", source, re.S)
    assert match, f"{name} not found in pickers.js"
    return " ".join(re.findall(r'"([^"]*)"', match.group(1))).split()


def test_the_country_picker_lists_the_codes_the_api_accepts():
    listed = _listed("COUNTRY_CODES")
    assert len(listed) == len(set(listed))
    assert set(listed) == set(COUNTRY_CODES)


def test_the_language_picker_lists_the_codes_the_api_accepts():
    listed = _listed("LANGUAGE_CODES")
    assert len(listed) == len(set(listed))
    assert set(listed) == set(LANGUAGE_CODES)
