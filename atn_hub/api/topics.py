from flask.views import MethodView

from schemas.topics import TopicCreateSchema, TopicListArgsSchema, TopicSchema, TopicUpdateSchema

from ..access import ANYONE, access
from ..oauth.protector import current_principal
from ..services import topics
from .common import etag_of, paginate, session
from .paging import Blueprint

blp = Blueprint("topics", "topics", url_prefix="/api/v1/topics",
                description="The controlled vocabulary: forms of exploitation, target groups, phases of support "
                            "and themes, labelled in several languages. Records refer to topics by code.")


@blp.route("")
class Topics(MethodView):
    @access(blp, ANYONE)
    @blp.etag
    @blp.arguments(TopicListArgsSchema, location="query")
    @blp.response(200, TopicSchema(many=True))
    @paginate(blp)
    def get(self, args, pagination_parameters):
        """List topics"""
        items, total = topics.list_topics(session(), args, pagination_parameters.page,
                                              pagination_parameters.page_size)
        pagination_parameters.item_count = total
        return items

    @access(blp, "admin")
    @blp.etag
    @blp.arguments(TopicCreateSchema)
    @blp.response(201, TopicSchema)
    def post(self, data):
        """Add a topic (administrators)"""
        topic = topics.create_topic(session(), current_principal(), data)
        blp.set_etag(etag_of(topic))
        return topic


@blp.route("/<string:code>")
class Topic(MethodView):
    @access(blp, ANYONE)
    @blp.etag
    @blp.response(200, TopicSchema)
    def get(self, code):
        """Get a topic"""
        topic = topics.get_topic(session(), code)
        blp.set_etag(etag_of(topic))
        return topic

    @access(blp, "admin")
    @blp.etag
    @blp.arguments(TopicUpdateSchema)
    @blp.response(200, TopicSchema)
    def patch(self, data, code):
        """Update a topic's labels or category (administrators)"""
        topic = topics.get_topic_for_update(session(), current_principal(), code)
        blp.check_etag(etag_of(topic))
        topic = topics.update_topic(session(), current_principal(), topic, data)
        blp.set_etag(etag_of(topic))
        return topic

    @access(blp, "admin")
    @blp.response(204)
    def delete(self, code):
        """Remove an unused topic (administrators)"""
        principal = current_principal()
        topics.delete_topic(session(), principal, topics.get_topic_for_update(session(), principal, code))
