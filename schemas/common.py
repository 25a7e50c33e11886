"""Fields and schemas shared by the resources."""
from __future__ import annotations

import re
from typing import TypeVar

import pycountry
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

# Countries: ISO 3166-1 alpha-2, plus Kosovo's user-assigned XK (a Red Cross operating area).
COUNTRY_CODES = frozenset(c.alpha_2 for c in pycountry.countries) | {"XK"}
LANGUAGE_CODES = frozenset(lang.alpha_2 for lang in pycountry.languages if hasattr(lang, "alpha_2"))
_TAG = re.compile(r"^([A-Za-z]{2})(?:[-_][A-Za-z0-9]{1,8})*$")
_T = TypeVar("_T")


def normalise_language(value: str) -> str | None:
    """``pt-BR`` -> ``pt``; ``EN`` -> ``en``; an unknown or malformed code -> None."""
    match = _TAG.match(value.strip()) if isinstance(value, str) else None
    if not match:
        return None
    code = match.group(1).lower()
    return code if code in LANGUAGE_CODES else None


class CountryCode(fields.String):
    """An ISO 3166-1 alpha-2 country code (upper-cased on the way in)."""

    def __init__(self, **kwargs):
        metadata = kwargs.pop("metadata", {})
        metadata.setdefault("description", "ISO 3166-1 alpha-2 country code, e.g. NL")
        super().__init__(metadata={"pattern": "^[A-Za-z]{2}$", "example": "NL", **metadata}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        code = super()._deserialize(value, attr, data, **kwargs).strip().upper()
        if code not in COUNTRY_CODES:
            raise ValidationError(f"'{value}' is not an ISO 3166-1 alpha-2 country code.")
        return code


class LanguageCode(fields.String):
    """An ISO 639-1 language code; regional tags are reduced to their language (``pt-BR`` -> ``pt``)."""

    def __init__(self, **kwargs):
        metadata = kwargs.pop("metadata", {})
        metadata.setdefault("description", "ISO 639-1 language code, e.g. nl (pt-BR is read as pt)")
        super().__init__(metadata={"example": "nl", **metadata}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        raw = super()._deserialize(value, attr, data, **kwargs)
        code = normalise_language(raw)
        if code is None:
            raise ValidationError(f"'{raw}' is not an ISO 639-1 language code.")
        return code


class TopicCode(fields.String):
    def __init__(self, **kwargs):
        super().__init__(validate=validate.Regexp(r"^[a-z0-9][a-z0-9-]{0,63}$",
                                                  error="'{input}' is not a topic code (lower-case, digits, -)."),
                         metadata={"description": "A topic code from /api/v1/topics", "example": "legal-aid"},
                         **kwargs)


def unique_list(inner, max_items: int = 50, min_items: int | None = None, **kwargs) -> fields.List:
    def _unique(values):
        if len(set(values)) != len(values):
            raise ValidationError("Values must be unique.")

    return fields.List(inner, validate=[validate.Length(min=min_items, max=max_items), _unique], **kwargs)


def text_field(max_length: int, required: bool = False, allow_none: bool = False, min_length: int | None = None,
               **kwargs) -> fields.String:
    min_len = (1 if required else None) if min_length is None else min_length
    return fields.String(required=required, allow_none=allow_none,
                         validate=validate.Length(min=min_len, max=max_length), **kwargs)


DEFAULT_MAX_PAGE_SIZE = 100  # what the OpenAPI document states; ATN_MAX_PAGE_SIZE sets the app's


class PageSize(validate.Range):
    """A page size from 1 to the serving app's ATN_MAX_PAGE_SIZE, read when a request is checked (blueprints
    and schemas are made once per process; apps, each with its settings, may be several). The OpenAPI
    document states the default."""

    def __init__(self) -> None:
        super().__init__(min=1, max=DEFAULT_MAX_PAGE_SIZE)

    def __call__(self, value: _T) -> _T:  # generic as Range's is; the field (an Integer) gives an int
        from flask import current_app, has_app_context

        largest = current_app.config["ATN_SETTINGS"].max_page_size if has_app_context() else self.max
        if not self.min <= value <= largest:  # self.min is 1
            raise ValidationError(f"Must be greater than or equal to 1 and less than or equal to {largest}.")
        return value


SORT_KEYS = ["updated_at", "-updated_at", "created_at", "-created_at", "title", "-title"]


class ListArgsSchema(Schema):
    """Filters shared by the record lists."""

    country = CountryCode(metadata={"description": "Only records for this country (ISO 3166-1 alpha-2)"})
    language = LanguageCode(metadata={"description": "Only records in this language (ISO 639-1)"})
    topic = TopicCode()
    society = CountryCode(metadata={"description": "Only records of this society (its country code)"})
    status = fields.String(validate=validate.OneOf(["draft", "submitted", "published", "changes_requested",
                                                    "rejected", "archived"]))
    visibility = fields.String(validate=validate.OneOf(["public", "network"]))
    external_id = fields.String(validate=validate.Length(min=1, max=200),
                                metadata={"description": "The record's identifier in its society's system"})
    updated_since = fields.AwareDateTime(default_timezone=None,
                                         metadata={"description": "Only records changed at or after this "
                                                                  "time (ISO 8601 with a time zone)"})
    sort = fields.String(load_default="-updated_at", validate=validate.OneOf(SORT_KEYS),
                         metadata={"description": "Sort key; '-' for descending. Ties are broken by id, so "
                                                  "pages are stable."})
    missing_translation = LanguageCode(metadata={
        "description": "Only published records that lack a translation into this language (and are not written "
                       "in it): what the network still has to translate, e.g. into the working language"})
    lang = LanguageCode(metadata={"description": "The reader's language (ISO 639-1) for each record's display; "
                                                 "without it, Accept-Language (quality values honoured) decides"})


class RecordId(fields.UUID):
    """Another record's id, kept as its text form (records link to each other by id: ``services.links``)."""

    def _deserialize(self, value, attr, data, **kwargs):
        return str(super()._deserialize(value, attr, data, **kwargs))


MAX_LINKS = 100


def record_links(label: str) -> fields.List:
    """A record's links to records of one type: their ids (unique; each must be one the record's society can
    see). Readers are shown only those they may read themselves."""
    return unique_list(RecordId(), max_items=MAX_LINKS, load_default=list, metadata={
        "description": f"Ids of linked {label}s (each one the record's society can see; a reader is shown only "
                       f"those they may read). Sending the list replaces it."})


def linked_from(label: str, by: str) -> fields.List:
    """Links held by other records, shown on this one (read-only: change them on the other record)."""
    return fields.List(fields.UUID(), dump_only=True, metadata={
        "description": f"Ids of the {label}s that link to this record in their {by} (those the reader may read; "
                       f"read-only: edit the {label})"})


class ContactLinkSchema(Schema):
    id = RecordId(required=True, metadata={"description": "A contact of the record's society"})
    role = text_field(200, allow_none=True, load_default=None,
                      metadata={"description": "The contact's part in this record, e.g. focal point"})


def _unique_ids(values):
    ids = [value["id"] for value in values]
    if len(set(ids)) != len(ids):
        raise ValidationError("A contact is named twice.")


def contact_links() -> fields.List:
    return fields.List(fields.Nested(ContactLinkSchema), load_default=list,
                       validate=[validate.Length(max=MAX_LINKS), _unique_ids], metadata={
                           "description": "The record's contacts, each with its part in it (contacts of the "
                                          "record's society; a reader is shown only those they may read). Sending "
                                          "the list replaces it."})


class InOrder(Schema):
    """A schema with a period: its end field (``period[1]``) may not come before its start (years, dates)."""

    period: tuple[str, str] = ("", "")

    @validates_schema
    def _in_order(self, data, **kwargs):
        start, end = self.period
        first, last = data.get(start), data.get(end)
        if first is not None and last is not None and last < first:
            raise ValidationError(f"{end} is before {start}.", field_name=end)


class LinkSchema(Schema):
    url = fields.Url(required=True, schemes={"http", "https"}, validate=validate.Length(max=2000))
    title = text_field(300, allow_none=True)


ORIGINS = ["author", "machine"]
MAX_TRANSLATIONS = 30
STAMPS = ("updated_by", "updated_at")


class UpdatedBySchema(Schema):
    id = fields.UUID(metadata={"description": "The user's id"})
    name = fields.String(allow_none=True, metadata={"description": "The user's display name"})


def translation_schema(name: str, texts: dict[str, tuple[int, bool]], keep_stamps: bool = False) -> type[Schema]:
    """The schema of one translation of a record type: its text fields (``texts``: field -> (longest, required)),
    its origin, and who changed it when. Those two are the server's: what a client sends of them is ignored,
    except in an import (``keep_stamps``), which keeps what its export said."""
    from marshmallow import post_load

    attrs: dict = {field: text_field(longest, required=required, allow_none=not required)
                   for field, (longest, required) in texts.items()}
    attrs["origin"] = fields.String(load_default="author", validate=validate.OneOf(ORIGINS), metadata={
        "description": "author: written by people; machine: a machine translation"})
    attrs["updated_by"] = fields.Nested(UpdatedBySchema, allow_none=True, metadata={
        "readOnly": True, "description": "Who last changed this translation (null when unknown, e.g. imported; "
                                         "null for callers who are not signed in)"})
    attrs["updated_at"] = fields.AwareDateTime(allow_none=True, default_timezone=None, metadata={
        "readOnly": True, "description": "When this translation last changed (null when unknown)"})

    def _stamps(self, data, **kwargs):
        for key in STAMPS:
            if not keep_stamps:
                data.pop(key, None)
            elif data.get(key) is None:
                data[key] = None
            elif key == "updated_at" and data.get(key) is not None:
                data[key] = data[key].isoformat()
            elif key == "updated_by" and data.get(key) is not None:
                data[key] = {"id": str(data[key]["id"]), "name": data[key].get("name")} \
                    if data[key].get("id") else None
        return data

    attrs["_stamps"] = post_load(_stamps)
    return type(name, (Schema,), attrs)


class Translations(fields.Dict):
    """A record's translations: an object keyed by ISO 639-1 code (``FR``, ``pt-BR`` are read as ``fr``,
    ``pt``), at most 30; each error names its translation and field (``translations.fr.title``)."""

    def __init__(self, schema: type[Schema], **kwargs):
        metadata = {"description": "The record's text in other languages, by ISO 639-1 code (never the record's "
                                   "own language; at most 30). Sending translations replaces them all.",
                    **kwargs.pop("metadata", {})}
        super().__init__(keys=fields.String(), values=fields.Nested(schema), metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, dict):
            raise ValidationError("Not an object of translations by language code.")
        if len(value) > MAX_TRANSLATIONS:
            raise ValidationError(f"At most {MAX_TRANSLATIONS} translations.")
        loaded: dict = {}
        errors: dict = {}
        assert self.value_field is not None
        for key, item in value.items():
            code = normalise_language(key)
            if code is None:
                errors[key] = [f"'{key}' is not an ISO 639-1 language code."]
            elif code in loaded:
                errors[key] = [f"A second translation into '{code}'."]
            else:
                try:
                    loaded[code] = self.value_field.deserialize(item, key, value, **kwargs)
                except ValidationError as exc:
                    errors[code] = exc.messages
        if errors:
            raise ValidationError(errors)
        return loaded

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        shown = {}
        assert isinstance(self.value_field, fields.Nested)
        declared = self.value_field.schema.fields  # every field shows, null when it has no value
        for code, item in value.items():
            item = {**{name: None for name in declared}, "origin": "author", **item}
            if isinstance(item.get("updated_at"), str):
                from datetime import datetime

                item["updated_at"] = datetime.fromisoformat(item["updated_at"])
            shown[code] = item
        return super()._serialize(shown, attr, obj, **kwargs)


def display_field(texts: tuple[str, ...]) -> fields.Field:
    """``display``: the record's text in the reader's language (see ``atn_hub.services.translations``)."""
    properties = {"language": {"type": ["string", "null"], "description": "The language shown (ISO 639-1)"},
                  "translated": {"type": "boolean", "description": "true: a translation is shown"},
                  "origin": {"type": ["string", "null"], "enum": [*ORIGINS, None],
                             "description": "The shown translation's origin; null for the record's own text"},
                  **{name: {"type": ["string", "null"]} for name in texts}}
    return fields.Raw(dump_only=True, metadata={
        "type": "object", "properties": properties, "required": ["language", "translated", "origin", *texts],
        "description": "The record's text in the reader's language (lang, or Accept-Language), field by field "
                       "falling back to its own text; else the working language's, else its own"})


class ReaderArgsSchema(Schema):
    lang = LanguageCode(metadata={"description": "The reader's language (ISO 639-1): the record's display is in "
                                                 "it where a translation exists. Without it, Accept-Language "
                                                 "(quality values honoured) decides."})


def record_output_fields() -> dict[str, fields.Field]:
    """Fields every record shows: identity, ownership, workflow state, timestamps, the caller's actions."""
    return {
        "id": fields.UUID(dump_only=True),
        "external_id": fields.String(allow_none=True),
        "society": fields.Function(lambda r: r.society.code, dump_only=True,
                                   metadata={"type": "string", "description": "Owning society's code"}),
        "status": fields.String(dump_only=True),
        "visibility": fields.String(),
        "published_at": fields.AwareDateTime(dump_only=True, allow_none=True),
        "created_at": fields.AwareDateTime(dump_only=True),
        "updated_at": fields.AwareDateTime(dump_only=True),
        "version": fields.Integer(dump_only=True),
    }


class SocietyRef(CountryCode):
    """A society, by its country code; dumps a ``Society`` object as its code."""

    def __init__(self, **kwargs):
        super().__init__(metadata={"description": "The owning society's code (ISO 3166-1 alpha-2)"}, **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return getattr(value, "code", value)


def partial_schema(schema_cls: type[Schema], name: str, exclude: tuple[str, ...] = (),
                   bases: tuple[type[Schema], ...] = (Schema,)) -> type[Schema]:
    """A copy of ``schema_cls`` whose fields are all optional and default to nothing (for PATCH bodies),
    under its own name; ``bases`` carry the cross-field checks."""
    import copy

    from marshmallow.utils import missing

    attrs: dict = {}
    for field_name, field in schema_cls._declared_fields.items():
        if field_name in exclude or field.dump_only:
            continue
        clone = copy.copy(field)
        clone.required = False
        clone.load_default = missing
        attrs[field_name] = clone
    return type(name, bases, attrs)


class FieldChangeSchema(Schema):
    field = fields.String()
    before = fields.Raw(data_key="from", allow_none=True, metadata={"description": "The value before (null: none)"})
    after = fields.Raw(data_key="to", allow_none=True, metadata={"description": "The value after (null: none)"})


class PendingRevisionSchema(Schema):
    status = fields.String(metadata={"enum": ["draft", "submitted", "changes_requested"]})
    author_name = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
    changes = fields.List(fields.Nested(FieldChangeSchema),
                          metadata={"description": "What it changes against the published version"})


class ActionsMixin(Schema):
    actions = fields.List(fields.String(), dump_only=True,
                          metadata={"description": "What the caller may do with this record now "
                                                   "(e.g. edit, delete, submit)"})
    pending_revision = fields.Nested(PendingRevisionSchema, dump_only=True, allow_none=True, metadata={
        "description": "Edits of the published record awaiting review, which the network does not see yet "
                       "(shown to the record's society and coordinators; null when there are none)"})


IMPORT_ONLY_FIELDS = {
    "id": fields.UUID(metadata={"description": "Keep this identifier (import of an export)"}),
    "status": fields.String(validate=validate.OneOf(["draft", "submitted", "published", "changes_requested",
                                                     "rejected", "archived"])),
    "published_at": fields.AwareDateTime(allow_none=True, default_timezone=None),
    "created_at": fields.AwareDateTime(default_timezone=None),
    "updated_at": fields.AwareDateTime(default_timezone=None),
}


class EraseArgsSchema(Schema):
    erase = fields.Boolean(load_default=False, metadata={
        "description": "Erase the personal data everywhere it was kept (GDPR), not only delete the record"})


class ProblemSchema(Schema):
    """An error, as RFC 9457 problem details (application/problem+json)."""

    type = fields.String(metadata={"description": "A URI naming the kind of problem; about:blank: the status says it",
                                   "example": "about:blank"})
    title = fields.String(metadata={"description": "The status's phrase", "example": "Precondition Failed"})
    status = fields.Integer(metadata={"description": "The HTTP status code", "example": 412})
    detail = fields.String(metadata={"description": "What went wrong in this request, and what to do"})
    instance = fields.String(metadata={"description": "The path that was asked for"})
    request_id = fields.String(metadata={"description": "This request's X-Request-ID (quote it to an administrator)"})
    errors = fields.Dict(keys=fields.String(), values=fields.Dict(), metadata={
        "description": "The offending input by location and field: {\"json\": {\"title\": [\"...\"]}}"})
    code = fields.Integer(metadata={"description": "The status again (the earlier shape's name for it)"})
    message = fields.String(metadata={"description": "The detail again (the earlier shape's name for it)"})
    existing_id = fields.String(metadata={"description": "409 on a duplicate (a record's external_id): the id of "
                                                         "the record that has it"})
    query_error = fields.Dict(metadata={
        "description": "400 on a search: why the query cannot be run, for a client to say it in its reader's "
                       "language: `reason` (too_long, too_many_terms, too_many_wildcards, parenthesis_not_opened, "
                       "parenthesis_not_closed, unparsable, no_words, wildcard_too_short, wildcard_too_broad, "
                       "wildcard_in_filter, fuzzy_edits, fuzzy_too_broad, timeout, export_too_large) and the values "
                       "`detail` names (`max`, `min`, `term`, `field`, `seconds`, `total`)",
        "example": {"reason": "wildcard_too_short", "term": "co*", "min": 3}})

