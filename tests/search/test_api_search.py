"""GET /api/v1/search: languages, the glossary, visibility, syntax, facets, suggestions, CSV, and writes
that become searchable — on SQLite and PostgreSQL."""
from __future__ import annotations

import csv
import io
import time

import pytest

from tests.helpers import set_status
from tests.payloads import valid

WAIT = "?refresh=wait_for"


def publish(client, caller, db_session, resource="practices", visibility="public", **fields):
    response = client.post(f"/api/v1/{resource}{WAIT}", json=valid(resource, **fields), headers=caller.headers)
    assert response.status_code == 201, response.json
    assert response.headers["X-Searchable"] == "true"
    set_status(db_session, resource, response.json["id"], "published", visibility)
    return response.json


def search(client, query="", caller=None, **params):
    headers = caller.headers if caller else {}
    response = client.get("/api/v1/search", query_string={"q": query, **params}, headers=headers)
    assert response.status_code == 200, response.json
    return response.json


def settle(app, client):
    """Let the indexer apply what tests changed behind the API's back (set_status writes the DB directly)."""
    search_ = app.extensions["atn_search"]
    search_.indexer.catch_up(wait=5)


@pytest.fixture
def corpus(app, client, member, other_member, make_caller, db_session):
    """Practices in Dutch, French, German and English, published and public."""
    germany = make_caller("member", "DE")
    made = {
        "nl": publish(client, member, db_session, external_id="nl", language="nl", translations={},
                      title="Juridische steun voor slachtoffers van mensenhandel",
                      summary="Vrijwilligers begeleiden slachtoffers tijdens de verblijfsprocedure.", body=""),
        "fr": publish(client, member, db_session, external_id="fr", language="fr", translations={},
                      title="Traite des êtres humains et criminalité forcée des mineurs",
                      summary="Accompagnement des mineurs contraints à commettre des délits.", body=""),
        "de": publish(client, germany, db_session, external_id="de", language="de", translations={},
                      countries=["DE"], title="Menschenhandel und Arbeitsausbeutung in der Fleischindustrie",
                      summary="Aufsuchende Beratung für Beschäftigte in Schlachthöfen.", body=""),
        "en": publish(client, other_member, db_session, external_id="en", language="en", translations={},
                      countries=["GB"], title="Information sessions on human trafficking risks for migrants",
                      summary="Sessions in reception centres explain exploitation risks and workers' rights.",
                      body=""),
    }
    settle(app, client)
    return made


def ids(result) -> set[str]:
    return {hit["external_id"] for hit in result["hits"]}


def test_stemmed_search_in_each_language(client, corpus):
    assert ids(search(client, "slachtoffer", expand="false")) == {"nl"}  # nl stem of slachtoffers
    assert ids(search(client, "mineur", expand="false")) == {"fr"}
    assert ids(search(client, "Schlachthof", expand="false")) == {"de"}
    assert ids(search(client, "session", expand="false")) == {"en"}


def test_glossary_finds_the_concept_in_every_language(client, corpus):
    assert ids(search(client, "mensenhandel")) >= {"nl", "fr", "de", "en"}
    assert ids(search(client, "mensenhandel", expand="false")) == {"nl"}
    assert "de" in ids(search(client, "labour exploitation"))


def test_accents_fold(client, corpus):
    assert ids(search(client, "etres", expand="false")) == {"fr"}
    assert ids(search(client, "criminalite", expand="false")) == {"fr"}


def test_hits_carry_what_a_result_list_shows(client, corpus):
    result = search(client, "Fleischindustrie")
    hit = result["hits"][0]
    assert hit["type"] == "practice" and hit["id"] == corpus["de"]["id"] and hit["external_id"] == "de"
    assert hit["language"] == "de" and hit["countries"] == ["DE"] and hit["society"] == "DE"
    assert "<mark>" in hit["snippet"] or "<b" in hit["snippet"]
    assert hit["url"].endswith(f"/api/v1/practices/{corpus['de']['id']}")
    assert result["total"] == 1 and result["page"] == 1 and result["suggestion"] is None


def test_query_syntax(client, corpus):
    assert ids(search(client, '"human trafficking risks"', expand="false")) == {"en"}
    assert ids(search(client, "mineurs OR Schlachthöfe", expand="false")) == {"fr", "de"}
    assert ids(search(client, "mensenhandel AND country:DE")) == {"de"}
    assert ids(search(client, "mensenhandel NOT country:DE")) >= {"nl", "fr", "en"}
    assert "de" not in ids(search(client, "mensenhandel NOT country:DE"))
    assert ids(search(client, "title:migrants", expand="false")) == {"en"}
    assert ids(search(client, "Fleischindus*")) == {"de"}
    assert ids(search(client, "Flieschindustrie", fuzzy="true")) == {"de"}
    assert ids(search(client, "language:fr")) == {"fr"}


