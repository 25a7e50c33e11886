"""``atn-hub demo load``, ``atn-hub import`` and ``atn-hub export``."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup, with_appcontext

from ..extensions import get_db
from ..principal import SYSTEM
from ..services import transfer

DEMO_DIR = Path(__file__).resolve().parents[1] / "demo"


def _count_lines(path: Path) -> int:
    with path.open("rb") as f:
        return sum(1 for _ in f)


def run_import(record_type: str, path: Path, publish: bool = False, quiet: bool = False) -> dict:
    db = get_db()
    session = db.new_session()
    total = _count_lines(path)
    show = not quiet and total >= 1000
    try:
        with path.open(encoding="utf-8") as lines:
            if show:
                with click.progressbar(length=total, label=f"importing {path.name}", file=sys.stderr) as bar:
                    report = transfer.import_lines(session, SYSTEM, record_type, lines, publish=publish,
                                                   progress=lambda n: bar.update(1))
            else:
                report = transfer.import_lines(session, SYSTEM, record_type, lines, publish=publish)
    finally:
        session.close()
    return report.as_dict()


@click.group("demo", cls=AppGroup)
def demo_group():
    """Demo data."""


@demo_group.command("load")
def demo_load():
    """Load the demo societies, topics, contacts, practices and training materials (idempotent)."""
    summary = {}
    for record_type, (_, _, _, filename) in transfer.TYPES.items():
        result = run_import(record_type, DEMO_DIR / filename, quiet=True)
        if result["rejected"]:
            raise click.ClickException(f"demo {filename}: {json.dumps(result['errors'][:5], ensure_ascii=False)}")
        summary[record_type] = {k: result[k] for k in ("created", "updated", "unchanged")}
    click.echo(json.dumps({"demo": summary}, indent=2))


@click.command("import")
@with_appcontext
@click.option("--type", "record_type", required=True, type=click.Choice(list(transfer.TYPES)),
              help="What the file holds.")
@click.option("--publish", is_flag=True, help="Publish what is imported (an administrator migrating a "
                                              "collection that was already public).")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(record_type, publish, file):
    """Import FILE (JSON lines, one record a line in the create shape).

    A line whose external_id already exists for its society updates that record. Bad lines are listed with
    their line number and reason; the good ones are imported. Exits 1 if any line was rejected.
    """
    if publish and record_type not in transfer.RECORD_TYPES:
        raise click.BadParameter("--publish applies to practices, contacts and training materials", param_hint="--publish")
    result = run_import(record_type, file, publish=publish)
    for error in result["errors"]:
        click.echo(f"{file}:{error['line']}: {error['reason']}", err=True)
    click.echo(json.dumps({k: v for k, v in result.items() if k != "errors"}))
    if result["rejected"]:
        sys.exit(1)


@click.command("export")
@with_appcontext
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def export_command(directory):
    """Export everything to DIRECTORY as JSON lines (one file per type), ready for ``atn-hub import``."""
    session = get_db().new_session()
    try:
        counts = transfer.export_all(session, directory)
    finally:
        session.close()
    click.echo(json.dumps(counts))
