"""``201 Created`` answers carry ``Location``: the URL of what was made (RFC 9110, 15.3.2).

One rule for every create rather than a line in each view: a POST's new resource is the collection's URL plus
its identifier, where the API has such a URL; what has none of its own (a comment of a review discussion) is
located by the list it joined. A view that knows better (the upsert by external id, whose URL is not the
record's) sets Location itself.
"""
from __future__ import annotations

from flask import Flask, request

HEADER = {"Location": {"description": "The URL of the resource created", "schema": {"type": "string"}}}


def item_argument(app: Flask, collection_rule: str) -> str | None:
    """The variable of the item URL under a collection's rule (``/api/v1/societies`` -> ``code``), if any."""
    for rule in app.url_map.iter_rules():
        rest = rule.rule[len(collection_rule):]
        if rule.rule.startswith(collection_rule + "/<") and rest.count("/") == 1 and rest.endswith(">"):
            return rest[2:-1].split(":")[-1]
    return None


def created_location(app: Flask, body) -> str | None:
    """The new resource's URL: the collection's plus its identifier (named as the item URL names it: ``code``,
    ``client_id``, else ``id``); the collection's where the resource has no URL of its own."""
    if request.url_rule is None or not isinstance(body, dict):
        return None
    argument = item_argument(app, request.url_rule.rule)
    identifier = body.get(argument) if argument in body else body.get("id") if argument else None
    path = f"{request.path}/{identifier}" if identifier else request.path
    return request.host_url.rstrip("/") + path


def install(app: Flask) -> None:
    @app.after_request
    def _location(response):
        if response.status_code == 201 and "Location" not in response.headers and request.path.startswith("/api/"):
            location = created_location(app, response.get_json(silent=True))
            if location:
                response.headers["Location"] = location
        return response