@pytest.mark.parametrize("query,reason", [("(open", "parenthesis"),
                                          ("close)", "parenthesis"), ("*x", "wildcard"),
                                          ("ab* bc* cd* de* ef* fg*", "wildcards"), ("word " * 70, "terms")])
def test_bad_queries_are_400_saying_why(client, query, reason):
    response = client.get("/api/v1/search", query_string={"q": query})
    assert response.status_code == 400
    assert reason in response.json["errors"]["query"]["q"][0]


def test_natural_language_punctuation_is_not_syntax(client, corpus):
    assert ids(search(client, "Who runs information sessions for migrants?", expand="false")) == {"en"}
    assert "en" in ids(search(client, "Note: migrants", expand="false"))
    assert ids(search(client, 'sessions for "migrants', expand="false")) == {"en"}  # an unpaired quote


def test_bad_parameters_are_422_naming_them(client):
    for params, field in (({"type": "book"}, "type"), ({"country": "XX"}, "country"), ({"page_size": 500}, "page_size"),
                          ({"sort": "random"}, "sort"), ({"updated_since": "soon"}, "updated_since")):
        response = client.get("/api/v1/search", query_string=params)
        assert response.status_code == 422 and field in response.json["errors"]["query"]


def test_filters_facets_and_pagination(client, corpus):
    browse = search(client, "")
    assert browse["total"] == 4
    assert browse["facets"]["country"] == {"NL": 2, "DE": 1, "GB": 1}
    assert browse["facets"]["language"] == {"nl": 1, "fr": 1, "de": 1, "en": 1}
    assert browse["facets"]["type"] == {"practice": 4}
    assert set(browse["facets"]["society"]) == {"NL", "DE", "GB"}
    assert "legal-aid" in browse["facets"]["topic"]
    assert ids(search(client, "", country="NL")) == {"nl", "fr"}
    assert ids(search(client, "", society=["DE", "GB"])) == {"de", "en"}
    assert ids(search(client, "", topic="legal-aid")) == {"nl", "fr", "de", "en"}
    assert search(client, "", type="contact")["total"] == 0
    first = search(client, "", page_size=3, sort="title")
    second = search(client, "", page=2, page_size=3, sort="title")
    assert len(first["hits"]) == 3 and len(second["hits"]) == 1
    titles = [h["title"] for h in first["hits"] + second["hits"]]
    assert titles == sorted(titles, key=str.casefold)
    assert search(client, "", updated_since="2999-01-01T00:00:00Z")["total"] == 0


def test_suggestion_for_typos(client, corpus):
    result = search(client, "Fleischindustrei", expand="false")
    assert result["total"] == 0 and result["suggestion"] == "fleischindustrie"


