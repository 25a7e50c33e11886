"""The network at a glance (GET /api/v1/stats): its filters and its figures."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from .changes import RECORD_TYPES
from .common import CountryCode

STATUSES = ["draft", "submitted", "published", "changes_requested", "rejected", "archived"]
VISIBILITY_CLASSES = ["public", "network", "society", "coordinators", "everything"]
AGE_BUCKETS = ["under_1d", "1d_3d", "3d_7d", "7d_30d", "over_30d"]


class StatsArgsSchema(Schema):
    type = fields.List(fields.String(validate=validate.OneOf(RECORD_TYPES)),
                       metadata={"description": "Only these record types (repeat for several)"})
    society = CountryCode(metadata={"description": "Only this society's records (its code)"})
    country = CountryCode(metadata={"description": "Only records about this country (a material: its "
                                                   "society's country)"})
    since = fields.Date(metadata={"description": "From this day (UTC): records created, published, submitted or "
                                                 "decided on or after it"})
    until = fields.Date(metadata={"description": "Up to this day (UTC), inclusive"})

    @validates_schema
    def _ordered(self, data, **kwargs):
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            raise ValidationError("Not before since.", "until")


class TypeCountSchema(Schema):
    type = fields.String(metadata={"enum": RECORD_TYPES})
    count = fields.Integer()


class StatusCountSchema(Schema):
    status = fields.String(metadata={"enum": STATUSES})
    count = fields.Integer()


class CodeCountSchema(Schema):
    code = fields.String(metadata={"description": "A country (ISO 3166-1), language (ISO 639-1) or topic code"})
    count = fields.Integer()


class SocietyCountSchema(Schema):
    society = fields.String(metadata={"description": "The society's code"})
    name = fields.String(metadata={"description": "The society's name"})
    count = fields.Integer()


class MonthCountSchema(Schema):
    month = fields.String(metadata={"description": "YYYY-MM (UTC)", "example": "2026-11"})
    type = fields.String(metadata={"enum": RECORD_TYPES})
    count = fields.Integer()


class ReviewMonthSchema(Schema):
    month = fields.String(metadata={"description": "The month of the decisions, YYYY-MM (UTC)"})
    decisions = fields.Integer(metadata={"description": "Decisions made (approve, request changes, reject)"})
    median_hours = fields.Float(metadata={"description": "Median hours from the submission to its decision"})
    p90_hours = fields.Float(metadata={"description": "90th percentile (nearest rank) of those hours"})


class AgeBucketSchema(Schema):
    bucket = fields.String(metadata={"enum": AGE_BUCKETS})
    count = fields.Integer()


class QueueStatsSchema(Schema):
    size = fields.Integer(metadata={"description": "Submissions awaiting a decision"})
    oldest_submitted_at = fields.AwareDateTime(allow_none=True)
    oldest_age_days = fields.Float(allow_none=True, metadata={"description": "How long the oldest has waited"})
    by_age = fields.List(fields.Nested(AgeBucketSchema), metadata={"description": "How many wait how long"})


class RecordCountsSchema(Schema):
    total = fields.Integer()
    by_type = fields.List(fields.Nested(TypeCountSchema))
    by_status = fields.List(fields.Nested(StatusCountSchema))
    by_society = fields.List(fields.Nested(SocietyCountSchema))
    by_country = fields.List(fields.Nested(CodeCountSchema),
                             metadata={"description": "A record about several countries counts for each"})
    by_language = fields.List(fields.Nested(CodeCountSchema),
                              metadata={"description": "A record in several languages counts for each"})
    by_topic = fields.List(fields.Nested(CodeCountSchema),
                           metadata={"description": "A record with several topics counts for each"})


class StatsSchema(Schema):
    generated_at = fields.AwareDateTime(metadata={
        "description": "When these figures were counted (the queue and contacts past review: now)"})
    cache_seconds = fields.Integer(metadata={
        "description": "How often at most the figures are counted again once records change "
                       "(ATN_STATS_CACHE_SECONDS; 0: counted for each request)"})
    visibility = fields.String(metadata={"enum": VISIBILITY_CLASSES,
                                         "description": "Whose records are counted: the caller's class"})
    society = fields.String(allow_none=True, metadata={"description": "The caller's society, whose own records "
                                                                      "are counted in any state"})
    working_language = fields.String(metadata={"description": "ATN_WORKING_LANGUAGE"})
    records = fields.Nested(RecordCountsSchema, metadata={"description": "The records the caller may read"})
    published_per_month = fields.List(fields.Nested(MonthCountSchema))
    submissions_per_month = fields.List(fields.Nested(MonthCountSchema), allow_none=True, metadata={
        "description": "Coordinators: every submission; a society's members: their society's; others: null"})
    review_times = fields.List(fields.Nested(ReviewMonthSchema), allow_none=True,
                               metadata={"description": "Coordinators only (null for others)"})
    queue = fields.Nested(QueueStatsSchema, allow_none=True,
                          metadata={"description": "Coordinators only (null for others)"})
    contacts_past_review = fields.List(fields.Nested(SocietyCountSchema),
                                       metadata={"description": "Contacts whose review date has passed"})
    missing_translation = fields.List(fields.Nested(TypeCountSchema), metadata={
        "description": "Published records neither written in the working language nor translated into it"})
