import uuid

from flask import current_app
from flask.views import MethodView

from schemas.accounts import (
    MeSchema,
    NewTokenSchema,
    SignedOutSchema,
    SignOutEverywhereSchema,
    TokenCreateSchema,
    TokenSchema,
)
from schemas.notifications import (
    MarkedSchema,
    MarkReadSchema,
    NotificationArgsSchema,
    NotificationSchema,
    NotificationSettingsSchema,
)

from ..access import SIGNED_IN, access
from ..oauth.protector import current_principal
from ..services import accounts, notifications
from .common import paginate, session
from .paging import Blueprint

blp = Blueprint("me", "me", url_prefix="/api/v1/me",
                description="The caller: who the token speaks for, the user's personal access tokens, "
                            "notifications and their settings.")


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


@blp.route("/notifications")
class Notifications(MethodView):
    @access(blp, "read")
    @blp.arguments(NotificationArgsSchema, location="query")
    @blp.response(200, NotificationSchema(many=True))
    @paginate(blp)
    def get(self, args, pagination_parameters):
        """List my notifications, newest first

        What the review workflow told you: submissions awaiting your review, decisions on your society's
        records, comments in review discussions, assignments. `unread=true` lists those not read yet (the
        pagination header's total is their count).
        """
        items, total = notifications.inbox(session(), current_principal(), args.get("unread"),
                                           pagination_parameters.page, pagination_parameters.page_size)
        pagination_parameters.item_count = total
        return items


@blp.route("/notifications/read")
class NotificationsRead(MethodView):
    @access(blp, "read")
    @blp.arguments(MarkReadSchema)
    @blp.response(200, MarkedSchema)
    def post(self, data):
        """Mark my notifications read

        `{"ids": [...]}` marks those (ids that are not yours are passed over), `{"all": true}` every one.
        """
        return notifications.mark_read(session(), current_principal(), data.get("ids"), data["all"])


@blp.route("/notification-settings")
class NotificationSettings(MethodView):
    @access(blp, SIGNED_IN)
    @blp.response(200, NotificationSettingsSchema)
    def get(self):
        """My notification settings

        For each kind of notification, how often you are told of it: `immediately`, in a `daily` or `weekly`
        e-mail digest, or `never`; and the language of your messages.
        """
        return notifications.get_settings(session(), current_principal())

    @access(blp, SIGNED_IN)
    @blp.arguments(NotificationSettingsSchema)
    @blp.response(200, NotificationSettingsSchema)
    def patch(self, data):
        """Change my notification settings (those named; the others stay)"""
        return notifications.update_settings(session(), current_principal(), data)
