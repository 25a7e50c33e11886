from __future__ import annotations

import re
import uuid
from datetime import timedelta

from marshmallow import Schema, ValidationError, fields, validate

from .changes import RECORD_TYPES
from .common import CountryCode, FieldChangeSchema, LanguageCode
from .workflow import ReviewCommentSchema

_AGE = re.compile(r"^(\d+(?:\.\d+)?)([dhm]?)$")
MAX_AGE = timedelta(days=36500)  # a century: older than anything submitted; larger ones overflow the dates


class Age(fields.String):
    """``3d``, ``12h``, ``90m`` or a number of days -> a timedelta, at most ``MAX_AGE``."""

    def _deserialize(self, value, attr, data, **kwargs):
        match = _AGE.match(super()._deserialize(value, attr, data, **kwargs).strip().lower())
        if not match:
            raise ValidationError("An age such as 3d, 12h, 90m, or a number of days.")
        unit = {"d": "days", "h": "hours", "m": "minutes", "": "days"}[match.group(2)]
        try:
            age = timedelta(**{unit: float(match.group(1))})
        except OverflowError:
            age = None
        if age is None or age > MAX_AGE:
            raise ValidationError(f"An age of at most {MAX_AGE.days} days.")
        return age


def _assignee(value: str) -> None:
    if value in ("me", "none"):
        return
    try:
        uuid.UUID(value)
    except ValueError:
        raise ValidationError("me, none, or a coordinator's user id.") from None


class QueueArgsSchema(Schema):
    type = fields.List(fields.String(validate=validate.OneOf(RECORD_TYPES)),
                       metadata={"description": "Only these record types (repeat for several)"})
    society = CountryCode(metadata={"description": "Only this society's submissions"})
    country = CountryCode(metadata={"description": "Only submissions about this country"})
    language = LanguageCode(metadata={"description": "Only submissions in this language"})
    age = Age(metadata={"description": f"Only submissions waiting at least this long: 3d, 12h, 90m (at most "
                                       f"{MAX_AGE.days}d)", "example": "3d"})
    assignee = fields.String(validate=_assignee, metadata={"description": "me, none, or a user id"})


class PersonSchema(Schema):
    user_id = fields.UUID(allow_none=True)
    name = fields.String(allow_none=True)
    client_id = fields.String(allow_none=True)


class QueueItemSchema(Schema):
    id = fields.UUID(metadata={"description": "The queue entry"})
    type = fields.String(attribute="record_type", metadata={"enum": RECORD_TYPES})
    record_id = fields.UUID()
    external_id = fields.String(allow_none=True)
    title = fields.String()
    society = fields.String()
    countries = fields.List(fields.String())
    languages = fields.List(fields.String())
    kind = fields.String(metadata={"enum": ["new", "revision"],
                                   "description": "new: a record never published; revision: edits of a "
                                                  "published record"})
    status = fields.String()
    submitted_at = fields.AwareDateTime()
    submitted_by = fields.Nested(PersonSchema)
    assignee = fields.Nested(PersonSchema, attribute="assignee_person", allow_none=True)
    assigned_at = fields.AwareDateTime(allow_none=True)
    diff = fields.List(fields.Nested(FieldChangeSchema),
                       metadata={"description": "Against the published version (a new record: every field)"})
    discussion = fields.List(fields.Nested(ReviewCommentSchema))


class CoordinatorSchema(Schema):
    user_id = fields.UUID(metadata={"description": "Their user id (the assignee_id to assign to them)"})
    name = fields.String()


class AssignSchema(Schema):
    assignee_id = fields.UUID(required=True, allow_none=True,
                              metadata={"description": "A coordinator's user id (yours to take it); null to "
                                                       "leave it open"})
