"""Translations of records, and the reader's language.

A record's ``translations`` hold its text fields (the model's ``translatable``) in other languages, keyed by
ISO 639-1 code, never its own language. Each says whether people or a machine wrote it (``origin``) and who last
changed it when (``updated_by``, ``updated_at``): the server stamps those, keeping them for the translations
whose text an edit did not change.

The reader's languages (``lang``, or Accept-Language) are set for the unit of work by the API layer
(``reading_in``); ``display`` of a record is its text in the best of them it is available in, field by field
falling back to its own text; without any, the working language's, else its own.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from .. import permissions
from ..db import utcnow
from ..errors import Invalid
from ..principal import Principal

STAMPS = ("updated_by", "updated_at")

# The reader's languages, best first, and the network's working language, for this unit of work.
_reader: ContextVar[tuple[str, ...]] = ContextVar("reader_languages", default=())
_working: ContextVar[str] = ContextVar("working_language", default="en")


@contextmanager
def reading_in(languages: Sequence[str], working: str) -> Iterator[None]:
    reader, work = _reader.set(tuple(languages)), _working.set(working)
    try:
        yield
    finally:
        _reader.reset(reader)
        _working.reset(work)


def set_reader(languages: Sequence[str], working: str) -> tuple[Any, Any]:
    """For a request: returns the tokens that ``reset_reader`` takes when it ends."""
    return _reader.set(tuple(languages)), _working.set(working)


def reset_reader(tokens: tuple[Any, Any]) -> None:
    _reader.reset(tokens[0])
    _working.reset(tokens[1])


def reader_languages() -> tuple[str, ...]:
    return _reader.get()


def working_language() -> str:
    return _working.get()


# --- writing ---------------------------------------------------------------------------------------------
def own_language(model, data: dict[str, Any], record: Any) -> str | None:
    """The record's own language after ``data`` is applied: a practice's ``language``, else the first of
    ``languages``."""
    if hasattr(model, "languages"):
        languages = data["languages"] if "languages" in data else getattr(record, "languages", None)
        return languages[0] if languages else None
    return data["language"] if "language" in data else getattr(record, "language", None)


def check_own_language(model, data: dict[str, Any], record: Any) -> None:
    """A translation is never into the record's own language (also when an edit changes that language)."""
    translations = data["translations"] if "translations" in data else getattr(record, "translations", None)
    language = own_language(model, data, record)
    if language and language in (translations or {}):
        message = f"'{language}' is the {model.record_type.replace('-', ' ')}'s own language, not a translation."
        error = Invalid("translations", message)
        error.errors = {"json": {"translations": {language: [message]}}}
        raise error


def _text(translation: dict[str, Any] | None) -> dict[str, Any]:
    """What a translation says (its fields and origin), without its bookkeeping; empty fields are absent."""
    return {key: value for key, value in (translation or {}).items()
            if key not in STAMPS and value not in (None, "")}


def stamp(principal: Principal, new: dict[str, dict[str, Any]],
          old: dict[str, dict[str, Any]] | None) -> dict[str, dict[str, Any]]:
    """``new`` (from a client) with who changed each translation when: the caller, now, for those added or
    changed; as before for those whose text is unchanged."""
    old = old or {}
    author = {"id": str(principal.user_id), "name": principal.name} if principal.user_id else None
    now = utcnow().isoformat()
    stamped = {}
    for code, translation in new.items():
        text = {key: value for key, value in translation.items() if key not in STAMPS}
        before = old.get(code)
        if before is not None and _text(before) == _text(text):
            stamped[code] = {**text, "updated_by": before.get("updated_by"), "updated_at": before.get("updated_at")}
        else:
            stamped[code] = {**text, "updated_by": author, "updated_at": now}
    return stamped


def prepare(principal: Principal, data: dict[str, Any], current: dict[str, Any] | None) -> dict[str, Any]:
    """``data`` of a create or an edit, its translations stamped against the ``current`` ones."""
    if "translations" not in data or data["translations"] is None:
        return data
    return {**data, "translations": stamp(principal, data["translations"], current)}


# --- reading ---------------------------------------------------------------------------------------------
def shown_translations(translations: dict[str, Any] | None, principal: Principal) -> dict[str, Any]:
    """Who changed a translation: for the network's signed-in callers only (``permissions.sees_who``)."""
    if permissions.sees_who(principal):
        return translations or {}
    return {code: {**value, "updated_by": None} for code, value in (translations or {}).items()}


def record_language(record: Any) -> str | None:
    languages = getattr(record, "languages", None)
    if languages is not None:
        return languages[0] if languages else None
    return getattr(record, "language", None)


def choose(own: str | None, available: Sequence[str], readers: Sequence[str], working: str) -> str | None:
    """The language to show: the reader's first that the record has; else the working language if it has it;
    else its own."""
    offered = [code for code in [own, *available] if code]
    for code in readers:
        if code in offered:
            return code
    return working if working in offered else own


def display(record: Any, fields: Sequence[str]) -> dict[str, Any]:
    """The record's text in the reader's language (see ``choose``), field by field falling back to its own."""
    own = record_language(record)
    translations = getattr(record, "translations", None) or {}
    language = choose(own, list(translations), reader_languages(), working_language())
    translation = translations.get(language) if language != own else None
    shown: dict[str, Any] = {"language": language, "translated": translation is not None,
                             "origin": translation.get("origin", "author") if translation else None}
    for field in fields:
        value = translation.get(field) if translation else None
        shown[field] = value if value not in (None, "") else getattr(record, field, None)
    return shown
