"""Translations of records: what they hold, who changed them, how they travel (revisions, review, the changes
feed, webhooks, export and import), and the reader's language; on SQLite and PostgreSQL."""
from __future__ import annotations

import json

import pytest

from atn_hub.principal import SYSTEM
from atn_hub.services import transfer
from tests.api.test_webhooks import register, work_until
from tests.helpers import create, edit, post, publish, url
from tests.payloads import RESOURCES, valid

# A translation of each type, and its own language(s) for a record that is not in Dutch.
DUTCH = {"practices": {"title": "Juridische steun", "summary": "Steun tijdens de procedure.",
                       "body": "Vrijwilligers begeleiden slachtoffers.", "results": "120 mensen geholpen.",
                       "evaluation": "Extern geëvalueerd."},
         "contacts": {"role": "Aanspreekpunt mensenhandel"},
         "training-materials": {"title": "Handleiding", "description": "Voor vrijwilligers."},
         "projects": {"title": "Veilige overgang", "summary": "Signalen herkennen.", "description": "Met het COA."}}
FRENCH_OWN = {"practices": {"language": "fr"}, "contacts": {"languages": ["fr"]},
              "training-materials": {"languages": ["fr"]}, "projects": {"language": "fr"}}
TEXT = {"practices": "title", "contacts": "role", "training-materials": "title", "projects": "title"}


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
              "training-materials": {"title": "Leitfaden"}, "projects": {"title": "Sicherer Übergang"}}[resource]
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


# --- translations travel as the record's own fields --------------------------------------------------------
@pytest.mark.parametrize("resource", RESOURCES)
def test_translations_of_a_published_record_go_through_a_revision_and_review(client, member, other_member,
                                                                             coordinator, resource):
    record = publish(client, member, coordinator, resource, **french(resource, nl=DUTCH[resource]))
    before = record["translations"]
    english = {"practices": {"title": "Legal support"}, "contacts": {"role": "Focal point"},
               "training-materials": {"title": "Handbook"}, "projects": {"title": "Safe transition"}}[resource]
    revised = edit(client, member, resource, record["id"], {"translations": {**before, "en": english}})
    assert revised.status_code == 200, revised.json
    assert [c["field"] for c in revised.json["pending_revision"]["changes"]] == ["translations"]
    change = revised.json["pending_revision"]["changes"][0]
    assert set(change["from"]) == {"nl"} and set(change["to"]) == {"nl", "en"}
    assert change["to"]["nl"] == before["nl"]  # unchanged: its stamps too, so the diff shows only the new one
    # The network keeps reading the published translations until a coordinator approves.
    assert set(client.get(url(resource, record["id"]), headers=other_member.headers).json["translations"]) == {"nl"}
    history = client.get(url(resource, record["id"]) + "/revisions", headers=member.headers).json
    assert history[-1]["pending"] and history[-1]["changed"] == ["translations"]
    diff = client.get(url(resource, record["id"]) + f"/revisions/diff?from={history[-2]['number']}"
                      f"&to={history[-1]['number']}", headers=member.headers).json
    assert [c["field"] for c in diff["changes"]] == ["translations"]

    assert post(client, member, resource, record["id"], "submit").status_code == 200
    assert post(client, coordinator, resource, record["id"], "review", {"decision": "approve"}).status_code == 200
    shown = client.get(url(resource, record["id"]), headers=other_member.headers).json["translations"]
    assert shown["en"][TEXT[resource]] == english[TEXT[resource]] and shown["nl"] == before["nl"]

    feed = client.get("/api/v1/changes?limit=1000", headers=other_member.headers).json["changes"]
    last = [c for c in feed if c["record_id"] == record["id"]][-1]
    assert last["action"] == "updated"
    assert last["record"]["translations"]["en"][TEXT[resource]] == english[TEXT[resource]]
    anonymous = client.get("/api/v1/changes?limit=1000").json["changes"]
    for change in anonymous:  # who translated is for signed-in callers only, in the feed too
        for translation in (change["record"] or {}).get("translations", {}).values():
            assert translation["updated_by"] is None


