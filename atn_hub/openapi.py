"""What the generated OpenAPI document says beyond the blueprints: servers and the security schemes
(OAuth 2.0 with both flows and their scopes, and personal access tokens), so Swagger UI can sign in."""
from __future__ import annotations

from flask_smorest import Api

from .access import OAUTH2, PERSONAL_TOKEN
from .principal import SCOPES


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
    spec.components.security_scheme(PERSONAL_TOKEN, {
        "type": "http", "scheme": "bearer",
        "description": "A personal access token (POST /api/v1/me/tokens or `atn-hub tokens create`).",
    })
