"""``atn-hub``: the command line's entry point, a Flask CLI group that makes the app from the ATN_* settings."""
from __future__ import annotations

import click
from flask.cli import FlaskGroup

from .. import create_app


@click.group(cls=FlaskGroup, create_app=lambda: create_app(), add_default_commands=True, add_version_option=False,
             load_dotenv=False)
def main():
    """ATN Hub: publish and search practices, contacts, training materials and projects against human trafficking."""
