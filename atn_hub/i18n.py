"""The console's message catalogues, read by the pages the server renders (the sign-in and consent pages of
/oauth/authorize, their error page, the console document's <noscript> text): the same JSON files the console
reads (static/console/i18n/<code>.json), so one catalogue per language serves both.

The language: the request's ``ui_locales`` (OpenID Connect's parameter, space-separated tags in preference
order; the console sends its own language there), else ``Accept-Language`` (quality values honoured), else
English. A message missing from a catalogue falls back to English, then to its key (visible, never empty).
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

from markupsafe import Markup, escape
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

CATALOGUE_DIR = Path(__file__).resolve().parent / "static" / "console" / "i18n"
DEFAULT = "en"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_TAG = re.compile(r"^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$")


@cache
def catalogue(code: str) -> dict[str, object]:
    """The catalogue of one language (an empty one when there is none: English answers then)."""
    if not re.fullmatch(r"[a-z]{2,3}", code):
        return {}
    path = CATALOGUE_DIR / f"{code}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}


def available() -> list[str]:
    """The languages that have a catalogue, English first."""
    codes = sorted(path.stem for path in CATALOGUE_DIR.glob("*.json"))
    return [DEFAULT] + [code for code in codes if code != DEFAULT]


def _primary(tag: str) -> str | None:
    tag = tag.strip()
    if not _TAG.match(tag) or tag == "*":
        return None
    return tag.split("-")[0].lower()


def parse_accept_language(header: str | None) -> list[str]:
    """The primary language codes of an Accept-Language header, best first ("nl-BE,nl;q=0.9,en;q=0.5" →
    ["nl", "en"]); a quality of 0 means "not this one"; equal qualities keep the header's order (werkzeug
    parses and orders it)."""
    seen: list[str] = []
    for tag, quality in parse_accept_header(header or "", LanguageAccept):
        code = _primary(tag)
        if code and quality > 0 and code not in seen:
            seen.append(code)
    return seen


def negotiate(ui_locales: str | None, accept_language: str | None) -> str:
    """The language to answer in: the first of ui_locales with a catalogue, else the best of
    Accept-Language with one, else English."""
    have = set(available())
    for tag in (ui_locales or "").split():
        code = _primary(tag)
        if code in have:
            return code
    for code in parse_accept_language(accept_language):
        if code in have:
            return code
    return DEFAULT


def _raw(code: str, key: str, params: dict[str, object]) -> str:
    text = catalogue(code).get(key, catalogue(DEFAULT).get(key, key))
    if isinstance(text, dict):  # a plural message: "one" for a count of 1 where the language has it, else "other"
        text = text["one"] if params.get("count") == 1 and "one" in text else text.get("other", key)
    return str(text)


def message(code: str, key: str, **params: object) -> str:
    """The text of `key` in language `code` (English when that catalogue lacks it; the key as a last resort),
    its {placeholders} filled. A plural message (an object of CLDR categories) takes "one" for a count of 1
    where the language has that category, "other" otherwise: the server's pages need no finer rules."""
    return _PLACEHOLDER.sub(lambda m: str(params[m.group(1)]) if m.group(1) in params else m.group(0),
                            _raw(code, key, params))


def translator(code: str) -> Callable[..., Markup]:
    """t(key, **params) for templates: the message escaped, each parameter escaped unless it is already
    Markup (so a template may pass a name wrapped in <strong>), the result safe to print as it is."""

    def t(key: str, **params: object) -> Markup:
        escaped = str(escape(_raw(code, key, params)))
        return Markup(_PLACEHOLDER.sub(
            lambda m: str(escape(params[m.group(1)])) if m.group(1) in params else m.group(0), escaped))

    return t
