"""Record -> search document: the one place that decides what of a record is searchable, in which language.

Records are read by attribute (any object with the record's fields: an ORM row, a dataclass), so this
module needs neither Flask nor SQLAlchemy.
"""
from __future__ import annotations

from typing import Any

from .analysis import normalise_language
from .engine import Document


def document_key(record_type: str, record_id: Any) -> str:
    return f"{record_type}:{record_id}"


def _common(record_type: str, record: Any, language: str, languages: list[str], title: str,
            texts: list[tuple[str, str, str]], countries: list[str], topics: list[str], **extra) -> Document:
    return Document(
        key=document_key(record_type, record.id), type=record_type, record_id=str(record.id),
        external_id=record.external_id, society=record.society.code, status=record.status,
        visibility=record.visibility, language=language, languages=languages, countries=countries,
        topics=topics, updated_at=record.updated_at, version=record.version, title=title, texts=texts, **extra)


def _translations(record: Any, own: str) -> list[tuple[str, dict]]:
    """The record's translations by normalised code, never its own language (the API refuses that already)."""
    found = []
    for code, translation in (getattr(record, "translations", None) or {}).items():
        code = normalise_language(code) or code
        if code != own and isinstance(translation, dict):
            found.append((code, translation))
    return found


def _file_pages(record: Any, language: str, texts: list) -> list[dict]:
    """The pages of the record's files with text (each named by its file and number, so that a hit can say
    where it was found), their text added to ``texts`` in the file's language."""
    files = []
    for file in getattr(record, "files", None) or []:
        if file.text_status != "done" or getattr(file, "pending_change", None) == "added":
            continue  # no text yet, or a pending revision's file: not published until it is approved
        file_language = normalise_language(file.language or "") or language
        for page in file.pages:
            if page.text:
                files.append({"id": str(file.id), "filename": file.filename, "page": page.page,
                              "language": file_language, "text": page.text})
                texts.append((file_language, "body", page.text))
    return files


# A summary (or description) that opens by repeating its record's title is indexed as written: the title's words
# count in the title field and again in the body. Leaving the repeat out, with or without a title boost in its
# place, and scoring a word's title and body as one BM25F field each ranked Cranfield (whose abstracts repeat
# their titles) worse on held-out queries and moved no other collection (bench/README.md, "Counting the title's
# repeat once: three ways, measured").
def practice_document(record: Any) -> Document:
    language = normalise_language(record.language) or "en"
    texts = [(language, "title", record.title), (language, "body", record.summary), (language, "body", record.body),
             (language, "body", record.results or ""), (language, "body", record.evaluation or "")]
    languages = [language]
    titles = {language: record.title}
    for code, translation in _translations(record, language):
        languages.append(code)
        texts.append((code, "title", translation.get("title") or ""))
        texts += [(code, "body", translation.get(name) or "") for name in ("summary", "body", "results", "evaluation")]
        if translation.get("title"):
            titles[code] = translation["title"]
    topics = list(record.topics or []) + list(record.target_groups or []) + list(record.forms_of_exploitation or [])
    files = _file_pages(record, language, texts)
    return _common("practice", record, language, languages, record.title, texts,
                   list(record.countries), topics, files=files, titles=titles)


def contact_document(record: Any) -> Document:
    """A contact's role, country and topics are searchable by everyone who sees it; its name, email and
    phone only by callers allowed to read personal data (the ``personal`` part). Its role is in its own
    language (the first of its languages), its translations in theirs."""
    languages = [normalise_language(code) or code for code in (record.languages or [])] or ["en"]
    role = record.role or "Contact"
    title = f"{role} ({record.society.code})"
    texts = [(languages[0], "title", role)]
    titles = {languages[0]: title}
    for code, translation in _translations(record, languages[0]):
        if translation.get("role"):
            languages.append(code)
            texts.append((code, "title", translation["role"]))
            titles[code] = f"{translation['role']} ({record.society.code})"
    return _common("contact", record, languages[0], list(dict.fromkeys(languages)), title, texts, [record.country],
                   list(record.topics or []), personal_title=record.name,
                   personal=" ".join(filter(None, [record.name, record.email, record.phone])), titles=titles)


def training_material_document(record: Any) -> Document:
    languages = [normalise_language(code) or code for code in (record.languages or [])] or ["en"]
    language = languages[0]
    texts = [(language, "title", record.title), (language, "body", record.description or ""),
             ("en", "body", record.audience or "")]
    titles = {language: record.title}
    for code, translation in _translations(record, language):
        languages.append(code)
        texts += [(code, "title", translation.get("title") or ""), (code, "body", translation.get("description") or "")]
        if translation.get("title"):
            titles[code] = translation["title"]
    files = _file_pages(record, language, texts)
    return _common("training-material", record, language, list(dict.fromkeys(languages)), record.title, texts,
                   [record.society.code], list(record.topics or []), files=files, titles=titles)


def project_document(record: Any) -> Document:
    """A project is found by its name and acronym (title), its summary and description, and by the names of
    its funders and partners (a search for "COA" or "AMIF" finds the projects run with or funded by them)."""
    language = normalise_language(record.language) or "en"
    title = f"{record.title} ({record.acronym})" if record.acronym else record.title
    names = [*(record.funders or []), *(partner.get("name") or "" for partner in record.partners or [])]
    texts = [(language, "title", title), (language, "body", record.summary), (language, "body", record.description),
             (language, "body", "\n".join(names))]
    languages = [language]
    titles = {language: title}
    for code, translation in _translations(record, language):
        languages.append(code)
        texts.append((code, "title", translation.get("title") or ""))
        texts += [(code, "body", translation.get(name) or "") for name in ("summary", "description")]
        if translation.get("title"):
            titles[code] = f"{translation['title']} ({record.acronym})" if record.acronym else translation["title"]
    files = _file_pages(record, language, texts)
    countries = list(dict.fromkeys([*(record.countries or []), record.society.code, *(record.societies or [])]))
    return _common("project", record, language, languages, title, texts, countries, list(record.topics or []),
                   files=files, titles=titles)


BUILDERS = {"practice": practice_document, "contact": contact_document,
            "training-material": training_material_document, "project": project_document}


def to_document(record_type: str, record: Any) -> Document:
    return BUILDERS[record_type](record)
