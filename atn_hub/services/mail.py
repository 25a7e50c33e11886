"""E-mail: the notification channel's transport (one SMTP conversation per attempt, to the server of
``ATN_SMTP_URL``), the messages (multipart text and HTML, in the recipient's language from the console's
catalogues, keys ``mail.``), and the signed unsubscribe links (RFC 2369 ``List-Unsubscribe``, RFC 8058
one-click).

A notification's e-mail is written when the notification is made, and kept as its delivery's body (without
its ``To``, which is read off the person at each attempt): every attempt sends the same message under the same
``Message-ID``, so a mail program folds the one duplicate a crash can cause.
"""
from __future__ import annotations

import html
import smtplib
import ssl
import time
import uuid
from dataclasses import dataclass
from email import message_from_string, policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlencode, urlsplit

from itsdangerous import BadSignature, URLSafeSerializer

from .. import i18n
from ..models import RECORD_PATHS
from ..outbox import Delivery, Outcome

if TYPE_CHECKING:  # config checks ATN_SMTP_URL with parse_smtp_url: annotations only, no import cycle
    from ..config import Settings

SCHEMES = {"smtp": 25, "smtps": 465, "smtp+starttls": 587}
UNSUBSCRIBE_PATH = "/notifications/unsubscribe"
_SALT = "atn-hub notification unsubscribe"


@dataclass(frozen=True)
class SmtpServer:
    scheme: str
    host: str
    port: int
    user: str | None
    password: str | None


def parse_smtp_url(url: str) -> SmtpServer:
    """``smtp://host:port``, ``smtps://`` (TLS from the start) or ``smtp+starttls://``, with
    ``user:password@`` (percent-encoded) when the server wants them. ValueError names what is wrong."""
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        raise ValueError(f"ATN_SMTP_URL must start with smtp://, smtps:// or smtp+starttls://: {parts.scheme!r}")
    if not parts.hostname:
        raise ValueError("ATN_SMTP_URL names no host")
    try:
        port = parts.port or SCHEMES[parts.scheme]
    except ValueError:
        raise ValueError("ATN_SMTP_URL has a port that is not a number") from None
    return SmtpServer(parts.scheme, parts.hostname, port, unquote(parts.username) if parts.username else None,
                      unquote(parts.password) if parts.password is not None else None)


# --- unsubscribe links ----------------------------------------------------------------------------------
def _serializer(settings: Settings) -> URLSafeSerializer:
    return URLSafeSerializer(settings.secret_key or "", salt=_SALT)


def unsubscribe_token(settings: Settings, user_id: uuid.UUID, kind: str) -> str:
    return _serializer(settings).dumps({"user": str(user_id), "kind": kind})


