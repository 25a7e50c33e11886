"""The reference web console: static files (``atn_hub/static/console/``) that use only the public API, signing
in with authorization code + PKCE as the public client ``atn-hub-web``. Every page of the console is the same
document; its scripts read the path and the query (which hold the search state, so links are deep links).
"""
from __future__ import annotations

import re
from pathlib import Path

from flask import Blueprint, Response, request
from markupsafe import Markup

from .access import public
from .i18n import negotiate, translator

CONSOLE_DIR = Path(__file__).resolve().parent / "static" / "console"

# Scripts only from this origin, none inline, and Trusted Types: no string ever reaches an HTML sink.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'; "
    "require-trusted-types-for 'script'; trusted-types 'none'")

PAGES = ["/", "/practices/<uuid:record_id>", "/contacts/<uuid:record_id>", "/training-materials/<uuid:record_id>",
         "/projects/<uuid:record_id>",
         "/my-society", '/new/<any(practices, contacts, "training-materials", projects):kind>',
         '/edit/<any(practices, contacts, "training-materials", projects):kind>/<uuid:record_id>', "/moderation",
         "/notifications", "/dashboard"]

bp = Blueprint("console", __name__)


_NOSCRIPT = re.compile(r"<noscript>.*?</noscript>", re.S)


def _document(language: str) -> str:
    """index.html in the reader's language as far as a server can tell (Accept-Language): <html lang> and the
    <noscript> text, which no script can translate. The console's scripts then apply the remembered choice."""
    t = translator(language)
    noscript = t("shell.noscript", link=Markup('<a href="/docs">/docs</a>'))
    text = (CONSOLE_DIR / "index.html").read_text(encoding="utf-8")
    text = text.replace('<html lang="en">', f'<html lang="{language}">', 1)
    return _NOSCRIPT.sub(lambda _: f"<noscript><p>{noscript}</p></noscript>", text, count=1)


@public
def page(**_):
    language = negotiate(None, request.headers.get("Accept-Language"))
    response = Response(_document(language), mimetype="text/html")
    response.headers["Content-Language"] = language
    response.headers["Vary"] = "Accept-Language"
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"  # the authorization code never leaks in a Referer
    response.headers["Cache-Control"] = "no-cache"
    return response


for rule in PAGES:
    bp.add_url_rule(rule, view_func=page, endpoint="page", methods=["GET"])
