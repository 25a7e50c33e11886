from __future__ import annotations

from marshmallow import Schema, fields, validate

from .common import CountryCode, LanguageCode, PageSize, TopicCode

TYPES = ["practice", "contact", "training-material", "project"]


class SearchArgsSchema(Schema):
    q = fields.String(load_default="", validate=validate.Length(max=2000),
                      metadata={"description": 'Words, "phrases", AND/OR/NOT, (groups), field:value (title, body, '
                                               "country, language, topic, society, type), prefix*, term~ or "
                                               "term~2 (at most 2 edits). Empty with filters: browse."})
    type = fields.List(fields.String(validate=validate.OneOf(TYPES)), load_default=list,
                       metadata={"description": "Record types (repeat for several)"})
    country = fields.List(CountryCode(), load_default=list)
    language = fields.List(LanguageCode(), load_default=list)
    topic = fields.List(TopicCode(), load_default=list)
    society = fields.List(CountryCode(), load_default=list)
    updated_since = fields.AwareDateTime(default_timezone=None)
    sort = fields.String(load_default="relevance", validate=validate.OneOf(["relevance", "newest", "title"]))
    fuzzy = fields.Boolean(load_default=False, metadata={"description": "Also match words one or two letters off "
                                                                       "(each word's closest index words)"})
    expand = fields.Boolean(load_default=True, metadata={"description": "Add the glossary's equivalents of the "
                                                                        "query's terms in other languages"})
    lang = LanguageCode(metadata={"description": "The caller's language: its matches rank first at equal "
                                                 "relevance (default: from Accept-Language)"})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10_000))
    page_size = fields.Integer(load_default=20, validate=PageSize())
    bom = fields.Boolean(load_default=False, metadata={
        "description": "CSV export only (Accept: text/csv): start with a UTF-8 byte order mark, for spreadsheet "
                       "programs that need one to read UTF-8 (Excel)"})


class MatchedFileSchema(Schema):
    id = fields.String()
    filename = fields.String()
    page = fields.Integer()
    url = fields.String(metadata={"description": "Download it here"})


class SearchHitSchema(Schema):
    type = fields.String()
    status = fields.String(allow_none=True, metadata={
        "enum": ["draft", "submitted", "changes_requested", "rejected", "published", "archived", None],
        "description": "The record's workflow status: callers who see their society's unpublished records tell "
                       "them from published ones"})
    id = fields.String(attribute="record_id")
    external_id = fields.String(allow_none=True)
    title = fields.String()
    score = fields.Float(allow_none=True, metadata={
        "description": "Relevance (BM25, computed over every indexed document); null for callers without the "
                       "read scope: the order of the hits is the ranking"})
    snippet = fields.String(allow_none=True, metadata={"description": "HTML: the matching words in <mark>"})
    snippet_field = fields.String(allow_none=True, metadata={"description": "title, body, personal, or file (the "
                                                                            "text of an attached file)"})
    file = fields.Nested(MatchedFileSchema, allow_none=True,
                         metadata={"description": "The attached file (and page) the snippet comes from"})
    language = fields.String(metadata={"description": "The language of the title and snippet shown: the one the "
                                                      "words matched in, else the reader's (lang, Accept-Language) "
                                                      "where the record has it, else the record's own"})
    countries = fields.List(fields.String())
    society = fields.String()
    updated_at = fields.AwareDateTime()
    url = fields.String(metadata={"description": "The record in the API"})


def _counts(what: str) -> fields.Dict:
    return fields.Dict(keys=fields.String(), values=fields.Integer(),
                       metadata={"description": f"Hits per {what}"})


class FacetsSchema(Schema):
    type = _counts("record type (practice, contact, training-material, project)")
    country = _counts("country (ISO 3166-1 alpha-2)")
    language = _counts("language (ISO 639-1)")
    topic = _counts("topic code")
    society = _counts("society code")


class SearchResultSchema(Schema):
    total = fields.Integer(metadata={"description": "Hits in all (those the caller may see)"})
    page = fields.Integer()
    page_size = fields.Integer()
    total_pages = fields.Integer(metadata={"description": "Pages of page_size hits (the Link header links them)"})
    hits = fields.List(fields.Nested(SearchHitSchema))
    facets = fields.Nested(FacetsSchema, metadata={"description": "Counts per value of type, country, language, "
                                                                  "topic and society, over the whole result set"})
    suggestion = fields.String(allow_none=True, metadata={
        "description": "Did you mean: the query with its unknown words replaced by the closest words of the "
                       "published records the caller may read"})
