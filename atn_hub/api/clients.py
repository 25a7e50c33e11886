from flask.views import MethodView

from schemas.accounts import ClientCreateSchema, ClientSchema, NewClientSchema

from ..access import access
from ..oauth.protector import current_principal
from ..services import accounts
from .common import session
from .paging import Blueprint

blp = Blueprint("clients", "clients", url_prefix="/api/v1/clients",
                description="OAuth clients: partner societies' machine clients and browser apps (administrators).")


@blp.route("")
class Clients(MethodView):
    @access(blp, "admin")
    @blp.response(200, ClientSchema(many=True))
    def get(self):
        """List OAuth clients"""
        return accounts.list_clients(session(), current_principal())

    @access(blp, "admin")
    @blp.arguments(ClientCreateSchema)
    @blp.response(201, NewClientSchema)
    def post(self, data):
        """Register an OAuth client (its secret is shown in this answer only)"""
        client, secret = accounts.create_client(
            session(), current_principal(), name=data["name"], society_code=data.get("society"),
            grant=data["grant"], scope=data["scope"], redirect_uris=data["redirect_uris"], public=data["public"],
            can_introspect=data["can_introspect"])
        client.client_secret = secret
        return client


@blp.route("/<string:client_id>")
class Client(MethodView):
    @access(blp, "admin")
    @blp.response(200, ClientSchema)
    def get(self, client_id):
        """Get an OAuth client"""
        return accounts.get_client(session(), current_principal(), client_id)

    @access(blp, "admin")
    @blp.response(204)
    def delete(self, client_id):
        """Revoke an OAuth client and all its tokens"""
        principal = current_principal()
        accounts.revoke_client(session(), principal, accounts.get_client(session(), principal, client_id))
