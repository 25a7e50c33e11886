"""Fixtures of the API's tests that send to a webhook receiver (webhooks, translations)."""
from __future__ import annotations

import pytest

from tests.webhook_receiver import Receiver


@pytest.fixture
def settings(app, monkeypatch):
    """The app's settings for webhooks in tests: http to loopback allowed, retries within a second."""
    settings = app.config["ATN_SETTINGS"]
    for name, value in {"webhook_allow_http_loopback": True, "webhook_backoff_seconds": 0.05,
                        "webhook_backoff_max_seconds": 0.2, "webhook_retry_hours": 25.0,
                        "webhook_timeout_seconds": 5.0, "webhook_allowlist": ""}.items():
        monkeypatch.setattr(settings, name, value)
    return settings


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.stop()
