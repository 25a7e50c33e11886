"""Webhooks, end to end on SQLite and PostgreSQL: registration and its rules, signed deliveries from the change
log by the worker to a real receiver on 127.0.0.1 (also one that was down for a while), SSRF refusals at
registration and at delivery, and who may see and change an endpoint."""
from __future__ import annotations

import json
import logging
import socket
import time
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from atn_hub import outbox, webhook_signature
from atn_hub.models import EVENT_TYPES, ChangeLog, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from atn_hub.services import change_log, changes, personal_data, webhooks
from atn_hub.services.webhook_targets import NOT_ALLOWED, UnsafeTarget, check_target
from tests.helpers import create, url
from tests.payloads import EDIT, valid
from tests.webhook_receiver import Receiver

HOOKS = "/api/v1/webhooks"


@pytest.fixture
def fake_dns(monkeypatch):
    """Names that resolve where a test says (others resolve as usual)."""
    names: dict[str, str] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in names:
            family = socket.AF_INET6 if ":" in names[host] else socket.AF_INET
            return [(family, socket.SOCK_STREAM, 6, "", (names[host], port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return names


def register(client, caller, target_url, events=("*",), **extra):
    response = client.post(HOOKS, json={"url": target_url, "events": list(events), **extra}, headers=caller.headers)
    assert response.status_code == 201, response.json
    return response.json


def work(app, settings) -> dict:
    """One pass of `atn-hub worker`, in this process."""
    return webhooks.run_once(app.extensions["atn_db"].session_factory, settings)


def work_until(app, settings, done, timeout=15.0) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "the worker did not get there in time"
        work(app, settings)
        time.sleep(0.05)


def deliveries(db_session, status=None) -> list[WebhookDelivery]:
    stmt = select(WebhookDelivery).order_by(WebhookDelivery.seq)
    if status:
        stmt = stmt.where(WebhookDelivery.status == status)
    found = list(db_session.scalars(stmt))
    db_session.expunge_all()  # detached, they keep what was read (and open no new snapshot when looked at)
    db_session.rollback()
    return found


def make_changes(client, member, coordinator):
    """A practice created, edited, submitted and published; a contact created; a training material deleted."""
    practice = create(client, member, "practices").json
    etag = client.get(url("practices", practice["id"]), headers=member.headers).headers["ETag"]
    field, value = EDIT["practices"]
    assert client.patch(url("practices", practice["id"]), json={field: value},
                        headers={**member.headers, "If-Match": etag}).status_code == 200
    assert client.post(url("practices", practice["id"]) + "/submit", headers=member.headers).status_code == 200
    assert client.post(url("practices", practice["id"]) + "/review", json={"decision": "approve"},
                       headers=coordinator.headers).status_code == 200
    create(client, member, "contacts")
    material = create(client, member, "training-materials").json
    assert client.delete(url("training-materials", material["id"]), headers=member.headers).status_code == 204


# --- delivery ----------------------------------------------------------------------------------------------
def test_every_event_arrives_once_signed_also_after_the_receiver_was_down(app, client, member, coordinator,
                                                                         make_caller, db_session, settings,
                                                                         receiver):
    hook = register(client, member, receiver.url)
    make_changes(client, member, coordinator)

    # The receiver is down: every first attempt fails (connection refused), and is logged.
    work(app, settings)
    queued = deliveries(db_session)
    assert queued and all(d.status == "pending" and d.attempt_count == 1 for d in queued)
    assert all(d.last_status_code is None and "Connection" in d.last_error for d in queued)
    assert all(d.give_up_at - d.created_at == timedelta(hours=25) for d in queued)

    # It answers 503 for a while, then comes back: the retries (with backoff) get everything through.
    receiver.status = 503
    receiver.start()
    work_until(app, settings, lambda: len(receiver.received) >= 2 * len(queued))
    receiver.status = 204
    work_until(app, settings, lambda: len(deliveries(db_session, "delivered")) == len(queued))
    work(app, settings)

    accepted = [(h, b) for h, b in receiver.received if h["X-ATN-Delivery"] in {str(d.id) for d in queued}]
    assert len(accepted) == len(receiver.received)
    by_id: dict[str, list[bytes]] = {}
    for headers, body in accepted:
        webhook_signature.verify(hook["secret"], headers, body)  # raises if not signed with this secret
        by_id.setdefault(headers["X-ATN-Delivery"], []).append(body)
        assert json.loads(body)["id"] == headers["X-ATN-Delivery"]
        assert json.loads(body)["event"] == headers["X-ATN-Event"]
    # Retries send the very same body under the same id, and each id was accepted (2xx) exactly once.
    assert set(by_id) == {str(d.id) for d in queued}
    assert all(len(set(bodies)) == 1 for bodies in by_id.values())
    accepted_ids = [delivery_id for delivery_id, status in receiver.answered if status == 204]
    assert sorted(accepted_ids) == sorted(by_id)
    # Every attempt is logged: the refused connections, then each request the receiver answered.
    attempts = db_session.scalar(select(func.count()).select_from(WebhookAttempt))
    db_session.rollback()
    assert attempts == len(queued) + len(receiver.received)

    # The events are exactly what the changes feed shows a member of the society with the read scope only.
    reader = make_caller("member", "NL", scope="read")
    feed = client.get("/api/v1/changes?since=0", headers=reader.headers).json["changes"]
    bodies = sorted((json.loads(b[0]) for b in by_id.values()), key=lambda e: int(e["change"]["cursor"]))
    assert [b["change"] for b in bodies] == feed
    assert [b["event"] for b in bodies] == [f"{c['type']}.{c['action']}" for c in feed]
    assert {"practice.created", "practice.updated", "contact.created", "training-material.deleted"} <= {
        b["event"] for b in bodies}

    listed = client.get(f"{HOOKS}/{hook['id']}/deliveries", headers=member.headers)
    assert listed.status_code == 200 and json.loads(listed.headers["X-Pagination"])["total"] == len(queued)
    newest = listed.json[0]
    assert newest["status"] == "delivered" and newest["attempts"][-1]["status_code"] == 204
    assert newest["attempts"][0]["status_code"] is None and newest["attempts"][0]["error"]
    assert newest["body"]["id"] == newest["id"]


def test_contacts_personal_fields_never_go_into_a_body(app, client, member, db_session, settings, receiver):
    receiver.start()
    register(client, member, receiver.url, events=["contact.created", "contact.updated"])
    contact = create(client, member, "contacts").json
    assert contact["email"]  # the member, with contacts:read, sees it
    work(app, settings)
    assert len(receiver.received) == 1
    body = receiver.received[0][1].decode()
    for field in ("name", "email", "phone"):
        assert json.loads(body)["change"]["record"][field] is None
        assert str(valid("contacts")[field]) not in body
    assert json.loads(body)["change"]["record"]["role"] == valid("contacts")["role"]


def test_the_request_never_waits_for_delivery(app, client, member, db_session, settings, receiver):
    receiver.delay = 3
    receiver.start()
    register(client, member, receiver.url)
    started = time.monotonic()
    create(client, member, "practices")
    assert time.monotonic() - started < 2
    assert receiver.received == [] and deliveries(db_session) == []  # nothing queued, nothing sent: the worker does it
    receiver.delay = 0
    work(app, settings)
    assert len(receiver.received) == 1 and deliveries(db_session, "delivered")


def test_only_subscribed_events_and_only_after_registration(app, client, member, other_member, coordinator,
                                                           db_session, settings, receiver):
    receiver.start()
    before = create(client, member, "practices").json
    register(client, member, receiver.url.replace("/hook", "/nl"), events=["practice.updated"])
    register(client, other_member, receiver.url.replace("/hook", "/gb"),
             events=["practice.created", "practice.published"])
    assert client.post(url("practices", before["id"]) + "/submit", headers=member.headers).status_code == 200
    assert client.post(url("practices", before["id"]) + "/review", json={"decision": "approve"},
                       headers=coordinator.headers).status_code == 200
    create(client, member, "practices", external_id="NL-P-2")
    work(app, settings)
    events = sorted((h["X-ATN-Event"], json.loads(b)["change"]["record_id"]) for h, b in receiver.received)
    # NL sees its own draft all along: submitting and publishing it are updates, and the new draft is not
    # subscribed. GB sees NL's practice appear when it is published, and never NL's drafts. Nothing before
    # the registration (the first practice's creation) is sent.
    assert events == [("practice.published", before["id"]), ("practice.updated", before["id"]),
                      ("practice.updated", before["id"])]
    paths = sorted(h["X-ATN-Event"] + " " + h.get("Host", "") for h, _ in receiver.received)
    assert len(paths) == 3


def test_retries_stop_after_the_retry_window(app, client, member, db_session, settings, receiver, monkeypatch):
    monkeypatch.setattr(settings, "webhook_retry_hours", 0.0)
    hook = register(client, member, receiver.url)
    create(client, member, "practices")
    work(app, settings)  # the receiver is down
    [failed] = deliveries(db_session)
    assert failed.status == "failed" and failed.next_attempt_at is None and failed.attempt_count == 1
    # Redelivery queues it again, with the same id and body.
    receiver.start()
    monkeypatch.setattr(settings, "webhook_retry_hours", 25.0)
    response = client.post(f"{HOOKS}/{hook['id']}/deliveries/{failed.id}/redeliver", headers=member.headers)
    assert response.status_code == 202 and response.json["status"] == "pending"
    work(app, settings)
    [headers, body] = receiver.received[0]
    assert headers["X-ATN-Delivery"] == str(failed.id) and body.decode() == failed.body
    assert deliveries(db_session, "delivered")[0].attempt_count == 2


def test_backoff_grows_with_jitter_up_to_the_cap(settings, monkeypatch):
    monkeypatch.setattr(settings, "webhook_backoff_seconds", 30.0)
    monkeypatch.setattr(settings, "webhook_backoff_max_seconds", 3600.0)
    policy = webhooks.retry_policy(settings)
    delays = [policy.backoff(n) for n in range(1, 12)]
    assert 15 <= delays[0] <= 30 and 30 <= delays[1] <= 60 and 60 <= delays[2] <= 120
    assert all(1800 <= d <= 3600 for d in delays[7:])
    assert 1800 <= policy.backoff(5000) <= 3600  # however many attempts a delivery has had
    # Retries go on until the delivery's window closes (25 h by default), not for a number of attempts: with
    # delays of at most an hour, that is at least 25 more tries over a day.


def test_event_names_are_the_record_types_and_the_feeds_actions():
    """The models name the events (the schemas read them there); they are what the changes feed says."""
    assert EVENT_TYPES == [f"{record_type}.{action}" for record_type in change_log.RECORD_TYPES
                           for action in changes.ACTIONS]


def test_rotate_secret_signs_next_deliveries_with_the_new_one(app, client, member, settings, receiver):
    receiver.start()
    hook = register(client, member, receiver.url)
    rotated = client.post(f"{HOOKS}/{hook['id']}/rotate-secret", headers=member.headers)
    assert rotated.status_code == 200 and rotated.json["secret"] != hook["secret"]
    assert "secret" not in client.get(f"{HOOKS}/{hook['id']}", headers=member.headers).json
    create(client, member, "practices")
    work(app, settings)
    headers, body = receiver.received[0]
    webhook_signature.verify(rotated.json["secret"], headers, body)
    with pytest.raises(webhook_signature.SignatureError):
        webhook_signature.verify(hook["secret"], headers, body)


def test_inactive_endpoints_get_nothing(app, client, member, db_session, settings, receiver):
    receiver.start()
    hook = register(client, member, receiver.url, active=False)
    create(client, member, "practices")
    work(app, settings)
    assert receiver.received == [] and deliveries(db_session) == []
    assert hook["active"] is False


def test_a_redirect_is_never_followed_and_counts_as_a_failure(app, client, member, db_session, settings, receiver):
    """A receiver answering 3xx could send the body (and its signature) anywhere: the redirect is not followed,
    and the delivery is retried like any failure."""
    elsewhere = Receiver().start()
    try:
        receiver.status, receiver.location = 307, elsewhere.url
        receiver.start()
        register(client, member, receiver.url)
        create(client, member, "practices")
        work(app, settings)
        work(app, settings)
        assert receiver.received and elsewhere.received == []
        [delivery] = deliveries(db_session)
        assert delivery.status == "pending" and delivery.attempt_count >= 1
    finally:
        elsewhere.stop()


def test_worker_command_runs_one_pass(app, client, member, db_session, settings, receiver):
    receiver.start()
    register(client, member, receiver.url)
    create(client, member, "practices")
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert len(receiver.received) == 1 and len(deliveries(db_session, "delivered")) == 1


def test_two_workers_never_send_a_delivery_twice(app, client, member, db_session, settings, receiver):
    import threading

    receiver.start()
    register(client, member, receiver.url)
    for n in range(8):
        create(client, member, "practices", external_id=f"NL-P-{n + 10}")
    errors = []

    def worker():
        try:
            for _ in range(3):
                work(app, settings)
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    ids = [h["X-ATN-Delivery"] for h, _ in receiver.received]
    assert len(ids) == 8 and len(set(ids)) == 8
    assert len(deliveries(db_session, "delivered")) == 8


# --- SSRF ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("target", [
    "https://10.0.0.1/hook", "https://169.254.169.254/latest/meta-data", "https://192.168.1.20/hook",
    "https://172.16.0.1/hook", "https://[::ffff:127.0.0.1]/hook", "https://[::1]/hook", "https://[fe80::1]/hook",
    "https://0.0.0.0/hook", "https://224.0.0.1/hook", "https://100.64.0.1/hook", "https://[fc00::1]/hook",
    "https://[::ffff:10.0.0.1]/hook", "https://127.0.0.1/hook", "http://93.184.215.14/hook",
    "ftp://example.org/hook", "https://user:pw@93.184.215.14/hook",
])
def test_private_and_odd_targets_are_refused_at_registration(client, member, settings, monkeypatch, target):
    monkeypatch.setattr(settings, "webhook_allow_http_loopback", False)
    response = client.post(HOOKS, json={"url": target, "events": ["*"]}, headers=member.headers)
    assert response.status_code == 422, response.json
    assert list(response.json["errors"]["json"]) == ["url"]


@pytest.fixture
def webhook_log():
    """The webhook module's log records (its logger does not propagate to pytest's)."""
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record)

    handler, logger = Keep(logging.WARNING), logging.getLogger("atn_hub.webhooks")
    logger.addHandler(handler)
    yield records
    logger.removeHandler(handler)


