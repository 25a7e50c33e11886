"""Per-app extensions. Each app (tests build several, on SQLite and PostgreSQL) has its own database and
API objects, kept in ``app.extensions``; ``get_db()`` finds the current app's."""
from __future__ import annotations

from flask import current_app

from .db import Database


def get_db() -> Database:
    return current_app.extensions["atn_db"]
