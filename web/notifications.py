"""Notifications: each user's own list, how they hear of new tasks, and the outbox for
administrators."""

from __future__ import annotations

from datetime import datetime

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response

from engine.chasing import notifications
from engine.chasing.leader import current_leader
from engine.core import clock
from engine.core.errors import Conflict, InvalidData, NotFound
from engine.core.models import NOTIFICATION_STATES
from engine.people.access import works_on_cases
from engine.people.new_work_email import (
    CHOICES,
    NewWorkEmail,
    choice_of,
    choose_new_work_email,
)
from web.context import (
    db,
    settings,
    sign_in_required,
    signed_in_administrator,
    signed_in_user,
)

blueprint = Blueprint("notifications", __name__)
TASK_PAGE = "tasks.show"
Page = str | Response | tuple[str, int]


@blueprint.app_template_filter("local_time")
def local_time(moment: datetime | None) -> str:
    """A stored moment as people in England and Wales read it: 2 March 2026, 9:05am."""
    if moment is None:
        return ""
    local = moment.astimezone(clock.LOCAL_ZONE)
    hour = local.hour % 12 or 12
    return f"{local.day} {local:%B %Y}, {hour}:{local:%M}{'am' if local.hour < 12 else 'pm'}"


@blueprint.get("/notifications")
@sign_in_required
def mine() -> str:
    user = signed_in_user()
    with db().read() as session:
        rows = notifications.for_user(session, user)
        unread = notifications.unread_count(session, user)
    return render_template(
        "notifications.html",
        user=user,
        rows=rows,
        unread=unread,
        choice=choice_of(user),
        task_page=TASK_PAGE if TASK_PAGE in current_app.view_functions else None,
    )


@blueprint.route("/account/notifications", methods=["GET", "POST"])
@sign_in_required
def new_work_email() -> Page:
    """How the user hears of new tasks by email: at once, once a day, or not at all."""
    user = signed_in_user()
    if request.method == "GET":
        return _new_work_page(choice_of(user), {})
    answers = {name: request.form.get(name, "") for name in ("new_work_email", "digest_time")}
    try:
        with db().transaction() as session:
            chosen = choice_of(choose_new_work_email(session, user.id, answers))
    except InvalidData as refused:
        kept = NewWorkEmail(answers["new_work_email"], answers["digest_time"])
        return _new_work_page(kept, refused.fields), 400
    flash(f"Your choice is saved. {chosen.sentence}")
    return redirect(url_for("notifications.mine"))


def _new_work_page(answers: NewWorkEmail, problems: dict[str, str]) -> str:
    return render_template(
        "new_work_email.html",
        user=signed_in_user(),
        works_on_cases=works_on_cases(signed_in_user()),
        answers=answers,
        choices=CHOICES,
        problems=problems,
        error_list=[{"text": text, "href": f"#{name}"} for name, text in problems.items()],
    )


@blueprint.post("/notifications/<int:notification_id>/read")
@sign_in_required
def read(notification_id: int) -> Response:
    try:
        with db().transaction() as session:
            notifications.mark_read(session, signed_in_user(), notification_id)
    except NotFound:
        abort(404)
    return redirect(url_for("notifications.mine"))


@blueprint.post("/notifications/read-all")
@sign_in_required
def read_all() -> Response:
    with db().transaction() as session:
        notifications.mark_all_read(session, signed_in_user())
    return redirect(url_for("notifications.mine"))


@blueprint.get("/outbox")
@sign_in_required
def outbox() -> str:
    user = signed_in_administrator()
    state = request.args.get("state") or None
    if state is not None and state not in NOTIFICATION_STATES:
        abort(404)
    with db().read() as session:
        rows = notifications.outbox(session, state=state)
        counts = notifications.outbox_counts(session)
    return render_template(
        "outbox.html",
        user=user,
        rows=rows,
        counts=counts,
        state=state,
        states=NOTIFICATION_STATES,
        mail_configured=bool(settings().smtp_url),
        leader=current_leader(db()),
    )


@blueprint.post("/outbox/<int:notification_id>/retry")
@sign_in_required
def retry(notification_id: int) -> Response:
    user = signed_in_administrator()
    try:
        with db().transaction() as session:
            notifications.retry(session, notification_id, user)
    except NotFound:
        abort(404)
    except Conflict:
        abort(409)
    return redirect(url_for("notifications.outbox", state="failed"))
