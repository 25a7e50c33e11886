"""Notifications by e-mail, through a real SMTP server (aiosmtpd on 127.0.0.1, started by each test): the
messages that arrive, their headers and language, the unsubscribe link, a refusing server (retried, then
failed), a worker killed while sending (nothing lost, at most the message in flight sent again), and nothing
sent without ATN_SMTP_URL."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select, update

from atn_hub import outbox
from atn_hub.db import utcnow
from atn_hub.models import Notification
from atn_hub.services import mail, notifications
from tests.helpers import create, post
from tests.mailbox import Mailbox

SETTINGS = "/api/v1/me/notification-settings"


@pytest.fixture
def mailbox(app, monkeypatch):
    box = Mailbox()
    settings = app.config["ATN_SETTINGS"]
    for name, value in {"smtp_url": box.url, "mail_from": "ATN Hub <hub@atn.example>",
                        "mail_backoff_seconds": 0.01, "mail_backoff_max_seconds": 0.05, "mail_retry_hours": 24.0,
                        "mail_timeout_seconds": 5.0}.items():
        monkeypatch.setattr(settings, name, value)
    yield box
    box.stop()


def work(app) -> dict:
    return notifications.run_once(app.extensions["atn_db"].session_factory, app.config["ATN_SETTINGS"])


def parts(message) -> tuple[str, str]:
    """The text and the HTML of a message as it arrived (lines ending as on the wire, CRLF, made LF)."""
    return tuple(message.get_body((kind,)).get_content().replace("\r\n", "\n") for kind in ("plain", "html"))


def test_the_coordinator_and_then_the_member_get_an_e_mail_each_in_their_language(app, client, make_caller,
                                                                                   mailbox, db_session):
    member, coordinator = make_caller("member", "NL"), make_caller("coordinator", "GB")
    assert client.patch(SETTINGS, json={"language": "nl"}, headers=coordinator.headers).status_code == 200
    practice = create(client, member, "practices", title="Buddy programme").json
    post(client, member, "practices", practice["id"], "submit")
    assert mailbox.messages == []
    work(app)

    [message] = mailbox.to(coordinator.user.email)
    assert message["Subject"] == f"Ingediend ter beoordeling: ‘Buddy programme’ ({member.user.name})"
    assert message["Content-Language"] == "nl" and message["From"] == "ATN Hub <hub@atn.example>"
    assert message["To"].addresses[0].addr_spec == coordinator.user.email
    notification = db_session.scalar(select(Notification).where(Notification.user_id == coordinator.user.id))
    assert message["Message-ID"] == f"<{notification.id}@atn.example>" and notification.status == "delivered"
    text, html = parts(message)
    link = f"{app.config['ATN_SETTINGS'].public_url}/practices/{practice['id']}"
    assert link in text and f'href="{link}"' in html and "Openen in ATN Hub" in html
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Unsubscribe"].startswith("<") and "/notifications/unsubscribe?token=" in \
        message["List-Unsubscribe"]

    post(client, coordinator, "practices", practice["id"], "review",
         {"decision": "request_changes", "comment": "Name the municipality.\nAnd the year."})
    work(app)
    [decision] = mailbox.to(member.user.email)
    assert decision["Subject"] == f"Changes requested: “Buddy programme” ({coordinator.user.name})"
    text, html = parts(decision)
    assert "> Name the municipality.\n> And the year." in text
    assert "Name the municipality.<br>And the year." in html
    assert len(mailbox.messages) == 2  # the coordinator is not told of their own decision


def test_the_unsubscribe_link_asks_on_get_and_unsubscribes_in_one_click(app, client, make_caller, mailbox):
    member, coordinator = make_caller("member", "NL"), make_caller("coordinator", "GB")
    practice = create(client, member, "practices").json
    post(client, member, "practices", practice["id"], "submit")
    work(app)
    [message] = mailbox.to(coordinator.user.email)
    link = urlsplit(message["List-Unsubscribe"].strip("<>"))
    address = f"{link.path}?{link.query}"

    page = client.get(address)
    assert page.status_code == 200 and 'method="post"' in page.text
    assert client.get(SETTINGS, headers=coordinator.headers).json["submission"] == "immediately"  # only asked
    done = client.post(address, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert client.get(SETTINGS, headers=coordinator.headers).json["submission"] == "never"
    assert client.get(SETTINGS, headers=coordinator.headers).json["decision"] == "immediately"

    forged = mail.unsubscribe_token(app.config["ATN_SETTINGS"], coordinator.user.id, "submission")[:-2] + "xx"
    assert client.post(f"{link.path}?token={forged}").status_code == 404
    assert client.post(link.path).status_code == 404

    other = create(client, member, "practices", external_id="NL-P-2").json
    post(client, member, "practices", other["id"], "submit")
    work(app)
    assert len(mailbox.to(coordinator.user.email)) == 1


def test_a_refusing_server_is_tried_again_until_it_takes_the_message(app, client, make_caller, mailbox,
                                                                     db_session):
    member, coordinator = make_caller("member", "NL"), make_caller("coordinator", "GB")
    mailbox.refuse = 2
    practice = create(client, member, "practices").json
    post(client, member, "practices", practice["id"], "submit")
    work(app)
    row = db_session.scalar(select(Notification).where(Notification.user_id == coordinator.user.id))
    assert row.status == "pending" and row.attempt_count == 1 and row.last_status_code == 451
    db_session.rollback()
    for _ in range(20):
        if len(mailbox.messages) == 1:
            break
        db_session.execute(update(Notification).values(next_attempt_at=utcnow()))  # the backoff has passed
        db_session.commit()
        work(app)
    [message] = mailbox.messages
    row = db_session.scalar(select(Notification).where(Notification.user_id == coordinator.user.id))
    assert row.status == "delivered" and row.attempt_count == 3
    assert [a.status_code for a in db_session.scalars(select(outbox_attempts()).order_by(
        outbox_attempts().id))] == [451, 451, 250]


def outbox_attempts():
    from atn_hub.models import NotificationAttempt

    return NotificationAttempt


def refused_for_a_day(app, client, member, mailbox, db_session, practice) -> None:
    """The member submits the practice while the mail server refuses everything: the coordinators' e-mails are
    tried, then (their day of retries passed) tried once more and given up."""
    mailbox.refuse = 100
    post(client, member, "practices", practice["id"], "submit")
    work(app)
    db_session.execute(update(Notification).values(next_attempt_at=utcnow(),
                                                   give_up_at=utcnow() - timedelta(seconds=1)))
    db_session.commit()
    work(app)


def test_a_message_refused_for_a_day_is_failed(app, client, make_caller, mailbox, db_session):
    member, coordinator = make_caller("member", "NL"), make_caller("coordinator", "GB")
    refused_for_a_day(app, client, member, mailbox, db_session, create(client, member, "practices").json)
    row = db_session.scalar(select(Notification).where(Notification.user_id == coordinator.user.id))
    assert row.status == "failed" and row.attempt_count == 2 and "451" in row.last_error
    assert mailbox.messages == []


def test_an_administrator_sees_the_failed_e_mail_and_sends_it_again(app, client, make_caller, mailbox,
                                                                    db_session):
    member, coordinator = make_caller("member", "NL"), make_caller("coordinator", "GB")
    admin = make_caller("admin", None)
    assert client.patch(SETTINGS, json={"submission": "never"}, headers=admin.headers).status_code == 200
    refused_for_a_day(app, client, member, mailbox, db_session,
                      create(client, member, "practices", title="Buddy programme").json)

    for caller in (member, coordinator):  # who the e-mails went to is for administrators only
        assert client.get("/api/v1/mail/deliveries", headers=caller.headers).status_code == 403
    listed = client.get("/api/v1/mail/deliveries", headers=admin.headers)
    assert listed.status_code == 200 and listed.headers["X-Pagination"]
    [failed] = listed.json
    assert failed["status"] == "failed" and failed["kind"] == "submission" and failed["attempts"] == 2
    assert failed["recipient"] == {"user_id": str(coordinator.user.id), "name": coordinator.user.name,
                                   "email": coordinator.user.email}
    assert "451" in failed["last_error"] and "Buddy programme" in failed["subject"]
    assert client.get("/api/v1/mail/deliveries?status=delivered", headers=admin.headers).json == []
    assert client.get("/api/v1/mail/deliveries?status=sent", headers=admin.headers).status_code == 422

    mailbox.refuse = 0  # the mail server is put right; the administrator sends it again
    again = client.post(f"/api/v1/mail/deliveries/{failed['id']}/retry", headers=admin.headers)
    assert again.status_code == 200 and again.json["status"] == "pending"
    assert client.post(f"/api/v1/mail/deliveries/{failed['id']}/retry",
                       headers=coordinator.headers).status_code == 403
    work(app)
    [message] = mailbox.to(coordinator.user.email)
    assert message["Message-ID"] == f"<{failed['id']}@atn.example>"  # the same message as the failed one
    assert [d["id"] for d in client.get("/api/v1/mail/deliveries?status=delivered", headers=admin.headers).json] \
        == [failed["id"]]
    assert client.post(f"/api/v1/mail/deliveries/{failed['id']}/retry", headers=admin.headers).status_code == 404


def test_a_killed_worker_loses_nothing_and_sends_only_the_message_in_flight_again(app, client, make_caller,
                                                                                  mailbox, db_session):
    member = make_caller("member", "NL")
    coordinators = [make_caller("coordinator", "GB") for _ in range(3)]
    practice = create(client, member, "practices").json
    post(client, member, "practices", practice["id"], "submit")
    settings = app.config["ATN_SETTINGS"]
    factory = app.extensions["atn_db"].session_factory
    channel = notifications.channel(settings)
    with factory() as session:
        outbox.fan_out(session, channel)
        session.commit()
    with factory() as session:  # a worker claims one, sends it, and dies before recording it
        [claim] = outbox.claim_due(session, channel, limit=1)
        session.commit()
    assert channel.transport.send(claim).ok
    db_session.execute(update(Notification).where(Notification.id == claim.id)
                       .values(next_attempt_at=utcnow()))  # its lease ran out: the worker is gone
    db_session.commit()

    work(app)  # another worker
    ids = [m["Message-ID"] for m in mailbox.messages]
    assert sorted(set(ids)) == sorted(f"<{n}@atn.example>" for n in db_session.scalars(select(Notification.id)))
    assert len(ids) == 4 and ids.count(f"<{claim.id}@atn.example>") == 2  # the one in flight, with its id
    for coordinator in coordinators:
        assert len({m["Message-ID"] for m in mailbox.to(coordinator.user.email)}) == 1
    work(app)
    assert len(mailbox.messages) == 4


def test_without_a_mail_server_nothing_is_sent_and_the_inbox_still_works(app, client, make_caller, db_session):
    member, coordinator = make_caller("member", "NL"), make_caller("coordinator", "GB")
    assert not app.config["ATN_SETTINGS"].smtp_url
    practice = create(client, member, "practices").json
    post(client, member, "practices", practice["id"], "submit")
    assert work(app)["attempts"] == 0
    assert db_session.scalar(select(Notification.status)) == "none"
    assert len(client.get("/api/v1/me/notifications", headers=coordinator.headers).json) == 1


@pytest.mark.parametrize("url,problem", [("http://mail.example", "smtp://"), ("smtp://", "host"),
                                         ("smtp://mail.example:port", "port")])
def test_a_wrong_smtp_url_is_refused_at_start_naming_the_problem(url, problem):
    with pytest.raises(ValueError, match=problem):
        mail.parse_smtp_url(url)


def test_the_smtp_url_carries_the_user_and_password():
    server = mail.parse_smtp_url("smtp+starttls://hub%40rodekruis.example:s3cr%2Ft@mail.example")
    assert (server.scheme, server.host, server.port, server.user, server.password) == \
        ("smtp+starttls", "mail.example", 587, "hub@rodekruis.example", "s3cr/t")
    assert mail.parse_smtp_url("smtps://mail.example").port == 465
