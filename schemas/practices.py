from __future__ import annotations

from marshmallow import fields, validate

from atn_hub.models import AREAS, KINDS, SERVICES, VISIBILITIES

from .common import (
    IMPORT_ONLY_FIELDS,
    ActionsMixin,
    CountryCode,
    InOrder,
    LanguageCode,
    LinkSchema,
    ListArgsSchema,
    SocietyRef,
    TopicCode,
    Translations,
    contact_links,
    display_field,
    linked_from,
    partial_schema,
    record_links,
    record_output_fields,
    text_field,
    translation_schema,
    unique_list,
)

TEXTS = {"title": (300, True), "summary": (4000, False), "body": (100_000, False), "results": (20_000, False),
         "evaluation": (20_000, False)}
PracticeTranslationSchema = translation_schema("PracticeTranslationSchema", TEXTS)
PracticeTranslationImportSchema = translation_schema("PracticeTranslationImportSchema", TEXTS, keep_stamps=True)


class _PracticeChecks(InOrder):
    period = ("start_year", "end_year")


class PracticeCreateSchema(_PracticeChecks):
    external_id = text_field(200, allow_none=True, min_length=1, metadata={
        "description": "Identifier in the society's own system; unique per society"})
    society = SocietyRef()
    title = text_field(300, required=True)
    summary = text_field(4000, required=True)
    body = text_field(100_000, load_default="")
    language = LanguageCode(required=True)
    translations = Translations(PracticeTranslationSchema, load_default=dict)
    countries = unique_list(CountryCode(), required=True, min_items=1)
    kind = fields.String(validate=validate.OneOf(KINDS), load_default="good_practice")
    topics = unique_list(TopicCode(), load_default=list)
    target_groups = unique_list(TopicCode(), load_default=list)
    forms_of_exploitation = unique_list(TopicCode(), load_default=list)
    areas = unique_list(fields.String(validate=validate.OneOf(AREAS)), load_default=list,
                        metadata={"description": "The 4P: prevention, protection, prosecution, partnership"})
    services = unique_list(fields.String(validate=validate.OneOf(SERVICES)), load_default=list)
    results = text_field(20_000, allow_none=True)
    evaluation = text_field(20_000, allow_none=True)
    start_year = fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=1950, max=2100))
    end_year = fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=1950, max=2100))
    links = fields.List(fields.Nested(LinkSchema), validate=validate.Length(max=20), load_default=list)
    contacts = contact_links()
    training_materials = record_links("training material")
    visibility = fields.String(validate=validate.OneOf(VISIBILITIES), load_default="network")


PracticeUpdateSchema = partial_schema(PracticeCreateSchema, "PracticeUpdateSchema", exclude=("society",),
                                      bases=(_PracticeChecks,))


class PracticeSchema(PracticeCreateSchema, ActionsMixin):
    display = display_field(tuple(TEXTS))
    projects = linked_from("project", "practices")

    class Meta:
        include = record_output_fields()


class PracticeImportSchema(PracticeCreateSchema):
    """One line of an import file: the create shape, plus what an export carries (id, status, timestamps, who
    changed each translation when)."""

    translations = Translations(PracticeTranslationImportSchema, load_default=dict)

    class Meta:
        include = IMPORT_ONLY_FIELDS


class PracticeListArgsSchema(ListArgsSchema):
    kind = fields.String(validate=validate.OneOf(KINDS))
    area = fields.String(validate=validate.OneOf(AREAS))
