"""Translations of records: what they hold, who changed them, how they travel (revisions, review, the changes
feed, webhooks, export and import), and the reader's language; on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest

from tests.helpers import create, edit, publish, url
from tests.payloads import RESOURCES, valid

# A translation of each type, and its own language(s) for a record that is not in Dutch.
DUTCH = {"practices": {"title": "Juridische steun", "summary": "Steun tijdens de procedure.",
                       "body": "Vrijwilligers begeleiden slachtoffers.", "results": "120 mensen geholpen.",
                       "evaluation": "Extern geëvalueerd."},
         "contacts": {"role": "Aanspreekpunt mensenhandel"},
         "training-materials": {"title": "Handleiding", "description": "Voor vrijwilligers."}}
FRENCH_OWN = {"practices": {"language": "fr"}, "contacts": {"languages": ["fr"]},
              "training-materials": {"languages": ["fr"]}}
TEXT = {"practices": "title", "contacts": "role", "training-materials": "title"}


def french(resource, **translations):
    """A record in French with the given translations."""
    return {**FRENCH_OWN[resource], "translations": translations}


# --- what a translation holds, and who changed it ---------------------------------------------------------
@pytest.mark.parametrize("resource", RESOURCES)
def test_a_translation_holds_the_types_fields_its_origin_and_who_changed_it(client, member, resource):
    created = create(client, member, resource, **french(resource, NL=DUTCH[resource])).json
    dutch = created["translations"]["nl"]  # the key is normalised
    assert {k: dutch[k] for k in DUTCH[resource]} == DUTCH[resource]
    assert dutch["origin"] == "author"
    assert dutch["updated_by"] == {"id": str(member.user.id), "name": member.user.name}
    assert dutch["updated_at"]


@pytest.mark.parametrize("resource", RESOURCES)
def test_bad_translations_are_refused_naming_the_field(client, member, resource):
    def refused(translations, **own):
        body = valid(resource, **{**FRENCH_OWN[resource], **own, "translations": translations})
        response = client.post(url(resource), json=body, headers=member.headers)
        assert response.status_code == 422, response.json
        return response.json["errors"]["json"]["translations"]

    required = TEXT[resource]
    assert required in refused({"nl": {}})["nl"]
    assert "origin" in refused({"nl": {**DUTCH[resource], "origin": "guessed"}})["nl"]
    assert "not an ISO 639-1" in refused({"xx": DUTCH[resource]})["xx"][0]
    assert refused({"nl": DUTCH[resource], "NL": DUTCH[resource]})
    codes = ["de", "en", "es", "it", "pt", "pl", "ro", "el", "bg", "hr", "cs", "da", "sv", "fi", "uk", "nl", "hu",
             "sk", "sl", "lt", "lv", "et", "ga", "mt", "sq", "sr", "bs", "mk", "tr", "ru", "ar"]
    assert "At most 30" in refused({code: DUTCH[resource] for code in codes})[0]
    # Never into the record's own language.
    assert refused({"fr": DUTCH[resource]})["fr"]


@pytest.mark.parametrize("resource", RESOURCES)
def test_an_edit_stamps_changed_translations_and_keeps_the_others(client, member, make_caller, resource):
    colleague = make_caller("member", "NL")
    german = {"practices": {"title": "Rechtshilfe"}, "contacts": {"role": "Ansprechpartner"},
              "training-materials": {"title": "Leitfaden"}}[resource]
    created = create(client, member, resource, **french(resource, nl=DUTCH[resource], de=german)).json
    shown = client.get(url(resource, created["id"]), headers=colleague.headers).json["translations"]
    # The colleague sends back what they read (bookkeeping too, which the server ignores), changing German.
    changed = {**shown, "de": {**shown["de"], TEXT[resource]: "Neu", "origin": "machine",
                               "updated_by": {"id": str(colleague.user.id), "name": "forged"}}}
    patched = edit(client, colleague, resource, created["id"], {"translations": changed})
    assert patched.status_code == 200, patched.json
    after = patched.json["translations"]
    assert after["nl"] == created["translations"]["nl"]
    assert after["de"]["updated_by"] == {"id": str(colleague.user.id), "name": colleague.user.name}
    assert after["de"]["origin"] == "machine" and after["de"][TEXT[resource]] == "Neu"
    assert after["de"]["updated_at"] > created["translations"]["de"]["updated_at"]
    # A PATCH that sends translations replaces them all.
    dropped = edit(client, colleague, resource, created["id"], {"translations": {"de": after["de"]}})
    assert set(dropped.json["translations"]) == {"de"}
    assert dropped.json["translations"]["de"]["updated_at"] == after["de"]["updated_at"]


def test_an_edit_of_the_own_language_into_a_translations_language_is_refused(client, member):
    created = create(client, member, "practices", language="fr", translations={"nl": DUTCH["practices"]}).json
    response = edit(client, member, "practices", created["id"], {"language": "nl"})
    assert response.status_code == 422
    assert "nl" in response.json["errors"]["json"]["translations"]


def test_anonymous_readers_do_not_learn_who_translated(client, member, coordinator):
    record = publish(client, member, coordinator, "training-materials",
                     **french("training-materials", nl=DUTCH["training-materials"]))
    public = client.get(url("training-materials", record["id"])).json["translations"]["nl"]
    assert public["updated_by"] is None and public["updated_at"]
    assert client.get(url("training-materials", record["id"]),
                      headers=member.headers).json["translations"]["nl"]["updated_by"]["id"] == str(member.user.id)
