"""Schema fuzzing: Schemathesis against a live server from the committed openapi.yaml, for every operation,
anonymously and with tokens of each role: no 5xx, and every response conforms to the document (status code,
content type, body). A bounded run here; `make fuzz` runs a long one.

And every status code the document lists for an operation is reachable: what the fuzzer saw (from its HAR
report), plus the requests of a short scenario for what a stateless fuzzer cannot reach (a real ETag for
304 and 412, a valid edit, a file's byte ranges, an upload too large or of the wrong type, a redelivery),
must together cover every documented (operation, status) pair."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests
import yaml
from sqlalchemy import select, update

from atn_hub.models import Notification
from atn_hub.services import notifications, webhooks
from tests.conftest import serving

ROOT = Path(__file__).resolve().parents[1]
CHECKS = "not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance"
ROLES = ["anonymous", "member", "coordinator", "admin"]
OBSERVED: dict[str, dict[str, set]] = {}  # backend -> role -> {(method, path template, status)}


def schemathesis(base_url: str, token: str | None, workdir: Path, examples: int, seed: int = 1,
                 har: Path | None = None) -> subprocess.CompletedProcess:
    command = [str(Path(sys.executable).parent / "schemathesis"), "run", str(ROOT / "openapi.yaml"), "--url", base_url,
               "--checks", CHECKS, "--max-examples", str(examples), "--seed", str(seed), "--no-color",
               "--phases", "examples,coverage,fuzzing",
               # Fuzzing must not revoke the very token it runs with (the scenario calls these).
               "--exclude-path-regex", "/me/(tokens/|sign-out-everywhere)|^/oauth/"]
    if token:
        command += ["-H", f"Authorization: Bearer {token}"]
    if har:
        command += ["--report", "har", "--report-har-path", str(har)]
    return subprocess.run(command, cwd=workdir, capture_output=True, text=True, timeout=900,
                          env={**os.environ, "SCHEMATHESIS_HOOKS": ""})


def documented() -> dict[tuple[str, str], set[int]]:
    """(method, path template) -> the status codes the document lists (``default`` aside)."""
    doc = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    return {(method.upper(), path): {int(code) for code in op["responses"] if code != "default"}
            for path, item in doc["paths"].items() for method, op in item.items()
            if method in ("get", "post", "put", "patch", "delete")}


def matcher(templates):
    """A function from (method, URL) to the operation's path template."""
    patterns = [(re.compile("^" + re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(path)) + "$"), method, path)
                for method, path in sorted(templates, key=lambda mp: mp[1].count("{"))]

    def match(method: str, url: str) -> str | None:
        path = "/" + url.split("://", 1)[-1].split("/", 1)[-1].split("?", 1)[0]
        for pattern, m, template in patterns:
            if m == method and pattern.match(path):
                return template
        return None

    return match


def har_statuses(har: Path, match) -> set[tuple[str, str, int]]:
    seen = set()
    for entry in json.loads(har.read_text())["log"]["entries"]:
        method = entry["request"]["method"].upper()
        template = match(method, entry["request"]["url"])
        if template:
            seen.add((method, template, entry["response"]["status"]))
    return seen


@pytest.fixture
def demo_data(app, reference_data):  # the reference societies first: demo load completes them
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output


def fuzz(live_server, make_caller, tmp_path, role: str, examples: int, backend: str) -> subprocess.CompletedProcess:
    token = None if role == "anonymous" else make_caller(role, None if role == "admin" else "NL").token
    har = tmp_path / f"fuzz-{role}.har"
    result = schemathesis(live_server, token, tmp_path, examples=examples, har=har)
    if har.exists():
        OBSERVED.setdefault(backend, {})[role] = har_statuses(har, matcher(documented()))
    return result


@pytest.mark.parametrize("role", ROLES)
def test_no_server_errors_and_every_response_as_documented(live_server, backend, demo_data, make_caller, tmp_path,
                                                           role):
    result = fuzz(live_server, make_caller, tmp_path, role, int(os.environ.get("ATN_FUZZ_EXAMPLES", "2")), backend[0])
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert " passed" in result.stdout


def test_every_documented_status_code_is_reachable(live_server, app, backend, demo_data, make_caller, db_session,
                                                    tmp_path):
    wanted = documented()
    seen: set[tuple[str, str, int]] = set()
    for role in ROLES:  # the fuzz runs above, or (run alone) a short one here
        if role not in OBSERVED.get(backend[0], {}):
            fuzz(live_server, make_caller, tmp_path, role, 1, backend[0])
        seen |= OBSERVED[backend[0]][role]
    # a second server on the same database, with a small upload limit (413 without sending 50 MB)
    with serving(backend[1], tmp_path / "scenario", ATN_MAX_UPLOAD_BYTES="4096",
                 ATN_WEBHOOK_ALLOW_HTTP_LOOPBACK="true") as base:
        seen |= scenario(base, make_caller, matcher(wanted), app, db_session)
    missing = sorted((method, path, code) for (method, path), codes in wanted.items() for code in codes
                     if (method, path, code) not in seen)
    assert not missing, f"documented but never answered: {missing}"


