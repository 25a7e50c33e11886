from __future__ import annotations

from marshmallow import Schema, fields, validate

from atn_hub.models import PARTNER_KINDS, VISIBILITIES

from .common import (
    IMPORT_ONLY_FIELDS,
    ActionsMixin,
    CountryCode,
    InOrder,
    LanguageCode,
    ListArgsSchema,
    SocietyRef,
    TopicCode,
    Translations,
    display_field,
    partial_schema,
    record_links,
    record_output_fields,
    text_field,
    translation_schema,
    unique_list,
)

TEXTS = {"title": (300, True), "summary": (4000, False), "description": (100_000, False)}
ProjectTranslationSchema = translation_schema("ProjectTranslationSchema", TEXTS)
ProjectTranslationImportSchema = translation_schema("ProjectTranslationImportSchema", TEXTS, keep_stamps=True)


class PartnerSchema(Schema):
    """An organisation the project is run with."""

    name = text_field(300, required=True, metadata={"example": "Centraal Orgaan opvang asielzoekers (COA)"})
    country = CountryCode(allow_none=True, load_default=None)
    kind = fields.String(required=True, validate=validate.OneOf(PARTNER_KINDS), metadata={
        "description": "red_cross_society, government_agency, ngo, international_organisation or other"})
    url = fields.Url(allow_none=True, load_default=None, schemes={"http", "https"},
                     validate=validate.Length(max=2000), metadata={"description": "Its web address"})


class _ProjectChecks(InOrder):
    period = ("start_date", "end_date")


class ProjectCreateSchema(_ProjectChecks):
    external_id = text_field(200, allow_none=True, min_length=1, metadata={
        "description": "Identifier in the society's own system; unique per society"})
    society = SocietyRef()
    title = text_field(300, required=True, metadata={"description": "The project's name"})
    acronym = text_field(50, allow_none=True, metadata={"example": "STEP"})
    summary = text_field(4000, required=True)
    description = text_field(100_000, load_default="")
    language = LanguageCode(required=True)
    translations = Translations(ProjectTranslationSchema, load_default=dict)
    countries = unique_list(CountryCode(), load_default=list,
                            metadata={"description": "Countries where it works (ISO 3166-1 alpha-2)"})
    start_date = fields.Date(allow_none=True, metadata={"description": "First day of the project (ISO 8601 date)"})
    end_date = fields.Date(allow_none=True, metadata={"description": "Last day (null: running, or not set)"})
    funders = unique_list(text_field(300), max_items=20, load_default=list,
                          metadata={"description": "Who funds it, e.g. \"European Union, AMIF\""})
    partners = fields.List(fields.Nested(PartnerSchema), validate=validate.Length(max=50), load_default=list,
                           metadata={"description": "Partner organisations"})
    societies = unique_list(CountryCode(), load_default=list, metadata={
        "description": "Codes of the other Red Cross societies taking part (the owner is `society`)"})
    web_address = fields.Url(allow_none=True, schemes={"http", "https"}, validate=validate.Length(max=2000))
    topics = unique_list(TopicCode(), load_default=list)
    practices = record_links("practice")
    training_materials = record_links("training material")
    visibility = fields.String(validate=validate.OneOf(VISIBILITIES), load_default="network")


ProjectUpdateSchema = partial_schema(ProjectCreateSchema, "ProjectUpdateSchema", exclude=("society",),
                                     bases=(_ProjectChecks,))


class ProjectSchema(ProjectCreateSchema, ActionsMixin):
    display = display_field(tuple(TEXTS))

    class Meta:
        include = record_output_fields()


class ProjectImportSchema(ProjectCreateSchema):
    translations = Translations(ProjectTranslationImportSchema, load_default=dict)

    class Meta:
        include = IMPORT_ONLY_FIELDS


class ProjectListArgsSchema(ListArgsSchema):
    pass
