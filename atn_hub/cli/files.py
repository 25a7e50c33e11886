"""``atn-hub files``: stored file contents."""
from __future__ import annotations

import json
from datetime import timedelta

import click
from flask.cli import AppGroup

files_group = AppGroup("files", help="Training material files: extraction and storage.")


@files_group.command("gc")
@click.option("--grace-seconds", type=int, default=3600, show_default=True,
              help="Keep unnamed contents younger than this (an upload in flight stores its content first).")
def gc(grace_seconds):
    """Delete stored contents that no file names any more (deleted files and records)."""
    from ..extensions import get_db, node_files
    from ..services.files import collect_garbage

    session = get_db().session_factory()
    try:
        result = collect_garbage(session, node_files().store, timedelta(seconds=grace_seconds))
    finally:
        session.close()
    click.echo(json.dumps(result))


@files_group.command("extract")
def extract_now():
    """Extract the text of every file waiting for it, now (the worker and the app's thread do it too)."""
    from ..extensions import node_files

    click.echo(json.dumps({"extracted": node_files().extract_pending()}))
