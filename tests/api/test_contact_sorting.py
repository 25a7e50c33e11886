"""Contacts' names are hidden from callers without ``contacts:read``, so they never order what those callers
see either: a list sorted by a hidden name would spell it out (probe contacts sorted around it, letter by
letter). For them, ``sort=title`` sorts by role, ties by id; on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest

from tests.helpers import create, set_status, url

# name, role: the names' order (Anna, Mia, Zoë) is not the roles' order (none, A, B).
CONTACTS = [("Zoë Visser", "A desk"), ("Anna Jansen", "B desk"), ("Mia de Vries", None)]


@pytest.fixture
def contacts(client, member, db_session):
    """Three public, published contacts of NL, by name."""
    made = {}
    for name, role in CONTACTS:
        record = create(client, member, "contacts", name=name, role=role, external_id=name).json
        set_status(db_session, "contacts", record["id"], "published", "public")
        made[name] = record["id"]
    return made


def listed(client, caller=None, sort="title") -> list[str]:
    response = client.get(f"/api/v1/contacts?sort={sort}", headers=caller.headers if caller else {})
    assert response.status_code == 200, response.json
    return [contact["external_id"] for contact in response.json]


def test_callers_with_contacts_read_get_contacts_sorted_by_name(client, member, contacts):
    assert listed(client, member) == ["Anna Jansen", "Mia de Vries", "Zoë Visser"]
    assert listed(client, member, "-title") == ["Zoë Visser", "Mia de Vries", "Anna Jansen"]


def test_anonymous_callers_get_contacts_sorted_by_role_not_by_hidden_name(client, contacts):
    assert listed(client) == ["Mia de Vries", "Zoë Visser", "Anna Jansen"]  # no role first, then A, B
    assert listed(client, sort="-title") == ["Anna Jansen", "Zoë Visser", "Mia de Vries"]


def test_a_token_without_contacts_read_gets_contacts_sorted_by_role(client, make_caller, contacts):
    reader = make_caller("member", "GB", scope="read write")
    assert listed(client, reader) == ["Mia de Vries", "Zoë Visser", "Anna Jansen"]


def test_renaming_a_contact_never_moves_it_for_a_caller_who_cannot_read_names(client, member, make_caller,
                                                                               db_session):
    """The probe attack: a society's own draft contacts named around a hidden one; only names change."""
    reader = make_caller("member", "NL", scope="read write")
    ids = [create(client, member, "contacts", name=f"Probe {i}", role="Same role", external_id=f"probe-{i}")
           .json["id"] for i in range(4)]
    before = [c["id"] for c in client.get("/api/v1/contacts?sort=title", headers=reader.headers).json]
    assert before == sorted(ids)  # one role: ties by id
    for i, record_id in enumerate(ids):  # reverse the names' order
        etag = client.get(url("contacts", record_id), headers=member.headers).headers["ETag"]
        assert client.patch(url("contacts", record_id), json={"name": f"{'ZYXW'[i]} renamed"},
                            headers={**member.headers, "If-Match": etag}).status_code == 200
    after = [c["id"] for c in client.get("/api/v1/contacts?sort=title", headers=reader.headers).json]
    assert after == before
    descending = [c["id"] for c in client.get("/api/v1/contacts?sort=-title", headers=reader.headers).json]
    assert descending == sorted(ids, reverse=True)


def test_search_sorted_by_title_orders_contacts_by_what_everyone_sees(app, client, make_caller, contacts):
    """The search endpoint's ``sort=title`` sorts contacts by their visible title (role and society), never by
    the hidden name: the same order for anonymous callers and tokens without contacts:read."""
    app.extensions["atn_search"].indexer.catch_up(wait=5)  # set_status wrote behind the API's back
    reader = make_caller("member", "GB", scope="read write")
    for caller in (None, reader):
        response = client.get("/api/v1/search", query_string={"type": "contact", "sort": "title"},
                              headers=caller.headers if caller else {})
        assert response.status_code == 200, response.json
        assert [hit["id"] for hit in response.json["hits"]] == [contacts[name] for name in
                                                                 ("Zoë Visser", "Anna Jansen", "Mia de Vries")]
