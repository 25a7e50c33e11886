import uuid

from flask import current_app
from flask.views import MethodView

from schemas.webhooks import (
    DeliverySchema,
    NewSecretWebhookSchema,
    WebhookCreateSchema,
    WebhookSchema,
    WebhookUpdateSchema,
)

from ..access import access
from ..oauth.protector import current_principal
from ..services import webhooks
from .common import etag_of, paginate, session
from .paging import Blueprint

blp = Blueprint("webhooks", "webhooks", url_prefix="/api/v1/webhooks",
                description="A society's endpoints that receive its changes feed as signed HTTP POSTs, delivered "
                            "and retried by the worker (see README, \"Webhooks\").")


def settings():
    return current_app.config["ATN_SETTINGS"]


@blp.route("")
class Webhooks(MethodView):
    @access(blp, "write")
    @blp.response(200, WebhookSchema(many=True))
    def get(self):
        """List your society's webhooks (administrators: all)"""
        return webhooks.list_endpoints(session(), current_principal())

    @access(blp, "write")
    @blp.arguments(WebhookCreateSchema)
    @blp.response(201, NewSecretWebhookSchema)
    def post(self, data):
        """Register a webhook (its secret is shown in this answer only)

        It receives the events of changes committed from now on. The URL must be https:// and resolve to public
        addresses only.
        """
        return webhooks.create_endpoint(session(), current_principal(), settings(), url=data["url"],
                                        events=data["events"], description=data.get("description"),
                                        active=data["active"], society_code=data.get("society"))


@blp.route("/<uuid:webhook_id>")
class Webhook(MethodView):
    @access(blp, "write")
    @blp.etag
    @blp.response(200, WebhookSchema)
    def get(self, webhook_id: uuid.UUID):
        """Get a webhook"""
        endpoint = webhooks.get_endpoint(session(), current_principal(), webhook_id)
        blp.set_etag(etag_of(endpoint))
        return endpoint

    @access(blp, "write")
    @blp.etag
    @blp.arguments(WebhookUpdateSchema)
    @blp.response(200, WebhookSchema)
    def patch(self, data, webhook_id: uuid.UUID):
        """Update a webhook

        Send the ETag of your copy in If-Match: a stale one gets 412, none 428.
        """
        principal = current_principal()
        endpoint = webhooks.get_endpoint(session(), principal, webhook_id)
        blp.check_etag(etag_of(endpoint))
        endpoint = webhooks.update_endpoint(session(), principal, settings(), endpoint, data)
        blp.set_etag(etag_of(endpoint))
        return endpoint

    @access(blp, "write")
    @blp.response(204)
    def delete(self, webhook_id: uuid.UUID):
        """Delete a webhook (and its delivery log)"""
        webhooks.delete_endpoint(session(), current_principal(), webhook_id)


@blp.route("/<uuid:webhook_id>/rotate-secret")
class RotateSecret(MethodView):
    @access(blp, "write")
    @blp.response(200, NewSecretWebhookSchema)
    def post(self, webhook_id: uuid.UUID):
        """Replace a webhook's secret (the new one is shown in this answer only)

        Deliveries are signed with the new secret from the next attempt on.
        """
        return webhooks.rotate_secret(session(), current_principal(), webhook_id)


@blp.route("/<uuid:webhook_id>/ping")
class Ping(MethodView):
    @access(blp, "write")
    @blp.response(202, DeliverySchema)
    def post(self, webhook_id: uuid.UUID):
        """Send a ping to a webhook

        A signed `ping` event (`{"id", "event": "ping", "created_at", "webhook": {"id", "url", "events"}}`)
        queued now, whatever the webhook subscribes to: check that your receiver verifies the signature and
        answers 2xx. The deliveries list shows the attempt and the answer.
        """
        return webhooks.ping(session(), current_principal(), settings(), webhook_id)


@blp.route("/<uuid:webhook_id>/deliveries")
class Deliveries(MethodView):
    @access(blp, "write")
    @blp.response(200, DeliverySchema(many=True))
    @paginate(blp)
    def get(self, pagination_parameters, webhook_id: uuid.UUID):
        """List a webhook's deliveries, newest first, with every attempt"""
        items, total = webhooks.list_deliveries(session(), current_principal(), webhook_id,
                                                pagination_parameters.page, pagination_parameters.page_size)
        pagination_parameters.item_count = total
        return items


@blp.route("/<uuid:webhook_id>/deliveries/<uuid:delivery_id>/redeliver")
class Redeliver(MethodView):
    @access(blp, "write")
    @blp.response(202, DeliverySchema)
    def post(self, webhook_id: uuid.UUID, delivery_id: uuid.UUID):
        """Send a delivery again (same id and body), as soon as the worker gets to it"""
        return webhooks.redeliver(session(), current_principal(), settings(), webhook_id, delivery_id)
