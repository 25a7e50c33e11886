from __future__ import annotations

from marshmallow import Schema, fields, validate

from .common import CountryCode, LanguageCode, partial_schema, text_field, unique_list


class SocietyCreateSchema(Schema):
    code = CountryCode(required=True, metadata={"description": "ISO 3166-1 alpha-2 code of the society's country"})
    name = text_field(200, required=True, metadata={"description": "Name in English"})
    name_local = text_field(200, required=True, metadata={"description": "Name in the society's own language"})
    languages = unique_list(LanguageCode(), load_default=list, max_items=20)
    website = fields.Url(allow_none=True, schemes={"http", "https"}, validate=validate.Length(max=500))
    email = fields.Email(allow_none=True, validate=validate.Length(max=320),
                         metadata={"description": "The society's public email"})


SocietyUpdateSchema = partial_schema(SocietyCreateSchema, "SocietyUpdateSchema", exclude=("code",))


class SocietySchema(SocietyCreateSchema):
    id = fields.UUID(dump_only=True)
    created_at = fields.AwareDateTime(dump_only=True)
    updated_at = fields.AwareDateTime(dump_only=True)


class SocietyListArgsSchema(Schema):
    language = LanguageCode(metadata={"description": "Societies working in this language"})
    q = fields.String(validate=validate.Length(max=200), metadata={"description": "Part of a name or code"})
