from flask.views import MethodView

from schemas.audit import AuditArgsSchema, AuditEntrySchema

from ..access import access
from ..oauth.protector import current_principal
from ..services import audit
from .common import paginate, session
from .paging import Blueprint

blp = Blueprint("audit", "audit", url_prefix="/api/v1/audit",
                description="The audit trail (administrators): every write, read-only.")


@blp.route("")
class Audit(MethodView):
    @access(blp, "admin")
    @blp.arguments(AuditArgsSchema, location="query")
    @blp.response(200, AuditEntrySchema(many=True))
    @paginate(blp)
    def get(self, args, pagination_parameters):
        """Who did what, when, from which client (administrators)

        Newest first. The trail is the change log itself: append-only, with no endpoint to change it (and on
        PostgreSQL a trigger refuses deletes and edits, except erasure's scrubbing of personal data).
        """
        entries, total = audit.query(session(), current_principal(), args, pagination_parameters.page,
                                     pagination_parameters.page_size)
        pagination_parameters.item_count = total
        return entries
