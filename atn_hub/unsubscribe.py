"""The unsubscribe link of notification e-mails (``List-Unsubscribe``): a link signed for one person and one kind
of notification. Opening it (GET) only asks; a POST, the page's button or a mail program's one-click
unsubscribe (RFC 8058: ``List-Unsubscribe=One-Click``, no cookie, no sign-in), sets that kind to "never"."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, request

from .access import public
from .i18n import translator
from .services import mail, notifications

bp = Blueprint("unsubscribe", __name__)


def _page(state: str, language: str, token: str = "", status: int = 200) -> Response:
    response = Response(render_template("unsubscribe.html", state=state, token=token, lang=language,
                                        t=translator(language)), status=status, mimetype="text/html")
    response.headers["Content-Language"] = language
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"  # the link is a capability: never passed on
    return response


@bp.route(mail.UNSUBSCRIBE_PATH, methods=["GET", "POST"])
@public
def unsubscribe():
    settings = current_app.config["ATN_SETTINGS"]
    token = request.values.get("token", "")
    signed = mail.read_unsubscribe_token(settings, token)
    db = current_app.extensions["atn_db"]
    with db.session_factory() as session:
        if signed is None or signed[1] not in (*notifications.NOTIFICATION_KINDS, "daily", "weekly") or \
                not notifications.person_exists(session, signed[0]):
            return _page("invalid", "en", status=404)
        user_id, kind = signed
        language = notifications.settings_of(session, user_id)["language"]
        if request.method == "GET":
            return _page("ask", language, token)
        notifications.unsubscribe(session, user_id, kind)
        session.commit()
        return _page("done", language)
