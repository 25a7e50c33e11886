from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from atn_hub import i18n
from atn_hub.models import DECISIONS, DIGEST_KIND, FREQUENCIES, MAIL_STATUSES, NOTIFICATION_KINDS, RECORD_MODELS

from .common import unique_list


class NotificationArgsSchema(Schema):
    unread = fields.Boolean(metadata={"description": "true: only notifications not read yet; false: only those "
                                                     "read (by default both)"})


class NotificationRecordSchema(Schema):
    type = fields.String(metadata={"enum": sorted(RECORD_MODELS)})
    id = fields.UUID()
    title = fields.String(allow_none=True, metadata={
        "description": "Its title (a contact: its name with contacts:read, else its role), as it was then"})
    language = fields.String(allow_none=True)


class ActorSchema(Schema):
    id = fields.UUID(allow_none=True)
    name = fields.String(allow_none=True)


class NotificationSchema(Schema):
    id = fields.UUID()
    kind = fields.String(metadata={"enum": NOTIFICATION_KINDS})
    created_at = fields.AwareDateTime()
    read = fields.Boolean()
    record = fields.Nested(NotificationRecordSchema, allow_none=True)
    actor = fields.Nested(ActorSchema, allow_none=True, metadata={"description": "Who did it (null: a client "
                                                                                 "or the system)"})
    decision = fields.String(allow_none=True, metadata={"enum": DECISIONS})
    comment = fields.String(allow_none=True, metadata={"description": "The decision's comment, or the comment "
                                                                      "or reply posted"})


class MarkReadSchema(Schema):
    ids = unique_list(fields.UUID(), max_items=500, metadata={"description": "The notifications to mark read"})
    all = fields.Boolean(load_default=False, truthy={True}, falsy={False},
                         metadata={"description": "true: mark every notification read"})

    @validates_schema
    def _one_of(self, data, **kwargs):
        if not data.get("all") and not data.get("ids"):
            raise ValidationError("Name the notifications (ids), or send all: true.", "ids")


class MarkedSchema(Schema):
    marked = fields.Integer(metadata={"description": "How many were marked read now"})
    unread = fields.Integer(metadata={"description": "How many stay unread"})


def _frequency(kind: str) -> fields.String:
    return fields.String(validate=validate.OneOf(FREQUENCIES), metadata={
        "description": f"How often you are told of {kind.replace('_', ' ')} notifications: at once, in a daily "
                       f"or weekly e-mail digest, or never (not in the inbox either)"})


class NotificationSettingsSchema(Schema):
    submission = _frequency("submission")
    decision = _frequency("decision")
    comment = _frequency("comment")
    assignment = _frequency("assignment")
    review_due = _frequency("review_due")
    stale = _frequency("stale")
    language = fields.String(validate=validate.OneOf(i18n.available()), metadata={
        "description": "The language of your messages (one of the console's)", "example": "nl"})


class MailArgsSchema(Schema):
    status = fields.String(load_default="failed", validate=validate.OneOf(MAIL_STATUSES[:3]), metadata={
        "description": "failed (given up after the retries; the default), pending (waiting to be sent or "
                       "retried) or delivered"})


class MailRecipientSchema(Schema):
    user_id = fields.UUID()
    name = fields.String()
    email = fields.String()


class MailDeliverySchema(Schema):
    id = fields.UUID(metadata={"description": "The notification's id (the e-mail's Message-ID is built from it)"})
    kind = fields.String(metadata={"enum": [*NOTIFICATION_KINDS, DIGEST_KIND]})
    status = fields.String(metadata={"enum": MAIL_STATUSES[:3]})
    recipient = fields.Nested(MailRecipientSchema)
    subject = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    attempts = fields.Integer(metadata={"description": "How many times it was tried"})
    next_attempt_at = fields.AwareDateTime(allow_none=True)
    give_up_at = fields.AwareDateTime(allow_none=True, metadata={"description": "When a pending e-mail is "
                                                                                "given up if still refused"})
    delivered_at = fields.AwareDateTime(allow_none=True)
    last_error = fields.String(allow_none=True, metadata={"description": "The mail server's last answer, or "
                                                                         "why it could not be reached"})
