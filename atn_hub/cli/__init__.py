"""The ``atn-hub`` commands, registered on every app by ``create_app`` (the entry point, a Flask CLI group that
makes the app, is ``atn_hub.cli.main``: apart, so that making an app never imports it)."""
from __future__ import annotations

import click
from flask import Flask


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
