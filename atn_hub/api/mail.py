import uuid

from flask import current_app
from flask.views import MethodView

from schemas.notifications import MailArgsSchema, MailDeliverySchema

from ..access import access
from ..oauth.protector import current_principal
from ..services import notifications
from .common import paginate, session
from .paging import Blueprint

blp = Blueprint("mail", "mail", url_prefix="/api/v1/mail",
                description="Notification e-mails as the mail server took them, or did not (administrators).")


@blp.route("/deliveries")
class Deliveries(MethodView):
    @access(blp, "admin")
    @blp.arguments(MailArgsSchema, location="query")
    @blp.response(200, MailDeliverySchema(many=True))
    @paginate(blp)
    def get(self, args, pagination_parameters):
        """List notification e-mails by state (administrators)

        `status=failed` (the default): e-mails given up after a day of retries, each with its recipient and
        the mail server's last answer; `pending`: waiting to be sent or retried; `delivered`: sent. Newest
        first.
        """
        items, total = notifications.mail_deliveries(session(), current_principal(), args["status"],
                                                     pagination_parameters.page, pagination_parameters.page_size)
        pagination_parameters.item_count = total
        return items


@blp.route("/deliveries/<uuid:notification_id>/retry")
class Retry(MethodView):
    @access(blp, "admin")
    @blp.response(200, MailDeliverySchema)
    def post(self, notification_id: uuid.UUID):
        """Send a failed e-mail again (administrators)

        The same message with the same Message-ID, queued now with a new day of retries: after the mail
        server's settings were put right.
        """
        return notifications.retry_mail(session(), current_principal(), current_app.config["ATN_SETTINGS"],
                                        notification_id)
