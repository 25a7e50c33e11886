import uuid

from flask.views import MethodView

from schemas.contacts import (
    ContactCreateSchema,
    ContactExportSchema,
    ContactListArgsSchema,
    ContactSchema,
    ContactUpdateSchema,
)

from ..access import access
from ..oauth.protector import current_principal
from ..services import personal_data
from ..services.contacts import contacts
from .common import record_blueprint, session

blp = record_blueprint(
    name="contacts", url="contacts", service=contacts, schema=ContactSchema,
    create_schema=ContactCreateSchema, update_schema=ContactUpdateSchema, list_args_schema=ContactListArgsSchema,
    description="Focal points of the societies, per country. Name, email and phone are personal data: they "
                "are shown only to callers with the contacts:read scope.")


@blp.route("/<uuid:record_id>/export")
class Export(MethodView):
    @access(blp, "contacts:read")
    @blp.response(200, ContactExportSchema)
    def get(self, record_id: uuid.UUID):
        """Everything held about a contact

        The record with its personal fields, its revisions, every change and who made it, the review
        discussion and the practices naming it: for its society (contacts:read) and administrators.
        """
        return personal_data.export_contact(session(), current_principal(), contacts, record_id)
