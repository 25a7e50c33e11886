"""Practices: what a society shares of its work, with topics, years, a contact and translations."""
from __future__ import annotations

from ..models import Practice
from .records import RecordService, check_years


class PracticeService(RecordService):
    model = Practice
    topic_fields = {"topics": None, "target_groups": "target_group", "forms_of_exploitation": "exploitation"}

    def validate(self, session, data, record, society, external_id_free=False, check_links=True):
        super().validate(session, data, record, society, external_id_free, check_links)
        start = data["start_year"] if "start_year" in data else getattr(record, "start_year", None)
        end = data["end_year"] if "end_year" in data else getattr(record, "end_year", None)
        check_years(start, end)


practices = PracticeService()
