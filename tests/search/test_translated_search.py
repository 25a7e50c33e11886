"""Search across translations: every translated field is indexed in its own language, and a hit shows its
title and snippet in the language its words matched in, else in the reader's; on SQLite and PostgreSQL."""
from __future__ import annotations

from tests.search.helpers import draft, publish, search, settle

DUTCH_PRACTICE = dict(
    external_id="kas", language="nl", title="Opvang in de kwekerij", summary="Slachtoffers werken in de tuinbouw.",
    body="Een Nederlandse tekst over de begeleiding.", results=None, evaluation=None,
    translations={"en": {"title": "Support in the plant nursery", "summary": "Victims work in horticulture.",
                         "body": "Volunteers visit every greenhouse along the coast each week."},
                  "fr": {"title": "Accueil dans la pépinière", "evaluation": "Une évaluation des serristes."}})


def test_an_english_word_only_in_a_dutch_practices_english_body_finds_it_in_english(app, client, member,
                                                                                    db_session):
    record = publish(client, member, db_session, **DUTCH_PRACTICE)
    settle(app)
    hits = search(client, "greenhouses")["hits"]  # the English analyser's stem: greenhouse
    assert [hit["id"] for hit in hits] == [record["id"]]
    [hit] = hits
    assert hit["language"] == "en"
    assert hit["title"] == "Support in the plant nursery"
    assert "greenhouse" in hit["snippet"].lower()
    # A word of its French evaluation: shown in French.
    [french] = search(client, "serristes")["hits"]
    assert (french["language"], french["title"]) == ("fr", "Accueil dans la pépinière")
    # A word of its own text: in Dutch, whatever the reader's language.
    [dutch] = search(client, "tuinbouw", lang="en")["hits"]
    assert (dutch["language"], dutch["title"]) == ("nl", "Opvang in de kwekerij")


def test_a_match_in_no_particular_language_shows_the_readers(app, client, member, db_session):
    record = publish(client, member, db_session, **DUTCH_PRACTICE)
    settle(app)
    browse = client.get("/api/v1/search", query_string={"q": ""},
                        headers={"Accept-Language": "de, en;q=0.8, nl;q=0.5"}).json["hits"]
    [hit] = [h for h in browse if h["id"] == record["id"]]
    assert (hit["language"], hit["title"]) == ("en", "Support in the plant nursery")
    [own] = [h for h in search(client, "", lang="nl")["hits"] if h["id"] == record["id"]]
    assert (own["language"], own["title"]) == ("nl", "Opvang in de kwekerij")
    [plain] = [h for h in search(client, "")["hits"] if h["id"] == record["id"]]
    assert plain["language"] == "nl"


def test_materials_descriptions_and_contacts_roles_are_searchable_in_their_languages(app, client, member,
                                                                                     db_session):
    material = publish(client, member, db_session, "training-materials", languages=["nl"],
                       translations={"en": {"title": "Handbook for hotlines",
                                            "description": "Answering calls from frightened callers."}})
    contact = publish(client, member, db_session, "contacts", languages=["de"], role="Ansprechpartnerin",
                      translations={"en": {"role": "Lighthouse keeper"}})
    settle(app)
    [hit] = search(client, "frightened")["hits"]
    assert (hit["id"], hit["language"], hit["title"]) == (material["id"], "en", "Handbook for hotlines")
    [found] = search(client, "lighthouse", caller=member)["hits"]
    assert found["id"] == contact["id"] and found["language"] == "en"
    # The contact's own role is in German now (its first language), found by the German analyser's stem.
    [german] = search(client, "Ansprechpartnerinnen", type="contact")["hits"]
    assert german["id"] == contact["id"] and german["language"] == "de"


def test_a_drafts_translation_stays_out_of_other_callers_results(app, client, member, other_member):
    draft(client, member, **{**DUTCH_PRACTICE, "external_id": "draft"})
    assert search(client, "greenhouses")["hits"] == []
    assert search(client, "greenhouses", caller=other_member)["hits"] == []
    assert len(search(client, "greenhouses", caller=member)["hits"]) == 1
