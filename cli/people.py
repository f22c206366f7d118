"""People and organisations: adding a user (``user add``) and listing the area's organisations
(``org list``)."""

from __future__ import annotations

import json

import click
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from cli import Context, main, pass_context
from engine.core.models import ROLES, Organisation
from engine.people.accounts import AccountError, add_user


@main.group()
def user() -> None:
    """Manage users."""


@user.command("add")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--org", "organisation", required=True, help="Organisation key, see `org list`.")
@click.option(
    "--role",
    "roles",
    required=True,
    multiple=True,
    type=click.Choice(ROLES),
    help="Repeat for several roles.",
)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@pass_context
def user_add(
    context: Context,
    email: str,
    name: str,
    organisation: str,
    roles: tuple[str, ...],
    password: str,
) -> None:
    """Add a user to an organisation with one or more roles."""
    try:
        with context.db.transaction() as session:
            created = add_user(
                session,
                email=email,
                name=name,
                organisation_key=organisation,
                roles=roles,
                password=password,
            )
            click.echo(f"Added {created.email} ({', '.join(created.roles)}) to {organisation}")
    except AccountError as error:
        raise click.ClickException(str(error)) from None


@main.group()
def org() -> None:
    """Organisations of the area."""


@org.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON: key, name, kind, districts.")
@pass_context
def org_list(context: Context, as_json: bool) -> None:
    with context.db.read() as session:
        organisations = session.scalars(
            select(Organisation)
            .options(selectinload(Organisation.districts))
            .order_by(Organisation.kind, Organisation.name)
        ).all()
        rows = [
            {
                "key": o.key,
                "name": o.name,
                "kind": o.kind,
                "districts": [d.key for d in o.districts],
            }
            for o in organisations
        ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        click.echo(f"{row['key']:<42} {row['kind']:<8} {row['name']}")