def test_a_refused_name_is_answered_without_what_it_resolves_to(client, member, settings, monkeypatch, fake_dns,
                                                                webhook_log):
    """Whether an internal name resolves, and to what, is not for the caller to learn (the server's log keeps
    it): a private address and a name that does not resolve get the same answer."""
    monkeypatch.setattr(settings, "webhook_allow_http_loopback", False)
    fake_dns["vm"] = "127.0.0.1"
    fake_dns["intranet.partner.example"] = "10.1.2.3"
    answers = [client.post(HOOKS, json={"url": target, "events": ["*"]}, headers=member.headers)
               for target in ("https://vm/hook", "https://intranet.partner.example/hook",
                              "https://no-such-host.invalid/hook")]
    assert [a.status_code for a in answers] == [422, 422, 422]
    bodies = [{k: v for k, v in a.json.items() if k != "request_id"} for a in answers]  # each request its own id
    assert len({json.dumps(body, sort_keys=True) for body in bodies}) == 1  # indistinguishable
    said = json.dumps(answers[0].json)
    assert "not allowed" in answers[0].json["errors"]["json"]["url"][0]
    assert not any(leak in said for leak in ("127.0.0.1", "10.1.2.3", "loopback", "private", "resolves to"))
    assert client.get(HOOKS, headers=member.headers).json == []
    reasons = [getattr(record, "reason", None) for record in webhook_log]
    assert "'vm' resolves to 127.0.0.1, a loopback address" in reasons
    assert "'intranet.partner.example' resolves to 10.1.2.3, a private address" in reasons


