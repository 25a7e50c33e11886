"""The language a hit is shown in: the one its matched words are in, else the reader's (the first of their
languages the record has), else the record's own; and the stored fields of that language, from which its
snippet is taken.

A document keeps each language's text in that language's fields (``title_<language>``, ``body_<language>``) and
the title shown per language code (``titles``, JSON); languages without a stemmer share the neutral fields.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from .analysis import NEUTRAL, field_language

TEXT_FIELDS = ("title_", "body_")


def titles_of(fields: dict) -> dict[str, str]:
    """The title per language code (documents indexed before translations were: none)."""
    raw = fields.get("titles")
    return json.loads(raw) if raw else {}


def codes_of(fields: dict, titles: dict[str, str]) -> list[str]:
    """The record's languages: its own first, then its translations'."""
    return list(dict.fromkeys([fields.get("language") or "", *titles]))


def matched_field_language(fields: dict, matched_terms: Iterable | None) -> str | None:
    """The field language whose text the snippet would come from (the record's own language first, then the
    field matching the most words); None when the words matched only language-neutrally."""
    words: dict[str, set] = {}
    for field, term in matched_terms or ():
        words.setdefault(field, set()).add(term)
    main = field_language(fields.get("language"))
    names = [name for name in fields if name.startswith(TEXT_FIELDS) and name in words]
    names.sort(key=lambda n: (n.split("_", 1)[1] != main, not n.startswith("body_"), n))
    names.sort(key=lambda n: -len(words[n]))
    return names[0].split("_", 1)[1] if names else None


def shown_language(fields: dict, titles: dict[str, str], matched: str | None, readers: Sequence[str]) -> str:
    """A language code: of the matched field's language (the reader's if several share it), else the reader's
    first that the record has, else the record's own."""
    own = fields.get("language") or ""
    codes = codes_of(fields, titles)
    if matched is not None:
        same = [code for code in codes if code and field_language(code) == matched]
        ranked = [code for code in readers if code in same] + same
        if ranked:
            return ranked[0]
        return matched if matched != NEUTRAL else own  # e.g. a file's page in a language of its own
    return next((code for code in readers if code in codes), own)


def in_language(fields: dict, code: str) -> dict:
    """The stored fields with only ``code``'s text fields, as if the record were written in it."""
    language = field_language(code)
    shown = {name: value for name, value in fields.items()
             if not name.startswith(TEXT_FIELDS) or name.split("_", 1)[1] == language}
    shown["language"] = code
    return shown
