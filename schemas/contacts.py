from __future__ import annotations

from marshmallow import Schema, fields, validate

from atn_hub.models import VISIBILITIES

from .audit import AuditEntrySchema
from .common import (
    IMPORT_ONLY_FIELDS,
    SORT_KEYS,
    ActionsMixin,
    CountryCode,
    LanguageCode,
    ListArgsSchema,
    SocietyRef,
    TopicCode,
    Translations,
    display_field,
    partial_schema,
    record_output_fields,
    text_field,
    translation_schema,
    unique_list,
)
from .workflow import ReviewCommentSchema, RevisionDetailSchema

TEXTS = {"role": (200, True)}
ContactTranslationSchema = translation_schema("ContactTranslationSchema", TEXTS)
ContactTranslationImportSchema = translation_schema("ContactTranslationImportSchema", TEXTS, keep_stamps=True)
PHONE = validate.Regexp(r"^\+?[0-9 ()./-]{3,40}$", error="'{input}' is not a phone number.")


class ContactCreateSchema(Schema):
    external_id = text_field(200, allow_none=True, min_length=1)
    society = SocietyRef()
    name = text_field(200, required=True, metadata={"description": "A person's or a desk's name (personal "
                                                                   "data: needs scope contacts:read to read)"})
    role = text_field(200, allow_none=True, metadata={"description": "Role or title"})
    country = CountryCode(required=True)
    email = fields.Email(allow_none=True, validate=validate.Length(max=320))
    phone = fields.String(allow_none=True, validate=PHONE)
    languages = unique_list(LanguageCode(), load_default=list, max_items=20)
    topics = unique_list(TopicCode(), load_default=list,
                         metadata={"description": "Topics of expertise (topic codes)"})
    translations = Translations(ContactTranslationSchema, load_default=dict, metadata={
        "description": "The role in other languages, by ISO 639-1 code (never the contact's own language, the "
                       "first of languages; at most 30). Sending translations replaces them all."})
    visibility = fields.String(validate=validate.OneOf(VISIBILITIES), load_default="network")
    consent_recorded_at = fields.AwareDateTime(allow_none=True, default_timezone=None,
                                               metadata={"description": "When the person's consent to be listed "
                                                                        "was recorded"})
    review_due_at = fields.AwareDateTime(allow_none=True, default_timezone=None,
                                         metadata={"description": "When the entry must be reviewed again"})


ContactUpdateSchema = partial_schema(ContactCreateSchema, "ContactUpdateSchema", exclude=("society",))


class ContactSchema(ContactCreateSchema, ActionsMixin):
    name = fields.String(allow_none=True, metadata={"description": "A person's or a desk's name; null without "
                                                                  "the contacts:read scope"})
    display = display_field(tuple(TEXTS))

    class Meta:
        include = record_output_fields()


class ContactImportSchema(ContactCreateSchema):
    translations = Translations(ContactTranslationImportSchema, load_default=dict)

    class Meta:
        include = IMPORT_ONLY_FIELDS


class ContactListArgsSchema(ListArgsSchema):
    sort = fields.String(load_default="-updated_at", validate=validate.OneOf(SORT_KEYS),
                         metadata={"description": "Sort key; '-' for descending. title: by name with the "
                                                  "contacts:read scope, else by role (names are not shown, so "
                                                  "they do not order the list either). Ties are broken by id, "
                                                  "so pages are stable."})


class NamedBySchema(Schema):
    type = fields.String()
    id = fields.UUID()
    external_id = fields.String(allow_none=True)
    title = fields.String()


class ContactExportSchema(Schema):
    """Everything ATN Hub holds about a contact (a data subject's access request)."""

    contact = fields.Nested(ContactSchema)
    revisions = fields.List(fields.Nested(RevisionDetailSchema))
    changes = fields.List(fields.Nested(AuditEntrySchema), metadata={"description": "Every change, by whom"})
    review_comments = fields.List(fields.Nested(ReviewCommentSchema))
    named_by = fields.List(fields.Nested(NamedBySchema), metadata={"description": "Practices naming the contact"})
