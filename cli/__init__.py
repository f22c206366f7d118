"""The ``casereview`` command: set up, serve, sweep, deploy and administer the service.

The command group and the context its commands share are here; the commands are in a module
per group of them:

- ``setup``: ``init``, ``deploy`` and ``demo-load``.
- ``serve``: ``serve``, ``scheduler`` and ``run-due``.
- ``people``: ``user`` and ``org``.
- ``records``: ``stats``, ``audit``, ``retention`` and ``subject-access``.
"""

from __future__ import annotations

import logging

import click

from engine.core import clock
from engine.core.config import Settings, load_settings
from engine.core.db import Database, DatabaseConfigError, connect


class Context:
    """What every command shares: the settings, and the database, connected when first used."""

    def __init__(self) -> None:
        self.settings: Settings = load_settings()
        self._db: Database | None = None

    @property
    def db(self) -> Database:
        if self._db is None:
            try:
                self._db = connect(self.settings.database_url)
            except DatabaseConfigError as error:
                raise click.ClickException(str(error)) from None
        return self._db


pass_context = click.make_pass_decorator(Context, ensure=True)


@click.group()
@click.pass_context
def main(ctx: click.Context) -> None:
    """casereview: the Community Trigger (ASB Case Review) service."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    context = ctx.ensure_object(Context)
    try:
        clock.set_clock(clock.clock_from_environment(context.settings.clock_start))
    except ValueError as error:
        raise click.ClickException(f"CASEREVIEW_CLOCK_START: {error}") from None


from cli import people, records, serve, setup  # noqa: E402, F401 - registers the commands
