"""Bulk import and export, as JSON lines: an administrator's migration of a collection, and backups.

Import takes one JSON object a line in the create schema's shape (plus what an export carries: id, status,
timestamps). A line whose (society, external_id) exists updates that record. Bad lines are reported with
their number and reason and change nothing; the good ones are imported.
"""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from marshmallow import Schema, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from schemas.contacts import ContactImportSchema
from schemas.practices import PracticeImportSchema
from schemas.projects import ProjectImportSchema
from schemas.societies import SocietyCreateSchema
from schemas.topics import TopicCreateSchema
from schemas.training_materials import TrainingMaterialImportSchema

from ..db import Base
from ..errors import DomainError
from ..models import Contact, Practice, Project, Society, Topic, TrainingMaterial
from ..principal import Principal
from . import societies, topics
from .contacts import contacts
from .practices import practices
from .projects import projects
from .training_materials import training_materials

# Import types in dependency order: what a record refers to comes first.
TYPES: dict[str, tuple[type[Schema], Callable, type[Base], str]] = {
    "society": (SocietyCreateSchema, societies.upsert_society, Society, "societies.jsonl"),
    "topic": (TopicCreateSchema, topics.upsert_topic, Topic, "topics.jsonl"),
    "contact": (ContactImportSchema, contacts.upsert, Contact, "contacts.jsonl"),
    "practice": (PracticeImportSchema, practices.upsert, Practice, "practices.jsonl"),
    "training-material": (TrainingMaterialImportSchema, training_materials.upsert, TrainingMaterial,
                          "training_materials.jsonl"),
    "project": (ProjectImportSchema, projects.upsert, Project, "projects.jsonl"),
}
RECORD_TYPES = ("contact", "practice", "training-material", "project")


@dataclass
class ImportReport:
    counts: Counter = field(default_factory=Counter)
    errors: list[tuple[int, str]] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"created": self.counts["created"], "updated": self.counts["updated"],
                "unchanged": self.counts["unchanged"], "rejected": len(self.errors),
                "errors": [{"line": n, "reason": r} for n, r in self.errors]}


def _describe(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return json.dumps(exc.messages, ensure_ascii=False, sort_keys=True)
    if isinstance(exc, DomainError):
        return exc.message + (f" {json.dumps(exc.errors, ensure_ascii=False)}" if exc.errors else "")
    return f"{exc.__class__.__name__}: {exc}"


def import_lines(session: Session, principal: Principal, record_type: str, lines: Iterable[str], *,
                 publish: bool = False, batch_size: int = 500,
                 progress: Callable[[int], None] | None = None) -> ImportReport:
    """Import JSON lines; commits every ``batch_size`` lines, each line in its own savepoint."""
    schema_cls, upsert, _, _ = TYPES[record_type]
    schema = schema_cls()
    report = ImportReport()
    for number, line in enumerate(lines, start=1):
        if progress:
            progress(number)
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            if not isinstance(raw, dict):
                raise ValidationError("A line must be one JSON object.")
            data = schema.load(raw)
            if record_type in RECORD_TYPES and "society" not in data:
                raise ValidationError({"society": ["Missing data for required field."]})
            with session.begin_nested():
                if record_type in RECORD_TYPES:
                    _, outcome = upsert(session, principal, data, publish=publish)
                else:
                    _, outcome = upsert(session, principal, data)
            report.counts[outcome] += 1
        except json.JSONDecodeError as exc:
            report.errors.append((number, f"not JSON: {exc.msg} at column {exc.colno}"))
        except (ValidationError, DomainError) as exc:
            report.errors.append((number, _describe(exc)))
        if number % batch_size == 0:
            session.commit()
    session.commit()
    return report


def export_records(session: Session, record_type: str) -> Iterator[str]:
    schema_cls, _, model, _ = TYPES[record_type]
    schema = schema_cls()
    order = {"society": Society.code, "topic": Topic.code}.get(record_type, getattr(model, "id", None))
    for obj in session.scalars(select(model).order_by(order)).unique():
        yield json.dumps(schema.dump(obj), ensure_ascii=False, sort_keys=True)


def export_all(session: Session, directory: Path) -> dict[str, int]:
    directory.mkdir(parents=True, exist_ok=True)
    counts = {}
    for record_type, (_, _, _, filename) in TYPES.items():
        count = 0
        path = directory / filename
        tmp = path.with_suffix(".jsonl.tmp")
        with tmp.open("w", encoding="utf-8") as out:
            for line in export_records(session, record_type):
                out.write(line + "\n")
                count += 1
        tmp.replace(path)
        counts[record_type] = count
    return counts