def test_loopback_only_with_the_flag_and_mapped_loopback_follows_it(client, member, settings, monkeypatch):
    assert client.post(HOOKS, json={"url": "http://127.0.0.1:9/hook", "events": ["*"]},
                       headers=member.headers).status_code == 201
    monkeypatch.setattr(settings, "webhook_allow_http_loopback", False)
    for target in ("http://127.0.0.1:9/hook", "https://[::ffff:127.0.0.1]:9/hook", "https://localhost:9/hook"):
        assert client.post(HOOKS, json={"url": target, "events": ["*"]},
                           headers=member.headers).status_code == 422, target


def test_the_allowlist_admits_networks_and_names(client, member, settings, monkeypatch, fake_dns):
    fake_dns["hooks.intranet.example"] = "192.168.7.7"
    monkeypatch.setattr(settings, "webhook_allowlist", "10.0.0.0/8, hooks.intranet.example")
    for target in ("https://10.0.0.1/hook", "https://hooks.intranet.example/hook"):
        assert client.post(HOOKS, json={"url": target, "events": ["*"]}, headers=member.headers).status_code == 201
    assert client.post(HOOKS, json={"url": "https://192.168.1.1/hook", "events": ["*"]},
                       headers=member.headers).status_code == 422


def test_targets_are_checked_again_at_delivery(app, client, member, db_session, settings, monkeypatch, fake_dns,
                                               receiver, webhook_log):
    """DNS that changes after registration (rebinding), or loopback no longer allowed: each attempt is refused
    before connecting, and logged; nothing is sent."""
    receiver.start()
    fake_dns["partner.example"] = "127.0.0.1"
    register(client, member, f"http://partner.example:{receiver.port}/hook")
    create(client, member, "practices")
    monkeypatch.setattr(settings, "webhook_allow_http_loopback", False)
    for attempt, address in enumerate(["10.0.0.1", "169.254.169.254", "192.168.1.20", "::ffff:127.0.0.1",
                                       "127.0.0.1"], start=1):
        fake_dns["partner.example"] = address
        work(app, settings)
        [delivery] = deliveries(db_session)
        assert delivery.attempt_count == attempt and delivery.status == "pending"
        assert delivery.last_error == f"refused: {NOT_ALLOWED}"  # not the address: the API shows it
        assert any(address in getattr(record, "reason", "") for record in webhook_log)  # the server's log does
        time.sleep(0.25)  # the next retry is due (backoff at most 0.2 s here)
    assert receiver.received == []


