"""The REST API under /api/v1: one blueprint module per resource."""
from __future__ import annotations

from flask_smorest import Api


def register_blueprints(api: Api) -> None:
    from . import contacts, practices, societies, topics, training_materials

    for module in (societies, topics, practices, contacts, training_materials):
        api.register_blueprint(module.blp)
