from schemas.contacts import ContactCreateSchema, ContactListArgsSchema, ContactSchema, ContactUpdateSchema

from ..services.practices import contacts
from .common import record_blueprint

blp = record_blueprint(
    name="contacts", url="contacts", service=contacts, schema=ContactSchema,
    create_schema=ContactCreateSchema, update_schema=ContactUpdateSchema, list_args_schema=ContactListArgsSchema,
    description="Focal points of the societies, per country. Name, email and phone are personal data: they "
                "are shown only to callers with the contacts:read scope.")
