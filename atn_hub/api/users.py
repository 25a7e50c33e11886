import uuid

from flask.views import MethodView

from schemas.accounts import UserCreateSchema, UserSchema, UserUpdateSchema

from ..access import access
from ..oauth.protector import current_principal
from ..services import accounts
from .common import paginate, session
from .paging import Blueprint

blp = Blueprint("users", "users", url_prefix="/api/v1/users", description="People with accounts (administrators).")


@blp.route("")
class Users(MethodView):
    @access(blp, "admin")
    @blp.response(200, UserSchema(many=True))
    @paginate(blp)
    def get(self, pagination_parameters):
        """List users"""
        items, total = accounts.list_users(session(), current_principal(), pagination_parameters.page,
                                           pagination_parameters.page_size)
        pagination_parameters.item_count = total
        return items

    @access(blp, "admin")
    @blp.arguments(UserCreateSchema)
    @blp.response(201, UserSchema)
    def post(self, data):
        """Create a user"""
        return accounts.create_user(session(), current_principal(), email=data["email"], name=data["name"],
                                    role=data["role"], society_code=data.get("society"),
                                    password=data.get("password"))


@blp.route("/<uuid:user_id>")
class User(MethodView):
    @access(blp, "admin")
    @blp.response(200, UserSchema)
    def get(self, user_id: uuid.UUID):
        """Get a user"""
        return accounts.get_user(session(), current_principal(), user_id)

    @access(blp, "admin")
    @blp.arguments(UserUpdateSchema)
    @blp.response(200, UserSchema)
    def patch(self, data, user_id: uuid.UUID):
        """Disable or enable a user (a disabled user's tokens stop working)"""
        principal = current_principal()
        return accounts.set_disabled(session(), principal, accounts.get_user(session(), principal, user_id),
                                     data["disabled"])
