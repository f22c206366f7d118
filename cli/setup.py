"""Setting the service up: the database, the area and the shipped diagrams (``init``), a new
version of a diagram (``deploy``), and many synthetic cases for benchmarks (``demo-load``)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from cli import Context, main, pass_context
from development.demo import (
    DEMO_PASSWORD,
    DemoUnavailable,
    demo_applicant_link,
    load_demo_cases,
    load_demo_users,
)
from engine.core.area import AreaFileError, load_area, read_area_file
from engine.core.errors import DeploymentRefused
from engine.core.migrate import upgrade_to_head
from engine.procedure import deploy
from engine.runtime import latest_definition


@main.command()
@click.option("--demo", is_flag=True, help="Also create the demo users (and print how to sign in).")
@pass_context
def init(context: Context, demo: bool) -> None:
    """Create or upgrade the database, load the area file and deploy the shipped diagrams."""
    db = context.db
    upgrade_to_head(db)
    try:
        area = read_area_file(context.settings.area_file)
    except AreaFileError as error:
        raise click.ClickException(str(error)) from None
    with db.transaction() as session:
        load_area(session, area)
    click.echo(f"Database ready; area '{area.name}' loaded with {len(area.districts)} districts.")
    refused = _deploy_shipped(context)
    if demo:
        with db.transaction() as session:
            users = load_demo_users(session)
        try:
            cases = load_demo_cases(db, context.settings)
        except DemoUnavailable as reason:
            click.echo(f"No demo cases: {reason}")
        else:
            if cases:
                click.echo(f"Demo cases at different stages: {', '.join(cases)}")
        click.echo(f"\nDemo sign-ins (password for all: {DEMO_PASSWORD}):")
        for user in users:
            click.echo(f"  {user.email:<40} {', '.join(user.roles):<28} {user.organisation}")
        link = demo_applicant_link(db)
        if link:
            click.echo(
                f"\nAs a demo applicant, follow your case at (works once; `init --demo` gives "
                f"another):\n  {link}"
            )
    if refused:
        raise click.ClickException(f"{refused} shipped diagram(s) were refused; see above")


def _deploy_shipped(context: Context) -> int:
    refused = 0
    for path in sorted(context.settings.workflows_dir.glob("*.bpmn")):
        with context.db.transaction() as session:
            try:
                # A diagram a process owner has since changed in the browser stays as they
                # left it: set-up deploys a shipped file only when it is new content.
                result = deploy(
                    session,
                    path.read_bytes(),
                    filename=path.name,
                    forms_dir=context.settings.forms_dir,
                    unless_deployed_before=True,
                )
            except DeploymentRefused as error:
                refused += 1
                click.echo(f"Refused {path.name}:", err=True)
                for problem in error.problems:
                    click.echo(f"  - {problem}", err=True)
                continue
            newest = latest_definition(session, result.definition.key)
        definition = result.definition
        state = "deployed" if result.created else "unchanged"
        if newest is not None and newest.version != definition.version:
            state = f"deployed before; version {newest.version} stays the newest"
        click.echo(f"{path.name}: {definition.key} version {definition.version} ({state})")
    return refused


@main.command("demo-load")
@click.option("--cases", "count", required=True, type=click.IntRange(10, None))
@click.option("--seed", default=2014, show_default=True, type=int)
@pass_context
def demo_load(context: Context, count: int, seed: int) -> None:
    """Add many synthetic cases at every stage (after `init --demo`), for benchmarks."""
    from development.demo_load import load_cases

    def progress(done: int, total: int) -> None:
        click.echo(f"  {done} of {total} copies written", err=True)

    try:
        result = load_cases(context.db, context.settings, count, seed=seed, progress=progress)
    except DemoUnavailable as reason:
        raise click.ClickException(str(reason)) from None
    stages = ", ".join(f"{stage}: {n}" for stage, n in sorted(result.stages.items()))
    click.echo(
        f"Added {result.cases} cases ({stages}); the database now holds {result.tasks} tasks, "
        f"{result.live_tasks} of them open or claimed."
    )


@main.command("deploy")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_context
def deploy_command(context: Context, file: Path) -> None:
    """Check a BPMN diagram and deploy it as a new version; refused with reasons if not fit."""
    with context.db.transaction() as session:
        try:
            result = deploy(
                session, file.read_bytes(), filename=file.name, forms_dir=context.settings.forms_dir
            )
        except DeploymentRefused as error:
            click.echo(f"Refused {file.name}:", err=True)
            for problem in error.problems:
                click.echo(f"  - {problem}", err=True)
            sys.exit(1)
    definition = result.definition
    if result.created:
        click.echo(f"Deployed {definition.key} version {definition.version}")
    else:
        click.echo(f"{definition.key} version {definition.version} already has this content")
    for warning in result.warnings:
        click.echo(f"  warning: {warning}")
