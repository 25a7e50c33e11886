"""The embedded default delivers: `atn-hub run` alone (ATN_DELIVERY=thread, no `atn-hub worker`) sends the
review workflow's e-mails through a real SMTP server and its webhooks to a real receiver, as the change log
moves, over real HTTP."""
from __future__ import annotations

import json
import time

import requests

from tests.conftest import serving
from tests.mailbox import Mailbox
from tests.payloads import valid
from tests.webhook_receiver import Receiver


def test_the_served_app_alone_sends_e_mails_and_webhooks(app, backend, make_caller, tmp_path):
    member, coordinator = make_caller("member", "NL"), make_caller("coordinator", "GB")
    mailbox, receiver = Mailbox(), Receiver().start()
    try:
        with serving(backend[1], tmp_path / "instance", ATN_DELIVERY="thread", ATN_DELIVERY_POLL_SECONDS="0.2",
                     ATN_SMTP_URL=mailbox.url, ATN_MAIL_FROM="ATN Hub <hub@atn.example>",
                     ATN_WEBHOOK_ALLOW_HTTP_LOOPBACK="true") as base:
            http = requests.Session()

            def call(method, path, caller, **kwargs):
                response = http.request(method, base + path, timeout=30,
                                        headers={"Authorization": f"Bearer {caller.token}"}, **kwargs)
                assert response.status_code < 300, response.text
                return response.json() if response.content else None

            call("PATCH", "/api/v1/me/notification-settings", member, json={"language": "nl"})
            call("POST", "/api/v1/webhooks", member, json={"url": receiver.url, "events": ["*"]})
            practice = call("POST", "/api/v1/practices", member, json=valid("practices", title="Buddy programme"))
            call("POST", f"/api/v1/practices/{practice['id']}/submit", member)

            [told] = mailbox.wait_for(coordinator.user.email)
            assert told["Subject"] == f"Submitted for review: “Buddy programme” ({member.user.name})"
            inbox = call("GET", "/api/v1/me/notifications?unread=true", coordinator)
            assert [(n["kind"], n["record"]["id"]) for n in inbox] == [("submission", practice["id"])]

            call("POST", f"/api/v1/practices/{practice['id']}/review", coordinator, json={"decision": "approve"})
            [decision] = mailbox.wait_for(member.user.email)
            assert decision["Content-Language"] == "nl" and "Buddy programme" in decision["Subject"]

            # the society's own hook: its draft was created, then changed (submitted), then changed (published)
            deadline = time.monotonic() + 30
            while len(receiver.received) < 3 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert [(e["event"], e["change"]["record_id"]) for e in events(receiver)] == [
                ("practice.created", practice["id"]), ("practice.updated", practice["id"]),
                ("practice.updated", practice["id"])]
    finally:
        mailbox.stop()
        receiver.stop()


def events(receiver: Receiver) -> list[dict]:
    return sorted((json.loads(body) for _, body in list(receiver.received)), key=lambda e: e["created_at"])
