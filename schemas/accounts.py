from __future__ import annotations

from datetime import UTC

from marshmallow import Schema, fields, validate

from atn_hub.models import ROLES
from atn_hub.principal import SCOPES

from .common import CountryCode, text_field

SCOPE_STRING = validate.Regexp(r"^[a-z:]+( [a-z:]+)*$", error="Scopes are names separated by single spaces.")


class MeSchema(Schema):
    kind = fields.String(metadata={"description": "user or client"})
    user_id = fields.UUID(allow_none=True)
    client_id = fields.String(allow_none=True)
    name = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    role = fields.String(allow_none=True)
    society = fields.String(allow_none=True, metadata={"description": "The caller's society code"})
    scopes = fields.List(fields.String())


class TokenCreateSchema(Schema):
    name = text_field(200, required=True, metadata={"description": "What the token is for"})
    scope = fields.String(required=True, validate=SCOPE_STRING,
                          metadata={"description": f"Space-separated, among: {', '.join(SCOPES)}"})
    expires_in_days = fields.Integer(strict=True, validate=validate.Range(min=1),
                                     metadata={"description": "Lifetime in days: 90 unless given, at most 366 "
                                                              "(ATN_PERSONAL_TOKEN_DEFAULT_DAYS, "
                                                              "ATN_PERSONAL_TOKEN_MAX_DAYS). Personal tokens always "
                                                              "expire."})


class SignOutEverywhereSchema(Schema):
    personal_tokens = fields.Boolean(load_default=False, metadata={
        "description": "Also revoke every personal access token (otherwise only those made with a revoked "
                       "session's token)"})


class SignedOutSchema(Schema):
    revoked = fields.Integer(metadata={"description": "How many tokens were revoked"})


class TokenSchema(Schema):
    id = fields.UUID()
    name = fields.String(allow_none=True)
    scope = fields.String()
    created_at = fields.Function(lambda t: _ts(t.issued_at), metadata={"type": "string", "format": "date-time"})
    expires_at = fields.Function(lambda t: _ts(t.get_expires_at()),
                                 metadata={"type": ["string", "null"], "format": "date-time"})
    revoked = fields.Boolean()


class NewTokenSchema(TokenSchema):
    access_token = fields.String(metadata={"description": "The token itself: shown this once only"})


def _ts(epoch: int | None) -> str | None:
    from datetime import datetime

    return None if epoch is None else datetime.fromtimestamp(epoch, UTC).isoformat()


class UserCreateSchema(Schema):
    email = fields.Email(required=True, validate=validate.Length(max=320))
    name = text_field(200, required=True)
    society = CountryCode(allow_none=True)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    password = fields.String(load_only=True, allow_none=True, validate=validate.Length(min=12, max=200),
                             metadata={"description": "At least 12 characters; without one the user cannot "
                                                      "sign in (tokens only)"})


class UserUpdateSchema(Schema):
    disabled = fields.Boolean(required=True)


class UserSchema(Schema):
    id = fields.UUID()
    email = fields.String()
    name = fields.String()
    society = fields.Function(lambda u: u.society.code if u.society else None,
                              metadata={"type": ["string", "null"]})
    role = fields.String()
    disabled = fields.Boolean()
    created_at = fields.AwareDateTime()
    last_login_at = fields.AwareDateTime(allow_none=True)


class ClientCreateSchema(Schema):
    name = text_field(200, required=True)
    society = CountryCode(allow_none=True)
    grant = fields.String(required=True, validate=validate.OneOf(["client_credentials", "authorization_code"]))
    scope = fields.String(required=True, validate=SCOPE_STRING)
    redirect_uris = fields.List(fields.Url(require_tld=False, schemes={"http", "https"}), load_default=list)
    public = fields.Boolean(load_default=False, metadata={"description": "A browser or mobile app that cannot "
                                                                         "keep a secret (authorization_code only)"})
    can_introspect = fields.Boolean(load_default=False)


class ClientSchema(Schema):
    client_id = fields.String()
    name = fields.String()
    society = fields.Function(lambda c: c.society.code if c.society else None,
                              metadata={"type": ["string", "null"]})
    grant_types = fields.List(fields.String())
    scope = fields.String()
    redirect_uris = fields.List(fields.String())
    token_endpoint_auth_method = fields.String()
    can_introspect = fields.Boolean()
    created_at = fields.AwareDateTime()
    revoked_at = fields.AwareDateTime(allow_none=True)


class NewClientSchema(ClientSchema):
    client_secret = fields.String(allow_none=True, metadata={"description": "Shown this once only"})
