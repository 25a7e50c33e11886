"""Contacts: a society's focal points (personal data: name, email and phone need ``contacts:read``)."""
from __future__ import annotations

from sqlalchemy import select

from ..models import PERSONAL_FIELDS, Contact, Practice
from . import change_log, revisions
from .records import RecordService


class ContactService(RecordService):
    model = Contact
    personal_fields = PERSONAL_FIELDS
    title_column = "name"
    visible_title_column = "role"
    language_column = None
    country_column = "country"

    def before_delete(self, session, principal, record):
        """Practices that name the contact stop naming it, each a logged change (not a silent SET NULL)."""
        for practice in session.scalars(select(Practice).where(Practice.contact_id == record.id)):
            before = change_log.state_of(practice)
            practice.contact_id = None
            revisions.record_change(session, principal, practice, "updated", before=before,
                                     fields={"contact_id": None})


contacts = ContactService()
