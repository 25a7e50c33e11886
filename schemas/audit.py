from __future__ import annotations

from marshmallow import Schema, fields, validate


class AuditArgsSchema(Schema):
    actor = fields.UUID(metadata={"description": "Only what this user did"})
    client_id = fields.String(validate=validate.Length(min=1, max=64),
                              metadata={"description": "Only what came through this OAuth client"})
    record_type = fields.String(validate=validate.Length(min=1, max=32),
                                metadata={"description": "practice, contact, training-material, society, topic, "
                                                         "user, client, token"})
    record_id = fields.String(validate=validate.Length(min=1, max=64))
    action = fields.List(fields.String(validate=validate.Length(min=1, max=32)),
                         metadata={"description": "Only these actions (repeat for several): created, updated, "
                                                  "deleted, submitted, published, revised, assigned, ..."})
    since = fields.AwareDateTime(metadata={"description": "At or after this time (ISO 8601 with a time zone)"})
    until = fields.AwareDateTime(metadata={"description": "Before this time"})


class AuditEntrySchema(Schema):
    seq = fields.Integer(metadata={"description": "Position in the change log (commit order)"})
    at = fields.AwareDateTime()
    actor_user_id = fields.UUID(allow_none=True)
    actor_name = fields.String(allow_none=True)
    actor_email = fields.String(allow_none=True)
    client_id = fields.String(allow_none=True, metadata={"description": "The OAuth client it came through "
                                                                        "(none: a personal token or the command "
                                                                        "line)"})
    record_type = fields.String()
    record_id = fields.String()
    action = fields.String()
    fields_ = fields.List(fields.String(), data_key="fields", attribute="fields",
                          metadata={"description": "The fields it changed"})
    details = fields.Dict(metadata={"description": "States before and after, decisions and comments"})
