"""Reminders and digests, on SQLite and PostgreSQL: a contact whose review is due is told to its society, again
each week until someone reviews it; a record untouched for ATN_STALE_AFTER_DAYS is told to its society once
per such stretch; notifications a person wants daily or weekly arrive as one digest e-mail (a real SMTP server)
once the period has passed."""
from __future__ import annotations

import uuid
from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import select, update

from atn_hub.db import utcnow
from atn_hub.models import RECORD_MODELS, Notification
from atn_hub.services import notifications, reminders
from tests.helpers import create, edit, publish

INBOX = "/api/v1/me/notifications"
SETTINGS = "/api/v1/me/notification-settings"


def remind(app) -> dict:
    factory, settings = app.extensions["atn_db"].session_factory, app.config["ATN_SETTINGS"]
    notifications.run_once(factory, settings)
    done = reminders.run_once(factory, settings, force=True)
    notifications.run_once(factory, settings)  # sends the digests it made
    return done


def age(db_session, model, record_id, **columns) -> None:
    """Move a record's or the notifications' times into the past, as the weeks would."""
    db_session.execute(update(model).where(model.id == uuid.UUID(str(record_id))).values(**columns)
                       if record_id else update(model).values(**columns))
    db_session.commit()


def kinds(client, caller) -> list[str]:
    return [n["kind"] for n in client.get(INBOX, headers=caller.headers).json]


def test_a_contact_due_for_review_is_told_to_its_society_each_week_until_reviewed(app, client, make_caller,
                                                                                 db_session):
    member, colleague, stranger = make_caller("member", "NL"), make_caller("member", "NL"), \
        make_caller("member", "GB")
    contact = create(client, member, "contacts", review_due_at="2026-01-01T00:00:00Z", role="Focal point").json
    remind(app)
    for person in (member, colleague):
        [told] = client.get(INBOX, headers=person.headers).json
        assert told["kind"] == "review_due" and told["record"]["title"] == "Anna Jansen"
        assert told["actor"] is None
    assert kinds(client, stranger) == []
    remind(app)
    assert kinds(client, member) == ["review_due"]  # once a week

    age(db_session, Notification, None, created_at=utcnow() - timedelta(days=8))
    remind(app)
    assert kinds(client, member) == ["review_due", "review_due"]

    assert edit(client, member, "contacts", contact["id"], {"review_due_at": "2099-01-01T00:00:00Z"}).status_code \
        == 200
    age(db_session, Notification, None, created_at=utcnow() - timedelta(days=8))
    remind(app)
    assert kinds(client, member) == ["review_due", "review_due"]  # reviewed: no more


def test_a_record_untouched_for_long_is_told_to_its_society_once(app, client, make_caller, db_session):
    member, coordinator = make_caller("member", "NL"), make_caller("coordinator", "GB")
    practice = publish(client, member, coordinator, "practices", title="An old practice")
    fresh = publish(client, member, coordinator, "practices", title="A fresh one", external_id="NL-P-9")
    stale_after = app.config["ATN_SETTINGS"].stale_after_days
    age(db_session, RECORD_MODELS["practice"], practice["id"], updated_at=utcnow() - timedelta(days=stale_after + 1))
    remind(app)
    stale = [n for n in client.get(INBOX, headers=member.headers).json if n["kind"] == "stale"]
    assert [n["record"]["title"] for n in stale] == ["An old practice"]
    assert fresh["id"] not in {n["record"]["id"] for n in stale}
    assert "stale" not in kinds(client, coordinator)
    remind(app)
    assert kinds(client, member).count("stale") == 1


def test_a_weekly_digest_gathers_the_reminders_into_one_e_mail(app, client, make_caller, db_session, monkeypatch):
    from tests.api.test_mail import Mailbox, parts  # a real SMTP server (aiosmtpd, of the test extras)

    box = Mailbox()
    try:
        settings = app.config["ATN_SETTINGS"]
        monkeypatch.setattr(settings, "smtp_url", box.url)
        monkeypatch.setattr(settings, "mail_from", "ATN Hub <hub@atn.example>")
        member = make_caller("member", "NL")
        assert client.patch(SETTINGS, json={"language": "de"}, headers=member.headers).status_code == 200
        for number in range(2):
            create(client, member, "contacts", review_due_at="2026-01-01T00:00:00Z", role=f"Desk {number}",
                   external_id=f"NL-C-{number + 10}")
        remind(app)
        assert box.messages == []  # reminders are weekly by default: they wait for the digest
        assert len(client.get(INBOX, headers=member.headers).json) == 2

        age(db_session, Notification, None, created_at=utcnow() - timedelta(days=8))
        remind(app)
        [digest] = box.to(member.user.email)
        assert digest["Subject"] == "ATN Hub: deine wöchentliche Übersicht"
        text, html = parts(digest)
        assert "Überprüfung fällig: „Desk 0“" in text and "Überprüfung fällig: „Desk 1“" in text
        assert html.count("<li>") == 2
        assert len(client.get(INBOX, headers=member.headers).json) == 4  # the digest is not in the inbox
        rows = db_session.scalars(select(Notification).where(Notification.kind == "digest")).all()
        assert [row.status for row in rows] == ["delivered"]
        remind(app)
        assert len(box.messages) == 1  # the next one in a week

        link = urlsplit(digest["List-Unsubscribe"].strip("<>"))
        assert client.post(f"{link.path}?{link.query}", data={"List-Unsubscribe": "One-Click"}).status_code == 200
        now = client.get(SETTINGS, headers=member.headers).json
        assert (now["review_due"], now["stale"], now["decision"]) == ("never", "never", "immediately")
    finally:
        box.stop()
