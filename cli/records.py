"""The records the service keeps: the published figures (``stats``), the audit trail
(``audit verify`` and ``audit export``), erasing what is past its retention period
(``retention``) and a person's subject access export (``subject-access``)."""

from __future__ import annotations

import getpass
import json
import sys
from datetime import datetime
from pathlib import Path

import click

from cli import Context, main, pass_context
from engine.core import clock


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
