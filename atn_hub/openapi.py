"""What the generated OpenAPI document says beyond the blueprints: servers and the security schemes
(OAuth 2.0 with both flows and their scopes, and personal access tokens), so Swagger UI can sign in; and
what every operation does alike (Idempotency-Key on POSTs, Location on 201s)."""
from __future__ import annotations

import copy
import http
import json

from apispec import BasePlugin
from flask import Flask, request
from flask_smorest import Api
from flask_smorest.spec.plugins import FlaskPlugin
from flask_smorest.utils import prepare_response

from schemas.changes import (
    PRACTICE_CHANGE_RECORD,
    PROJECT_CHANGE_RECORD,
    RECORD_SCHEMAS,
    TRAINING_MATERIAL_CHANGE_RECORD,
)
from schemas.common import ProblemSchema

from .access import OAUTH2, PERSONAL_TOKEN
from .api import locations
from .errors import PROBLEM_JSON, error_response
from .principal import SCOPES
from .services import idempotency


class RequestConventions(BasePlugin):
    """Documents what the app does for every operation alike: the Idempotency-Key header on exactly the
    operations that honour it (``idempotency.applies``), and Location on every 201 (``api.locations``)."""

    def operation_helper(self, path=None, operations=None, **kwargs):
        for method, operation in (operations or {}).items():
            if idempotency.applies(method.upper(), path or ""):
                operation.setdefault("parameters", []).append(copy.deepcopy(idempotency.PARAMETER))
            created = operation.get("responses", {}).get(201) or operation.get("responses", {}).get("201")
            if isinstance(created, dict):
                created.setdefault("headers", {}).update(copy.deepcopy(locations.HEADER))

OAUTH_CLIENT = "oauth_client"  # the security scheme of the OAuth endpoints: the client's own credentials


class HubApi(Api):
    """flask-smorest's Api, its errors as RFC 9457 problem details (``errors.error_body``), so documented."""

    ERROR_SCHEMA = ProblemSchema

    def _init_spec(self, *, extra_plugins=None, **kwargs):
        super()._init_spec(extra_plugins=[*(extra_plugins or ()), RequestConventions()], **kwargs)
        # The document as plain data, no object shared between two places: its YAML then has no anchors and
        # aliases (&id001, *id001), which some readers and generators of OpenAPI documents do not follow.
        as_dict = self.spec.to_dict
        self.spec.to_dict = lambda: json.loads(json.dumps(as_dict()))  # type: ignore[method-assign]

    def handle_http_exception(self, error):
        payload, status, headers = super().handle_http_exception(error)
        return error_response(status, payload.get("message"), payload.get("errors"), headers)

    def _register_responses(self):
        # flask-smorest's own, with the errors' content type (it documents them as application/json)
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            if status in (429, 503):
                response["headers"] = {"Retry-After": RETRY_AFTER}
            prepare_response(response, self.spec, PROBLEM_JSON)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Default error response (429 and 503 with Retry-After)", "schema": self.ERROR_SCHEMA,
                    "headers": {"Retry-After": RETRY_AFTER}}
        prepare_response(response, self.spec, PROBLEM_JSON)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


def register_fields(api: Api) -> None:
    """Before the blueprints: how fields are documented (apispec writes format "url"; the standard is "uri")."""
    from marshmallow import fields

    api.register_field(fields.Url, "string", "uri")


