"""A partner society's integration, written as its developer would against a client generated from the hub's
openapi.yaml by openapi-python-client: readable function names, typed models, no hand-set headers or URLs.
tests/test_generated_client.py type-checks this file (mypy) against the generated package, then runs it
against a live hub."""
from __future__ import annotations

from typing import Any

from atn_hub_client import AuthenticatedClient
from atn_hub_client.api.changes import list_changes
from atn_hub_client.api.practices import (
    create_practice,
    get_practice,
    submit_practice,
    update_practice,
    upsert_practice,
)
from atn_hub_client.api.search import search
from atn_hub_client.models import ChangesPage, Practice, PracticeCreate, PracticeReplace, PracticeUpdate, SearchResult
from atn_hub_client.types import UNSET, Unset


def search_everything(api: AuthenticatedClient, query: str, page_size: int) -> list[str]:
    """Every hit's id, page after page."""
    ids: list[str] = []
    page = 1
    while True:
        result = search.sync(client=api, q=query, page=page, page_size=page_size)
        assert isinstance(result, SearchResult)
        ids += [hit.id for hit in result.hits or [] if isinstance(hit.id, str)]
        total_pages = result.total_pages if isinstance(result.total_pages, int) else 0
        if page >= total_pages:
            return ids
        page += 1


def publish_a_practice(api: AuthenticatedClient, record: dict[str, Any], new_title: str) -> Practice:
    """Create a draft (sent twice with one Idempotency-Key, as after a lost answer: one record), correct its
    title with the ETag of the copy just read, submit it for review."""
    body = PracticeCreate.from_dict(record)
    created = create_practice.sync(client=api, body=body, idempotency_key="partner-run-1-create")
    again = create_practice.sync(client=api, body=body, idempotency_key="partner-run-1-create")
    assert isinstance(created, Practice) and isinstance(again, Practice) and again.id == created.id
    assert not isinstance(created.id, Unset)
    read = get_practice.sync_detailed(created.id, client=api)
    etag = read.headers["ETag"]
    updated = update_practice.sync(created.id, client=api, body=PracticeUpdate(title=new_title), if_match=etag)
    assert isinstance(updated, Practice) and updated.title == new_title
    submitted = submit_practice.sync(created.id, client=api)
    assert isinstance(submitted, Practice)
    return submitted


def sync_by_external_id(api: AuthenticatedClient, records: list[dict[str, Any]]) -> dict[str, Practice]:
    """Push the partner's own records by their own identifiers: each created the first time, replaced after
    with the ETag of the copy the hub last answered (none kept: created)."""
    etags: dict[str, str] = {}
    pushed: dict[str, Practice] = {}
    for _ in range(2):  # two runs of the partner's sync: creates, then replaces
        for record in records:
            external_id = record["external_id"]
            answer = upsert_practice.sync_detailed(external_id, client=api, body=PracticeReplace.from_dict(record),
                                                   if_match=etags.get(external_id, UNSET))
            assert isinstance(answer.parsed, Practice), answer.content
            etags[external_id] = answer.headers["ETag"]
            pushed[external_id] = answer.parsed
    return pushed


def follow_the_feed(api: AuthenticatedClient, since: str = "0") -> tuple[dict[tuple[str, str], dict[str, Any]], str]:
    """A local copy of every record the caller may see, kept by the changes feed; and the cursor to go on."""
    copy: dict[tuple[str, str], dict[str, Any]] = {}
    cursor = since
    while True:
        page = list_changes.sync(client=api, since=cursor, limit=2)
        assert isinstance(page, ChangesPage)
        for change in page.changes or []:
            key = (str(change.type_.value if not isinstance(change.type_, Unset) else ""), str(change.record_id))
            if change.record is None or isinstance(change.record, Unset):
                copy.pop(key, None)
            else:
                copy[key] = change.record.to_dict()
        if isinstance(page.next_cursor, str):
            cursor = page.next_cursor
        if not page.has_more:
            return copy, cursor


def journey(base_url: str, token: str, record: dict[str, Any], own: list[dict[str, Any]]) -> dict[str, Any]:
    api = AuthenticatedClient(base_url=base_url, token=token, raise_on_unexpected_status=True)
    found = search_everything(api, "residence procedure", page_size=1)
    submitted = publish_a_practice(api, record, "Legal-practical support, evenings included")
    pushed = sync_by_external_id(api, own)
    copy, cursor = follow_the_feed(api)
    return {"found": found, "submitted": submitted.to_dict(), "copy": copy, "cursor": cursor,
            "pushed": {external_id: practice.to_dict() for external_id, practice in pushed.items()}}
