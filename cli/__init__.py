"""The ``casereview`` command: set up, serve, sweep, deploy and administer the service."""

from __future__ import annotations

import getpass
import json
import logging
import sys
from datetime import datetime
from pathlib import Path

import click
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from development.demo import DEMO_PASSWORD, DemoUnavailable, load_demo_cases, load_demo_users
from engine.core import clock
from engine.core.area import AreaFileError, load_area, read_area_file
from engine.core.config import Settings, load_settings
from engine.core.db import Database, DatabaseConfigError, connect
from engine.core.errors import DeploymentRefused
from engine.core.migrate import upgrade_to_head
from engine.core.models import ROLES, Organisation
from engine.people.accounts import AccountError, add_user
from engine.runtime import deploy, latest_definition


class Context:
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


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@click.option(
    "--no-scheduler", is_flag=True, help="Leave sweeps to a separate `casereview scheduler`."
)
@pass_context
def serve(context: Context, host: str, port: int, threads: int, no_scheduler: bool) -> None:
    """Serve the web service, with the scheduler running inside unless told otherwise."""
    import waitress

    from development import faults
    from engine.chasing.scheduler import start_in_background
    from engine.procedure.sweeps import sweep_for
    from web import SecretKeyError, create_app

    smtp_url = _checked_smtp_url(context)
    faults.install_from_environment(context.db)
    try:
        app = create_app(context.settings, context.db)
    except SecretKeyError as error:
        raise click.ClickException(str(error)) from None
    if not no_scheduler:
        start_in_background(
            context.db,
            context.settings.scheduler_interval_seconds,
            sweep_for(context.db, smtp_url),
        )
    click.echo(f"Serving casereview at http://{host}:{port}/ (Ctrl+C to stop)")
    waitress.serve(app, host=host, port=port, threads=threads, ident="casereview")


@main.command()
@pass_context
def scheduler(context: Context) -> None:
    """Run the sweeps every interval, for deployments with several web workers.

    Start one on each of several hosts if you like: one leads, the others stand by and take
    over when it stops."""
    from engine.chasing.scheduler import run_forever
    from engine.procedure.sweeps import sweep_for

    smtp_url = _checked_smtp_url(context)
    interval = context.settings.scheduler_interval_seconds
    mail = "mail by SMTP" if smtp_url else "no mail server (messages wait in the outbox)"
    click.echo(f"Scheduler running every {interval} seconds; {mail}")
    run_forever(context.db, interval, sweep_for(context.db, smtp_url))


def _checked_smtp_url(context: Context) -> str | None:
    from engine.chasing.mailer import parse_smtp_url

    url = context.settings.smtp_url
    if url:
        try:
            parse_smtp_url(url)
        except ValueError as error:
            raise click.ClickException(str(error)) from None
    return url


@main.command("run-due")
@click.option("--now", "now_text", help="Run as if it were this moment (ISO 8601).")
@pass_context
def run_due_command(context: Context, now_text: str | None) -> None:
    """Run every sweep once: due timers, reminders, escalations and mail."""
    from engine.chasing.notifications import outbox_counts
    from engine.chasing.scheduler import SweepFailed
    from engine.procedure.sweeps import run_due

    if now_text:
        try:
            clock.set_clock(clock.FixedClock(clock.parse_moment(now_text)))
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--now") from None
    smtp_url = _checked_smtp_url(context)
    failed = None
    try:
        done = run_due(context.db, smtp_url=smtp_url)
    except SweepFailed as error:
        done, failed = error.done, error
    click.echo(
        f"At {clock.now().isoformat(timespec='minutes')}: "
        + ", ".join(f"{name.replace('_', ' ')}: {count}" for name, count in done.items())
    )
    if not smtp_url:
        with context.db.read() as session:
            waiting = outbox_counts(session)["pending"]
        if waiting:
            click.echo(
                f"No mail server is configured (CASEREVIEW_SMTP_URL): {waiting} message(s) "
                "wait in the outbox"
            )
    if failed is not None:
        raise click.ClickException(str(failed))


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


@main.command()
@click.option(
    "--year",
    required=True,
    type=click.IntRange(2000, 2100),
    help="Financial year by the year it starts in: 2021 is 1 April 2021 to 31 March 2022.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "csv", "json", "docx"]),
    default="table",
    show_default=True,
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="docx only: the file to write ('-' for standard output); "
    "default asb-case-review-statistics-YYYY-YY.docx here.",
)
@pass_context
def stats(context: Context, year: int, output_format: str, output: Path | None) -> None:
    """Print the published figures of one financial year, districts as columns."""
    from engine.cases.statistics import (
        as_json,
        figures_for_year,
        financial_year_bounds,
        render_csv,
        render_table,
    )

    if output_format == "docx":
        _stats_docx(context, year, output)
        return
    if output is not None:
        raise click.BadParameter("only --format docx writes a file", param_hint="--output")
    with context.db.read() as session:
        figures = figures_for_year(session, year)
    if output_format == "json":
        click.echo(json.dumps(as_json(figures), indent=2))
    elif output_format == "csv":
        click.echo(render_csv(figures), nl=False)
    else:
        first, last = financial_year_bounds(year)
        span = f"{first.day} {first:%B %Y} to {last.day} {last:%B %Y}"
        click.echo(f"ASB Case Review figures for {figures.label} ({span})\n")
        click.echo(render_table(figures), nl=False)


def _stats_docx(context: Context, year: int, output: Path | None) -> None:
    from engine.documents import statistics_report

    to_stdout = output is not None and str(output) == "-"
    stream = sys.stdout.buffer
    if to_stdout and sys.stdout.isatty():
        raise click.ClickException(
            "refusing to write a Word document to a terminal; use --output FILE or a pipe"
        )
    with context.db.transaction() as session:
        report = statistics_report(session, year)
    if to_stdout:
        stream.write(report.content)
        stream.flush()
        return
    target = output or Path(report.filename)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(report.content)
    click.echo(f"Wrote {target} ({len(report.content)} bytes)")


