"""A practice carries files as a training material does (its evaluation report, its brochure): the same upload,
limits, review and privacy rules at /api/v1/practices/{id}/files, and a search for a word inside one finds the
practice, naming the file and the page."""
from __future__ import annotations

import io
from urllib.parse import urlsplit

from sqlalchemy import func, select

from atn_hub.models import FilePage, MaterialFile
from tests.files import samples
from tests.files.helpers import extract, fetch, files_url, upload
from tests.helpers import create, post, publish, url

REPORT = "The ten-year evaluation counted 412 victims given legal-practical support in Zwolle"


def test_a_search_for_a_word_in_a_practices_report_finds_the_practice_naming_file_and_page(
        app, client, member, other_member, make_caller):
    draft = create(client, member, "practices", visibility="public").json
    report = upload(client, member, draft["id"], samples.pdf(["Evaluation 2009-2019", "Method", REPORT + "."]),
                    "evaluation.pdf", kind="practices")
    assert report.status_code == 201, report.json
    assert report.json["practice_id"] == draft["id"] and report.json["material_id"] is None
    assert report.json["url"] == files_url(draft["id"], report.json["id"], kind="practices")
    assert extract(app) == 1
    [listed] = client.get(files_url(draft["id"], kind="practices"), headers=member.headers).json
    assert (listed["text_status"], listed["page_count"]) == ("done", 3)
    # A draft's file is as private as the draft.
    for caller in (None, other_member):
        headers = caller.headers if caller else {}
        assert client.get(files_url(draft["id"], kind="practices"), headers=headers).status_code == 404
        assert fetch(client, files_url(draft["id"], report.json["id"], kind="practices"),
                     headers=headers).status_code == 404
    post(client, member, "practices", draft["id"], "submit")
    post(client, make_caller("coordinator", "GB"), "practices", draft["id"], "review", {"decision": "approve"})

    indexer = app.extensions["atn_search"].indexer
    assert indexer.wait_for(indexer.last_logged_seq())
    found = client.get("/api/v1/search", query_string={"q": "Zwolle", "expand": "false"}).json  # anonymous
    [hit] = found["hits"]
    assert (hit["id"], hit["type"], hit["snippet_field"]) == (draft["id"], "practice", "file")
    assert {k: hit["file"][k] for k in ("id", "filename", "page")} == {"id": report.json["id"],
                                                                       "filename": "evaluation.pdf", "page": 3}
    download = fetch(client, urlsplit(hit["file"]["url"]).path)
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    # Who uploaded it is a volunteer's personal data: for the network's signed-in readers, not for anyone.
    anonymous = client.get(files_url(draft["id"], kind="practices")).json
    network = client.get(files_url(draft["id"], kind="practices"), headers=other_member.headers).json
    assert [f["uploaded_by_name"] for f in anonymous] == [None]
    assert [f["uploaded_by_name"] for f in network] == [report.json["uploaded_by_name"]] != [None]
    in_feed = client.get("/api/v1/changes", query_string={"type": "practice"}).json["changes"][-1]["record"]
    assert [f["uploaded_by_name"] for f in in_feed["files"]] == [None]


def test_who_may_attach_to_a_practice(client, member, other_member, make_caller):
    practice = create(client, member, "practices").json
    content = f"{REPORT}.\n".encode()
    assert upload(client, other_member, practice["id"], content, "x.txt", kind="practices").status_code == 404
    reader = make_caller("member", "NL", scope="read")
    assert upload(client, reader, practice["id"], content, "x.txt", kind="practices").status_code == 403
    anonymous = client.post(files_url(practice["id"], kind="practices"),
                            data={"file": (io.BytesIO(content), "x.txt")}, content_type="multipart/form-data")
    assert anonymous.status_code == 401
    refused = upload(client, member, practice["id"], b"MZ\x90\x00" + b"\x00" * 200, "tool.exe", kind="practices")
    assert refused.status_code == 415 and refused.content_type.startswith("application/problem+json")
    file = upload(client, member, practice["id"], content, "notes.txt", kind="practices").json
    assert client.delete(files_url(practice["id"], file["id"], kind="practices"),
                         headers=other_member.headers).status_code == 404
    assert client.delete(files_url(practice["id"], file["id"], kind="practices"),
                         headers=member.headers).status_code == 204
    assert client.get(files_url(practice["id"], kind="practices"), headers=member.headers).json == []


def test_deleting_a_practice_deletes_its_files_and_their_text(app, client, member, db_session):
    practice = create(client, member, "practices").json
    upload(client, member, practice["id"], f"{REPORT}.\n".encode(), "notes.txt", kind="practices")
    assert extract(app) == 1
    assert client.delete(url("practices", practice["id"]), headers=member.headers).status_code == 204
    assert db_session.scalar(select(func.count()).select_from(MaterialFile)) == 0
    assert db_session.scalar(select(func.count()).select_from(FilePage)) == 0
    db_session.rollback()


def test_a_practice_in_the_feed_carries_its_files(app, client, member, make_caller):
    published = publish(client, member, make_caller("coordinator", "GB"), "practices", visibility="public")
    assert published["status"] == "published"
    draft = create(client, member, "practices", external_id="with-a-file").json
    upload(client, member, draft["id"], f"{REPORT}.\n".encode(), "notes.txt", kind="practices")
    changes = client.get("/api/v1/changes", query_string={"type": "practice"}, headers=member.headers).json
    last = changes["changes"][-1]
    assert last["record_id"] == draft["id"] and [f["filename"] for f in last["record"]["files"]] == ["notes.txt"]
