"""Paging is the same on every list and on search: X-Pagination says total, total_pages, page and page_size
(search's body too), and an RFC 8288 Link header leads to the first, previous, next and last pages, keeping
every other parameter: a client that follows rel="next" reads everything once."""
from __future__ import annotations

import json

import pytest
from requests.utils import parse_header_links

from tests.helpers import create, set_status


def links(response) -> dict[str, str]:
    return {link["rel"]: link["url"] for link in parse_header_links(response.headers.get("Link", ""))}


def follow(client, url: str, headers) -> list[str]:
    """Every id, page after page, as a partner's loop reads them (rel="next" until there is none)."""
    seen = []
    while url:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, response.json
        body = response.json
        seen += [hit["id"] for hit in body["hits"]] if isinstance(body, dict) else [r["id"] for r in body]
        url = links(response).get("next")
    return seen


@pytest.mark.parametrize("path", ["/api/v1/practices", "/api/v1/search"])
def test_following_next_reads_every_record_once(app, client, member, db_session, path):
    made = [create(client, member, "practices", title=f"Buddy programme {n}", external_id=f"buddy-{n}").json["id"]
            for n in range(7)]
    for record_id in made:
        set_status(db_session, "practices", record_id, "published")
    query = {"country": "NL", "page_size": 3} if path.endswith("practices") else {"q": "buddy", "page_size": 3}
    app.extensions["atn_search"].indexer.catch_up(wait=5)  # search sees what the log holds
    first = client.get(path, query_string=query, headers=member.headers)
    paging = json.loads(first.headers["X-Pagination"])
    assert {k: paging[k] for k in ("total", "total_pages", "page", "page_size")} == \
        {"total": 7, "total_pages": 3, "page": 1, "page_size": 3}
    if path.endswith("search"):
        assert {k: first.json[k] for k in ("total", "total_pages", "page", "page_size")} == \
            {"total": 7, "total_pages": 3, "page": 1, "page_size": 3}
    relations = links(first)
    assert set(relations) == {"first", "next", "last"}  # no prev on the first page
    assert relations["last"].endswith("page=3") and "page_size=3" in relations["next"]
    assert ("country=NL" if path.endswith("practices") else "q=buddy") in relations["next"]

    middle = client.get(relations["next"], headers=member.headers)
    assert set(links(middle)) == {"first", "prev", "next", "last"}
    assert links(middle)["prev"].endswith("page=1")
    assert "next" not in links(client.get(relations["last"], headers=member.headers))
    assert sorted(follow(client, f"{path}?{'&'.join(f'{k}={v}' for k, v in query.items())}", member.headers)) \
        == sorted(made)


def test_an_empty_list_has_no_links(client, member):
    empty = client.get("/api/v1/practices", query_string={"country": "FI"}, headers=member.headers)
    assert json.loads(empty.headers["X-Pagination"])["total"] == 0 and "Link" not in empty.headers
