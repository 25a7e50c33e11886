import uuid

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from schemas.accounts import (
    MeSchema,
    NewTokenSchema,
    SignedOutSchema,
    SignOutEverywhereSchema,
    TokenCreateSchema,
    TokenSchema,
)

from ..access import SIGNED_IN, access
from ..oauth.protector import current_principal
from ..services import accounts
from .common import session

blp = Blueprint("me", "me", url_prefix="/api/v1/me",
                description="The caller: who the token speaks for, and the user's personal access tokens.")


@blp.route("")
class Me(MethodView):
    @access(blp, SIGNED_IN)
    @blp.response(200, MeSchema)
    def get(self):
        """Who am I"""
        principal = current_principal()
        user = accounts.current_user(session(), principal) if principal.user_id else None
        return {"kind": principal.kind, "user_id": principal.user_id, "client_id": principal.client_id,
                "name": principal.name, "email": user.email if user else None, "role": principal.role,
                "society": principal.society_code, "scopes": sorted(principal.scopes)}


@blp.route("/tokens")
class Tokens(MethodView):
    @access(blp, SIGNED_IN)
    @blp.response(200, TokenSchema(many=True))
    def get(self):
        """List my personal access tokens"""
        return accounts.list_personal_tokens(session(), current_principal())

    @access(blp, SIGNED_IN)
    @blp.arguments(TokenCreateSchema)
    @blp.response(201, NewTokenSchema)
    def post(self, data):
        """Create a personal access token

        For scripts: limited to the scopes the calling token holds (and your role allows), expiring after
        `expires_in_days`; a machine client's token creates none. Revoking the grant of the calling token
        revokes this one too. The token is shown in this answer only.
        """
        principal = current_principal()
        settings = current_app.config["ATN_SETTINGS"]
        user = accounts.current_user(session(), principal)
        token, secret = accounts.create_personal_token(session(), principal, user, scope=data["scope"],
                                                       name=data["name"], expires_in_days=data.get("expires_in_days"),
                                                       default_days=settings.personal_token_default_days,
                                                       max_days=settings.personal_token_max_days)
        token.access_token = secret
        return token


@blp.route("/tokens/<uuid:token_id>")
class Token(MethodView):
    @access(blp, SIGNED_IN)
    @blp.response(204)
    def delete(self, token_id: uuid.UUID):
        """Revoke one of my personal access tokens"""
        accounts.revoke_personal_token(session(), current_principal(), token_id)


@blp.route("/sign-out-everywhere")
class SignOutEverywhere(MethodView):
    @access(blp, SIGNED_IN)
    @blp.arguments(SignOutEverywhereSchema)
    @blp.response(200, SignedOutSchema)
    def post(self, data):
        """Sign out everywhere

        Revokes every OAuth grant of the calling person (every client, every browser) with the personal tokens
        made with them; `personal_tokens: true` revokes all personal tokens too. The calling token stops
        working as well.
        """
        return {"revoked": accounts.sign_out_everywhere(session(), current_principal(),
                                                        personal_tokens=data["personal_tokens"])}
