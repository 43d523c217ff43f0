"""``paperboy user ...``: create, list, suspend and unsuspend accounts (people sign in
by emailed link)."""

from __future__ import annotations

import click

from paperboy.accounts import normalize_email, set_suspended
from paperboy.cli.main import AppContext, cli, pass_app


@cli.group()
def user() -> None:
    """Manage accounts (there are no passwords: people sign in by emailed link).

    \b
    Example:
      paperboy user create --admin you@example.org
      paperboy user list
      paperboy user suspend spammer@example.org
    """


@user.command("create")
@click.argument("email")
@click.option("--admin", "role", flag_value="admin", help="Make the account an admin.")
@click.option("--curator", "role", flag_value="curator", help="Make the account a curator.")
@click.option("--name", default=None, help="Display name (default: the part before the @).")
@pass_app
def user_create(app: AppContext, email: str, role: str | None, name: str | None) -> None:
    """Create an account for EMAIL (a reader unless --admin or --curator); its owner
    then signs in at /signin with that address.

    \b
    Example:
      paperboy user create --admin --name "Ada Lovelace" ada@example.org
    """
    address = normalize_email(email)
    created = app.store.accounts.create_user(address, role=role or "reader", display_name=name)
    click.echo(f"created {created.role} {created.email} (id {created.id})")


@user.command("list")
@pass_app
def user_list(app: AppContext) -> None:
    """List accounts: id, email, role, display name, and whether suspended.

    \b
    Example:
      paperboy user list
    """
    accounts = app.store.accounts.list_users()
    if not accounts:
        click.echo("no accounts yet")
    for account in accounts:
        flag = "  (suspended)" if account.suspended else ""
        click.echo(f"{account.id}\t{account.email}\t{account.role}\t{account.display_name}{flag}")


def _set_suspended(app: AppContext, email: str, suspended: bool) -> None:
    account = set_suspended(app.store, email, suspended)
    state = "suspended" if suspended else "unsuspended"
    click.echo(f"{state} {account.email} (id {account.id})")


@user.command("suspend")
@click.argument("email")
@pass_app
def user_suspend(app: AppContext, email: str) -> None:
    """Suspend the account of EMAIL: every session of it ends at once (and stays ended
    after unsuspending) and it gets no sign-in links until it is unsuspended. Its API
    tokens are refused while it is suspended.

    \b
    Example:
      paperboy user suspend spammer@example.org
    """
    _set_suspended(app, email, True)


@user.command("unsuspend")
@click.argument("email")
@pass_app
def user_unsuspend(app: AppContext, email: str) -> None:
    """Lift the suspension of the account of EMAIL; its owner can sign in again.

    \b
    Example:
      paperboy user unsuspend spammer@example.org
    """
    _set_suspended(app, email, False)