def document_api(api: Api, app: Flask) -> None:
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
    spec.components.schema(PRACTICE_CHANGE_RECORD, schema=RECORD_SCHEMAS["practice"])
    spec.components.schema(PROJECT_CHANGE_RECORD, schema=RECORD_SCHEMAS["project"])
    spec.components.security_scheme(PERSONAL_TOKEN, {
        "type": "http", "scheme": "bearer",
        "description": "A personal access token (POST /api/v1/me/tokens or `atn-hub tokens create`).",
    })
    document_oauth(spec, {rule.rule: rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/oauth/")})


OAUTH_ERROR = {"type": "object", "required": ["error"], "properties": {
    "error": {"type": "string", "description": "RFC 6749 5.2: invalid_request, invalid_client, invalid_grant, "
                                               "unauthorized_client, unsupported_grant_type, invalid_scope, "
                                               "slow_down"},
    "error_description": {"type": "string"}}}
FORM = "application/x-www-form-urlencoded"


def _oauth_errors(*statuses: int) -> dict:
    described = {400: "A malformed request, an unknown grant, a wrong code or refresh token",
                 401: "The client could not be authenticated (client_secret_basic or client_secret_post)",
                 429: "Too many failed attempts of this client from this address (Retry-After)"}
    return {str(status): {"description": described[status],
                          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OAuthError"}}}}
            for status in statuses}


def document_oauth(spec, rules: dict) -> None:
    """The OAuth 2.0 endpoints (Authlib's, not blueprints): what a client generator and a partner's developer
    need. Their errors are RFC 6749's shape, not problem details: OAuth libraries expect it."""
    spec.components.schema("OAuthError", OAUTH_ERROR)
    spec.components.schema("TokenResponse", {"type": "object", "required": ["access_token", "token_type"],
                                             "properties": {
        "access_token": {"type": "string"}, "token_type": {"type": "string", "enum": ["Bearer"]},
        "expires_in": {"type": "integer", "description": "Seconds (ATN_ACCESS_TOKEN_LIFETIME)"},
        "refresh_token": {"type": "string", "description": "Authorization code and refresh grants only"},
        "scope": {"type": "string"}}})
    spec.components.schema("TokenRequest", {"type": "object", "required": ["grant_type"], "properties": {
        "grant_type": {"type": "string", "enum": ["client_credentials", "authorization_code", "refresh_token"]},
        "scope": {"type": "string", "description": "Space-separated; at most the client's", "example": "read write"},
        "client_id": {"type": "string", "description": "With client_secret_post, or a public client"},
        "client_secret": {"type": "string", "description": "client_secret_post (or HTTP Basic instead)"},
        "code": {"type": "string"}, "redirect_uri": {"type": "string", "format": "uri"},
        "code_verifier": {"type": "string", "description": "PKCE (S256), authorization_code grant"},
        "refresh_token": {"type": "string"}}})
    spec.components.schema("TokenHint", {"type": "object", "required": ["token"], "properties": {
        "token": {"type": "string"},
        "token_type_hint": {"type": "string", "enum": ["access_token", "refresh_token"]}}})
    spec.components.schema("Introspection", {"type": "object", "required": ["active"], "properties": {
        "active": {"type": "boolean"}, "client_id": {"type": "string"}, "token_type": {"type": "string"},
        "scope": {"type": "string"}, "sub": {"type": "string"}, "username": {"type": ["string", "null"]},
        "society": {"type": ["string", "null"]}, "iat": {"type": "integer"}, "exp": {"type": "integer"}}})
    client_auth = [{OAUTH_CLIENT: []}, {}]
    spec.components.security_scheme(OAUTH_CLIENT, {
        "type": "http", "scheme": "basic",
        "description": "The client's id and secret (client_secret_basic); or client_id and client_secret in the "
                       "form (client_secret_post)."})

    def form(schema: str) -> dict:
        return {"required": True, "content": {FORM: {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}

    spec.path(path="/oauth/token", rule=rules["/oauth/token"], operations={"post": {
        "operationId": "get_token", "tags": ["oauth"], "summary": "Get an access token",
        "description": "client_credentials for a partner's machine client (Basic auth with its id and secret); "
                       "authorization_code with PKCE for the web console and other public clients; "
                       "refresh_token to renew one. A token carries at most the client's scopes.",
        "security": client_auth, "requestBody": form("TokenRequest"),
        "responses": {"200": {"description": "The token", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/TokenResponse"}}}}, **_oauth_errors(400, 401, 429)}}})
    spec.path(path="/oauth/revoke", rule=rules["/oauth/revoke"], operations={"post": {
        "operationId": "revoke_oauth_token", "tags": ["oauth"], "summary": "Revoke a token (RFC 7009)",
        "description": "An access or refresh token of the authenticated client stops working (and the tokens "
                       "minted from it). 200 also for a token that is unknown or already revoked.",
        "security": client_auth, "requestBody": form("TokenHint"),
        "responses": {"200": {"description": "Revoked (or nothing to revoke)"}, **_oauth_errors(400, 401)}}})
    spec.path(path="/oauth/introspect", rule=rules["/oauth/introspect"], operations={"post": {
        "operationId": "introspect_token", "tags": ["oauth"], "summary": "Is this token active? (RFC 7662)",
        "description": "For a resource server: a token of the authenticated client, with its scopes, subject "
                       "and expiry; {\"active\": false} for one that is not.",
        "security": client_auth, "requestBody": form("TokenHint"),
        "responses": {"200": {"description": "The token's state", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Introspection"}}}}, **_oauth_errors(400, 401)}}})


# --- strict input: a query parameter the document does not name is a mistake, not something to ignore ----
METHODS = ("get", "put", "post", "patch", "delete")


def query_parameters(api: Api) -> dict[tuple[str, str], frozenset[str]]:
    """(OpenAPI path, METHOD) -> the query parameters the document names for it."""
    doc = api.spec.to_dict()
    shared = doc.get("components", {}).get("parameters", {})

    def resolve(parameter: dict) -> dict:
        ref = parameter.get("$ref", "")
        return shared.get(ref.rsplit("/", 1)[-1], {}) if ref else parameter

    known = {}
    for path, item in doc["paths"].items():
        common = [resolve(p) for p in item.get("parameters", [])]
        for method in METHODS:
            if method in item:
                parameters = [*common, *(resolve(p) for p in item[method].get("parameters", []))]
                known[(path, method.upper())] = frozenset(p["name"] for p in parameters if p.get("in") == "query")
    return known


def unknown_query_parameters(app: Flask) -> tuple[list[str], frozenset[str]] | None:
    """The query parameters of this API request that its operation does not take (and those it takes), or
    None when there are none or the request is not an operation of the document."""
    if request.url_rule is None or not request.args:
        return None
    known = app.extensions.get("atn_query_parameters")
    if known is None:
        known = app.extensions["atn_query_parameters"] = query_parameters(app.extensions["atn_api"])
    method = "GET" if request.method == "HEAD" else request.method
    allowed = known.get((FlaskPlugin.flaskpath2openapi(request.url_rule.rule), method))
    if allowed is None:
        return None
    unknown = sorted(set(request.args) - allowed)
    return (unknown, allowed) if unknown else None



# --- the operations as generators see them: stable names, summaries, every error they may answer -----------
REFRESH = {"in": "query", "name": "refresh", "required": False,
           "schema": {"type": "string", "enum": ["wait_for"]},
           "description": "wait_for: answer only once the change is searchable on this node (header "
                          "X-Searchable: true; timeout, or unavailable when the index cannot be read)"}

SEARCHABLE = {"description": "With refresh=wait_for: true once the change is searchable on this node; false when "
                             "the wait timed out or the index could not be read", "schema": {"type": "string",
                                                                                           "enum": ["true", "false"]}}
RETRY_AFTER = {"description": "Seconds to wait before trying again (429: too many requests; 503: the database or "
                              "the search index unavailable for a moment)", "schema": {"type": "integer"}}

RECORD_KINDS = {"practices": ("practice", "practices", "practice"),
                "contacts": ("contact", "contacts", "contact"),
                "training-materials": ("training_material", "training_materials", "training material"),
                "projects": ("project", "projects", "project")}
# A record's files: at {material_id} on training materials (as partners' clients know it), {record_id} on practices
FILE_OPERATIONS = {
    ("GET", "/{id}/files"): ("list_{one}_files", "List a {label}'s files",
                             "Each file's name, type, size, checksum and the state of its extracted text."),
    ("POST", "/{id}/files"): ("upload_{one}_file", "Attach a file to a {label}", ""),
    ("GET", "/{id}/files/{file_id}"): ("download_{one}_file", "Download a file", ""),
    ("DELETE", "/{id}/files/{file_id}"): ("delete_{one}_file", "Remove a file", ""),
}
# (METHOD, the path after /api/v1/{kind}) -> (operationId, summary, description); {one}, {many}, {label} filled in
RECORD_OPERATIONS = {
    ("GET", ""): ("list_{many}", "List {label}s",
                  "The {label}s the caller may read, filtered and sorted, a page at a time (X-Pagination, Link). "
                  "Anonymous callers see published public ones; each in the reader's language (lang, "
                  "Accept-Language)."),
    ("POST", ""): ("create_{one}", "Create a {label}",
                   "A draft of the caller's society (administrators name the society). Submit it for review to "
                   "publish it. external_id is the society's own identifier, unique per society."),
    ("GET", "/{record_id}"): ("get_{one}", "Get a {label}",
                              "Its ETag goes in If-Match to change it; If-None-Match answers 304 when it has not "
                              "changed."),
    ("PATCH", "/{record_id}"): ("update_{one}", "Update a {label}",
                                "Send the ETag of your copy in If-Match: a stale one gets 412 (naming the current "
                                "ETag), none 428. Drafts and records with changes requested change in place; a "
                                "published one's change becomes a pending revision, reviewed like a submission."),
    ("DELETE", "/{record_id}"): ("delete_{one}", "Delete a {label}",
                                 "Its society or an administrator; the changes feed keeps a tombstone."),
    ("POST", "/{record_id}/submit"): ("submit_{one}", "Submit a {label} for review",
                                      "A draft (or one with changes requested) goes to the coordinators' queue."),
    ("POST", "/{record_id}/review"): ("review_{one}", "Decide on a submitted {label} (coordinators)",
                                      "approve (publishes it), request_changes or reject, with a comment (required "
                                      "to send back or reject)."),
    ("POST", "/{record_id}/archive"): ("archive_{one}", "Archive a {label}",
                                       "A published one leaves search and the lists' defaults; its society or a "
                                       "coordinator."),
    ("POST", "/{record_id}/unarchive"): ("unarchive_{one}", "Publish an archived {label} again",
                                         "Its society or a coordinator; it is found and listed again."),
    ("GET", "/{record_id}/comments"): ("list_{one}_comments", "A {label}'s review discussion",
                                       "Comments and replies between its society and the coordinators."),
    ("POST", "/{record_id}/comments"): ("comment_on_{one}", "Comment in a {label}'s review discussion",
                                        "A comment, or a reply to one (reply_to)."),
    ("GET", "/{record_id}/revisions"): ("list_{one}_revisions", "A {label}'s published versions",
                                       "Each approved version, numbered from 1, with who changed it and when."),
    ("GET", "/{record_id}/revisions/diff"): ("diff_{one}_revisions", "What changed between two versions",
                                            "The fields that differ between versions from and to, each before and "
                                            "after."),
    ("GET", "/{record_id}/revisions/{number}"): ("get_{one}_revision", "One published version of a {label}",
                                                "The record as it was at that version."),
    ("GET", "/{record_id}/export"): ("export_{one}", "Everything held about a {label}",
                                     "Its society or an administrator (a GDPR access request)."),
    ("PUT", "/by-external-id/{external_id}"): ("upsert_{one}", "Create or update a {label} by its external id",
                                               "The caller society's record with this external_id: created if "
                                               "there is none, else updated (If-Match with its ETag)."),
    **{(method, path.replace("{id}", "{" + param + "}")): names
       for param in ("material_id", "record_id") for (method, path), names in FILE_OPERATIONS.items()},
}
OPERATION_IDS = {
    ("GET", "/api/v1/search"): "search",
    ("GET", "/api/v1/audit"): "list_audit_entries",
    ("GET", "/api/v1/changes"): "list_changes",
    ("GET", "/api/v1/clients"): "list_clients",
    ("POST", "/api/v1/clients"): "create_client",
    ("GET", "/api/v1/clients/{client_id}"): "get_client",
    ("DELETE", "/api/v1/clients/{client_id}"): "revoke_client",
    ("GET", "/api/v1/config"): "get_config",
    ("GET", "/api/v1/mail/deliveries"): "list_mail_deliveries",
    ("POST", "/api/v1/mail/deliveries/{notification_id}/retry"): "retry_mail_delivery",
    ("GET", "/api/v1/me"): "get_me",
    ("GET", "/api/v1/me/notification-settings"): "get_notification_settings",
    ("PATCH", "/api/v1/me/notification-settings"): "update_notification_settings",
    ("GET", "/api/v1/me/notifications"): "list_notifications",
    ("POST", "/api/v1/me/notifications/read"): "mark_notifications_read",
    ("POST", "/api/v1/me/sign-out-everywhere"): "sign_out_everywhere",
    ("GET", "/api/v1/me/tokens"): "list_tokens",
    ("POST", "/api/v1/me/tokens"): "create_token",
    ("DELETE", "/api/v1/me/tokens/{token_id}"): "revoke_token",
    ("GET", "/api/v1/moderation/coordinators"): "list_coordinators",
    ("GET", "/api/v1/moderation/queue"): "list_moderation_queue",
    ("GET", "/api/v1/moderation/queue/{item_id}"): "get_moderation_item",
    ("POST", "/api/v1/moderation/queue/{item_id}/assign"): "assign_moderation_item",
    ("GET", "/api/v1/societies"): "list_societies",
    ("POST", "/api/v1/societies"): "create_society",
    ("GET", "/api/v1/societies/{code}"): "get_society",
    ("PATCH", "/api/v1/societies/{code}"): "update_society",
    ("DELETE", "/api/v1/societies/{code}"): "delete_society",
    ("GET", "/api/v1/stats"): "get_stats",
    ("GET", "/api/v1/topics"): "list_topics",
    ("POST", "/api/v1/topics"): "create_topic",
    ("GET", "/api/v1/topics/{code}"): "get_topic",
    ("PATCH", "/api/v1/topics/{code}"): "update_topic",
    ("DELETE", "/api/v1/topics/{code}"): "delete_topic",
    ("GET", "/api/v1/users"): "list_users",
    ("POST", "/api/v1/users"): "create_user",
    ("GET", "/api/v1/users/{user_id}"): "get_user",
    ("PATCH", "/api/v1/users/{user_id}"): "update_user",
    ("GET", "/api/v1/webhooks"): "list_webhooks",
    ("POST", "/api/v1/webhooks"): "create_webhook",
    ("GET", "/api/v1/webhooks/{webhook_id}"): "get_webhook",
    ("PATCH", "/api/v1/webhooks/{webhook_id}"): "update_webhook",
    ("DELETE", "/api/v1/webhooks/{webhook_id}"): "delete_webhook",
    ("POST", "/api/v1/webhooks/{webhook_id}/rotate-secret"): "rotate_webhook_secret",
    ("POST", "/api/v1/webhooks/{webhook_id}/ping"): "ping_webhook",
    ("GET", "/api/v1/webhooks/{webhook_id}/deliveries"): "list_webhook_deliveries",
    ("POST", "/api/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver"): "redeliver_webhook_delivery",
}


# What an operation does, for those whose view says no more than its summary
DESCRIPTIONS = {
    "list_clients": "Every registered OAuth client, with its grant, scopes and redirect URIs (never its secret).",
    "create_client": "A partner's machine client (client_credentials) or a public client (authorization code with "
                     "PKCE); the secret of a confidential client is shown in this answer only.",
    "revoke_client": "The client can no longer get tokens, and every token it holds stops working.",
    "get_client": "One registered client (never its secret).",
    "get_me": "The caller: their person (or client), role, society and the scopes of this token.",
    "update_notification_settings": "Send only the settings to change: each kind's frequency (immediately, "
                                    "daily, weekly, never) and language.",
    "list_tokens": "The caller's personal access tokens: name, scopes, expiry, last use (never the secret).",
    "revoke_token": "The token stops working at once.",
    "get_moderation_item": "A submission with its diff against the published version, discussion and assignee.",
    "assign_moderation_item": "assignee_id: a coordinator's user id (GET /api/v1/moderation/coordinators), or "
                              "null to leave it open. The assignee is told.",
    "list_societies": "The national societies of the network, with their names and languages.",
    "create_society": "A society joins the network (its ISO 3166 code, names, languages).",
    "delete_society": "Only a society that owns no records, users or webhooks.",
    "get_society": "One society; its ETag goes in If-Match to change it.",
    "update_society": "Send the ETag in If-Match (412 when stale, 428 without).",
    "list_topics": "The shared vocabulary: each topic's code, category and labels in the network's languages.",
    "create_topic": "A new topic with a code, a category and labels.",
    "delete_topic": "Only a topic no record uses.",
    "get_topic": "One topic; its ETag goes in If-Match to change it.",
    "update_topic": "Send the ETag in If-Match (412 when stale, 428 without).",
    "list_users": "Every account, with its role, society and whether it is disabled.",
    "create_user": "A person's account (role member, coordinator or admin; a member belongs to a society).",
    "get_user": "One account.",
    "update_user": "A disabled user cannot sign in, and their tokens stop working.",
    "list_webhooks": "Each endpoint's URL, events and state (never its secret).",
    "delete_webhook": "No more deliveries; its delivery log goes with it.",
    "get_webhook": "One endpoint; its ETag goes in If-Match to change it.",
    "list_webhook_deliveries": "Each delivery's event, state, attempts and the receiver's last answer.",
    "redeliver_webhook_delivery": "The same id and body, queued now with a new retry window.",
}


def operation_names(method: str, path: str) -> tuple[str | None, str, str]:
    """(operationId, summary, description) the document gives an operation: from the tables above (records'
    operations by kind); operationId None for one the tables do not name (tests/test_openapi.py fails then)."""
    if (method, path) in OPERATION_IDS:
        operation_id = OPERATION_IDS[(method, path)]
        return operation_id, "", DESCRIPTIONS.get(operation_id, "")
    for kind, (one, many, label) in RECORD_KINDS.items():
        prefix = f"/api/v1/{kind}"
        if path == prefix or path.startswith(prefix + "/"):
            names = RECORD_OPERATIONS.get((method, path[len(prefix):]))
            if names:
                return tuple(text.format(one=one, many=many, label=label) for text in names)
    return None, "", ""


class DocumentPlugin(BasePlugin):
    """Completes each operation for client generators: an operationId, a summary and a description where the
    view has none, the refresh parameter of searchable writes, and the errors any operation may answer (400:
    an unknown query parameter or a malformed body; 404: a path's object that is not there, or not yours)."""

    def operation_helper(self, path=None, operations=None, **kwargs):
        for method, operation in (operations or {}).items():
            if method not in METHODS:
                continue
            operation_id, summary, description = operation_names(method.upper(), path)
            if operation_id:
                operation["operationId"] = operation_id
            if summary and not operation.get("summary"):
                operation["summary"] = summary
            if description and not operation.get("description"):
                operation["description"] = description
            if operation.pop("x-refresh", False):
                operation.setdefault("parameters", []).append(copy.deepcopy(REFRESH))  # (copies: constants stay)
                for status, response in operation.get("responses", {}).items():
                    if str(status).startswith("2") and isinstance(response, dict):
                        response.setdefault("headers", {})["X-Searchable"] = copy.deepcopy(SEARCHABLE)
            responses = operation.setdefault("responses", {})
            responses.setdefault("400", http.HTTPStatus.BAD_REQUEST.name)
            if "{" in path and "/by-external-id/" not in path:  # a sync by external id creates what is not there
                responses.setdefault("404", http.HTTPStatus.NOT_FOUND.name)
