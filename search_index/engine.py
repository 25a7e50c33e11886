"""The narrow interface between ATN Hub and a search engine: documents in, results out.

Nothing here knows Flask, SQLAlchemy or Whoosh. ``atn_hub.indexing.indexer`` turns records into
``Document``s (with ``search_index.documents``) and calls ``apply``; ``atn_hub.services.search`` turns a
request into a ``SearchRequest`` and calls ``search``.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class Document:
    """One searchable version of a record. ``texts`` holds (language, field, text) triples: each text is
    analysed with its own language's analyser; ``personal`` text is searchable only by callers who may read
    it."""

    key: str  # unique: "<type>:<id>"
    type: str
    record_id: str
    external_id: str | None
    society: str
    status: str
    visibility: str
    language: str  # main language, normalised
    languages: list[str]  # every language of the record's text (main, translations)
    countries: list[str]
    topics: list[str]
    updated_at: datetime
    version: int
    title: str  # shown in hits
    texts: list[tuple[str, str, str]]  # (language, "title" | "body", text)
    personal_title: str | None = None  # contacts: the name, shown only to callers who may read it
    personal: str = ""  # contacts: name, email, phone
    # Text of attached files, one entry per page: {"id", "filename", "page", "language", "text"}; searched
    # with the record's body, and a hit in one says which file and page.
    files: list[dict] = field(default_factory=list)
    # The title shown in hits, per language of the record's text (its own first, then its translations').
    titles: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Visibility:
    """What the caller may see, as data: mirrors ``atn_hub.permissions.readable_filter``."""

    everything: bool = False  # administrators
    published: bool = False  # network members: every published record
    own_society: str | None = None  # their society's records in any state
    statuses: tuple[str, ...] = ()  # coordinators: records in these states too
    personal: bool = False  # contacts' personal fields


@dataclass
class SearchRequest:
    q: str = ""
    visibility: Visibility = field(default_factory=Visibility)
    types: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    societies: list[str] = field(default_factory=list)
    updated_since: datetime | None = None
    sort: str = "relevance"  # relevance, newest, title
    page: int = 1
    page_size: int = 20  # 0: every hit (exports)
    fuzzy: bool = False
    expand: bool = True
    caller_language: str | None = None
    # The reader's languages, best first (then the working language): a hit matched in no particular language
    # is shown in the first of them the record has.
    reader_languages: list[str] = field(default_factory=list)
    facets: bool = True
    snippets: bool = True


@dataclass
class Hit:
    key: str
    type: str
    record_id: str
    external_id: str | None
    title: str
    score: float
    snippet: str | None
    snippet_field: str | None
    language: str
    countries: list[str]
    society: str
    updated_at: datetime
    file: dict | None = None  # the snippet came from this file's page: {"id", "filename", "page"}


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]]
    suggestion: str | None = None


class QueryError(ValueError):
    """The query cannot be run: the message says why (shown to the user, in English); ``reason`` names why, and
    ``params`` the values the message names (``max``, ``term``, ``seconds``...), for a client to say it in its
    reader's language."""

    def __init__(self, message: str, reason: str, **params: object):
        super().__init__(message)
        self.reason = reason
        self.params = params


class IndexUnavailable(RuntimeError):
    """The node's index cannot be opened (deleted, damaged): it is a projection, rebuilt from the database."""


class SearchEngine(ABC):
    @abstractmethod
    def apply(self, upserts: list[Document], deletes: list[str], seq: int) -> None:
        """Apply documents and deletions and record ``seq`` as applied, atomically."""

    @abstractmethod
    def applied_seq(self) -> int:
        """The last change-log sequence applied (0 for a new index)."""

    @abstractmethod
    def search(self, request: SearchRequest) -> SearchResult: ...

    @abstractmethod
    def versions(self) -> dict[str, int]:
        """key -> version of every document: for verifying the index against the database."""
