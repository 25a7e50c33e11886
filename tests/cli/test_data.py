"""`atn-hub demo load`, `import` and `export`: idempotent, line-numbered rejections, lossless round trip."""
from __future__ import annotations

import json
import uuid

import pytest

from atn_hub.cli.data import DEMO_DIR
from atn_hub.services.transfer import TYPES
from tests.payloads import valid


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def invoke(runner, *args):
    result = runner.invoke(args=list(args))
    return result


def test_import_reports_bad_lines_and_imports_good_ones(runner, reference_data, tmp_path, client, admin):
    good = valid("practices", society="NL", external_id="A")
    lines = [json.dumps(good), "{not json", json.dumps(valid("practices", society="NL", external_id="B",
                                                           language="xx")),
             "", json.dumps(valid("practices", society="NL", external_id="C", topics=["nope"])),
             json.dumps(valid("practices", external_id="D")),
             json.dumps(valid("practices", society="NL", external_id="E", title="Second good"))]
    path = tmp_path / "practices.jsonl"
    path.write_text("\n".join(lines) + "\n")
    result = invoke(runner, "import", "--type", "practice", str(path))
    assert result.exit_code == 1
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 4}
    assert f"{path}:2: not JSON" in result.stderr
    assert f"{path}:3:" in result.stderr and "language" in result.stderr
    assert f"{path}:5:" in result.stderr and "topics" in result.stderr
    assert f"{path}:6:" in result.stderr and "society" in result.stderr

    # the same file again: the good lines are matched by external_id, nothing is duplicated
    path.write_text(json.dumps({**good, "title": "Renamed"}) + "\n")
    result = invoke(runner, "import", "--type", "practice", "--publish", str(path))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["updated"] == 1
    listed = client.get("/api/v1/practices?external_id=A", headers=admin.headers).json
    assert [(p["title"], p["status"]) for p in listed] == [("Renamed", "published")]
    assert client.get("/api/v1/practices?external_id=A").json == []  # network-only: not for anonymous callers


def test_import_publish_makes_records_public_to_the_network(runner, reference_data, tmp_path, client):
    path = tmp_path / "m.jsonl"
    path.write_text(json.dumps(valid("training-materials", society="NL")) + "\n")
    assert invoke(runner, "import", "--type", "training-material", "--publish", str(path)).exit_code == 0
    public = client.get("/api/v1/training-materials").json
    assert [m["status"] for m in public] == ["published"]
    assert public[0]["published_at"] is not None


def test_demo_load_is_idempotent_and_consistent(runner, client):
    first = invoke(runner, "demo", "load")
    assert first.exit_code == 0, first.output
    created = json.loads(first.stdout)["demo"]
    assert created["society"]["created"] >= 25
    assert created["practice"]["created"] >= 60
    assert created["contact"]["created"] >= 40
    assert created["training-material"]["created"] >= 30
    again = json.loads(invoke(runner, "demo", "load").stdout)["demo"]
    assert all(counts["created"] == 0 and counts["updated"] == 0 for counts in again.values()), again
    languages = {p["language"] for page in range(1, 4)
                 for p in client.get(f"/api/v1/practices?page_size=100&page={page}").json}
    assert len(languages) >= 8


