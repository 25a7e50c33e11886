import uuid

from flask.views import MethodView

from schemas.moderation import AssignSchema, CoordinatorSchema, QueueArgsSchema, QueueItemSchema

from ..access import access
from ..oauth.protector import current_principal
from ..services import moderation
from .common import paginate, session
from .paging import Blueprint

blp = Blueprint("moderation", "moderation", url_prefix="/api/v1/moderation",
                description="The coordinators' queue of submissions awaiting review.")


@blp.route("/queue")
class Queue(MethodView):
    @access(blp, "moderate")
    @blp.arguments(QueueArgsSchema, location="query")
    @blp.response(200, QueueItemSchema(many=True))
    @paginate(blp)
    def get(self, args, pagination_parameters):
        """The moderation queue (coordinators)

        Submitted records and pending revisions of published ones, oldest first, each with its submitter,
        the diff against the published version, the discussion so far and its assignee. Decide with
        POST /api/v1/{type}s/{record_id}/review.
        """
        items, total = moderation.queue(session(), current_principal(), args, pagination_parameters.page,
                                        pagination_parameters.page_size)
        pagination_parameters.item_count = total
        return items


@blp.route("/coordinators")
class Coordinators(MethodView):
    @access(blp, "moderate")
    @blp.response(200, CoordinatorSchema(many=True))
    def get(self):
        """The coordinators a submission can be assigned to (coordinators)

        Active coordinators and administrators, by name: the `assignee_id` of
        POST /api/v1/moderation/queue/{item_id}/assign.
        """
        return moderation.coordinators(session(), current_principal())


@blp.route("/queue/<uuid:item_id>")
class Item(MethodView):
    @access(blp, "moderate")
    @blp.response(200, QueueItemSchema)
    def get(self, item_id: uuid.UUID):
        """One submission in the queue (coordinators)"""
        return moderation.get(session(), current_principal(), item_id)


@blp.route("/queue/<uuid:item_id>/assign")
class Assign(MethodView):
    @access(blp, "moderate")
    @blp.arguments(AssignSchema)
    @blp.response(200, QueueItemSchema)
    def post(self, data, item_id: uuid.UUID):
        """Assign a submission to a coordinator (or to nobody)"""
        return moderation.assign(session(), current_principal(), item_id, data["assignee_id"])
