"""``atn-hub users``, ``atn-hub clients`` and ``atn-hub tokens``: accounts for administrators."""
from __future__ import annotations

import json
import sys

import click
from flask import current_app
from flask.cli import AppGroup

from ..errors import DomainError, Invalid
from ..extensions import get_db
from ..principal import SYSTEM
from ..services import accounts


def _run(action):
    """Run ``action(session)`` in one transaction; domain errors become a clear message and exit 1."""
    session = get_db().new_session()
    try:
        result = action(session)
        session.commit()
        return result
    except DomainError as exc:
        session.rollback()
        details = f" {json.dumps(exc.errors)}" if exc.errors else ""
        raise click.ClickException(exc.message + details) from None
    finally:
        session.close()


users_group = AppGroup("users", help="People with accounts.")


@users_group.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--society", "society", default=None, help="The society's code (members and coordinators).")
@click.option("--role", required=True, type=click.Choice(["member", "coordinator", "admin"]))
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--no-password", is_flag=True, help="No password: the user can use tokens only.")
def users_create(email, name, society, role, password_stdin, no_password):
    """Create a user; the password is asked for (or read with --password-stdin)."""
    if no_password:
        password = None
    elif password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if password is not None and len(password) < 12:
        raise click.BadParameter("at least 12 characters", param_hint="password")
    user = _run(lambda s: accounts.create_user(s, SYSTEM, email=email, name=name, role=role,
                                               society_code=society, password=password))
    click.echo(json.dumps({"id": str(user.id), "email": user.email, "role": user.role, "society": society}))


@users_group.command("disable")
@click.option("--email", required=True)
def users_disable(email):
    """Disable a user: no sign-in, and every token of theirs stops working."""
    _run(lambda s: accounts.set_disabled(s, SYSTEM, accounts.user_by_email(s, email), True))
    click.echo(json.dumps({"email": email, "disabled": True}))


@users_group.command("enable")
@click.option("--email", required=True)
def users_enable(email):
    """Enable a disabled user again."""
    _run(lambda s: accounts.set_disabled(s, SYSTEM, accounts.user_by_email(s, email), False))
    click.echo(json.dumps({"email": email, "disabled": False}))


clients_group = AppGroup("clients", help="OAuth clients.")


@clients_group.command("create")
@click.option("--society", default=None, help="The society the client acts for (its code).")
@click.option("--name", required=True)
@click.option("--grant", required=True, type=click.Choice(["client_credentials", "authorization_code"]))
@click.option("--scope", required=True, help='Space-separated, e.g. "read write".')
@click.option("--redirect-uri", "redirect_uris", multiple=True, help="Exact redirect URI (repeatable).")
@click.option("--public", is_flag=True, help="A browser app that cannot keep a secret (PKCE, no secret).")
@click.option("--introspect", is_flag=True, help="May call /oauth/introspect.")
@click.option("--client-id", default=None, help="A chosen client id (default: random).")
def clients_create(society, name, grant, scope, redirect_uris, public, introspect, client_id):
    """Register a client; prints client_id and, this once only, client_secret."""
    client, secret = _run(lambda s: accounts.create_client(
        s, SYSTEM, name=name, society_code=society, grant=grant, scope=scope, redirect_uris=list(redirect_uris),
        public=public, can_introspect=introspect, client_id=client_id))
    out = {"client_id": client.client_id, "name": client.name, "grant_types": client.grant_types,
           "scope": client.scope, "redirect_uris": client.redirect_uris}
    if secret:
        out["client_secret"] = secret
    click.echo(json.dumps(out))


OPTION_OF_FIELD = {"name": "--name", "redirect_uris": "--redirect-uri", "scope": "--scope"}


@clients_group.command("update")
@click.argument("client_id")
@click.option("--name", default=None, help="A new name.")
@click.option("--redirect-uri", "redirect_uris", multiple=True,
              help="Exact redirect URI (repeatable); the ones given replace all the client's redirect URIs.")
@click.option("--scope", default=None, help='Space-separated, e.g. "read write"; replaces the client\'s scopes '
                                            "(within what its kind allows; tokens with a dropped scope are revoked).")
def clients_update(client_id, name, redirect_uris, scope):
    """Change a client's name, redirect URIs or scopes; prints the client as it is now."""
    if name is None and not redirect_uris and scope is None:
        raise click.UsageError("Give --name, --redirect-uri or --scope: what to change.")

    def update(session):
        client = accounts.get_client(session, SYSTEM, client_id)
        try:
            revoked = accounts.update_client(session, SYSTEM, client, name=name, scope=scope,
                                             redirect_uris=list(redirect_uris) if redirect_uris else None)
        except Invalid as exc:
            field = next(iter(exc.errors["json"]))
            raise click.BadParameter(exc.errors["json"][field][0], param_hint=OPTION_OF_FIELD.get(field, field)) \
                from None
        return client, revoked

    client, revoked = _run(update)
    click.echo(json.dumps({"client_id": client.client_id, "name": client.name, "grant_types": client.grant_types,
                           "scope": client.scope, "redirect_uris": client.redirect_uris,
                           "tokens_revoked": revoked}))


@clients_group.command("revoke")
@click.argument("client_id")
def clients_revoke(client_id):
    """Revoke a client: no new tokens, and its tokens stop working."""
    _run(lambda s: accounts.revoke_client(s, SYSTEM, accounts.get_client(s, SYSTEM, client_id)))
    click.echo(json.dumps({"client_id": client_id, "revoked": True}))


tokens_group = AppGroup("tokens", help="Personal access tokens.")


@tokens_group.command("create")
@click.option("--user", "email", required=True, help="The user's email.")
@click.option("--scope", required=True, help='Space-separated, e.g. "read write".')
@click.option("--expires-in", "days", type=click.IntRange(min=1), default=None,
              help="Lifetime in days (default ATN_PERSONAL_TOKEN_DEFAULT_DAYS, 90; at most "
                   "ATN_PERSONAL_TOKEN_MAX_DAYS, 366).")
@click.option("--name", default="command line", show_default=True)
def tokens_create(email, scope, days, name):
    """Create a personal access token; prints it (shown this once only)."""
    def create(session):
        user = accounts.user_by_email(session, email)
        settings = current_app.config["ATN_SETTINGS"]
        return accounts.create_personal_token(session, SYSTEM, user, scope=scope, name=name, expires_in_days=days,
                                              default_days=settings.personal_token_default_days,
                                              max_days=settings.personal_token_max_days)

    token, secret = _run(create)
    click.echo(json.dumps({"access_token": secret, "token_type": "Bearer", "scope": token.scope,
                           "expires_in": token.expires_in, "id": str(token.id)}))
