"""The index's schema: the fields of a record's document, how a ``Document`` fills them, and the ``__meta__``
document.

Each text is indexed in its language's fields (``title_<language>``, ``body_<language>``, analysed with that
language's analyser) and in ``all`` (language-neutral: exact words across languages). Each document carries its
record's version; the ``__meta__`` document holds the last change-log sequence applied, committed in the same
Whoosh commit as the changes it covers, so a crash anywhere leaves an index that is consistent with some prefix
of the log and simply catches up.
"""
from __future__ import annotations

import json
from datetime import UTC

from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from .analysis import FIELD_LANGUAGES, analyzer, field_language, fold, neutral_analyzer
from .engine import Document

META_KEY = "__meta__"
FACETS = {"type": "type", "country": "countries", "language": "language", "topic": "topics",
          "society": "society"}  # facet name -> field


def build_schema() -> Schema:
    fields = dict(
        key=ID(unique=True, stored=True),
        kind=ID(),
        type=ID(stored=True),
        record_id=ID(stored=True),
        external_id=STORED(),
        society=ID(stored=True),
        status=ID(),
        visibility=ID(),
        language=ID(stored=True),
        languages=KEYWORD(commas=True),
        countries=KEYWORD(commas=True, stored=True),
        topics=KEYWORD(commas=True),
        updated_at=DATETIME(stored=True, sortable=True),
        version=NUMERIC(stored=True, bits=64),
        title=STORED(),
        personal_title=STORED(),
        title_sort=ID(sortable=True),
        all=TEXT(analyzer=neutral_analyzer()),
        personal=TEXT(analyzer=neutral_analyzer(), stored=True),
        meta_seq=NUMERIC(stored=True, bits=64),
        file_pages=STORED(),  # JSON: the pages of attached files, to tell which one a snippet came from
        titles=STORED(),  # JSON: the title shown in hits, by language code (its own, its translations')
    )
    for language in FIELD_LANGUAGES:
        fields[f"title_{language}"] = TEXT(analyzer=analyzer(language), stored=True)
        fields[f"body_{language}"] = TEXT(analyzer=analyzer(language), stored=True)
    return Schema(**fields)


def to_fields(doc: Document) -> dict:
    fields = {
        "key": doc.key, "kind": "record", "type": doc.type, "record_id": doc.record_id,
        "external_id": doc.external_id, "society": doc.society, "status": doc.status,
        "visibility": doc.visibility, "language": doc.language,
        "languages": ",".join(sorted(set(doc.languages) | {doc.language})),
        "countries": ",".join(doc.countries), "topics": ",".join(doc.topics),
        "updated_at": doc.updated_at.astimezone(UTC).replace(tzinfo=None),
        "version": doc.version, "title": doc.title, "personal_title": doc.personal_title,
        "title_sort": fold(doc.title)[:120], "personal": doc.personal,
    }
    grouped: dict[str, list[str]] = {}
    for language, part, text in doc.texts:
        if text:
            grouped.setdefault(f"{part}_{field_language(language)}", []).append(text)
    fields.update({name: "\n".join(texts) for name, texts in grouped.items()})
    fields["all"] = "\n".join(text for _, _, text in doc.texts if text)
    if doc.files:
        fields["file_pages"] = json.dumps(doc.files, ensure_ascii=False)
    if doc.titles:
        fields["titles"] = json.dumps(doc.titles, ensure_ascii=False)
    return fields


def meta_fields(seq: int) -> dict:
    """The ``__meta__`` document recording ``seq`` as the last change-log sequence applied."""
    return {"key": META_KEY, "kind": "meta", "meta_seq": seq}


def meta_seq(searcher) -> int:
    docnum = searcher.document_number(key=META_KEY)
    return int(searcher.stored_fields(docnum)["meta_seq"]) if docnum is not None else 0
