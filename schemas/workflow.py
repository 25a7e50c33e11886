from __future__ import annotations

from marshmallow import Schema, fields, validate

from atn_hub.models import DECISIONS

from .common import text_field


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
