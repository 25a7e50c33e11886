"""Training materials: brochures, e-learning, slide decks and videos, with their files (``services.files``)."""
from __future__ import annotations

from sqlalchemy import select

from ..models import Society, TrainingMaterial
from .records import RecordService


class TrainingMaterialService(RecordService):
    model = TrainingMaterial
    language_column = None

    def filters(self, args):
        """A training material has no countries of its own: ``country`` is its society's."""
        args = dict(args)
        country = args.pop("country", None)
        conditions = super().filters(args)
        if country:
            conditions.append(TrainingMaterial.society_id.in_(select(Society.id).where(Society.code == country)))
        return conditions


training_materials = TrainingMaterialService()
