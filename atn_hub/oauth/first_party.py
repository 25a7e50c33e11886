"""The hub's own OAuth client: the web console and Swagger UI at ``/docs`` both sign in as the public client
``atn-hub-web`` (its id is written into their scripts), from pages the hub itself serves.

Being the hub's own, the client

- may use the hub's own pages at ``ATN_PUBLIC_URL`` as redirect URIs, whatever its stored list says: the
  console's ``{public_url}/`` and Swagger UI's ``{public_url}/docs/assets/oauth2-redirect.html`` (and the same
  on the other loopback name, ``localhost`` for ``127.0.0.1`` and back). Each is still matched exactly
  (RFC 9700 4.1.3): a hub served at another address needs ``ATN_PUBLIC_URL`` set to it, and nothing else;
- skips the consent page when it redirects to one of those pages: the person signs in and is back in the
  console. Any other redirect URI of this client, and every other client, gets the consent page.

Why the id and not a column (no migration): the console's and Swagger UI's scripts name the client by this id,
so the client with this id *is* the console's, whoever registered it; a flag beside it could only disagree
with that. And what it is spared is bound to the hub's own pages: a code issued without consent only ever
goes to a page the hub serves, read by the hub's own scripts.
"""
from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

CLIENT_ID = "atn-hub-web"
SWAGGER_UI_REDIRECT_PATH = "/docs/assets/oauth2-redirect.html"  # OPENAPI_SWAGGER_UI_URL + Swagger UI's page
LOOPBACK_NAMES = ("127.0.0.1", "localhost")


def is_first_party(client) -> bool:
    return client is not None and client.client_id == CLIENT_ID


def _addresses(public_url: str) -> list[str]:
    """The public address, and its twin on the other loopback name (a browser may use either)."""
    parts = urlsplit(public_url.rstrip("/"))
    if parts.hostname not in LOOPBACK_NAMES:
        return [urlunsplit(parts)]
    port = f":{parts.port}" if parts.port else ""
    return [urlunsplit(parts._replace(netloc=name + port))
            for name in sorted(LOOPBACK_NAMES, key=lambda n: n != parts.hostname)]


def own_redirect_uris(public_url: str) -> list[str]:
    """The hub's own pages that receive an authorization response: the console's and Swagger UI's."""
    return [address + path for address in _addresses(public_url) for path in ("/", SWAGGER_UI_REDIRECT_PATH)]


def redirects_home(client, redirect_uri: str | None, public_url: str) -> bool:
    """The hub's own client sending the person back to one of the hub's own pages (compared exactly)."""
    return is_first_party(client) and redirect_uri in own_redirect_uris(public_url)
