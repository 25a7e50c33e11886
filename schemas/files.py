from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import Schema, fields

from atn_hub.files.content import ACCEPTED
from atn_hub.models import RECORD_PATHS, TEXT_STATUSES
from atn_hub.models.file import PENDING_CHANGES


class UploadSchema(Schema):
    file = Upload(required=True, metadata={"description": f"The file: {', '.join(ACCEPTED)} (decided by its "
                                                          f"content)"})


def _owner_type(file) -> str:
    return "training-material" if file.material_id else "practice" if file.practice_id else "project"


def _owner_id(file):
    return file.material_id or file.practice_id or getattr(file, "project_id", None)


class FileSchema(Schema):
    id = fields.UUID()
    material_id = fields.UUID(allow_none=True, metadata={"description": "The training material's id (null: "
                                                                        "another record's file)"})
    practice_id = fields.UUID(allow_none=True, metadata={"description": "The practice's id (null: another "
                                                                        "record's file)"})
    project_id = fields.UUID(allow_none=True, metadata={"description": "The project's id (null: another record's "
                                                                       "file)"})
    filename = fields.String(metadata={"description": "The uploaded name, made safe (no path, no control "
                                                      "characters) and ending with the extension of its type as "
                                                      "detected (brochure.pdf.hta holding a PDF: brochure.pdf)"})
    content_type = fields.String(metadata={"enum": ACCEPTED})
    size = fields.Integer(metadata={"description": "Bytes"})
    sha256 = fields.String(metadata={"description": "Hex SHA-256 of the content (also its ETag)"})
    page_count = fields.Integer(allow_none=True)
    language = fields.String(allow_none=True, metadata={"description": "Detected from the extracted text"})
    text_status = fields.String(metadata={"enum": TEXT_STATUSES,
                                          "description": "pending, extracting, done, failed (see text_error), "
                                                         "none (no text: an image)"})
    text_error = fields.String(allow_none=True)
    pending_change = fields.String(allow_none=True, metadata={
        "enum": [*PENDING_CHANGES, None],
        "description": "On a published material, the file's part in its pending revision: added (served to the "
                       "network once the revision is approved), removed (served until then). Shown to those "
                       "who see the pending revision; null otherwise"})
    uploaded_by_name = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    extracted_at = fields.AwareDateTime(allow_none=True)
    url = fields.Function(lambda f: f"/api/v1/{RECORD_PATHS[_owner_type(f)]}/{_owner_id(f)}/files/{f.id}",
                          metadata={"type": "string", "description": "Download it here"})


class FileSummarySchema(Schema):
    id = fields.UUID()
    filename = fields.String()
    content_type = fields.String(metadata={"enum": ACCEPTED})
    size = fields.Integer(metadata={"description": "Bytes"})
    sha256 = fields.String(metadata={"description": "Hex SHA-256 of the content"})


class FilesChangeSchema(Schema):
    added = fields.List(fields.Nested(FileSummarySchema), metadata={"description": "Files published by the change"})
    removed = fields.List(fields.Nested(FileSummarySchema), metadata={"description": "Files it withdrew"})
