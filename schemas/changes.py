from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate

from .common import LanguageCode
from .contacts import ContactSchema
from .files import FilesChangeSchema, FileSchema
from .practices import PracticeSchema
from .projects import ProjectSchema
from .training_materials import TrainingMaterialSchema

# The record as the lists show it to the caller, as it was right after the change, with its pending revision
# (for those who see it); without what depends on the moment of asking (the caller's actions). A training
# material or a practice also carries its files, as its list of files showed them to the caller.
SNAPSHOT_EXCLUDE = ("actions",)
FILES_DESCRIPTION = ("The record's files as its list of files (GET .../files) showed them to you at this change; "
                     "null in a change logged before the feed carried them")


class TrainingMaterialChangeRecordSchema(TrainingMaterialSchema):
    """A training material in a change: as the lists show it, with its files."""

    files = fields.List(fields.Nested(FileSchema), allow_none=True, dump_default=None,
                        metadata={"description": FILES_DESCRIPTION})


class PracticeChangeRecordSchema(PracticeSchema):
    """A practice in a change: as the lists show it, with its files."""

    files = fields.List(fields.Nested(FileSchema), allow_none=True, dump_default=None,
                        metadata={"description": FILES_DESCRIPTION})


class ProjectChangeRecordSchema(ProjectSchema):
    """A project in a change: as the lists show it, with its files."""

    files = fields.List(fields.Nested(FileSchema), allow_none=True, dump_default=None,
                        metadata={"description": FILES_DESCRIPTION})


# documented by atn_hub.openapi.document_api
TRAINING_MATERIAL_CHANGE_RECORD, PRACTICE_CHANGE_RECORD = "TrainingMaterialChangeRecord", "PracticeChangeRecord"
PROJECT_CHANGE_RECORD = "ProjectChangeRecord"
RECORD_SCHEMAS = {"practice": PracticeChangeRecordSchema(exclude=SNAPSHOT_EXCLUDE),
                  "contact": ContactSchema(exclude=SNAPSHOT_EXCLUDE),
                  "training-material": TrainingMaterialChangeRecordSchema(exclude=SNAPSHOT_EXCLUDE),
                  "project": ProjectChangeRecordSchema(exclude=SNAPSHOT_EXCLUDE)}
RECORD_TYPES = list(RECORD_SCHEMAS)


def dump_record(record_type: str, record) -> dict | None:
    return None if record is None else RECORD_SCHEMAS[record_type].dump(record)


class Cursor(fields.String):
    """An opaque position in the change log ("0" or absent: the beginning)."""

    def _deserialize(self, value, attr, data, **kwargs):
        raw = super()._deserialize(value, attr, data, **kwargs)
        if not raw.isdigit() or len(raw) > 18:
            raise ValidationError("Not a cursor: pass a next_cursor this API returned, or 0 for the start.")
        return int(raw)


class ChangesArgsSchema(Schema):
    since = Cursor(load_default=0, metadata={"description": "next_cursor of the previous page; 0 or absent: "
                                                            "from the beginning", "example": "0"})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000),
                           metadata={"description": "Changes per page (1 to 1000)"})
    type = fields.List(fields.String(validate=validate.OneOf(RECORD_TYPES)),
                       metadata={"description": "Only these record types (repeat the parameter for several)"})
    lang = LanguageCode(metadata={"description": "The reader's language (ISO 639-1) for each record's display; "
                                                 "without it, Accept-Language (quality values honoured) decides"})


class ChangeSchema(Schema):
    cursor = fields.String(metadata={"description": "This change's position: resume after it with since="})
    at = fields.AwareDateTime(metadata={"description": "When the change was committed"})
    type = fields.String(metadata={"enum": RECORD_TYPES})
    record_id = fields.String(metadata={"format": "uuid"})
    external_id = fields.String(allow_none=True)
    society = fields.String(allow_none=True)
    action = fields.String(metadata={"enum": ["created", "updated", "published", "unpublished", "deleted"],
                                     "description": "What the change means to you: the record became visible "
                                                    "(created, published), changed (updated), or is gone for "
                                                    "you (unpublished, deleted: a tombstone, record is null)"})
    record = fields.Method("_record", allow_none=True, metadata={
        "description": "The record as it was after the change, as your lists showed it (pending_revision "
                       "included when you see it; a training material, a practice or a project with its files); "
                       "null in a tombstone",
        "oneOf": [{"$ref": f"#/components/schemas/{PRACTICE_CHANGE_RECORD}"},
                  {"$ref": "#/components/schemas/Contact"},
                  {"$ref": f"#/components/schemas/{TRAINING_MATERIAL_CHANGE_RECORD}"},
                  {"$ref": f"#/components/schemas/{PROJECT_CHANGE_RECORD}"}, {"type": "null"}]})

    files = fields.Nested(FilesChangeSchema, attribute="source.payload.files", allow_none=True, dump_default=None,
                          metadata={"description": "A record's files that this change published (added) "
                                                   "or withdrew (removed); null when it changed none"})

    def _record(self, event):
        return dump_record(event.type, event.record)


class ChangesPageSchema(Schema):
    changes = fields.List(fields.Nested(ChangeSchema))
    next_cursor = fields.String(metadata={"description": "Pass as since= for the next page (also when changes "
                                                         "is empty: poll with it later)"})
    has_more = fields.Boolean(metadata={"description": "More changes follow right away"})
