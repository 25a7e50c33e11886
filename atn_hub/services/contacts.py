"""Contacts: a society's focal points (personal data: name, email and phone need ``contacts:read``)."""
from __future__ import annotations

from ..models import PERSONAL_FIELDS, Contact
from .records import RecordService


class ContactService(RecordService):
    model = Contact
    personal_fields = PERSONAL_FIELDS
    title_column = "name"
    visible_title_column = "role"
    language_column = None
    country_column = "country"


contacts = ContactService()
