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
    app.cli.add_command(serve_command)


def _create_app():
    from .. import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=True, add_version_option=False,
             load_dotenv=False)
def main():
    """ATN Hub: publish and search practices, contacts and training materials against human trafficking."""


@click.command("serve")
@click.option("--bind", "-b", envvar="ATN_BIND", default="127.0.0.1:5000",
              show_default=True, help="Address and port (or unix:PATH).")
@click.option("--workers", "-w", type=int, default=None, help="Worker processes [default: 2 x cores + 1, at most 8].")
@click.option("--timeout", type=int, default=60, show_default=True, help="Seconds before a stuck worker is replaced.")
def serve_command(bind, workers, timeout):
    """Serve the API with gunicorn (production): several workers, each with its indexer and extraction
    threads; metrics summed over the workers."""
    from flask import current_app

    from ..serve import default_workers, serve

    settings = current_app.config["ATN_SETTINGS"]
    serve(bind, workers or default_workers(), timeout, settings.instance_dir)
