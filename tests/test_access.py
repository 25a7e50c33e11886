"""No route is reachable without a declared access rule; and the OpenAPI document tells every operation's
security, so generated clients and Swagger UI know which scopes to ask for."""
from __future__ import annotations

import yaml

from atn_hub.access import ACCESS_ATTR
from tests.conftest import ROOT

# Endpoints that the frameworks add, public by design: the OpenAPI document, Swagger UI's page, static files.
FRAMEWORK_PUBLIC = {"api-docs.openapi_json", "api-docs.openapi_swagger_ui", "static"}


def test_every_route_declares_its_access(app):
    undeclared = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in FRAMEWORK_PUBLIC:
            continue
        view = app.view_functions[rule.endpoint]
        view_class = getattr(view, "view_class", None)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            handler = getattr(view_class, method.lower()) if view_class else view
            if not hasattr(handler, ACCESS_ATTR):
                undeclared.append(f"{method} {rule.rule}")
    assert undeclared == []


def test_openapi_declares_security_per_operation():
    document = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    schemes = document["components"]["securitySchemes"]
    assert set(schemes["oauth2"]["flows"]) == {"authorizationCode", "clientCredentials"}
    assert "moderate" in schemes["oauth2"]["flows"]["clientCredentials"]["scopes"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            assert "security" in operation, f"{method.upper()} {path}"
    assert {"oauth2": ["write"]} in document["paths"]["/api/v1/practices"]["post"]["security"]
    assert {} in document["paths"]["/api/v1/practices"]["get"]["security"]  # anonymous allowed
    assert {"oauth2": ["admin"]} in document["paths"]["/api/v1/societies"]["post"]["security"]


def test_anonymous_write_is_401_before_the_body_is_read(client):
    response = client.post("/api/v1/practices", json={"nonsense": True})
    assert response.status_code == 401 and "Bearer" in response.headers["WWW-Authenticate"]


def test_missing_scope_is_403_naming_it(client, make_caller):
    reader = make_caller("member", "NL", scope="read")
    response = client.post("/api/v1/practices", json={}, headers=reader.headers)
    assert response.status_code == 403
    assert 'scope="write"' in response.headers["WWW-Authenticate"]
