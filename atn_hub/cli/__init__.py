"""The ``atn-hub`` command line: a Flask CLI group bound to ``create_app``."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup


def register_commands(app: Flask) -> None:
    from . import accounts, data, database, files, index

    app.cli.add_command(database.db_group)
    app.cli.add_command(accounts.users_group)
    app.cli.add_command(accounts.clients_group)
    app.cli.add_command(accounts.tokens_group)
    app.cli.add_command(index.index_group)
    app.cli.add_command(index.worker_command)
    app.cli.add_command(data.demo_group)
    app.cli.add_command(data.import_command)
    app.cli.add_command(data.export_command)
    app.cli.add_command(files.files_group)


def _create_app():
    from .. import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=True, add_version_option=False,
             load_dotenv=False)
def main():
    """ATN Hub: publish and search practices, contacts and training materials against human trafficking."""
