"""The webhook transport: one attempt of a delivery is one signed HTTP POST, to the address vetted just before.

The trap: left to itself, ``requests`` would resolve the host name again when it connects (and a second DNS
answer can point inside the network), follow a redirect (sending the signed body wherever the receiver says)
and use the proxies in the environment. So the connection is pinned to the address ``check_target`` returned,
the name kept for the Host header, TLS SNI and the certificate check; redirects are failures; the environment
is not trusted. ``atn_hub.webhook_signature`` makes the signature headers (partners copy that module).
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import requests
from requests.adapters import HTTPAdapter

from .. import webhook_signature
from ..config import Settings
from ..outbox import Delivery, Outcome
from .webhook_targets import DEFAULT_PORTS, Resolver, Target, UnsafeTarget, check_target

log = logging.getLogger("atn_hub.webhooks")

USER_AGENT = "ATN-Hub-Webhooks/1"


@dataclass(frozen=True)
class Recipient:
    """Where a delivery goes and what signs it, read off its endpoint when the delivery is claimed."""

    url: str
    secret: str


class PinnedAdapter(HTTPAdapter):
    """Connects to the vetted address while the URL, Host header, SNI and certificate check keep the name."""

    def __init__(self, target: Target):
        self.target = target
        super().__init__(max_retries=0)

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        host_params["host"] = self.target.address
        if host_params["scheme"] == "https":
            pool_kwargs["server_hostname"] = self.target.host
            pool_kwargs["assert_hostname"] = self.target.host
        return host_params, pool_kwargs


class WebhookTransport:
    """The outbox's transport for deliveries whose recipient is a ``Recipient``. The settings are read at each
    attempt; ``resolve`` (``socket.getaddrinfo`` by default) is the name lookup the target check uses."""

    def __init__(self, settings: Settings, resolve: Resolver | None = None):
        self.settings = settings
        self.resolve = resolve

    def send(self, delivery: Delivery) -> Outcome:
        """One attempt: vet the target again, sign, POST to the vetted address; no redirects, no proxies."""
        started = time.monotonic()
        url, settings = delivery.recipient.url, self.settings

        def outcome(status_code: int | None = None, error: str | None = None) -> Outcome:
            return Outcome(status_code, error, int((time.monotonic() - started) * 1000))

        try:
            target = check_target(url, settings, self.resolve)
        except UnsafeTarget as exc:
            log.warning("webhook target refused", extra={"url": url, "delivery": str(delivery.id),
                                                          "reason": exc.detail})
            return outcome(error=f"refused: {exc}")
        payload = delivery.body.encode("utf-8")
        name = f"[{target.host}]" if ":" in target.host else target.host  # an IPv6 literal keeps its brackets
        host_header = name if target.port == DEFAULT_PORTS[target.scheme] else f"{name}:{target.port}"
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT, "Host": host_header,
                   webhook_signature.DELIVERY_HEADER: str(delivery.id), webhook_signature.EVENT_HEADER: delivery.event,
                   **webhook_signature.sign(delivery.recipient.secret, payload)}
        with requests.Session() as http:
            http.trust_env = False  # no proxies from the environment: we connect to the address we vetted
            http.mount(f"{target.scheme}://", PinnedAdapter(target))
            try:
                response = http.post(url, data=payload, headers=headers, allow_redirects=False, stream=True,
                                     timeout=(settings.webhook_timeout_seconds, settings.webhook_timeout_seconds))
                response.close()  # the receiver's answer body is not read, nor kept
            except requests.RequestException as exc:
                return outcome(error=f"{exc.__class__.__name__}: {exc}")
        error = None if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"
        if response.is_redirect:
            error = f"HTTP {response.status_code}: redirects are not followed"
        return outcome(response.status_code, error)
