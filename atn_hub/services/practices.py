from __future__ import annotations

from ..models import PERSONAL_FIELDS, Contact, Practice, TrainingMaterial
from .records import RecordService, check_contact, check_years


class PracticeService(RecordService):
    model = Practice
    topic_fields = {"topics": None, "target_groups": "target_group", "forms_of_exploitation": "exploitation"}

    def validate(self, session, data, record, society, external_id_free=False):
        super().validate(session, data, record, society, external_id_free)
        if "contact_id" in data:
            check_contact(session, data["contact_id"], society)
        start = data["start_year"] if "start_year" in data else getattr(record, "start_year", None)
        end = data["end_year"] if "end_year" in data else getattr(record, "end_year", None)
        check_years(start, end)
        language = data.get("language") or getattr(record, "language", None)
        if language and language in (data.get("translations") or {}):
            from ..errors import Invalid

            raise Invalid("translations", f"'{language}' is the practice's own language, not a translation.")


class ContactService(RecordService):
    model = Contact
    personal_fields = PERSONAL_FIELDS
    title_column = "name"
    visible_title_column = "role"
    language_column = None
    country_column = "country"

    def before_delete(self, session, principal, record):
        """Practices that name the contact stop naming it, each a logged change (not a silent SET NULL)."""
        from sqlalchemy import select

        from . import changes

        for practice in session.scalars(select(Practice).where(Practice.contact_id == record.id)):
            before = changes.state_of(practice)
            practice.contact_id = None
            changes.record_change(session, principal, practice, "updated", before=before,
                                  fields={"contact_id": None})


class TrainingMaterialService(RecordService):
    model = TrainingMaterial
    language_column = None

    def filters(self, args):
        """A training material has no countries of its own: ``country`` is its society's."""
        from sqlalchemy import select

        from ..models import Society

        args = dict(args)
        country = args.pop("country", None)
        conditions = super().filters(args)
        if country:
            conditions.append(TrainingMaterial.society_id.in_(select(Society.id).where(Society.code == country)))
        return conditions


practices = PracticeService()
contacts = ContactService()
training_materials = TrainingMaterialService()

BY_TYPE = {s.model.record_type: s for s in (practices, contacts, training_materials)}
