"""``atn-hub demo load``, ``atn-hub import`` and ``atn-hub export``."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from ..extensions import get_db
from ..oauth import first_party
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
    session = get_db().new_session()
    try:
        summary["files"] = demo_files(session)
        credentials = demo_accounts(session, current_app.config["ATN_SETTINGS"].demo_password)
        session.commit()
    finally:
        session.close()
    click.echo(json.dumps({"demo": summary, "accounts": credentials}, indent=2))


def demo_files(session) -> dict:
    """The files of demo records (files.jsonl: the record's type, society and external id, and the file under
    demo/files/), attached as published; their text is read by the extraction thread or `atn-hub files
    extract`."""
    from sqlalchemy import select

    from ..extensions import node_files
    from ..models import Society
    from ..services import files
    from ..services.record_types import BY_TYPE

    nodes, added, unchanged = node_files(), 0, 0
    for line in (DEMO_DIR / "files.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        entry = json.loads(line)
        model = BY_TYPE[entry["type"]].model
        record = session.scalar(select(model).join(Society, model.society_id == Society.id).where(
            Society.code == entry["society"], model.external_id == entry["external_id"]))
        if record is None:
            raise click.ClickException(f"demo files.jsonl: no {entry['type']} {entry['external_id']}")
        path = DEMO_DIR / "files" / entry["file"]
        with path.open("rb") as stream:
            kept = files.attach_as_published(session, nodes.store, nodes.settings, record, stream, path.name)
        added, unchanged = added + (kept is not None), unchanged + (kept is None)
    return {"created": added, "updated": 0, "unchanged": unchanged}


DEMO_DOMAIN = "demo.atn-hub.example"
WEB_CLIENT_ID = first_party.CLIENT_ID


def demo_accounts(session, password: str) -> dict:
    """A demo administrator, a coordinator, a member per demo society, and the web frontend's public client;
    created once (existing ones are left alone). Their password is ATN_DEMO_PASSWORD (see the README)."""
    from sqlalchemy import select

    from ..models import OAuthClient, Society, User
    from ..services import accounts

    wanted = [("admin@" + DEMO_DOMAIN, "Demo Administrator", "admin", None),
              ("coordinator@" + DEMO_DOMAIN, "Demo Coordinator (ATN co-chair)", "coordinator", "NL")]
    for society in session.scalars(select(Society).order_by(Society.code)):
        wanted.append((f"member.{society.code.lower()}@{DEMO_DOMAIN}", f"Demo member, {society.name}", "member",
                       society.code))
    existing = set(session.scalars(select(User.email)))
    for email, name, role, society_code in wanted:
        if email not in existing:
            accounts.create_user(session, SYSTEM, email=email, name=name, role=role, society_code=society_code,
                                 password=password)
    if session.scalar(select(OAuthClient.id).where(OAuthClient.client_id == WEB_CLIENT_ID)) is None:
        # The console's and Swagger UI's pages at ATN_PUBLIC_URL; the server accepts those of the address it
        # is configured with at the time, so a later change of address needs no change here (see first_party).
        redirects = first_party.own_redirect_uris(current_app.config["ATN_SETTINGS"].public_url)
        accounts.create_client(session, SYSTEM, name="ATN Hub web", society_code=None, grant="authorization_code",
                               scope="read write contacts:read moderate", redirect_uris=redirects, public=True,
                               client_id=WEB_CLIENT_ID)
    return {"password": password, "admin": wanted[0][0], "coordinator": wanted[1][0],
            "members": f"member.<society code>@{DEMO_DOMAIN}, e.g. member.nl@{DEMO_DOMAIN}",
            "web_client_id": WEB_CLIENT_ID}


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
        raise click.BadParameter("--publish applies to practices, contacts and training materials",
                                 param_hint="--publish")
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
