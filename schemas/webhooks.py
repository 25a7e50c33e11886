from __future__ import annotations

import json

from marshmallow import Schema, fields, validate

from atn_hub.models import ALL_EVENTS, DELIVERY_STATUSES, EVENT_PATTERNS, EVENT_TYPES, PING_EVENT

from .common import CountryCode, partial_schema, text_field, unique_list

EVENT_NAMES = [ALL_EVENTS, *EVENT_PATTERNS, *EVENT_TYPES]


class WebhookCreateSchema(Schema):
    url = fields.Url(required=True, schemes={"https", "http"}, require_tld=False,
                     validate=validate.Length(max=2000),
                     metadata={"description": "Where to POST the events: https:// only, to a public address "
                                              "(private, loopback and link-local targets are refused)",
                               "example": "https://sync.example.org/atn-hub/webhook"})
    events = unique_list(fields.String(validate=validate.OneOf(EVENT_NAMES)), required=True, min_items=1,
                         metadata={"description": "Event types, '<type>.<action>' (e.g. practice.published), "
                                                  "'<type>.*' for every action of a type, or '*' for all",
                                   "example": ["practice.published", "contact.*"]})
    description = text_field(500, allow_none=True)
    active = fields.Boolean(load_default=True, metadata={"description": "Inactive endpoints get no new events"})
    society = CountryCode(metadata={"description": "The society whose changes it receives (administrators "
                                                   "only; by default the caller's)"})


WebhookUpdateSchema = partial_schema(WebhookCreateSchema, "WebhookUpdateSchema", exclude=("society",))


class WebhookSchema(Schema):
    id = fields.UUID()
    society = fields.Function(lambda e: e.society.code, metadata={"type": "string"})
    url = fields.String()
    events = fields.List(fields.String(metadata={"enum": EVENT_NAMES}))
    active = fields.Boolean()
    description = fields.String(allow_none=True)
    created_by = fields.String(attribute="created_by_name", allow_none=True)
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
    version = fields.Integer()


class NewSecretWebhookSchema(WebhookSchema):
    secret = fields.String(metadata={"description": "Signs every delivery (HMAC-SHA256): shown in this answer "
                                                    "only, keep it safe"})
    warnings = fields.List(fields.String(), dump_default=[], metadata={
        "description": "What stands in the way of deliveries (at registration: no worker delivering)"})


class AttemptSchema(Schema):
    at = fields.AwareDateTime()
    duration_ms = fields.Integer()
    status_code = fields.Integer(allow_none=True, metadata={"description": "The receiver's HTTP status (null: "
                                                                           "no answer)"})
    error = fields.String(allow_none=True)


class DeliverySchema(Schema):
    id = fields.UUID(metadata={"description": "The delivery id (X-ATN-Delivery): the same on every attempt"})
    event = fields.String(metadata={"enum": [PING_EVENT, *EVENT_TYPES]})
    cursor = fields.Function(lambda d: str(d.seq) if d.seq > 0 else None, allow_none=True, metadata={
        "type": "string", "description": "The change's position in the changes feed (null: a ping)"})
    status = fields.String(metadata={"enum": DELIVERY_STATUSES})
    attempt_count = fields.Integer()
    next_attempt_at = fields.AwareDateTime(allow_none=True)
    give_up_at = fields.AwareDateTime(metadata={"description": "Retries stop after this"})
    last_status_code = fields.Integer(allow_none=True)
    last_error = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    delivered_at = fields.AwareDateTime(allow_none=True)
    body = fields.Function(lambda d: json.loads(d.body), metadata={
        "type": "object", "description": "The JSON body sent (the same bytes on every attempt)"})
    attempts = fields.List(fields.Nested(AttemptSchema))
