"""What search tests do again and again: publish a record and wait until it is searchable, search as a caller,
let the indexer catch up with changes made behind the API's back; make documents for the engine itself."""
from __future__ import annotations

import io
from datetime import UTC, datetime

from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from search_index.engine import Document
from tests.helpers import set_status
from tests.payloads import valid

WAIT = "?refresh=wait_for"


def draft(client, caller, resource="practices", **fields) -> dict:
    """A draft of the caller's society, searchable on return."""
    response = client.post(f"/api/v1/{resource}{WAIT}", json=valid(resource, **fields), headers=caller.headers)
    assert response.status_code == 201, response.json
    assert response.headers["X-Searchable"] == "true"
    return response.json


def publish(client, caller, db_session, resource="practices", visibility="public", **fields) -> dict:
    record = draft(client, caller, resource, **fields)
    set_status(db_session, resource, record["id"], "published", visibility)
    return record


def search(client, query="", caller=None, **params) -> dict:
    headers = caller.headers if caller else {}
    response = client.get("/api/v1/search", query_string={"q": query, **params}, headers=headers)
    assert response.status_code == 200, response.json
    return response.json


def refused(client, query="", caller=None, **params) -> str:
    """The reason a search answers 400 with (the message naming the limit or the syntax)."""
    headers = caller.headers if caller else {}
    response = client.get("/api/v1/search", query_string={"q": query, **params}, headers=headers)
    assert response.status_code == 400, response.json
    return response.json["errors"]["query"]["q"][0]


def settle(app) -> None:
    """Let the indexer apply what tests changed behind the API's back (set_status writes the DB directly)."""
    app.extensions["atn_search"].indexer.catch_up(wait=5)


def attach_text(app, client, caller, material_id: str, text: str, name: str = "notes.txt") -> dict:
    """A text file attached to a training material, its text extracted and indexed."""
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(text.encode()), filename=name)})
    response = client.post(f"/api/v1/training-materials/{material_id}/files", data=body, headers=caller.headers,
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 201, response.json
    assert app.extensions["atn_files"].extract_pending() == 1
    indexer = app.extensions["atn_search"].indexer
    assert indexer.wait_for(indexer.last_logged_seq())
    return response.json


def passage_document(n: int) -> Document:
    """A published English practice's document, numbered ``n``: a sentence and 150 words of 5,000 numbered ones."""
    text = f"Record {n}: victims of trafficking get legal aid and a reflection period; " + " ".join(
        f"word{(n * 7 + i) % 5000}" for i in range(150))
    return Document(key=f"practice:{n}", type="practice", record_id=str(n), external_id=None, society="NL",
                    status="published", visibility="public", language="en", languages=["en"], countries=["NL"],
                    topics=[], updated_at=datetime(2026, 1, 1, tzinfo=UTC), version=1, title=f"Record {n}",
                    texts=[("en", "title", f"Record {n}"), ("en", "body", text)])