def _command_line_actor() -> str:
    """Who ran a command, for the audit trail: commands run with no signed-in user."""
    try:
        return f"command line ({getpass.getuser()})"
    except (KeyError, OSError):
        return "command line"


@main.group()
def audit() -> None:
    """The audit trail: check it has not been tampered with, and export it."""


@audit.command("verify")
@click.option(
    "--expect",
    "expected",
    multiple=True,
    metavar="POSITION:HASH",
    help="A position and hash printed by an earlier check and kept elsewhere; repeatable.",
)
@pass_context
def audit_verify(context: Context, expected: tuple[str, ...]) -> None:
    """Check every event's hash and its link to the one before; exit 1 at the first break."""
    from engine.core.audit import verify

    anchors: dict[int, str] = {}
    for item in expected:
        position, _, digest = item.partition(":")
        if not position.isdigit() or len(digest) != 64:
            raise click.BadParameter(f"'{item}' is not POSITION:HASH", param_hint="--expect")
        anchors[int(position)] = digest.lower()
    with context.db.read() as session:
        report = verify(session, anchors)
    if not report.intact:
        click.echo(f"The audit trail is broken at {report.broken}.", err=True)
        sys.exit(1)
    click.echo(
        f"The audit trail is intact: {report.events} events. Keep this line somewhere else to "
        f"check against later: --expect {report.head_seq}:{report.head_hash}"
    )


@audit.command("export")
@click.option(
    "--from",
    "first",
    required=True,
    type=click.DateTime(["%Y-%m-%d"]),
    help="First day, e.g. 2026-01-01.",
)
@click.option(
    "--to", "last", required=True, type=click.DateTime(["%Y-%m-%d"]), help="Last day, included."
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["csv", "json"]),
    default="csv",
    show_default=True,
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    default="-",
    show_default=True,
    help="The file to write ('-' for standard output).",
)
@pass_context
def audit_export(
    context: Context, first: datetime, last: datetime, output_format: str, output: Path
) -> None:
    """Export the audit trail of a date range; the export is itself recorded."""
    from engine.core.audit import export_events, render_csv

    if last.date() < first.date():
        raise click.BadParameter("the last day is before the first", param_hint="--to")
    with context.db.transaction() as session:
        events = export_events(session, first.date(), last.date(), channel=_command_line_actor())
    text = (
        render_csv(events)
        if output_format == "csv"
        else json.dumps(events, indent=2, ensure_ascii=False) + "\n"
    )
    if str(output) == "-":
        click.echo(text, nl=False)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    click.echo(f"Wrote {len(events)} event(s) to {output}")


@main.command()
@click.option(
    "--dry-run", "dry_run", is_flag=True, help="List what would be erased; change nothing."
)
@click.option("--apply", "apply_", is_flag=True, help="Erase the personal data of every case due.")
@click.option("--json", "as_json", is_flag=True, help="Print the cases as JSON.")
@pass_context
def retention(context: Context, dry_run: bool, apply_: bool, as_json: bool) -> None:
    """Erase the personal data of cases closed for longer than the area's retention period,
    keeping the facts the published figures count. Both modes are recorded."""
    from engine.records.retention import apply_retention, retention_years, review_due

    if dry_run == apply_:
        raise click.UsageError("give exactly one of --dry-run or --apply")
    actor = _command_line_actor()
    try:
        if dry_run:
            with context.db.transaction() as session:
                years = retention_years(session)
                cases = review_due(session, channel=actor)
        else:
            with context.db.read() as session:
                years = retention_years(session)
            cases = apply_retention(context.db, channel=actor)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        click.echo(json.dumps([item.as_dict() for item in cases], indent=2))
        return
    verb = "would be erased" if dry_run else "erased"
    click.echo(
        f"Retention period: {years} years after a case closes. "
        f"{len(cases)} case(s) {verb}{':' if cases else '.'}"
    )
    for item in cases:
        click.echo(
            f"  {item.reference:<16} {item.district:<22} closed {item.closed_on}, due "
            f"{item.due_on}: the applicant's and victim's details, {item.incidents} incident(s), "
            f"{item.tasks} task(s)' answers, {item.attachments} file(s), "
            f"{item.documents} document(s), {item.messages} message(s)"
        )


@main.command("subject-access")
@click.option("--name", default="", help="The person's name as given to the service.")
@click.option(
    "--email", default="", help="Their email address; a record with another address is not theirs."
)
@click.option(
    "--request",
    "request_reference",
    default="",
    help="Your reference for the request, kept in the audit trail.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The .zip to write; default subject-access-YYYY-MM-DD.zip here.",
)
@pass_context
def subject_access(
    context: Context, name: str, email: str, request_reference: str, output: Path | None
) -> None:
    """Export everything held about one person, other people's details redacted, as a zip of
    subject-access.json and the letters sent to them. The export is recorded."""
    from engine.records.subject_access import subject_access_export

    if not name.strip() and not email.strip():
        raise click.UsageError("give --name, --email or both")
    with context.db.transaction() as session:
        export = subject_access_export(
            session,
            name,
            email or None,
            request_reference=request_reference,
            channel=_command_line_actor(),
        )
    target = output or Path(f"subject-access-{clock.today().isoformat()}.zip")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(export.as_zip())
    target.chmod(0o600)
    click.echo(
        f"Wrote {target}: {len(export.case_references)} case(s), "
        f"{len(export.letters)} letter(s), {len(export.data['user_accounts'])} user account(s). "
        "Read it before release: free text may name other people."
    )
