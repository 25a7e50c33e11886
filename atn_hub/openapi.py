"""What the generated OpenAPI document says beyond the blueprints: servers and the security schemes
(OAuth 2.0 with both flows and their scopes, and personal access tokens), so Swagger UI can sign in."""
from __future__ import annotations

import http

from flask_smorest import Api
from flask_smorest.utils import prepare_response

from schemas.changes import RECORD_SCHEMAS, TRAINING_MATERIAL_CHANGE_RECORD
from schemas.common import ProblemSchema

from .access import OAUTH2, PERSONAL_TOKEN
from .errors import PROBLEM_JSON, error_response
from .principal import SCOPES


class HubApi(Api):
    """flask-smorest's Api, its errors as RFC 9457 problem details (``errors.error_body``), so documented."""

    ERROR_SCHEMA = ProblemSchema

    def handle_http_exception(self, error):
        payload, status, headers = super().handle_http_exception(error)
        return error_response(status, payload.get("message"), payload.get("errors"), headers)

    def _register_responses(self):
        # flask-smorest's own, with the errors' content type (it documents them as application/json)
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_JSON)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Default error response", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_JSON)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


def document_api(api: Api) -> None:
    spec = api.spec
    spec.options.setdefault("servers", [{"url": "/", "description": "This server"}])
    spec.components.security_scheme(OAUTH2, {
        "type": "oauth2",
        "description": "Partner societies' machine clients use client credentials; the web frontend (a public "
                       "client) uses the authorization code flow with PKCE (S256).",
        "flows": {
            "authorizationCode": {"authorizationUrl": "/oauth/authorize", "tokenUrl": "/oauth/token",
                                  "refreshUrl": "/oauth/token", "scopes": dict(SCOPES)},
            "clientCredentials": {"tokenUrl": "/oauth/token", "scopes": dict(SCOPES)},
        },
    })
    # A change's record names it in a oneOf (the record field dumps by type, so no field refers to it)
    spec.components.schema(TRAINING_MATERIAL_CHANGE_RECORD, schema=RECORD_SCHEMAS["training-material"])
    spec.components.security_scheme(PERSONAL_TOKEN, {
        "type": "http", "scheme": "bearer",
        "description": "A personal access token (POST /api/v1/me/tokens or `atn-hub tokens create`).",
    })
