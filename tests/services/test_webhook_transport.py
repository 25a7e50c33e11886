"""The pieces of a webhook delivery without the app: signatures as a receiver checks them, and a TLS
connection pinned to the vetted address that still checks the certificate against the host's name."""
from __future__ import annotations

import datetime
import ssl
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import requests

from atn_hub import webhook_signature as sig
from atn_hub.services.webhook_targets import Target
from atn_hub.services.webhook_transport import PinnedAdapter

SECRET = "whsec_test"
BODY = b'{"id":"d1","event":"practice.published"}'


def test_a_signed_body_verifies():
    headers = {"X-ATN-Delivery": "d1", **sig.sign(SECRET, BODY, timestamp=1_800_000_000)}
    assert headers["X-ATN-Signature"].startswith("t=1800000000,v1=")
    assert sig.verify(SECRET, headers, BODY, now=1_800_000_100) == 1_800_000_000
    lower = {k.lower(): v for k, v in headers.items()}  # header names are case-insensitive
    assert sig.verify(SECRET, lower, BODY.decode(), now=1_800_000_000)


@pytest.mark.parametrize("change,message", [
    (lambda h, b: (h, b + b" "), "does not match"),
    (lambda h, b: (h, b.replace(b"published", b"deleted")), "does not match"),
    (lambda h, b: ({**h, "X-ATN-Signature": h["X-ATN-Signature"].replace("t=1800000000", "t=1800000001")}, b),
     "does not match"),
    (lambda h, b: ({}, b), "No X-ATN-Signature"),
    (lambda h, b: ({"X-ATN-Signature": "v1=abc"}, b), "Malformed"),
    (lambda h, b: ({"X-ATN-Signature": "t=soon,v1=abc"}, b), "Malformed"),
])
def test_tampering_is_refused(change, message):
    headers, body = change(sig.sign(SECRET, BODY, timestamp=1_800_000_000), BODY)
    with pytest.raises(sig.SignatureError, match=message):
        sig.verify(SECRET, headers, body, now=1_800_000_000)


def test_another_secret_or_an_old_timestamp_is_refused():
    headers = sig.sign(SECRET, BODY, timestamp=1_800_000_000)
    with pytest.raises(sig.SignatureError, match="does not match"):
        sig.verify("whsec_other", headers, BODY, now=1_800_000_000)
    with pytest.raises(sig.SignatureError, match="replay window"):
        sig.verify(SECRET, headers, BODY, now=1_800_000_000 + 301)
    assert sig.verify(SECRET, headers, BODY, now=1_800_000_000 + 299)


def _certificates(tmp_path, name: str):
    """A throw-away CA and a server certificate for ``name`` signed by it."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)

    def build(subject, issuer, key, signer, ca: bool, san=None):
        builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(hours=1))
                   .not_valid_after(now + datetime.timedelta(days=1))
                   .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
        if san:
            builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(san)]), critical=False)
        return builder.sign(signer, hashes.SHA256())

    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test CA")])
    ca = build(ca_name, ca_name, ca_key, ca_key, True)
    cert = build(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]), ca_name, key, ca_key, False, san=name)
    pem = serialization.Encoding.PEM
    (tmp_path / "ca.pem").write_bytes(ca.public_bytes(pem))
    (tmp_path / "server.pem").write_bytes(cert.public_bytes(pem) + key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return tmp_path / "ca.pem", tmp_path / "server.pem"


@pytest.fixture
def tls_server(tmp_path):
    ca, server_pem = _certificates(tmp_path, "hooks.partner.example")
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            seen.append(self.headers["Host"])
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(server_pem)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], ca, seen
    server.shutdown()
    server.server_close()


def _post(port, ca, host):
    target = Target(url=f"https://{host}:{port}/hook", scheme="https", host=host, port=port, address="127.0.0.1")
    with requests.Session() as http:
        http.trust_env = False
        http.mount("https://", PinnedAdapter(target))
        return http.post(target.url, data=b"{}", headers={"Host": f"{host}:{port}"}, timeout=5, verify=str(ca))


def test_pinned_tls_connects_to_the_vetted_address_and_checks_the_name(tls_server):
    """hooks.partner.example resolves nowhere: the request reaches 127.0.0.1 only through the pin, and TLS
    still verifies the certificate for hooks.partner.example."""
    port, ca, seen = tls_server
    assert _post(port, ca, "hooks.partner.example").status_code == 204
    assert seen == [f"hooks.partner.example:{port}"]
    with pytest.raises(requests.exceptions.SSLError):
        _post(port, ca, "other.partner.example")  # the certificate is not for this name


def test_the_readme_verification_snippet_works():
    """The dozen lines the README gives partners accept what the hub signs, and refuse tampering."""
    from tests.conftest import ROOT

    readme = (ROOT / "README.md").read_text().split("**Verifying a delivery**")[1]
    namespace: dict = {}
    exec(readme.split("```python")[1].split("```")[0], namespace)
    headers = sig.sign(SECRET, BODY)
    namespace["verify"](SECRET, headers, BODY)
    with pytest.raises(ValueError):
        namespace["verify"](SECRET, headers, BODY + b" ")
    with pytest.raises(ValueError):
        namespace["verify"](SECRET, sig.sign(SECRET, BODY, timestamp=1_000_000_000), BODY)