def test_a_translation_change_reaches_webhooks(app, client, member, other_member, coordinator, settings,
                                               receiver):
    hook = register(client, other_member, receiver.url, events=["practice.updated"])
    assert hook["events"] == ["practice.updated"]
    receiver.start()
    record = publish(client, member, coordinator, "practices", **french("practices", nl=DUTCH["practices"]))
    changed = {**record["translations"], "en": {"title": "Legal support", "summary": "Support in the procedure."}}
    assert edit(client, member, "practices", record["id"], {"translations": changed}).status_code == 200
    post(client, member, "practices", record["id"], "submit")
    post(client, coordinator, "practices", record["id"], "review", {"decision": "approve"})
    work_until(app, settings, lambda: len(receiver.received) >= 1)
    body = json.loads(receiver.received[-1][1])
    assert body["event"] == "practice.updated"
    translations = body["change"]["record"]["translations"]
    assert translations["en"]["title"] == "Legal support"
    assert translations["en"]["updated_by"]["id"] == str(member.user.id)
    assert body["change"]["record"]["display"]["language"] == "en"  # the working language: it has English now


def test_export_and_import_carry_translations_with_who_changed_them(client, member, db_session):
    created = create(client, member, "practices", **french("practices", nl=DUTCH["practices"])).json
    line = next(line for line in transfer.export_records(db_session, "practice")
                if json.loads(line)["id"] == created["id"])
    exported = json.loads(line)["translations"]
    assert exported == created["translations"]
    db_session.rollback()
    # An import keeps what its export said of each translation; one it says nothing of is unknown (null).
    data = json.loads(line)
    data["translations"]["de"] = {"title": "Rechtshilfe"}
    data["translations"]["nl"]["title"] = "Juridische bijstand"
    report = transfer.import_lines(db_session, SYSTEM, "practice", [json.dumps(data)])
    assert report.as_dict()["updated"] == 1, report.as_dict()
    shown = client.get(url("practices", created["id"]), headers=member.headers).json["translations"]
    assert shown["nl"]["title"] == "Juridische bijstand"
    assert shown["nl"]["updated_by"] == exported["nl"]["updated_by"]
    assert shown["nl"]["updated_at"] == exported["nl"]["updated_at"]
    assert shown["de"] == {"title": "Rechtshilfe", "summary": None, "body": None, "results": None,
                           "evaluation": None, "origin": "author", "updated_by": None, "updated_at": None}
    # A line translating into the record's own language is refused, naming the field.
    data["translations"]["fr"] = {"title": "Soutien"}
    refused = transfer.import_lines(db_session, SYSTEM, "practice", [json.dumps(data)]).as_dict()
    assert refused["rejected"] == 1 and "translations" in refused["errors"][0]["reason"]


# --- the reader's language ---------------------------------------------------------------------------------
ENGLISH = {"title": "Legal support for victims", "summary": "Volunteers support victims in the procedure.",
           "origin": "machine"}


@pytest.fixture
def french_practice(client, member, coordinator):
    return publish(client, member, coordinator, "practices", language="fr", title="Soutien juridique",
                   summary="Des bénévoles accompagnent les victimes.", body="Le corps du texte.", visibility="public",
                   translations={"nl": DUTCH["practices"], "en": ENGLISH})


def shown(client, record_id, resource="practices", headers=None, query=""):
    response = client.get(url(resource, record_id) + query, headers=headers or {})
    assert response.status_code == 200, response.json
    return response


