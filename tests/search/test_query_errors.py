"""A query that cannot be run answers 400 with the reason as a code and the values its message names
(``query_error``), so that a client says it in its reader's language; ``detail`` and ``errors`` keep the English
sentence. On SQLite and PostgreSQL."""
from __future__ import annotations

import csv
import io
from dataclasses import replace

import pytest

from tests.search.helpers import publish, settle


@pytest.fixture
def indexed(app, client, member, db_session):
    for n in range(3):
        publish(client, member, db_session, external_id=f"p{n}", title=f"Shelter {n}",
                summary="Victims of trafficking find shelter.", translations={})
    publish(client, member, db_session, external_id="crowded", title="Zebra crossings",
            summary=" ".join(f"zebra{n}" for n in range(70)), translations={})
    settle(app)


def problem(client, q, **params) -> dict:
    response = client.get("/api/v1/search", query_string={"q": q, **params})
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    body = response.json
    assert body["errors"]["query"]["q"] == [body["detail"]]  # the English sentence, where it always was
    return body["query_error"]


@pytest.mark.parametrize("q, expected", [
    ("x" * 501, {"reason": "too_long", "max": 500}),
    (" ".join(f"w{n}" for n in range(65)), {"reason": "too_many_terms", "max": 64}),
    ("ab* cd* ef* gh* ij*", {"reason": "too_many_wildcards", "max": 4}),
    ("victims)", {"reason": "parenthesis_not_opened"}),
    ("(victims", {"reason": "parenthesis_not_closed"}),
    ("!!! ???", {"reason": "no_words"}),
    ("v*", {"reason": "wildcard_too_short", "term": "v*", "min": 2}),
    ("zebra*", {"reason": "wildcard_too_broad", "term": "zebra*", "max": 64}),
    ("country:NL*", {"reason": "wildcard_in_filter", "field": "country"}),
    ("victims~3", {"reason": "fuzzy_edits", "term": "victims~3", "max": 2}),
    ("zebra1~2", {"reason": "fuzzy_too_broad", "term": "zebra1~2", "max": 64}),
])
def test_a_refused_query_names_its_reason_and_values(client, indexed, q, expected):
    assert problem(client, q) == expected


def test_a_search_over_time_and_an_export_over_its_rows_name_theirs(app, client, indexed, monkeypatch):
    engine = app.extensions["atn_search"].engine
    monkeypatch.setattr(engine, "limits", replace(engine.limits, timeout_seconds=1e-9))
    assert problem(client, "victims shelter") == {"reason": "timeout", "seconds": 1e-9}
    monkeypatch.undo()
    monkeypatch.setattr(engine, "limits", replace(engine.limits, max_export_rows=2))
    response = client.get("/api/v1/search", query_string={"q": "shelter"}, headers={"Accept": "text/csv"})
    assert response.status_code == 400
    assert response.json["query_error"] == {"reason": "export_too_large", "total": 3, "max": 2}
    monkeypatch.undo()
    exported = client.get("/api/v1/search", query_string={"q": "shelter"}, headers={"Accept": "text/csv"})
    assert len(list(csv.reader(io.StringIO(exported.get_data(as_text=True))))) == 4


def test_a_query_that_runs_carries_no_query_error(client, indexed):
    response = client.get("/api/v1/search", query_string={"q": "shelter"})
    assert response.status_code == 200 and "query_error" not in response.json
