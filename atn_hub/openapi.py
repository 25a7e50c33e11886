"""What the generated OpenAPI document says beyond the blueprints: servers, tags, security."""
from __future__ import annotations

from flask_smorest import Api


def document_api(api: Api) -> None:
    api.spec.options.setdefault("servers", [{"url": "/", "description": "This server"}])