def test_the_connection_goes_to_the_vetted_address(app, client, member, db_session, settings, fake_dns, receiver):
    """The name is resolved once per attempt, by the check; the connection uses that address, and the request
    still names the host (Host header; SNI and certificate check for https)."""
    receiver.start()
    fake_dns["only-in-the-check.example"] = "127.0.0.1"  # for the check at registration
    register(client, member, f"http://only-in-the-check.example:{receiver.port}/hook")
    create(client, member, "practices")
    del fake_dns["only-in-the-check.example"]  # now only the lookup given to the worker knows the name
    resolved = []

    def lookup(host, port, *args, **kwargs):
        resolved.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    outbox.run_once(app.extensions["atn_db"].session_factory, webhooks.channel(settings, resolve=lookup))
    assert resolved == ["only-in-the-check.example"]
    assert receiver.received[0][0]["Host"] == f"only-in-the-check.example:{receiver.port}"


@pytest.mark.parametrize("address,allowed", [
    ("93.184.215.14", True), ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", True), ("10.0.0.1", False),
    ("127.0.0.1", False), ("::1", False), ("::ffff:127.0.0.1", False), ("::ffff:192.168.0.1", False),
    ("169.254.169.254", False), ("fe80::1", False), ("fd00::1", False), ("ff02::1", False), ("0.0.0.0", False),
    ("::", False), ("240.0.0.1", False), ("2002:a00:1::", False), ("198.18.0.1", False),
])
def test_address_rules(settings, monkeypatch, address, allowed):
    monkeypatch.setattr(settings, "webhook_allow_http_loopback", False)

    def resolve(host, port, **kwargs):
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (address, port))]

    if allowed:
        assert check_target("https://hooks.example/x", settings, resolve).address == address
    else:
        with pytest.raises(UnsafeTarget):
            check_target("https://hooks.example/x", settings, resolve)