def test_csv_exports_the_whole_result_set(client, corpus):
    response = client.get("/api/v1/search", query_string={"q": "", "page_size": 1}, headers={"Accept": "text/csv"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 4 and {r["external_id"] for r in rows} == {"nl", "fr", "de", "en"}
    assert not response.get_data(as_text=True).startswith("\ufeff")


def test_csv_snippets_are_plain_text_line_breaks_stay_in_their_cell_and_a_bom_on_request(client, member, db_session,
                                                                                         app):
    publish(client, member, db_session, external_id="lines", language="en", translations={},
            title="Night shelter & referral", summary="Rooms for <survivors>.\nReferral to \"safe\" houses.", body="")
    settle(app, client)
    response = client.get("/api/v1/search", query_string={"q": "referral", "bom": "true"},
                          headers={"Accept": "text/csv"})
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")  # Excel reads the file as UTF-8
    [row] = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert row["title"] == "Night shelter & referral"
    assert "<mark>" not in row["snippet"] and "&amp;" not in row["snippet"] and "&lt;" not in row["snippet"]
    assert "Referral" in row["snippet"] and "\n" in row["snippet"]  # the line break, kept inside the quoted cell


def test_own_language_ranks_first_at_equal_relevance(client, member, db_session, app):
    for language, external_id in (("en", "english"), ("nl", "dutch")):
        publish(client, member, db_session, external_id=external_id, language=language, translations={},
                title="Safe house Utrecht", summary="Safe house Utrecht", body="")
    settle(app, client)
    for language, first in (("nl", "dutch"), ("en", "english")):
        hits = search(client, "Utrecht", lang=language, expand="false")["hits"]
        assert hits[0]["external_id"] == first
    response = client.get("/api/v1/search", query_string={"q": "Utrecht", "expand": "false"},
                          headers={"Accept-Language": "nl-NL,nl;q=0.9"})
    assert response.json["hits"][0]["external_id"] == "dutch"


def test_visibility_and_facets_never_reveal_hidden_records(client, member, other_member, make_caller, db_session,
                                                          app):
    draft = client.post(f"/api/v1/practices{WAIT}", json=valid("practices", title="Geheime werkversie mensenhandel",
                                                                 external_id="draft"), headers=member.headers).json
    network = publish(client, member, db_session, visibility="network", external_id="network",
                      title="Netwerkpraktijk mensenhandel")
    public = publish(client, member, db_session, external_id="public", title="Openbare praktijk mensenhandel")
    submitted = client.post(f"/api/v1/practices{WAIT}", json=valid("practices", title="Ingediend mensenhandel",
                                                                     external_id="submitted"),
                            headers=member.headers).json
    set_status(db_session, "practices", submitted["id"], "submitted")
    settle(app, client)
    coordinator = make_caller("coordinator", "GB")
    assert ids(search(client, "mensenhandel")) == {"public"}
    assert search(client, "mensenhandel")["facets"]["country"] == {"NL": 1}
    assert ids(search(client, "mensenhandel", other_member)) == {"public", "network"}
    assert ids(search(client, "mensenhandel", member)) == {"public", "network", "draft", "submitted"}
    assert ids(search(client, "mensenhandel", coordinator)) == {"public", "network", "submitted"}
    assert search(client, "werkversie", other_member)["total"] == 0
    assert draft and network and public


def test_contacts_personal_fields_are_searchable_only_with_contacts_read(client, member, make_caller, db_session,
                                                                        app):
    publish(client, member, db_session, resource="contacts", external_id="c1", visibility="public",
            name="Annemiek Jansen", email="annemiek@rodekruis-nl.example", role="Legal desk coordinator")
    settle(app, client)
    reader = make_caller("member", "GB", scope="read")
    full = make_caller("member", "GB", scope="read contacts:read")
    assert search(client, "Annemiek")["total"] == 0
    assert search(client, "Annemiek", reader)["total"] == 0
    found = search(client, "Annemiek", full)
    assert found["total"] == 1 and found["hits"][0]["title"] == "Annemiek Jansen"
    anonymous = search(client, "legal desk")
    assert anonymous["total"] == 1
    hit = anonymous["hits"][0]
    assert "Annemiek" not in hit["title"] and "annemiek" not in (hit["snippet"] or "").lower()


def test_every_write_is_searchable_within_a_second(client, member, db_session):
    created = client.post("/api/v1/practices", json=valid("practices", title="Zeldzaamwoord opvang"),
                          headers=member.headers).json
    deadline = time.monotonic() + 1.0
    while search(client, "Zeldzaamwoord", member)["total"] != 1:
        assert time.monotonic() < deadline, "not searchable within 1 s"
        time.sleep(0.02)
    etag = client.get(f"/api/v1/practices/{created['id']}", headers=member.headers).headers["ETag"]
    client.patch(f"/api/v1/practices/{created['id']}{WAIT}", json={"title": "Anderwoord opvang"},
                 headers={**member.headers, "If-Match": etag})
    assert search(client, "Zeldzaamwoord", member)["total"] == 0
    assert search(client, "Anderwoord", member)["total"] == 1
    submitted = client.post(f"/api/v1/practices/{created['id']}/submit{WAIT}", headers=member.headers)
    assert submitted.headers["X-Searchable"] == "true"
    coordinator_hits = search(client, "Anderwoord", None)
    assert coordinator_hits["total"] == 0
    client.post(f"/api/v1/practices/{created['id']}/review{WAIT}", json={"decision": "reject", "comment": "No."},
                headers=_coordinator(client, db_session).headers)
    deleted = client.delete(f"/api/v1/practices/{created['id']}{WAIT}", headers=member.headers)
    assert deleted.status_code == 204 and deleted.headers["X-Searchable"] == "true"
    assert search(client, "Anderwoord", member)["total"] == 0


def _coordinator(client, db_session):
    from atn_hub.principal import SYSTEM
    from atn_hub.services import accounts
    from tests.conftest import Caller

    user = accounts.create_user(db_session, SYSTEM, email="coord-x@example.org", name="C", role="coordinator",
                                society_code="GB", password=None)
    _, secret = accounts.create_personal_token(db_session, SYSTEM, user, scope=None)
    db_session.commit()
    return Caller(user, secret)


def test_hits_say_their_status_so_drafts_are_told_from_published_records(client, member, db_session, app):
    draft = client.post(f"/api/v1/practices{WAIT}", json=valid("practices", title="Outreach at car washes draft",
                                                                 external_id="draft-cw"), headers=member.headers).json
    published = publish(client, member, db_session, external_id="published-cw", language="en", translations={},
                        title="Outreach at car washes", summary="Teams visit car washes.", body="")
    settle(app, client)
    mine = {hit["id"]: hit["status"] for hit in search(client, "car washes", member)["hits"]}
    assert mine == {draft["id"]: "draft", published["id"]: "published"}
    anyone = {hit["id"]: hit["status"] for hit in search(client, "car washes")["hits"]}
    assert anyone == {published["id"]: "published"}
