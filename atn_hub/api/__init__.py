"""The REST API under /api/v1: one blueprint module per resource."""
from __future__ import annotations

from flask_smorest import Api


def register_blueprints(api: Api) -> None:
    from . import (
        audit,
        changes,
        clients,
        config,
        contacts,
        files,
        mail,
        me,
        moderation,
        practices,
        projects,
        search,
        societies,
        stats,
        topics,
        training_materials,
        users,
        webhooks,
    )

    for module in (search, practices, contacts, training_materials, projects, societies, topics, me, users, clients,
                   changes, moderation, audit, webhooks, mail, config, stats):
        api.register_blueprint(module.blp)
    api.register_blueprint(files.material_files)
    api.register_blueprint(files.practice_files)
    api.register_blueprint(files.project_files)