def read_unsubscribe_token(settings: Settings, token: str) -> tuple[uuid.UUID, str] | None:
    """The (person, kind) a link was signed for, or None when it was not signed here."""
    try:
        data = _serializer(settings).loads(token)
        return uuid.UUID(data["user"]), str(data["kind"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return None


def unsubscribe_url(settings: Settings, user_id: uuid.UUID, kind: str) -> str:
    return f"{settings.public_url}{UNSUBSCRIBE_PATH}?{urlencode({'token': unsubscribe_token(settings, user_id, kind)})}"


# --- the message ----------------------------------------------------------------------------------------
def record_url(settings: Settings, record_type: str | None, record_id: uuid.UUID | None) -> str:
    if record_type in RECORD_PATHS and record_id:  # the console's record page
        return f"{settings.public_url}/{RECORD_PATHS[record_type]}/{record_id}"
    return f"{settings.public_url}/"


def sentence_key(kind: str, decision: str | None) -> str:
    return f"mail.{kind}.{decision}" if kind == "decision" else f"mail.{kind}"


def write(settings: Settings, *, notification_id: uuid.UUID, user_id: uuid.UUID, language: str, kind: str,
          decision: str | None, title: str | None, actor: str | None, comment: str | None,
          record_type: str | None, record_id: uuid.UUID | None) -> str:
    """One notification's e-mail, without its ``To``: multipart text and HTML in ``language``."""
    def t(key: str, **params: object) -> str:
        return i18n.message(language, key, **params)

    name = actor or t("mail.someone")
    sentence = t(sentence_key(kind, decision), name=name, title=title or "…")
    link, unsubscribe = record_url(settings, record_type, record_id), unsubscribe_url(settings, user_id, kind)
    message = _message(settings, sentence, notification_id, unsubscribe)
    quoted = "".join(f"> {line}\n" for line in (comment or "").splitlines()) if comment else ""
    message.set_content(f"{sentence}\n\n{quoted + chr(10) if quoted else ''}{t('mail.open')}: {link}\n\n-- \n"
                        f"{t('mail.why')}\n{t('mail.unsubscribe')}: {unsubscribe}\n")
    e = html.escape
    quote_html = (f'<blockquote style="border-left:3px solid #ccc;margin:1em 0;padding-left:1em">'
                  f'{"<br>".join(e(line) for line in comment.splitlines())}</blockquote>' if comment else "")
    message.add_alternative(
        f'<!DOCTYPE html><html lang="{e(language)}"><head><meta charset="utf-8"><title>{e(sentence)}</title></head>'
        f'<body><p>{e(sentence)}</p>{quote_html}<p><a href="{e(link)}">{e(t("mail.open"))}</a></p>'
        f'<hr><p style="color:#555;font-size:small">{e(t("mail.why"))}<br>'
        f'<a href="{e(unsubscribe)}">{e(t("mail.unsubscribe"))}</a></p></body></html>', subtype="html")
    message["Content-Language"] = language  # after the content: setting it clears the Content- headers
    return message.as_string(policy=policy.SMTP)


def _message(settings: Settings, subject: str, notification_id: uuid.UUID, unsubscribe: str) -> EmailMessage:
    """A message's headers: its stable Message-ID (a re-sent one folds into the first), and the one-click
    unsubscribe of RFC 8058."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = settings.mail_from
    message["Date"] = format_datetime(_now())
    message["Message-ID"] = f"<{notification_id}@{_domain(settings)}>"
    message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Auto-Submitted"] = "auto-generated"
    return message


def write_digest(settings: Settings, *, notification_id: uuid.UUID, user_id: uuid.UUID, language: str, period: str,
                 lines: list[tuple[str, str]]) -> str:
    """A daily or weekly digest: one line and one link per notification it gathers."""
    def t(key: str, **params: object) -> str:
        return i18n.message(language, key, **params)

    subject = t(f"mail.digest.{period}")
    unsubscribe = unsubscribe_url(settings, user_id, period)  # every kind gathered into this digest
    message = _message(settings, subject, notification_id, unsubscribe)
    message.set_content(f"{subject}\n\n" + "".join(f"- {line}\n  {link}\n" for line, link in lines)
                        + f"\n-- \n{t('mail.why')}\n{t('mail.unsubscribe')}: {unsubscribe}\n")
    e = html.escape
    items = "".join(f'<li><a href="{e(link)}">{e(line)}</a></li>' for line, link in lines)
    message.add_alternative(
        f'<!DOCTYPE html><html lang="{e(language)}"><head><meta charset="utf-8"><title>{e(subject)}</title></head>'
        f'<body><p>{e(subject)}</p><ul>{items}</ul><hr><p style="color:#555;font-size:small">{e(t("mail.why"))}'
        f'<br><a href="{e(unsubscribe)}">{e(t("mail.unsubscribe"))}</a></p></body></html>', subtype="html")
    message["Content-Language"] = language
    return message.as_string(policy=policy.SMTP)


def _now():
    from ..db import utcnow

    return utcnow()


def _domain(settings: Settings) -> str:
    address = parseaddr(settings.mail_from)[1]
    return address.rpartition("@")[2] or urlsplit(settings.public_url).hostname or "atn-hub"


def _text(answer: bytes | str) -> str:
    return answer.decode(errors="replace") if isinstance(answer, bytes) else str(answer)


# --- the transport --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MailRecipient:
    """Where an e-mail goes, read off the person when it is claimed."""

    address: str
    name: str | None


class MailTransport:
    """The outbox's transport for notifications' e-mails: one SMTP conversation per attempt; a refusal or an
    unreachable server is returned as a failed attempt (the outbox retries it with backoff for a day)."""

    def __init__(self, settings: Settings):
        self.settings = settings

    def send(self, delivery: Delivery) -> Outcome:
        started = time.monotonic()

        def outcome(status_code: int | None = None, error: str | None = None) -> Outcome:
            return Outcome(status_code, error, int((time.monotonic() - started) * 1000))

        recipient: MailRecipient = delivery.recipient
        message = message_from_string(delivery.body, policy=policy.SMTP)
        message["To"] = formataddr((recipient.name or "", recipient.address))
        try:
            server = parse_smtp_url(self.settings.smtp_url)
            timeout = self.settings.mail_timeout_seconds
            if server.scheme == "smtps":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(server.host, server.port, timeout=timeout,
                                                      context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(server.host, server.port, timeout=timeout)
            with smtp:
                if server.scheme == "smtp+starttls":
                    smtp.starttls(context=ssl.create_default_context())
                if server.user:
                    smtp.login(server.user, server.password or "")
                smtp.send_message(message, from_addr=parseaddr(self.settings.mail_from)[1],
                                  to_addrs=[recipient.address])
        except smtplib.SMTPRecipientsRefused as exc:
            code, answer = next(iter(exc.recipients.values()))
            return outcome(code, f"SMTP {code}: {_text(answer)}")
        except smtplib.SMTPResponseException as exc:
            return outcome(exc.smtp_code, f"SMTP {exc.smtp_code}: {_text(exc.smtp_error)}")
        except (OSError, smtplib.SMTPException, ValueError) as exc:
            return outcome(error=f"{exc.__class__.__name__}: {exc}")
        return outcome(250)
