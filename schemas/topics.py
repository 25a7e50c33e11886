from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate

from atn_hub.models import CATEGORIES

from .common import TopicCode, normalise_language, partial_schema

REQUIRED_LABELS = ("en", "nl", "fr", "de", "es")


def _labels_valid(labels: dict) -> None:
    bad = [code for code in labels if normalise_language(code) != code]
    if bad:
        raise ValidationError(f"Not ISO 639-1 language codes: {', '.join(sorted(bad))}.")
    missing = [code for code in REQUIRED_LABELS if not labels.get(code)]
    if missing:
        raise ValidationError(f"Labels needed in: {', '.join(missing)}.")


class TopicCreateSchema(Schema):
    code = TopicCode(required=True)
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))
    labels = fields.Dict(keys=fields.String(), values=fields.String(validate=validate.Length(min=1, max=200)),
                         required=True, validate=_labels_valid,
                         metadata={"description": "Label by language code; at least en, nl, fr, de and es"})


TopicUpdateSchema = partial_schema(TopicCreateSchema, "TopicUpdateSchema", exclude=("code",))


class TopicSchema(TopicCreateSchema):
    created_at = fields.AwareDateTime(dump_only=True)
    updated_at = fields.AwareDateTime(dump_only=True)


class TopicListArgsSchema(Schema):
    category = fields.String(validate=validate.OneOf(CATEGORIES))
