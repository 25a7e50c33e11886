"""The REST API under /api/v1: one blueprint module per resource."""
from __future__ import annotations

from flask_smorest import Api


def register_blueprints(api: Api) -> None:
    from . import clients, contacts, me, practices, societies, topics, training_materials, users

    for module in (societies, topics, practices, contacts, training_materials, me, users, clients):
        api.register_blueprint(module.blp)
