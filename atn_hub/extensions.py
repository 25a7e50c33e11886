"""Per-app extensions. Each app (tests build several, on SQLite and PostgreSQL) has its own database, search
node, files node and OAuth server, kept in ``app.extensions``; these accessors find them, typed, for the
current app or the one given."""
from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask, current_app

if TYPE_CHECKING:
    from authlib.integrations.flask_oauth2 import AuthorizationServer

    from .db import Database
    from .delivery import NodeDelivery
    from .files.node import NodeFiles
    from .indexing.node import NodeSearch

DATABASE, SEARCH, FILES, OAUTH_SERVER = "atn_db", "atn_search", "atn_files", "atn_oauth_server"
DELIVERY = "atn_delivery"


def _app(app: Flask | None) -> Flask:
    return app if app is not None else current_app


def get_db(app: Flask | None = None) -> Database:
    return _app(app).extensions[DATABASE]


def node_search(app: Flask | None = None) -> NodeSearch:
    return _app(app).extensions[SEARCH]


def node_files(app: Flask | None = None) -> NodeFiles:
    return _app(app).extensions[FILES]


def node_delivery(app: Flask | None = None) -> NodeDelivery:
    return _app(app).extensions[DELIVERY]


def oauth_server(app: Flask | None = None) -> AuthorizationServer:
    return _app(app).extensions[OAUTH_SERVER]