def test_the_demo_practice_from_the_netherlands_carries_its_brochure_and_evaluation_report(runner, app, client,
                                                                                          make_caller):
    """As on the page the network grew from: the legal-practical support since 2009, with its brochure and its
    ten-year evaluation report, whose text is found by search, naming file and page."""
    from atn_hub.extensions import node_files

    loaded = json.loads(invoke(runner, "demo", "load").stdout)["demo"]
    assert loaded["files"]["created"] == 2
    assert node_files(app).extract_pending() == 2
    practice_id = str(uuid.uuid5(DEMO_NAMESPACE, "practice/NL-P01"))
    reader = make_caller("member", "DE")  # another society's member: the practice is the network's
    listed = client.get(f"/api/v1/practices/{practice_id}/files", headers=reader.headers).json
    assert sorted((f["filename"], f["text_status"], f["page_count"]) for f in listed) == [
        ("NL-P01-evaluatie-2009-2019.pdf", "done", 3), ("NL-P01-folder.pdf", "done", 2)]
    indexer = app.extensions["atn_search"].indexer
    assert indexer.wait_for(indexer.last_logged_seq())
    hits = client.get("/api/v1/search", query_string={"q": "dossieronderzoek", "expand": "false"},
                      headers=reader.headers).json["hits"]
    assert [(h["id"], h["file"]["filename"], h["file"]["page"]) for h in hits] == [
        (practice_id, "NL-P01-evaluatie-2009-2019.pdf", 2)]
    assert json.loads(invoke(runner, "demo", "load").stdout)["demo"]["files"] == {"created": 0, "updated": 0,
                                                                                 "unchanged": 2}


def test_export_then_import_into_an_empty_database_loses_nothing(runner, app, tmp_path, client):
    from tests.conftest import _wipe

    assert invoke(runner, "demo", "load").exit_code == 0
    first = tmp_path / "first"
    assert invoke(runner, "export", str(first)).exit_code == 0
    _wipe(app.extensions["atn_db"].engine)
    for record_type, (_, _, _, filename) in TYPES.items():
        result = invoke(runner, "import", "--type", record_type, str(first / filename))
        assert result.exit_code == 0, result.output
    second = tmp_path / "second"
    assert invoke(runner, "export", str(second)).exit_code == 0
    for _, (_, _, _, filename) in TYPES.items():
        assert (first / filename).read_text() == (second / filename).read_text(), filename
    assert len((first / "practices.jsonl").read_text().splitlines()) >= 60
    assert sorted(p.name for p in first.iterdir()) == sorted(f for *_, f in TYPES.values())


DEMO_NAMESPACE = uuid.UUID("0c884028-20ee-4eec-9607-1e8332313f74")  # atn_hub/demo/FORMAT.md


def demo_id(kind: str, external_id: str) -> str:
    return str(uuid.uuid5(DEMO_NAMESPACE, f"{kind}/{external_id}"))


def test_the_demo_links_the_dutch_practice_to_its_focal_point_materials_and_the_step_project(runner, client,
                                                                                             make_caller):
    """As on the page the network grew from: the practice names the department's focal point and its brochure
    and e-learning; the STEP project, run with COA, VluchtelingenWerk and CoMensha and funded by the EU, names
    the practice, which shows it."""
    assert invoke(runner, "demo", "load").exit_code == 0
    reader = make_caller("member", "DE")
    practice = client.get(f"/api/v1/practices/{demo_id('practice', 'NL-P01')}", headers=reader.headers).json
    assert [c["id"] for c in practice["contacts"]][:1] == [demo_id("contact", "NL-C01")]
    assert practice["contacts"][0]["role"]
    assert {demo_id("training-material", "NL-T01"), demo_id("training-material", "NL-T02")} <= set(
        practice["training_materials"])
    assert practice["start_year"] == 2009
    step = demo_id("project", "NL-PR01")
    assert step in practice["projects"]
    project = client.get(f"/api/v1/projects/{step}", headers=reader.headers).json
    assert project["acronym"] == "STEP" and project["funders"] == ["European Union, AMIF"]
    assert {p["name"].split(" (")[0] for p in project["partners"]} >= {
        "Centraal Orgaan opvang asielzoekers", "VluchtelingenWerk Nederland", "CoMensha"}
    assert demo_id("practice", "NL-P01") in project["practices"]
    assert len(client.get("/api/v1/projects?page_size=100", headers=reader.headers).json) >= 5


def test_demo_files_are_valid_json_lines():
    for _, (_, _, _, filename) in TYPES.items():
        for number, line in enumerate((DEMO_DIR / filename).read_text().splitlines(), start=1):
            assert isinstance(json.loads(line), dict), (filename, number)
