from schemas.projects import ProjectCreateSchema, ProjectListArgsSchema, ProjectSchema, ProjectUpdateSchema

from ..services.projects import projects
from .common import record_blueprint

blp = record_blueprint(
    name="projects", url="projects", service=projects, schema=ProjectSchema,
    create_schema=ProjectCreateSchema, update_schema=ProjectUpdateSchema, list_args_schema=ProjectListArgsSchema,
    description="Projects the societies run with partner organisations (reception agencies, NGOs, international "
                "organisations), with their funders and the practices and training materials made in them.")