def test_one_private_address_among_public_ones_refuses(settings):
    def resolve(host, port, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port)),
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.8", port))]

    with pytest.raises(UnsafeTarget) as refused:
        check_target("https://round-robin.example/x", settings, resolve)
    assert "10.0.0.8" in refused.value.detail


# --- the API: input, ETags, permissions ------------------------------------------------------------------------
@pytest.mark.parametrize("body,field", [
    ({"url": "not a url", "events": ["*"]}, "url"),
    ({"url": "https://93.184.215.14/x", "events": ["practice.exploded"]}, "events"),
    ({"url": "https://93.184.215.14/x", "events": []}, "events"),
    ({"url": "https://93.184.215.14/x"}, "events"),
    ({"events": ["*"]}, "url"),
    ({"url": "https://93.184.215.14/x", "events": ["*"], "society": "ZZ"}, "society"),
    ({"url": "https://93.184.215.14/x", "events": ["*"], "secret": "mine"}, "secret"),
    ({"url": "https://no-such-host.invalid/x", "events": ["*"]}, "url"),
])
def test_bad_input_names_the_field(client, member, settings, body, field):
    response = client.post(HOOKS, json=body, headers=member.headers)
    assert response.status_code == 422, response.json
    assert field in response.json["errors"]["json"]


