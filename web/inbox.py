"""Each user's inbox: their tasks, their organisation's unclaimed tasks and, for managers,
their organisation's overdue tasks; narrowed by district, process and task."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from engine import task_view
from engine.access import works_on_cases
from engine.errors import Conflict, NotAllowed, NotFound
from engine.inbox import inbox_filters, list_tasks
from web.context import current_user, db, sign_in_required

blueprint = Blueprint("inbox", __name__)


@blueprint.get("/")
@sign_in_required
def index() -> str:
    user = current_user()
    chosen = {
        key: request.args.get(key, "").strip() or None for key in ("district", "process", "task")
    }
    with db().read() as s:
        lists = {
            "mine": list_tasks(s, user, "mine", **chosen),
            "organisation": list_tasks(s, user, "organisation", **chosen),
        }
        if user.has_role("manager"):
            lists["overdue"] = list_tasks(s, user, "overdue", **chosen)
        filters = inbox_filters(s, user)
    return render_template(
        "inbox.html",
        user=user,
        mine=lists["mine"],
        waiting=lists["organisation"],
        overdue=lists.get("overdue"),
        filters=filters,
        chosen=chosen,
        filtered=any(chosen.values()),
        works_on_cases=works_on_cases(user),
    )


@blueprint.post("/tasks/<int:task_id>/claim")
@sign_in_required
def claim(task_id: int) -> Response:
    try:
        task = task_view.claim_task(db(), task_id, current_user())
    except NotFound:
        abort(404)
    except NotAllowed:
        # The inbox offers only its own organisation's tasks; this is a hand-made request.
        abort(403)
    except Conflict as refused:
        flash(str(refused)[:1].upper() + str(refused)[1:], "error")
        return redirect(url_for("inbox.index"))
    flash(f"You claimed '{task.title}'. It is now in your tasks.")
    return redirect(url_for("tasks.show", task_id=task_id))
