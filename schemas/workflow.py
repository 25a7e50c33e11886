from __future__ import annotations

from marshmallow import Schema, fields, validate

from atn_hub.models import DECISIONS

from .common import FieldChangeSchema, text_field


class ReviewSchema(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(DECISIONS))
    comment = text_field(10_000, allow_none=True,
                         metadata={"description": "Required to request changes or reject: the society reads it"})


class ReviewCommentSchema(Schema):
    id = fields.UUID()
    decision = fields.String(allow_none=True)
    comment = fields.String()
    author_name = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()


class CommentCreateSchema(Schema):
    comment = text_field(10_000, required=True, metadata={"description": "A reply in the review discussion"})


class RevisionSchema(Schema):
    number = fields.Integer(metadata={"description": "1 for the first version, counting every saved edit"})
    action = fields.String(metadata={"description": "created, updated (a draft edited), revised (the pending "
                                                    "revision of a published record edited), revision_approved "
                                                    "(it became the published version)"})
    at = fields.AwareDateTime()
    status = fields.String(allow_none=True, metadata={"description": "The record's status then (for a pending "
                                                                     "revision: the revision's status)"})
    pending = fields.Boolean(metadata={"description": "A state of the pending revision, not of the record"})
    author_user_id = fields.UUID(allow_none=True)
    author_name = fields.String(allow_none=True)
    client_id = fields.String(allow_none=True, metadata={"description": "The OAuth client it came through"})
    changed = fields.List(fields.String(), metadata={"description": "The fields it changed"})


class RevisionDetailSchema(RevisionSchema):
    content = fields.Dict(metadata={"description": "Every content field as it was in this revision"})
    changes = fields.List(fields.Nested(FieldChangeSchema), metadata={"description": "Against the revision "
                                                                                     "before"})


class RevisionDiffArgsSchema(Schema):
    first = fields.Integer(data_key="from", required=True, validate=validate.Range(min=1),
                           metadata={"description": "Revision number"})
    second = fields.Integer(data_key="to", required=True, validate=validate.Range(min=1),
                            metadata={"description": "Revision number"})


class RevisionDiffSchema(Schema):
    first = fields.Integer(data_key="from")
    second = fields.Integer(data_key="to")
    changes = fields.List(fields.Nested(FieldChangeSchema))
