"""The README's sync loop, run as written against a live server: it rebuilds what the lists show, waits as
Retry-After says when the hub answers 503 or 429, and fetches a new token when its token stops working (401)."""
from __future__ import annotations

import re
import sys
import types
from pathlib import Path

import requests

from tests.helpers import create, publish, shown_in_lists
from tests.oauth.helpers import make_client

ROOT = Path(__file__).resolve().parents[1]


def sync_loop() -> str:
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    return next(block for block in blocks if "new_token" in block and "/api/v1/changes" in block)


def answer(status: int, headers: dict[str, str]) -> requests.Response:
    response = requests.Response()
    response.status_code, response.url = status, "http://hub.invalid/api/v1/changes"
    response.headers.update(headers)
    response._content = b"{}"
    return response


class TheHubAtItsWorst(types.SimpleNamespace):
    """``requests`` for the loop: one item per page (so that it pages), a 503 and a 429 first, and its token
    revoked (as an expired one answers) after the first page."""

    def __init__(self, hub: str, credentials: tuple[str, str]):
        super().__init__(gets=0, tokens=0, hub=hub, credentials=credentials)

    def post(self, url, **kwargs):
        self.tokens += 1
        return requests.post(url, **kwargs)

    def get(self, url, params=None, headers=None, **kwargs):
        self.gets += 1
        if self.gets == 1:
            return answer(503, {"Retry-After": "0"})
        if self.gets == 2:
            return answer(429, {"Retry-After": "0"})
        if self.gets == 4:
            token = headers["Authorization"].removeprefix("Bearer ")
            assert requests.post(f"{self.hub}/oauth/revoke", data={"token": token}, auth=self.credentials,
                                 timeout=30).status_code == 200
        return requests.get(url, params={**params, "limit": 1}, headers=headers, **kwargs)


def test_the_readme_sync_loop_rebuilds_the_lists_through_401_429_and_503(live_server, client, db_session, member,
                                                                          other_member, coordinator, monkeypatch):
    publish(client, member, coordinator, "practices", visibility="public")
    publish(client, other_member, coordinator, "contacts")
    create(client, member, "training-materials")
    create(client, other_member, "practices")  # another society's draft: not for this client
    credentials = make_client(db_session, name="NL sync", scope="read")
    hub = TheHubAtItsWorst(live_server, credentials)
    code = sync_loop().replace('"http://127.0.0.1:5000"', repr(live_server)) \
                      .replace('("CLIENT_ID", "CLIENT_SECRET")', repr(credentials))
    scope: dict = {}
    with monkeypatch.context() as patch:
        patch.setitem(sys.modules, "requests", hub)
        exec(compile(code, "README.md", "exec"), scope)  # the README's own code, as written

    assert hub.tokens == 2 and hub.gets >= 6  # a new token after the 401; pages of one change
    reader = types.SimpleNamespace(headers={"Authorization": f"Bearer {scope['token']}"})
    assert scope["copy"] == shown_in_lists(client, reader) and len(scope["copy"]) == 3
