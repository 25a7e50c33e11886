"""Every record type's service, by its type name (``practice``, ``contact``, ``training-material``,
``project``)."""
from __future__ import annotations

from .contacts import contacts
from .practices import practices
from .projects import projects
from .records import RecordService
from .training_materials import training_materials

BY_TYPE: dict[str, RecordService] = {s.model.record_type: s for s in (practices, contacts, training_materials,
                                                                             projects)}
