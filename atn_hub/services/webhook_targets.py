"""Which webhook targets we send to (no SSRF): checked at registration and again right before each attempt.

The trap: a name that resolves to a public address at registration can resolve to ``127.0.0.1`` or
``169.254.169.254`` a minute later (DNS rebinding), and an address can hide inside another (``::ffff:10.0.0.1``,
6to4, Teredo). So every address the name resolves to is vetted, each time, unwrapped; and the caller connects to
the address returned here (``Target.address``) rather than resolving the name a second time.
"""
from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..config import Settings

DEFAULT_PORTS = {"http": 80, "https": 443}

# What a refused address is called in answers and in the deliveries' log: never what the host resolves to,
# nor whether it resolves at all (that would let a caller map the hub's internal network and DNS). The
# detail goes to the server's log only.
NOT_ALLOWED = ("The URL's address is not allowed as a webhook target: only public addresses are (ask an "
               "administrator to allow-list yours if it is not public).")


class UnsafeTarget(ValueError):
    """A URL we will not send to: ``str()`` says why in words fit for the caller and the deliveries' log;
    ``detail`` adds, for the server's log, what the host resolved to."""

    def __init__(self, message: str, detail: str | None = None):
        super().__init__(message)
        self.detail = detail or message


@dataclass(frozen=True)
class Target:
    url: str
    scheme: str
    host: str  # as in the URL (for the Host header, SNI and the certificate check)
    port: int
    address: str  # the vetted IP address to connect to


Resolver = Callable[..., list]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def _allowlist(settings: Settings) -> tuple[list[IPNetwork], set[str]]:
    networks: list[IPNetwork] = []
    hosts: set[str] = set()
    for entry in (settings.webhook_allowlist or "").split(","):
        entry = entry.strip()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            hosts.add(entry.lower().rstrip("."))
    return networks, hosts


def _why_not_public(ip: IPAddress) -> str | None:
    """The kind of non-public address this is (also through IPv4-mapped, 6to4 and Teredo IPv6), or None."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = [a for a in (ip.ipv4_mapped, ip.sixtofour, ip.teredo and ip.teredo[1]) if a is not None]
        for inner in embedded:
            reason = _why_not_public(inner)
            if reason:
                return reason
    for reason in ("loopback", "private", "link_local", "multicast", "reserved", "unspecified"):
        if getattr(ip, f"is_{reason}"):
            return reason.replace("_", "-")
    return None if ip.is_global else "non-public"


def _unwrap(ip: IPAddress) -> IPAddress:
    return ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped else ip


def _host_of(sockaddr: tuple) -> str:
    """The address in a resolved sockaddr, as text."""
    host = sockaddr[0]
    # getaddrinfo is asked for stream sockets by name, so only AF_INET and AF_INET6 answers come back, and
    # theirs start with the address as text (the int in the stubs is for AF_QIPCRTR, never resolved to here)
    assert isinstance(host, str), f"not an IP sockaddr: {sockaddr!r}"
    return host


def check_target(url: str, settings: Settings, resolve: Resolver | None = None) -> Target:
    """Parse, resolve and vet a webhook URL; raises ``UnsafeTarget``. Every address the name resolves to must
    be public (or allow-listed): one bad address refuses the URL, so DNS round-robin cannot sneak one in."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeTarget(f"Not a valid URL: {exc}.") from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise UnsafeTarget("Use an https:// URL.")
    if parts.username is not None or parts.password is not None:
        raise UnsafeTarget("Credentials in the URL are not accepted: verify the signature instead.")
    host = parts.hostname.lower().rstrip(".")
    port = port or DEFAULT_PORTS[parts.scheme]
    try:
        found = (resolve or socket.getaddrinfo)(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError) as exc:
        raise UnsafeTarget(NOT_ALLOWED, f"'{host}' does not resolve ({exc})") from None
    addresses = list(dict.fromkeys(ipaddress.ip_address(_host_of(info[4]).split("%")[0]) for info in found))
    if not addresses:
        raise UnsafeTarget(NOT_ALLOWED, f"'{host}' does not resolve")
    networks, hosts = _allowlist(settings)
    loopback_ok = settings.webhook_allow_http_loopback
    for ip in addresses:
        if host in hosts or any(ip in net or _unwrap(ip) in net for net in networks):
            continue
        reason = _why_not_public(ip)
        if reason == "loopback" and loopback_ok:
            continue
        if reason:
            shown = f"::ffff:{ip.ipv4_mapped}" if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped else ip
            raise UnsafeTarget(NOT_ALLOWED, f"'{host}' resolves to {shown}, a {reason} address")
    if parts.scheme == "http" and not (loopback_ok and all(_unwrap(ip).is_loopback for ip in addresses)):
        raise UnsafeTarget("Use an https:// URL (plain http only to loopback, when the hub allows it for tests).")
    return Target(url=url, scheme=parts.scheme, host=host, port=port, address=str(addresses[0]))
