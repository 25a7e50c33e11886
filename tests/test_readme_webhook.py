"""The README's local webhook recipe, run as a developer would: its receiver (the code block itself) against a
live hub allowed to call loopback, which delivers by itself; a ping and a practice's creation arrive
verified, and a delivery signed with another secret is refused."""
from __future__ import annotations

import subprocess
import sys
import time

import requests

from atn_hub import webhook_signature
from tests.conftest import ROOT, free_port, serving
from tests.payloads import valid


def receiver_code() -> str:
    text = (ROOT / "README.md").read_text()
    return text.split("<!-- webhook-receiver -->\n```python\n", 1)[1].split("```", 1)[0]


def wait_for_line(process, wanted: str, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if wanted in line:
            return line
        if not line and process.poll() is not None:
            break
    raise AssertionError(f"the receiver never printed {wanted!r}")


def test_the_readme_receiver_gets_a_ping_and_a_change_verified(app, backend, make_caller, tmp_path):
    member = make_caller("member", "NL")
    script = tmp_path / "receiver.py"
    script.write_text(receiver_code())
    port = free_port()
    with serving(backend[1], tmp_path / "instance", ATN_DELIVERY="thread", ATN_DELIVERY_POLL_SECONDS="0.2",
                 ATN_WEBHOOK_ALLOW_HTTP_LOOPBACK="true") as base:
        auth = {"Authorization": f"Bearer {member.token}"}
        hook = requests.post(f"{base}/api/v1/webhooks", headers=auth, timeout=30,
                             json={"url": f"http://127.0.0.1:{port}/hook", "events": ["practice.*"]}).json()
        assert hook["warnings"] == []
        receiver = subprocess.Popen([sys.executable, str(script), hook["secret"], str(port)],
                                    stdout=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 30
            while True:  # the receiver is listening
                try:
                    requests.post(f"http://127.0.0.1:{port}/hook", data=b"{}", timeout=5,
                                  headers={**webhook_signature.sign("not-the-secret", b"{}"),
                                           "X-ATN-Delivery": "x", "X-ATN-Event": "ping"})
                    break
                except requests.ConnectionError:
                    assert time.monotonic() < deadline
                    time.sleep(0.1)
            assert "refused: bad signature" in wait_for_line(receiver, "refused")
            assert requests.post(f"{base}/api/v1/webhooks/{hook['id']}/ping", headers=auth,
                                 timeout=30).status_code == 202
            assert wait_for_line(receiver, "ping").strip() == "ping - verified"
            practice = requests.post(f"{base}/api/v1/practices", headers=auth, json=valid("practices"),
                                     timeout=30).json()
            assert wait_for_line(receiver, "practice.created").strip() == \
                f"practice.created {practice['id']} verified"
        finally:
            receiver.kill()
            receiver.wait()
            receiver.stdout.close()
