"""Projects: what societies run with partner organisations, with funders, partners and the practices and
training materials made in them (``services.links``)."""
from __future__ import annotations

from sqlalchemy import select

from ..errors import Invalid
from ..models import Project, Society
from .records import RecordService


class ProjectService(RecordService):
    model = Project

    def validate(self, session, data, record, society, external_id_free=False, check_links=True):
        super().validate(session, data, record, society, external_id_free, check_links)
        codes = data.get("societies") or []
        known = set(session.scalars(select(Society.code).where(Society.code.in_(codes)))) if codes else set()
        unknown = [code for code in codes if code not in known]
        if unknown:
            raise Invalid("societies", f"No society with code '{unknown[0]}'.")


projects = ProjectService()
