from flask.views import MethodView

from schemas.societies import SocietyCreateSchema, SocietyListArgsSchema, SocietySchema, SocietyUpdateSchema

from ..access import ANYONE, access
from ..oauth.protector import current_principal
from ..services import societies
from .common import etag_of, paginate, session
from .paging import Blueprint

blp = Blueprint("societies", "societies", url_prefix="/api/v1/societies",
                description="The national Red Cross societies of the network, addressed by their country code.")


@blp.route("")
class Societies(MethodView):
    @access(blp, ANYONE)
    @blp.etag
    @blp.arguments(SocietyListArgsSchema, location="query")
    @blp.response(200, SocietySchema(many=True))
    @paginate(blp)
    def get(self, args, pagination_parameters):
        """List societies"""
        items, total = societies.list_societies(session(), args, pagination_parameters.page,
                                                 pagination_parameters.page_size)
        pagination_parameters.item_count = total
        return items

    @access(blp, "admin")
    @blp.etag
    @blp.arguments(SocietyCreateSchema)
    @blp.response(201, SocietySchema)
    def post(self, data):
        """Add a society (administrators)"""
        society = societies.create_society(session(), current_principal(), data)
        blp.set_etag(etag_of(society))
        return society


@blp.route("/<string:code>")
class Society(MethodView):
    @access(blp, ANYONE)
    @blp.etag
    @blp.response(200, SocietySchema)
    def get(self, code):
        """Get a society"""
        society = societies.get_society(session(), code)
        blp.set_etag(etag_of(society))
        return society

    @access(blp, "admin")
    @blp.etag
    @blp.arguments(SocietyUpdateSchema)
    @blp.response(200, SocietySchema)
    def patch(self, data, code):
        """Update a society (administrators)"""
        society = societies.get_society_for_update(session(), current_principal(), code)
        blp.check_etag(etag_of(society))
        society = societies.update_society(session(), current_principal(), society, data)
        blp.set_etag(etag_of(society))
        return society

    @access(blp, "admin")
    @blp.response(204)
    def delete(self, code):
        """Remove a society that owns nothing (administrators)"""
        principal = current_principal()
        societies.delete_society(session(), principal, societies.get_society_for_update(session(), principal, code))
