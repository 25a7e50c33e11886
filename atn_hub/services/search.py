"""Searching the node's index with the caller's visibility (the same rules as the records themselves)."""
from __future__ import annotations

import csv
import html
import io
import re
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from search_index.engine import IndexUnavailable, QueryError, SearchRequest, SearchResult, Visibility

from .. import permissions
from ..errors import DomainError, ServiceUnavailable
from ..models import RECORD_MODELS, RECORD_PATHS
from ..principal import Principal
from . import translations

CSV_COLUMNS = ["type", "id", "external_id", "title", "score", "language", "countries", "society", "updated_at",
               "url", "snippet"]


class BadQuery(DomainError):
    """400: the query cannot be run; ``query_error`` says why as a code and the values the message names."""

    status = 400

    def __init__(self, message: str, reason: str, params: dict[str, object]):
        super().__init__(message, {"query": {"q": [message]}}, extensions={"query_error": {"reason": reason, **params}})


def visibility_for(principal: Principal) -> Visibility:
    """``permissions.readable_filter`` for the index."""
    if principal.has("read") and principal.is_admin:
        return Visibility(everything=True, personal=permissions.can_read_personal_fields(principal))
    if not principal.has("read"):
        return Visibility(personal=permissions.can_read_personal_fields(principal))
    return Visibility(published=True, own_society=principal.society_code,
                      statuses=tuple(sorted(permissions.COORDINATOR_SEES)) if principal.is_coordinator else (),
                      personal=permissions.can_read_personal_fields(principal))


def search(engine, principal: Principal, args: dict[str, Any], caller_language: str | None = None,
           export: bool = False) -> SearchResult:
    request = SearchRequest(
        q=args.get("q") or "", visibility=visibility_for(principal), types=args.get("type") or [],
        countries=args.get("country") or [], languages=args.get("language") or [], topics=args.get("topic") or [],
        societies=args.get("society") or [], updated_since=args.get("updated_since"),
        sort=args.get("sort", "relevance"),
        page=1 if export else args.get("page", 1), page_size=0 if export else args.get("page_size", 20),
        fuzzy=args.get("fuzzy", False), expand=args.get("expand", True),
        caller_language=args.get("lang") or caller_language, facets=not export, snippets=True,
        reader_languages=list(translations.reader_languages()))
    try:
        return engine.search(request)
    except QueryError as exc:
        raise BadQuery(str(exc), exc.reason, exc.params) from None
    except IndexUnavailable:
        raise ServiceUnavailable("Search is unavailable on this node: its index cannot be read. An operator "
                                 "restores it with `atn-hub index rebuild`; try again shortly.",
                                 headers={"Retry-After": "30"}) from None


def shows_scores(principal: Principal) -> bool:
    """Raw relevance scores only for callers who read the network. BM25's term statistics (how many documents
    hold a word, how long they are) count every indexed document, drafts and other societies' records
    included, as Elasticsearch's do under document-level security: a score could tell an anonymous caller,
    over time, that hidden documents hold a word. The order of the hits is all it needs of them."""
    return principal.has("read")


def statuses(session: Session, hits) -> dict[str, str]:
    """The hits' records' statuses, read now (the index keeps them to filter, not to show): a caller who sees
    their society's drafts can tell them from published records."""
    found: dict[str, str] = {}
    for record_type, model in RECORD_MODELS.items():
        ids = [uuid.UUID(hit.record_id) for hit in hits if hit.type == record_type]
        if ids:
            found.update((str(record_id), status) for record_id, status in
                         session.execute(select(model.id, model.status).where(model.id.in_(ids))))
    return found


def as_json(result: SearchResult, args: dict[str, Any], base_url: str, principal: Principal,
            session: Session | None = None) -> dict:
    scores = shows_scores(principal)
    status = statuses(session, result.hits) if session is not None else {}
    page_size = args.get("page_size", 20)
    return {
        "total": result.total, "page": args.get("page", 1), "page_size": page_size,
        "total_pages": (result.total + page_size - 1) // page_size,
        "hits": [{**hit.__dict__, "score": hit.score if scores else None, "status": status.get(hit.record_id),
                  "url": f"{base_url}/api/v1/{RECORD_PATHS[hit.type]}/{hit.record_id}",
                  "file": {**hit.file, "url": f"{base_url}/api/v1/{RECORD_PATHS[hit.type]}/{hit.record_id}/files/"
                                                 f"{hit.file['id']}"} if hit.file else None}
                 for hit in result.hits],
        "facets": {"type": {}, "country": {}, "language": {}, "topic": {}, "society": {}, **result.facets},
        "suggestion": result.suggestion,
    }


def plain_snippet(snippet: str | None) -> str:
    """A hit's snippet as plain text (the JSON's is HTML: escaped, the matches in <mark>)."""
    return html.unescape(re.sub(r"</?mark>", "", snippet or ""))


def as_csv(result: SearchResult, base_url: str, principal: Principal, bom: bool = False) -> str:
    """The whole result set, one row per hit (RFC 4180: CRLF rows, cells with commas, quotes or line breaks
    quoted); ``bom``: a UTF-8 byte order mark first, which spreadsheet programs (Excel) need to read UTF-8."""
    scores = shows_scores(principal)
    out = io.StringIO()
    if bom:
        out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for hit in result.hits:
        writer.writerow([csv_cell(value) for value in (
            hit.type, hit.record_id, hit.external_id or "", hit.title, hit.score if scores else "", hit.language,
            " ".join(hit.countries), hit.society, hit.updated_at.isoformat(),
            f"{base_url}/api/v1/{RECORD_PATHS[hit.type]}/{hit.record_id}", plain_snippet(hit.snippet))])
    return out.getvalue()


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """A cell a spreadsheet shows as text, never runs: one starting like a formula (``=``, ``+``, ``-``, ``@``,
    tab, carriage return) gets a leading single quote, as OWASP's "CSV Injection" page recommends. Records'
    titles and texts are written by the societies' users, and an export is opened by others."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