def test_register_get_update_delete(client, member, db_session, settings):
    hook = register(client, member, "https://93.184.215.14/atn", events=["practice.published", "contact.deleted"],
                    description="Our sync")
    assert hook["secret"].startswith("whsec_") and hook["society"] == "NL" and hook["active"] is True
    assert hook["events"] == ["contact.deleted", "practice.published"]
    got = client.get(f"{HOOKS}/{hook['id']}", headers=member.headers)
    assert got.status_code == 200 and "secret" not in got.json
    assert [h["id"] for h in client.get(HOOKS, headers=member.headers).json] == [hook["id"]]

    change = {"events": ["training-material.updated"], "active": False}
    assert client.patch(f"{HOOKS}/{hook['id']}", json=change, headers=member.headers).status_code == 428
    stale = client.patch(f"{HOOKS}/{hook['id']}", json=change, headers={**member.headers, "If-Match": '"x"'})
    assert stale.status_code == 412
    patched = client.patch(f"{HOOKS}/{hook['id']}", json=change,
                           headers={**member.headers, "If-Match": got.headers["ETag"]})
    assert patched.status_code == 200 and patched.json["events"] == ["training-material.updated"]
    assert patched.json["active"] is False and patched.headers["ETag"] != got.headers["ETag"]
    bad = client.patch(f"{HOOKS}/{hook['id']}", json={"url": "https://10.0.0.1/x"},
                       headers={**member.headers, "If-Match": patched.headers["ETag"]})
    assert bad.status_code == 422 and "url" in bad.json["errors"]["json"]

    assert client.delete(f"{HOOKS}/{hook['id']}", headers=member.headers).status_code == 204
    assert client.get(f"{HOOKS}/{hook['id']}", headers=member.headers).status_code == 404
    assert db_session.scalar(select(func.count()).select_from(WebhookEndpoint)) == 0
    # The change log (the audit trail) says who registered, changed and deleted it; never its secret.
    logged = db_session.execute(select(ChangeLog.action, ChangeLog.payload).where(ChangeLog.record_type == "webhook")
                                .order_by(ChangeLog.seq)).all()
    db_session.rollback()
    assert [action for action, _ in logged] == ["created", "updated", "deleted"]
    assert sorted(logged[1].payload["fields"]) == ["active", "events"]
    assert hook["secret"] not in json.dumps([payload for _, payload in logged])


def test_admins_register_for_any_society_members_for_their_own(client, member, admin, settings):
    assert client.post(HOOKS, json={"url": "https://93.184.215.14/x", "events": ["*"], "society": "GB"},
                       headers=member.headers).status_code == 403
    assert register(client, member, "https://93.184.215.14/x", society="NL")["society"] == "NL"
    assert register(client, admin, "https://93.184.215.14/x", society="GB")["society"] == "GB"
    response = client.post(HOOKS, json={"url": "https://93.184.215.14/x", "events": ["*"]}, headers=admin.headers)
    assert response.status_code == 422 and "society" in response.json["errors"]["json"]
    assert len(client.get(HOOKS, headers=admin.headers).json) == 2
    assert len(client.get(HOOKS, headers=member.headers).json) == 1