def test_the_readers_language_chooses_the_display(client, french_practice):
    dutch = shown(client, french_practice["id"], query="?lang=nl")
    assert dutch.json["display"] == {"language": "nl", "translated": True, "origin": "author",
                                     **DUTCH["practices"]}
    assert dutch.headers["Content-Language"] == "nl"
    assert "Accept-Language" in dutch.headers["Vary"]
    assert dutch.json["title"] == "Soutien juridique"  # the record's own fields stay as they are

    # Accept-Language: by quality, not by order; regional tags are their language.
    ranked = shown(client, french_practice["id"], headers={"Accept-Language": "de, en-GB;q=0.7, nl-BE;q=0.9"})
    assert ranked.json["display"]["language"] == "nl" and ranked.headers["Content-Language"] == "nl"
    # English has no body: field by field, the record's own text fills in.
    english = shown(client, french_practice["id"], headers={"Accept-Language": "en"}).json["display"]
    assert english["title"] == ENGLISH["title"] and english["origin"] == "machine"
    assert english["body"] == "Le corps du texte." and english["translated"] is True
    # None of the reader's languages: the working language (English); the own one when that is missing too.
    assert shown(client, french_practice["id"], headers={"Accept-Language": "de"}).json["display"]["language"] == "en"
    own = shown(client, french_practice["id"], query="?lang=fr").json["display"]
    assert own == {"language": "fr", "translated": False, "origin": None, "title": "Soutien juridique",
                   "summary": "Des bénévoles accompagnent les victimes.", "body": "Le corps du texte.",
                   "results": french_practice["results"], "evaluation": french_practice["evaluation"]}
    # ?lang wins over Accept-Language.
    assert shown(client, french_practice["id"], query="?lang=nl",
                 headers={"Accept-Language": "en"}).json["display"]["language"] == "nl"


def test_each_language_is_its_own_variant_and_any_of_them_may_write(client, member, french_practice):
    """A cache never answers a Dutch request with the English copy (each language's response has its own
    ETag), and a write takes the ETag of whichever language the client read the record in."""
    record_id = french_practice["id"]
    english = shown(client, record_id, query="?lang=en")
    dutch = client.get(url("practices", record_id) + "?lang=nl", headers={"If-None-Match": english.headers["ETag"]})
    assert dutch.status_code == 200 and dutch.json["display"]["language"] == "nl"
    assert dutch.headers["ETag"] != english.headers["ETag"]
    assert client.get(url("practices", record_id) + "?lang=nl",
                      headers={"If-None-Match": dutch.headers["ETag"]}).status_code == 304

    read_in_dutch = shown(client, record_id, headers={**member.headers, "Accept-Language": "nl"})
    edited = client.patch(url("practices", record_id), json={"summary": "Nieuwe samenvatting."},
                          headers={**member.headers, "If-Match": read_in_dutch.headers["ETag"],
                                   "Accept-Language": "en"})
    assert edited.status_code == 200, edited.json
    stale = client.patch(url("practices", record_id), json={"summary": "Nog een."},
                         headers={**member.headers, "If-Match": read_in_dutch.headers["ETag"]})
    assert stale.status_code == 412  # the edit above made every language's copy stale


def test_lists_show_each_record_in_the_readers_language(client, member, french_practice):
    create(client, member, "practices", external_id="nl-only", translations={})
    listed = client.get("/api/v1/practices?lang=en", headers=member.headers).json
    by_id = {record["id"]: record["display"] for record in listed}
    assert by_id[french_practice["id"]]["title"] == ENGLISH["title"]
    dutch_only = next(d for i, d in by_id.items() if i != french_practice["id"])
    assert dutch_only == {**dutch_only, "language": "nl", "translated": False}
    assert client.get("/api/v1/practices", headers={**member.headers, "Accept-Language": "nl"}).json[0][
        "display"]["language"] == "nl"


@pytest.mark.parametrize("resource", RESOURCES)
def test_every_record_response_has_a_display(client, member, resource):
    created = create(client, member, resource, **french(resource, nl=DUTCH[resource]))
    assert created.json["display"]["language"] == "fr"
    assert created.headers["Content-Language"] == "fr"
    dutch = shown(client, created.json["id"], resource, member.headers, "?lang=nl").json["display"]
    assert dutch[TEXT[resource]] == DUTCH[resource][TEXT[resource]] and dutch["translated"]
    listed = client.get(url(resource) + "?lang=nl", headers=member.headers).json
    assert listed[0]["display"]["language"] == "nl"


