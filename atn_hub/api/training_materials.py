from schemas.training_materials import (
                                        TrainingMaterialCreateSchema,
                                        TrainingMaterialListArgsSchema,
                                        TrainingMaterialSchema,
                                        TrainingMaterialUpdateSchema,
)

from ..services.training_materials import training_materials
from .common import record_blueprint

blp = record_blueprint(
    name="training-materials", url="training-materials", service=training_materials,
    schema=TrainingMaterialSchema, create_schema=TrainingMaterialCreateSchema,
    update_schema=TrainingMaterialUpdateSchema, list_args_schema=TrainingMaterialListArgsSchema,
    description="Brochures, e-learning modules, slide decks and videos.")
