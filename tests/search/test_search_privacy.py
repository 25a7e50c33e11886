"""What a search answer may tell beyond its hits: "did you mean" offers only words of the published records the
caller may read (never a draft's, nor the text of a draft's file, nor a draft contact's role, nor contacts'
names without contacts:read); anonymous answers carry no raw scores; a CSV export never hands a spreadsheet a
formula — on SQLite and PostgreSQL."""
from __future__ import annotations

import csv
import io

import pytest

from tests.helpers import set_status
from tests.search.helpers import attach_text, draft, publish, search, settle

WORD, TYPO = "zebrafinch", "zebrafinck"  # a word nothing else holds, and a typo one edit from it


def suggestion(client, caller=None) -> str | None:
    return search(client, TYPO, caller, expand="false")["suggestion"]


@pytest.fixture
def public(app, client, other_member, db_session):
    """A public record of another society: every caller has something to search."""
    publish(client, other_member, db_session, title="Safe house", summary="A safe house in Utrecht.",
            external_id="public", translations={})
    settle(app)


def test_did_you_mean_never_offers_a_word_only_a_draft_holds(app, client, member, other_member, make_caller,
                                                           db_session, public):
    record = draft(client, member, title="Vogelopvang", summary=f"Een {WORD} in de opvang.", translations={})
    callers = {"anonymous": None, "another society's member": other_member,
               "a coordinator": make_caller("coordinator", "GB"), "its own society's member": member}
    assert {who: suggestion(client, caller) for who, caller in callers.items()} == dict.fromkeys(callers)

    set_status(db_session, "practices", record["id"], "published", "network")
    settle(app)
    assert suggestion(client) is None  # the public may not read it yet
    assert suggestion(client, other_member) == WORD

    set_status(db_session, "practices", record["id"], "published", "public")
    settle(app)
    assert suggestion(client) == WORD


def test_did_you_mean_never_offers_a_word_only_a_drafts_file_holds(app, client, member, other_member, db_session,
                                                                   public):
    material = draft(client, member, "training-materials", title="Handout", description="Notes for volunteers.")
    attach_text(app, client, member, material["id"], f"The {WORD} is a small bird.\n")
    assert search(client, WORD, member, expand="false")["total"] == 1  # its own society finds the file's text
    assert suggestion(client) is None and suggestion(client, other_member) is None

    set_status(db_session, "training-materials", material["id"], "published", "public")
    settle(app)
    assert suggestion(client) == WORD


def test_did_you_mean_never_offers_a_word_only_a_draft_contacts_role_holds(app, client, member, other_member,
                                                                         db_session, public):
    contact = draft(client, member, "contacts", role=f"{WORD.title()} liaison", external_id="C-zebra")
    assert suggestion(client) is None and suggestion(client, other_member) is None

    set_status(db_session, "contacts", contact["id"], "published", "public")
    settle(app)
    assert suggestion(client) == WORD


def test_did_you_mean_offers_contacts_names_only_to_callers_who_may_read_them(client, member, make_caller,
                                                                             db_session, app):
    publish(client, member, db_session, "contacts", visibility="public", name=f"{WORD.title()} Jansen",
            email="desk@rodekruis-nl.example", role="Legal desk", external_id="C-name")
    settle(app)
    assert suggestion(client) is None
    assert suggestion(client, make_caller("member", "GB", scope="read")) is None
    assert suggestion(client, make_caller("member", "GB", scope="read contacts:read")) == WORD


def test_anonymous_answers_carry_no_raw_scores(app, client, member, other_member, db_session):
    publish(client, member, db_session, title="Safe house Utrecht", external_id="scored")
    settle(app)
    anonymous = search(client, "Utrecht")["hits"]
    assert len(anonymous) == 1 and anonymous[0]["score"] is None
    assert search(client, "Utrecht", other_member)["hits"][0]["score"] > 0
    exported = client.get("/api/v1/search", query_string={"q": "Utrecht"}, headers={"Accept": "text/csv"})
    assert [row["score"] for row in csv.DictReader(io.StringIO(exported.get_data(as_text=True)))] == [""]


FORMULAS = ["=HYPERLINK(\"https://evil.example\",\"Open\")", "+31 70 123 4567", "-2+3 ways", "@SUM(A1:A9)"]


def test_a_csv_export_never_hands_a_spreadsheet_a_formula(app, client, member, db_session):
    for n, title in enumerate(FORMULAS + ["Plain title"]):
        publish(client, member, db_session, title=title, external_id=f"=cmd|' /C calc'!A{n}")
    settle(app)
    exported = client.get("/api/v1/search", query_string={"q": "", "type": "practice"},
                          headers={"Accept": "text/csv"})
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    assert sorted(row["title"] for row in rows) == sorted([f"'{title}" for title in FORMULAS] + ["Plain title"])
    assert {row["external_id"] for row in rows} == {f"'=cmd|' /C calc'!A{n}" for n in range(5)}
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row.values())
