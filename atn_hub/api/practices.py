from schemas.practices import PracticeCreateSchema, PracticeListArgsSchema, PracticeSchema, PracticeUpdateSchema

from ..services.practices import practices
from .common import record_blueprint

blp = record_blueprint(
    name="practices", url="practices", service=practices, schema=PracticeSchema,
    create_schema=PracticeCreateSchema, update_schema=PracticeUpdateSchema, list_args_schema=PracticeListArgsSchema,
    description="Approaches that work against trafficking (and lessons learned, and challenges), shared by the "
                "national societies.")