def test_a_society_registers_at_most_the_configured_number_of_webhooks(client, member, other_member, admin,
                                                                        db_session, settings, monkeypatch):
    monkeypatch.setattr(settings, "max_webhooks_per_society", 3)
    for n in range(3):
        register(client, member, f"https://93.184.215.14/hook-{n}")
    refused = client.post(HOOKS, json={"url": "https://93.184.215.14/one-more", "events": ["*"]},
                          headers=member.headers)
    assert refused.status_code == 409 and "the most a society may have (3)" in refused.json["message"]
    by_admin = client.post(HOOKS, json={"url": "https://93.184.215.14/x", "events": ["*"], "society": "NL"},
                           headers=admin.headers)
    assert by_admin.status_code == 409  # the cap is the society's, whoever registers
    assert db_session.scalar(select(func.count()).select_from(WebhookEndpoint)) == 3  # nothing created
    assert db_session.scalar(select(func.count()).select_from(ChangeLog)
                             .where(ChangeLog.record_type == "webhook")) == 3
    db_session.rollback()
    register(client, other_member, "https://93.184.215.14/gb")  # another society has its own room
    first = client.get(HOOKS, headers=member.headers).json[0]
    assert client.delete(f"{HOOKS}/{first['id']}", headers=member.headers).status_code == 204
    register(client, member, "https://93.184.215.14/in-the-freed-place")


