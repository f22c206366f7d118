"""Running the service: the web server (``serve``), the scheduler on its own (``scheduler``),
and every sweep once (``run-due``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from cli import Context, main, pass_context
from engine.core import clock

if TYPE_CHECKING:
    from engine.documents import Converter


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
            sweep_for(context.db, smtp_url, _converter(context)),
        )
    click.echo(f"Serving casereview at http://{host}:{port}/ (Ctrl+C to stop)")
    waitress.serve(
        app,
        host=host,
        port=port,
        threads=threads,
        ident="casereview",
        # Waitress drops X-Forwarded-* from every request unless told otherwise; behind the
        # proxies CASEREVIEW_TRUSTED_PROXIES counts, the app reads them (and only theirs), so
        # each person's own address is what sign-in and submission limits count.
        clear_untrusted_proxy_headers=context.settings.trusted_proxies == 0,
    )


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
    run_forever(context.db, interval, sweep_for(context.db, smtp_url, _converter(context)))


def _converter(context: Context) -> Converter:
    """The LibreOffice that makes emailed letters' PDFs as the mail goes, for the service's
    settings (started at its first letter)."""
    from engine.documents import converter_for

    return converter_for(context.settings)


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
        done = run_due(context.db, smtp_url=smtp_url, converter=_converter(context))
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
