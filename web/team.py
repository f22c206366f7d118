"""The team's view: a manager sees every live task of their organisation by who holds it, and
gives a task to a colleague or returns it to the organisation's queue."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from engine.core.errors import Conflict, InvalidData, NotAllowed, NotFound
from engine.core.models import Task
from engine.work import task_view
from engine.work.inbox import team_work
from web.context import db, sentence, sign_in_required, signed_in_user, whole_number

blueprint = Blueprint("team", __name__)
# The choice that puts a task back in the organisation's queue, beside the colleagues' ids.
QUEUE = "queue"
CHOOSE = "Select who should do the task, or return it to the queue"


def _page(
    *, errors: dict[int, str] | None = None, problem: str = "", status: int = 200
) -> tuple[str, int]:
    """The team's view; ``errors`` by task id, shown at its form, ``problem`` above them."""
    manager = signed_in_user()
    if not manager.has_role("manager"):
        # A page of the manager's role, naming no case: refusing it discloses nothing.
        abort(403)
    with db().read() as s:
        team = team_work(s, manager)
    listed = {row.task_id for holder in (team.unclaimed, *team.people) for row in holder.rows}
    errors = errors or {}
    error_list = [{"text": problem, "href": "#summary"}] if problem else []
    # An error about a task the page does not list (no longer live) points at the summary.
    error_list += [
        {"text": text, "href": f"#give-{task_id}" if task_id in listed else "#summary"}
        for task_id, text in errors.items()
    ]
    return render_template(
        "team.html", team=team, errors=errors, error_list=error_list, queue=QUEUE
    ), status


@blueprint.get("/team")
@sign_in_required
def index() -> tuple[str, int]:
    return _page()


@blueprint.post("/team/tasks/<int:task_id>")
@sign_in_required
def give(task_id: int) -> tuple[str, int] | Response:
    """Give the task to the colleague chosen, or return it to the queue."""
    manager = signed_in_user()
    choice = request.form.get("to", "").strip()
    if not choice:
        return _page(errors={task_id: CHOOSE}, status=400)
    try:
        if choice == QUEUE:
            task = task_view.release_task(db(), task_id, manager)
        else:
            task = task_view.reassign_task(db(), task_id, manager, whole_number(choice) or 0)
    except NotFound:
        abort(404)
    except NotAllowed:
        # The team's view offers its own organisation's tasks to its managers: a hand-made
        # request, as on the inbox.
        abort(403)
    except Conflict as refused:
        return _page(problem=sentence(refused), status=409)
    except InvalidData as refused:
        return _page(errors={task_id: refused.fields.get("user_id") or CHOOSE}, status=400)
    flash(_done(task, manager_id=manager.id, returned=choice == QUEUE))
    return redirect(url_for("team.index"))


def _done(task: Task, *, manager_id: int, returned: bool) -> str:
    what = f"'{task.title}' of case {task.case.reference}"
    if returned:
        return f"{what} is back in your organisation's queue"
    if task.assignee_id == manager_id:
        return f"{what} is now yours"
    holder = task.assignee.name if task.assignee else "your colleague"
    return f"{what} is now with {holder}, who has been told"
