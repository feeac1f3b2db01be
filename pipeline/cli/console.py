"""`intake console`: the secretariat's web console, and its accounts."""
from __future__ import annotations

import secrets

import click

from pipeline.app.clock import utc_now
from pipeline.cli.options import config_option
from pipeline.cli.serving import listen, serve
from pipeline.cli.text import shown
from pipeline.cli.views import open_db
from pipeline.config.settings import load_config
from pipeline.console import accounts
from pipeline.console.app import create_app
from pipeline.store import accounts as account_store

LOOPBACK = ("127.0.0.1", "::1", "localhost")


@click.group("console", invoke_without_command=True)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; beyond loopback only behind a TLS reverse proxy.")
@click.option("--port", default=8150, show_default=True, help="Port (0: any free one).")
@config_option
@click.pass_context
def console_group(ctx: click.Context, host: str, port: int, config_path: str | None) -> None:
    """The web console (受理工作台) at http://HOST:PORT/ until Ctrl-C; `intake console user`
    manages who may log in."""
    if ctx.invoked_subcommand is not None:
        return
    config = load_config(config_path)
    with open_db(config) as db:  # the schema, accounts included, before the first request
        if not account_store.accounts(db):
            click.echo("no console account yet: `intake console user add NAME --role 处理`",
                       err=True)
    server = listen(host, port, "is another console running? try --port")
    bound = server.getsockname()[1]
    shown_host = f"[{host}]" if ":" in host else host
    click.echo(f"intake console: http://{shown_host}:{bound}/ (Ctrl-C stops)")
    if host not in LOOPBACK:
        click.echo(f"warning: {host}:{bound} is reachable from other machines; serve it only "
                   "behind a reverse proxy with TLS (README: The console)", err=True)
    # A key of this run: sessions end when the console stops.
    serve(create_app(config, secrets.token_urlsafe(32), utc_now), server)


@console_group.group("user")
def user_group() -> None:
    """Console accounts: 查看 (viewer) reads, 处理 (handler) may also act."""


def _password() -> str:
    return click.prompt("password", hide_input=True, confirmation_prompt=True)


@user_group.command("add")
@click.argument("name")
@click.option("--role", default="viewer", show_default=True,
              help="viewer (查看) or handler (处理).")
@config_option
def add_command(name: str, role: str, config_path: str | None) -> None:
    """Create an account; the password is asked for (twice), never given on the line."""
    config = load_config(config_path)
    with open_db(config) as db:
        if account_store.account(db, name) is not None:
            raise click.ClickException(f"{shown(name)} exists: `intake console user passwd`")
        _set(db, name, _password(), role)
    click.echo(f"account {shown(name)} added ({accounts.ROLES[accounts.role_of(role)]})")


@user_group.command("passwd")
@click.argument("name")
@config_option
def passwd_command(name: str, config_path: str | None) -> None:
    """Give an account a new password (asked for twice)."""
    config = load_config(config_path)
    with open_db(config) as db:
        found = account_store.account(db, name)
        if found is None:
            raise click.ClickException(f"no account {shown(name)}")
        _set(db, name, _password(), found["role"])
    click.echo(f"new password for {shown(name)}")


def _set(db, name: str, password: str, role: str) -> None:
    try:
        accounts.set_account(db, name, password, role, utc_now())
    except ValueError as error:
        raise click.ClickException(str(error)) from None


@user_group.command("remove")
@click.argument("name")
@config_option
def remove_command(name: str, config_path: str | None) -> None:
    """Remove an account; its open sessions end with it."""
    with open_db(load_config(config_path)) as db:
        if not account_store.remove_account(db, name):
            raise click.ClickException(f"no account {shown(name)}")
    click.echo(f"account {shown(name)} removed")


@user_group.command("list")
@config_option
def list_command(config_path: str | None) -> None:
    """Every account with its role."""
    with open_db(load_config(config_path)) as db:
        for row in account_store.accounts(db):
            click.echo(f"{shown(row['name'])}\t{accounts.ROLES.get(row['role'], row['role'])}")
