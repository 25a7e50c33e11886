"""Ranking across languages, on the demo data (issue 16): a record holding the words the reader typed ranks above
one found only through the glossary's translations of them; an everyday word (Italian ``tratta``) finds the
concept in every language, and marks only that word, not the words sharing its stem (``trattano``)."""
from __future__ import annotations

import json
import re

import pytest

from atn_hub.cli.data import DEMO_DIR
from atn_hub.principal import SYSTEM
from atn_hub.services import accounts
from atn_hub.services.transfer import TYPES
from search_index.glossary import default_glossary
from tests.search.helpers import search, settle

MARK = re.compile(r"<mark>(.*?)</mark>", re.S)


def demo_texts() -> dict[str, str]:
    """external_id -> every text of the demo record (its fields and translations), lower-cased."""
    texts = {}
    for _, (_, _, _, filename) in TYPES.items():
        for line in (DEMO_DIR / filename).read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                if record.get("external_id"):
                    texts[record["external_id"]] = _strings(record).lower()
    return texts


def _strings(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return "\n".join(_strings(v) for k, v in value.items() if k not in ("id", "external_id", "society"))
    if isinstance(value, list):
        return "\n".join(_strings(v) for v in value)
    return ""


def holds(text: str, word: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(word.lower())}(?!\w)", text) is not None


@pytest.fixture
def dutch_member(app, db_session):
    """A member of the Netherlands Red Cross, on the demo data (loaded and indexed)."""
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    settle(app)
    user = accounts.create_user(db_session, SYSTEM, email="lid@rodekruis.example", name="Lid", role="member",
                                society_code="NL", password=None)
    _, secret = accounts.create_personal_token(db_session, SYSTEM, user, scope="read")
    db_session.commit()

    class Caller:
        headers = {"Authorization": f"Bearer {secret}"}

    return Caller()


def hits_of(client, caller, q: str) -> list[dict]:
    return search(client, q, caller, page_size=100)["hits"]


def test_a_record_holding_the_typed_word_ranks_above_those_found_through_translations(client, dutch_member):
    texts = demo_texts()
    hits = hits_of(client, dutch_member, "mensenhandel")
    holding = [holds(texts[hit["external_id"]], "mensenhandel") for hit in hits]
    assert any(holding) and not all(holding)  # the translations find records in other languages too

    # First a record that holds the word (in its own text or a Dutch translation), shown in Dutch.
    first = hits[0]
    assert holding[0] and first["language"] == "nl", [(h["language"], h["title"]) for h in hits[:6]]
    # Every record holding the word ranks above every record found only through a translation of it.
    assert holding == sorted(holding, reverse=True), [(h["language"], h["title"][:50]) for h in hits[:12]]


def test_the_everyday_italian_word_finds_trafficking_in_other_languages(client, dutch_member):
    texts = demo_texts()
    hits = hits_of(client, dutch_member, "tratta")
    languages = {hit["language"] for hit in hits}
    assert "it" in languages
    assert languages - {"it"}, languages  # not only Italian records
    found = {hit["external_id"] for hit in hits}
    dutch = {key for key, text in texts.items() if holds(text, "mensenhandel")}
    assert found & dutch  # a Dutch record on mensenhandel is found through the glossary
    # The records holding the word itself come first.
    holding = [holds(texts[hit["external_id"]], "tratta") for hit in hits]
    assert holding == sorted(holding, reverse=True), [(h["language"], h["title"][:50]) for h in hits[:10]]


def test_the_everyday_word_marks_itself_not_the_words_sharing_its_stem(client, dutch_member):
    hits = hits_of(client, dutch_member, "tratta")
    marked = {word.lower() for hit in hits for word in MARK.findall(hit["snippet"] or "")}
    assert "tratta" in marked
    assert {word for word in marked if word.startswith("tratt")} <= {"tratta", "tratte"}, marked  # not trattano


def test_everyday_words_name_their_concept_only_as_typed():
    glossary = default_glossary()
    assert [c.id for c in glossary.match("tratta")] == ["human-trafficking"]
    assert [c.id for c in glossary.match("Traite")] == ["human-trafficking"]
    assert glossary.match("trattano") == [] and glossary.match("trattamento") == []
    assert glossary.everyday_languages("tratta") == {"it"} and glossary.everyday_languages("trattano") == set()


def test_a_hit_holding_the_typed_word_shows_it_not_a_translation(client, dutch_member):
    """An Italian practice with an English translation, found by the Italian word: its hit shows the Italian
    text with the word marked, not the English translation's "trafficking" that the glossary also matched."""
    own_texts = {}
    for line in (DEMO_DIR / "practices.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record["language"] == "it" and record.get("translations"):
            own_texts[record["external_id"]] = " ".join(
                record[f] or "" for f in ("title", "summary", "body", "results", "evaluation")).lower()
    assert own_texts  # the demo has Italian practices translated into other languages
    hits = [hit for hit in hits_of(client, dutch_member, "tratta")
            if hit["external_id"] in own_texts and holds(own_texts[hit["external_id"]], "tratta")]
    assert hits
    for hit in hits:
        assert hit["language"] == "it", (hit["title"], hit["snippet"])
        assert "tratta" in {word.lower() for word in MARK.findall(hit["snippet"] or "")}, hit["snippet"]