def test_two_registrations_at_once_for_the_last_place_one_gets_it(live_server, client, member, db_session,
                                                                  settings):
    import threading

    import requests

    for n in range(9):  # the live server has the default cap, 10
        register(client, member, f"https://93.184.215.14/hook-{n}")
    barrier, statuses = threading.Barrier(2), []

    def register_now(n):
        barrier.wait()
        statuses.append(requests.post(f"{live_server}{HOOKS}", json={"url": f"https://93.184.215.14/last-{n}",
                                                                    "events": ["*"]},
                                      headers=member.headers, timeout=30).status_code)

    threads = [threading.Thread(target=register_now, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201, 409]
    assert db_session.scalar(select(func.count()).select_from(WebhookEndpoint)) == 10
    db_session.rollback()


def test_the_webhook_cap_defaults_to_ten(client, member, settings):
    assert settings.max_webhooks_per_society == 10
    for n in range(10):
        register(client, member, f"https://93.184.215.14/hook-{n}")
    assert client.post(HOOKS, json={"url": "https://93.184.215.14/x", "events": ["*"]},
                       headers=member.headers).status_code == 409


def _operations(hook_id, delivery_id):
    return [("get", HOOKS, None), ("post", HOOKS, {"url": "https://93.184.215.14/x", "events": ["*"]}),
            ("get", f"{HOOKS}/{hook_id}", None), ("patch", f"{HOOKS}/{hook_id}", {"active": False}),
            ("delete", f"{HOOKS}/{hook_id}", None), ("post", f"{HOOKS}/{hook_id}/rotate-secret", None),
            ("get", f"{HOOKS}/{hook_id}/deliveries", None),
            ("post", f"{HOOKS}/{hook_id}/deliveries/{delivery_id}/redeliver", None)]


def test_permissions_on_every_endpoint(app, client, member, other_member, make_caller, db_session, settings,
                                       receiver):
    receiver.start()
    hook = register(client, member, receiver.url)
    create(client, member, "practices")
    work(app, settings)
    [delivery] = deliveries(db_session)
    reader = make_caller("member", "NL", scope="read")
    for method, path, body in _operations(hook["id"], delivery.id):
        anonymous = getattr(client, method)(path, json=body)
        assert anonymous.status_code == 401 and "Bearer" in anonymous.headers["WWW-Authenticate"], path
        forbidden = getattr(client, method)(path, json=body, headers={**reader.headers, "If-Match": "*"})
        assert forbidden.status_code == 403 and 'scope="write"' in forbidden.headers["WWW-Authenticate"], path
        if path != HOOKS:  # another society's endpoint does not exist for them
            other = getattr(client, method)(path, json=body, headers={**other_member.headers, "If-Match": "*"})
            assert other.status_code == 404 and other.json["code"] == 404, (method, path, other.json)
    assert client.get(HOOKS, headers=other_member.headers).json == []
    assert client.get(f"{HOOKS}/{hook['id']}", headers=member.headers).json["active"] is True
    missing = client.post(f"{HOOKS}/{hook['id']}/deliveries/{uuid.uuid4()}/redeliver", headers=member.headers)
    assert missing.status_code == 404


# --- erasure ---------------------------------------------------------------------------------------------------
def test_erasure_blanks_fields_in_delivery_bodies(app, client, member, db_session, settings, receiver):
    receiver.start()
    register(client, member, receiver.url)
    contact = create(client, member, "contacts").json
    work(app, settings)
    assert personal_data.scrub_delivery_bodies(db_session, "contact", contact["id"],
                                               ("role", "name", "email", "phone")) == 1
    db_session.commit()
    [delivery] = deliveries(db_session)
    record = json.loads(delivery.body)["change"]["record"]
    assert record["role"] is None and record["id"] == contact["id"]
    assert valid("contacts")["role"] not in delivery.body


def test_the_worker_process_delivers_and_stops_on_sigterm(app, backend, client, member, db_session, settings,
                                                          receiver, tmp_path):
    """`atn-hub worker` as deployed: its own process on the same database; SIGTERM ends it cleanly."""
    import os
    import signal
    import subprocess
    import sys

    receiver.start()
    register(client, member, receiver.url)
    create(client, member, "practices")
    env = {**os.environ, "ATN_DATABASE_URL": backend[1], "ATN_INSTANCE_DIR": str(tmp_path / "worker"),
           "ATN_SECRET_KEY": "worker-test", "ATN_LOG_LEVEL": "WARNING", "ATN_WEBHOOK_ALLOW_HTTP_LOOPBACK": "true"}
    process = subprocess.Popen([sys.executable, "-m", "atn_hub.cli", "worker", "--interval", "0.1"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while not receiver.answered and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.1)
        assert len(receiver.answered) == 1, process.stderr.read().decode()[-2000:] if process.poll() else "none"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stderr.close()
    assert deliveries(db_session, "delivered")


def test_a_ping_arrives_signed_whatever_the_webhook_subscribes_to(app, client, member, other_member, db_session,
                                                                  settings, receiver):
    receiver.start()
    hook = register(client, member, receiver.url, events=["contact.deleted"])
    pinged = client.post(f"{HOOKS}/{hook['id']}/ping", headers=member.headers)
    assert pinged.status_code == 202 and pinged.json["event"] == "ping" and pinged.json["cursor"] is None
    assert client.post(f"{HOOKS}/{hook['id']}/ping", headers=other_member.headers).status_code == 404
    work_until(app, settings, lambda: receiver.received)
    [(headers, body)] = receiver.received
    webhook_signature.verify(hook["secret"], headers, body)
    sent = json.loads(body)
    assert sent["event"] == headers["X-ATN-Event"] == "ping" and sent["id"] == headers["X-ATN-Delivery"]
    assert sent["webhook"] == {"id": hook["id"], "url": receiver.url, "events": ["contact.deleted"]}
    [listed] = client.get(f"{HOOKS}/{hook['id']}/deliveries", headers=member.headers).json
    assert listed["id"] == pinged.json["id"] and listed["status"] == "delivered" and listed["last_status_code"] == 204
    again = client.post(f"{HOOKS}/{hook['id']}/ping", headers=member.headers)  # as often as wanted
    assert again.status_code == 202 and again.json["id"] != pinged.json["id"]


def test_a_pattern_subscribes_to_every_action_of_a_type(app, client, member, settings, receiver):
    receiver.start()
    register(client, member, receiver.url, events=["practice.*"])
    practice = create(client, member, "practices").json
    assert client.delete(url("practices", practice["id"]), headers=member.headers).status_code == 204
    create(client, member, "contacts")
    work(app, settings)
    assert sorted(h["X-ATN-Event"] for h, _ in receiver.received) == ["practice.created", "practice.deleted"]
    refused = client.post(HOOKS, json={"url": receiver.url, "events": ["practice.%"]}, headers=member.headers)
    assert refused.status_code == 422 and "events" in refused.json["errors"]["json"]


def test_registration_warns_when_nothing_delivers(app, client, member, settings, monkeypatch, receiver):
    from atn_hub import delivery

    monkeypatch.setattr(settings, "delivery", "off")  # the web processes leave it to a worker...
    first = register(client, member, receiver.url)
    assert first["warnings"] and "atn-hub worker" in first["warnings"][0]  # ...and none has run
    delivery.run_once(app.extensions["atn_db"].session_factory, settings, delivery.channels(settings))
    assert register(client, member, receiver.url.replace("/hook", "/other"))["warnings"] == []  # one just did
    monkeypatch.setattr(settings, "delivery", "thread")
    assert register(client, member, receiver.url.replace("/hook", "/third"))["warnings"] == []