def scenario(base: str, make_caller, match, app, db_session) -> set[tuple[str, str, int]]:
    """What a stateless fuzzer cannot reach, reached with real objects and ETags; returns what was seen."""
    seen: set[tuple[str, str, int]] = set()
    member, admin = make_caller("member", "NL"), make_caller("admin", None)
    coordinator = make_caller("coordinator", "DE")
    http = requests.Session()

    def call(method: str, path: str, caller=None, **kwargs) -> requests.Response:
        headers = kwargs.pop("headers", {})
        if caller is not None:
            headers["Authorization"] = f"Bearer {caller.token}"
        response = http.request(method, base + path, headers=headers, timeout=60, **kwargs)
        template = match(method, base + path)
        if template:
            seen.add((method, template, response.status_code))
        return response

    def conditional(path: str, caller, edit: dict | None) -> None:
        """304 on a fresh ETag; then, with ``edit``: 428 without If-Match, 412 with a stale one, 200."""
        first = call("GET", path, caller)
        assert first.status_code == 200, (path, first.text)
        assert call("GET", path, caller, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
        if edit is not None:
            assert call("PATCH", path, caller, json=edit).status_code == 428
            assert call("PATCH", path, caller, json=edit, headers={"If-Match": '"stale"'}).status_code == 412
            done = call("PATCH", path, caller, json=edit, headers={"If-Match": first.headers["ETag"]})
            assert done.status_code == 200, (path, done.text)

    from tests.payloads import EDIT, VALID

    def expect(code: int, method: str, path: str, caller, **kwargs) -> requests.Response:
        response = call(method, path, caller, **kwargs)
        assert response.status_code == code, (method, path, response.status_code, response.text)
        return response

    bad_field = {"practices": {"language": "not a language"}, "contacts": {"email": "not an email"},
                 "training-materials": {"format": 17}, "projects": {"start_date": "not a date"}}
    for resource in ("practices", "contacts", "training-materials", "projects"):
        conditional(f"/api/v1/{resource}", member, None)
        body = {**VALID[resource], "external_id": None}
        record = f"/api/v1/{resource}/{expect(201, 'POST', f'/api/v1/{resource}', member, json=body).json()['id']}"
        field, value = EDIT[resource]
        conditional(record, member, {field: value})
        etag = expect(200, "GET", record, member).headers["ETag"]
        expect(422, "PATCH", record, member, json=bad_field[resource], headers={"If-Match": etag})
        expect(422, "GET", record, member, params={"lang": "not a language"})
        # the review cycle: comments, revisions and their diff, submit, the queue, assign, review, archive
        expect(201, "POST", f"{record}/comments", member, json={"comment": "Ready for review?"})
        expect(422, "POST", f"{record}/comments", member, json={})
        expect(200, "GET", f"{record}/comments", member)
        expect(200, "GET", f"{record}/revisions", member)
        expect(200, "GET", f"{record}/revisions/1", member)
        expect(200, "GET", f"{record}/revisions/diff", member, params={"from": 1, "to": 2})
        expect(422, "GET", f"{record}/revisions/diff", member, params={"from": 0, "to": "x"})
        expect(200, "POST", f"{record}/submit", member)
        [item] = [i for i in expect(200, "GET", "/api/v1/moderation/queue", coordinator).json()
                  if i["record_id"] == record.rsplit("/", 1)[1]]
        queue_item = f"/api/v1/moderation/queue/{item['id']}"
        expect(200, "GET", queue_item, coordinator)
        expect(422, "POST", f"{queue_item}/assign", coordinator, json={"assignee_id": "not a uuid"})
        expect(200, "POST", f"{queue_item}/assign", coordinator, json={"assignee_id": str(coordinator.user.id)})
        expect(422, "POST", f"{record}/review", coordinator, json={"decision": "maybe"})
        expect(200, "POST", f"{record}/review", coordinator, json={"decision": "approve"})
        expect(200, "POST", f"{record}/archive", member)
        expect(200, "POST", f"{record}/unarchive", member)
        # a partner's sync by external id: refused (422), created (201), If-Match missing (428) or stale (412),
        # replaced (200)
        sync = f"/api/v1/{resource}/by-external-id/fuzz-sync-1"
        whole = {k: v for k, v in VALID[resource].items() if k != "external_id"}
        expect(422, "PUT", sync, member, json={**whole, "external_id": "another"})
        created = expect(201, "PUT", sync, member, json=whole)
        expect(428, "PUT", sync, member, json=whole)
        expect(412, "PUT", sync, member, json=whole, headers={"If-Match": '"stale"'})
        expect(200, "PUT", sync, member, json=whole, headers={"If-Match": created.headers["ETag"]})
        expect(204, "DELETE", f"/api/v1/{resource}/{created.json()['id']}", member)  # not left to the fuzzer's luck
        if resource == "contacts":
            expect(200, "GET", f"{record}/export", member)
            expect(422, "DELETE", record, member, params={"erase": "perhaps"})

    # the administrators' objects: made (201), refused (422), removed (204)
    expect(201, "POST", "/api/v1/societies", admin, json={"code": "MC", "name": "Monaco Red Cross",
                                                          "name_local": "Croix-Rouge monégasque"})
    expect(204, "DELETE", "/api/v1/societies/MC", admin)
    labels = {lang: "fuzz topic" for lang in ("en", "nl", "fr", "de", "es")}
    expect(201, "POST", "/api/v1/topics", admin, json={"code": "fuzz-topic", "category": "theme", "labels": labels})
    expect(422, "PATCH", "/api/v1/topics/fuzz-topic", admin, json={"labels": {"en": ""}},
           headers={"If-Match": expect(200, "GET", "/api/v1/topics/fuzz-topic", admin).headers["ETag"]})
    expect(204, "DELETE", "/api/v1/topics/fuzz-topic", admin)
    partner = expect(201, "POST", "/api/v1/clients", admin, json={"name": "Partner sync", "society": "NL",
                                                                  "grant": "client_credentials", "scope": "read",
                                                                  "can_introspect": True})
    # the OAuth endpoints (left out of the fuzzing: its bad secrets would lock this address out)
    basic = (partner.json()["client_id"], partner.json()["client_secret"])
    token = requests.post(f"{base}/oauth/token", data={"grant_type": "client_credentials"}, auth=basic, timeout=60)
    for path, data, auth, code in (
            ("/oauth/token", {"grant_type": "client_credentials", "scope": "read"}, basic, 200),
            ("/oauth/token", {"grant_type": "password"}, basic, 400),
            ("/oauth/introspect", {"token": token.json()["access_token"]}, basic, 200),
            ("/oauth/introspect", {"token_type_hint": "access_token"}, basic, 400),  # no token
            ("/oauth/introspect", {"token": "x"}, (basic[0], "wrong"), 401),
            ("/oauth/revoke", {"token": token.json()["access_token"]}, basic, 200),
            ("/oauth/revoke", {"token_type_hint": "access_token"}, basic, 400),
            ("/oauth/revoke", {"token": "x"}, (basic[0], "wrong"), 401)):
        answer = requests.post(base + path, data=data, auth=auth, timeout=60)
        assert answer.status_code == code, (path, answer.status_code, answer.text)
        seen.add(("POST", path, code))
    for _ in range(6):  # a client's wrong secret, again and again: 401s, then 429
        answer = requests.post(f"{base}/oauth/token", data={"grant_type": "client_credentials"},
                               auth=("fuzz-no-such-client", "wrong"), timeout=60)
        seen.add(("POST", "/oauth/token", answer.status_code))
    assert answer.status_code == 429
    token = expect(201, "POST", "/api/v1/me/tokens", member, json={"name": "a second token", "scope": "read"})
    expect(204, "DELETE", f"/api/v1/me/tokens/{token.json()['id']}", member)
    for resource, key, edit in (("societies", "NL", {"name": "Netherlands Red Cross (edited)"}),
                                ("topics", None, {"labels": dict.fromkeys(("en", "nl", "fr", "de", "es"), "edited")})):
        conditional(f"/api/v1/{resource}", admin, None)
        key = key or call("GET", f"/api/v1/{resource}", admin).json()[0]["code"]
        conditional(f"/api/v1/{resource}/{key}", admin, edit)
    expect(422, "PATCH", "/api/v1/societies/NL", admin, json={"languages": ["not a language"]},
           headers={"If-Match": expect(200, "GET", "/api/v1/societies/NL", admin).headers["ETag"]})

    # a material's, a practice's and a project's file: upload refused by type (415) and by size (413), kept (201),
    # ranges (206, 416), 304
    for kind in ("training-materials", "practices", "projects"):
        owner = call("POST", f"/api/v1/{kind}", member, json={**VALID[kind], "external_id": None}).json()["id"]
        files = f"/api/v1/{kind}/{owner}/files"
        assert call("POST", files, member, files={"file": ("x.exe", b"MZ\x90\x00" + b"\x00" * 200)}).status_code == 415
        assert call("POST", files, member, files={"file": ("big.pdf", b"%PDF-1.4\n" + b"0" * 8192)}).status_code == 413
        kept = call("POST", files, member, files={"file": ("notes.txt", b"Reflection period notes.\n" * 40)})
        assert kept.status_code == 201, kept.text
        one = f"{files}/{kept.json()['id']}"
        expect(200, "GET", files, member)
        etag = call("GET", one, member).headers["ETag"]
        assert call("GET", one, member, headers={"Range": "bytes=0-9"}).status_code == 206
        assert call("GET", one, member, headers={"Range": "bytes=999999-"}).status_code == 416
        assert call("GET", one, member, headers={"If-None-Match": etag}).status_code == 304
        expect(204, "DELETE", one, member)

    # a webhook, a change for it, the worker's fan-out, and that delivery sent again (202)
    hook = call("POST", "/api/v1/webhooks", member, json={"url": "http://127.0.0.1:9/atn", "events": ["*"]})
    assert hook.status_code == 201, hook.text
    hook_path = f"/api/v1/webhooks/{hook.json()['id']}"
    call("POST", "/api/v1/practices", member, json={**VALID["practices"], "external_id": None})
    assert webhooks.fan_out(db_session, app.config["ATN_SETTINGS"]) >= 1
    db_session.commit()
    [delivery] = call("GET", f"{hook_path}/deliveries", member).json()[:1]
    assert call("POST", f"{hook_path}/deliveries/{delivery['id']}/redeliver", member).status_code == 202
    conditional(hook_path, member, {"active": False})
    expect(422, "PATCH", hook_path, member, json={"events": "all"},
           headers={"If-Match": expect(200, "GET", hook_path, member).headers["ETag"]})
    expect(200, "POST", f"{hook_path}/rotate-secret", member)
    conditional(hook_path, member, {"active": True})
    expect(202, "POST", f"{hook_path}/ping", member)
    expect(204, "DELETE", hook_path, member)

    # the network at a glance, and a filter it refuses
    expect(200, "GET", "/api/v1/stats", coordinator)
    expect(422, "GET", "/api/v1/stats", None, params={"society": "not a code"})

    # the coordinators' list; a notification's e-mail given up, seen and sent again by an administrator
    expect(200, "GET", "/api/v1/moderation/coordinators", coordinator)
    # (the fuzzer's own calls may meet an Idempotency-Key it used on another request first: 422)
    expect(200, "POST", "/api/v1/me/notifications/read", member, json={"all": True})
    notifications.run_once(app.extensions["atn_db"].session_factory, app.config["ATN_SETTINGS"])
    [told] = db_session.scalars(select(Notification.id).where(Notification.user_id == coordinator.user.id)).all()[:1]
    db_session.execute(update(Notification).where(Notification.id == told).values(status="failed"))
    db_session.commit()
    assert [d["id"] for d in expect(200, "GET", "/api/v1/mail/deliveries", admin).json()] == [str(told)]
    expect(422, "GET", "/api/v1/mail/deliveries", admin, params={"status": "lost"})
    expect(200, "POST", f"/api/v1/mail/deliveries/{told}/retry", admin)

    # the changes feed: a cursor past its end was not given by this hub
    expect(400, "GET", "/api/v1/changes", None, params={"since": "999999999999"})

    # every API operation: an unknown query parameter is 400 (before anything else); an object that is not there
    # 404 (the OAuth endpoints, RFC 6749's, are reached above)
    bodies = {"review": {"decision": "approve"}, "comments": {"comment": "Is this still run?"},
              "assign": {"assignee_id": None}, "read": {"all": True}}
    for method, path in [(method, path) for method, path in documented() if path.startswith("/api/")]:
        concrete = re.sub(r"\{(\w+)\}", lambda m: {"code": "ZZ", "number": "9999", "client_id": "no-such-client"}
                          .get(m.group(1), "00000000-0000-4000-8000-000000000000"), path)
        expect(400, method, concrete, admin, params={"no_such_parameter": "1"})
        if "{" not in path:
            continue
        kwargs = {"headers": {"If-Match": '"stale"'}} if method in ("PATCH", "PUT", "DELETE") else {}
        if method in ("POST", "PATCH", "PUT"):
            kwargs["json"] = bodies.get(path.rsplit("/", 1)[-1], {})
        if path.endswith("/files") and method == "POST":
            kwargs = {"files": {"file": ("notes.txt", b"Reflection period notes.\n")}}
        call(method, concrete, admin, **kwargs)

    # last, as it ends the caller's sessions: signing out everywhere
    expect(422, "POST", "/api/v1/me/sign-out-everywhere", member, json={"personal_tokens": "perhaps"})
    expect(200, "POST", "/api/v1/me/sign-out-everywhere", member, json={"personal_tokens": True})
    return seen
