from __future__ import annotations

from marshmallow import Schema, fields, validate

from atn_hub.models import FORMATS, VISIBILITIES

from .common import (
    IMPORT_ONLY_FIELDS,
    ActionsMixin,
    LanguageCode,
    ListArgsSchema,
    SocietyRef,
    TopicCode,
    Translations,
    display_field,
    linked_from,
    partial_schema,
    record_links,
    record_output_fields,
    text_field,
    translation_schema,
    unique_list,
)

TEXTS = {"title": (300, True), "description": (20_000, False)}
TrainingMaterialTranslationSchema = translation_schema("TrainingMaterialTranslationSchema", TEXTS)
TrainingMaterialTranslationImportSchema = translation_schema("TrainingMaterialTranslationImportSchema", TEXTS,
                                                             keep_stamps=True)


class TrainingMaterialCreateSchema(Schema):
    external_id = text_field(200, allow_none=True, min_length=1)
    society = SocietyRef()
    title = text_field(300, required=True)
    description = text_field(20_000, load_default="")
    format = fields.String(required=True, validate=validate.OneOf(FORMATS))
    languages = unique_list(LanguageCode(), required=True, min_items=1, max_items=20,
                            metadata={"description": "Languages of the material; the first is its main one"})
    audience = text_field(300, allow_none=True)
    duration_minutes = fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=1, max=100_000))
    external_url = fields.Url(allow_none=True, schemes={"http", "https"}, validate=validate.Length(max=2000))
    licence = text_field(200, allow_none=True)
    topics = unique_list(TopicCode(), load_default=list)
    practices = record_links("practice")
    translations = Translations(TrainingMaterialTranslationSchema, load_default=dict)
    visibility = fields.String(validate=validate.OneOf(VISIBILITIES), load_default="network")


TrainingMaterialUpdateSchema = partial_schema(TrainingMaterialCreateSchema, "TrainingMaterialUpdateSchema",
                                              exclude=("society",))


class TrainingMaterialSchema(TrainingMaterialCreateSchema, ActionsMixin):
    display = display_field(tuple(TEXTS))
    projects = linked_from("project", "training_materials")

    class Meta:
        include = record_output_fields()


class TrainingMaterialImportSchema(TrainingMaterialCreateSchema):
    translations = Translations(TrainingMaterialTranslationImportSchema, load_default=dict)

    class Meta:
        include = IMPORT_ONLY_FIELDS


class TrainingMaterialListArgsSchema(ListArgsSchema):
    format = fields.String(validate=validate.OneOf(FORMATS))