@pytest.mark.parametrize("path", ["/api/v1/practices?lang=xx", "/api/v1/contacts?lang=english",
                                  "/api/v1/training-materials?lang=1"])
def test_a_bad_lang_is_refused_naming_it(client, member, path):
    response = client.get(path, headers=member.headers)
    assert response.status_code == 422
    assert "lang" in response.json["errors"]["query"]


def test_a_bad_lang_on_one_record_is_refused_naming_it(client, french_practice):
    response = client.get(url("practices", french_practice["id"]) + "?lang=xx")
    assert response.status_code == 422 and "lang" in response.json["errors"]["query"]


# --- the working language ---------------------------------------------------------------------------------
def test_the_working_language_is_public_and_decides_the_fallback(app, client, french_practice, monkeypatch):
    config = client.get("/api/v1/config")
    assert config.status_code == 200
    assert config.json["working_language"] == "en"
    assert len(config.json["languages"]) == 17 and {"en", "nl", "uk", "el"} <= set(config.json["languages"])
    monkeypatch.setattr(app.config["ATN_SETTINGS"], "working_language", "nl")
    assert client.get("/api/v1/config").json["working_language"] == "nl"
    assert shown(client, french_practice["id"], headers={"Accept-Language": "de"}).json["display"]["language"] == "nl"


def test_the_working_language_setting_is_validated(monkeypatch):
    from atn_hub.config import Settings

    assert Settings(working_language="NL").working_language == "nl"
    for bad in ("xx", "english", "en-GB", ""):
        with pytest.raises(ValueError, match="ATN_WORKING_LANGUAGE"):
            Settings(working_language=bad)
    monkeypatch.setenv("ATN_WORKING_LANGUAGE", "fr")
    assert Settings().working_language == "fr"


@pytest.mark.parametrize("resource", RESOURCES)
def test_missing_translation_lists_published_records_lacking_one(client, member, other_member, coordinator,
                                                                 resource):
    english = {"practices": {"title": "Legal support"}, "contacts": {"role": "Focal point"},
               "training-materials": {"title": "Handbook"}, "projects": {"title": "Safe transition"}}[resource]
    english_own = {"practices": {"language": "en"}, "contacts": {"languages": ["en", "fr"]},
                   "training-materials": {"languages": ["en"]}, "projects": {"language": "en"}}[resource]
    lacking = publish(client, member, coordinator, resource, **french(resource), external_id="lacking")
    publish(client, member, coordinator, resource, **french(resource, en=english), external_id="translated")
    publish(client, member, coordinator, resource, **english_own, translations={}, external_id="english")
    create(client, member, resource, **french(resource), external_id="draft")
    both = {"practices": {"language": "fr"}, "contacts": {"languages": ["fr", "en"]},
            "training-materials": {"languages": ["fr", "en"]}, "projects": {"language": "fr"}}[resource]
    second = publish(client, member, coordinator, resource, **both, translations={}, external_id="second")
    for caller in (member, other_member):
        found = client.get(url(resource) + "?missing_translation=en", headers=caller.headers)
        assert found.status_code == 200
        # The own language is the first of a list: a record in French (and English) still lacks the English.
        assert {r["id"] for r in found.json} == {lacking["id"], second["id"]}
    assert client.get(url(resource) + "?missing_translation=zz", headers=member.headers).status_code == 422


def test_the_changes_feed_shows_records_in_the_readers_language(client, french_practice):
    feed = client.get("/api/v1/changes?lang=nl").json["changes"]
    [last] = [c for c in feed if c["record_id"] == french_practice["id"]][-1:]
    assert last["record"]["display"]["language"] == "nl"
    assert last["record"]["display"]["title"] == DUTCH["practices"]["title"]
    feed = client.get("/api/v1/changes", headers={"Accept-Language": "de"}).json["changes"]
    assert [c for c in feed if c["record_id"] == french_practice["id"]][-1]["record"]["display"]["language"] == "en"
    assert client.get("/api/v1/changes?lang=xx").status_code == 422
