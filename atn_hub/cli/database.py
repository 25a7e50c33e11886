"""``atn-hub db``: schema migrations (Alembic)."""
from __future__ import annotations

from pathlib import Path

import click
from alembic import command
from alembic.config import Config
from flask import current_app
from flask.cli import AppGroup

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def _url() -> str:
    return current_app.config["ATN_SETTINGS"].database_url


@click.group("db", cls=AppGroup)
def db_group():
    """Create and migrate the database."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
def upgrade_command(revision):
    """Apply the migrations up to REVISION (default: the newest)."""
    upgrade(_url(), revision)
    click.echo(f"database at {revision}")


@db_group.command("downgrade")
@click.argument("revision")
def downgrade_command(revision):
    """Undo migrations down to REVISION."""
    command.downgrade(alembic_config(_url()), revision)


@db_group.command("current")
def current_command():
    """Show the database's revision."""
    command.current(alembic_config(_url()))


@db_group.command("revision")
@click.option("-m", "--message", required=True)
def revision_command(message):
    """Write a new migration from the difference between the models and the database."""
    command.revision(alembic_config(_url()), message=message, autogenerate=True)
