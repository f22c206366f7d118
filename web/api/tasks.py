"""Tasks: the inboxes, one task with its form, what can be done to it, and a manager's view of
their team's work."""

from __future__ import annotations

from typing import Any

from flask import Response, request

from engine.core.errors import InvalidData
from engine.work import task_view
from engine.work.inbox import DEFAULT_LIMIT, MAX_LIMIT, inbox_filters, list_tasks, team_work
from web.api import blueprint
from web.api.common import answer, form_answers, json_body, signed_in
from web.context import db, settings, whole_number


def _row(task_id: int) -> dict[str, Any]:
    with db().read() as s:
        return task_view.task_row(s, signed_in(), task_id).as_dict()


@blueprint.get("/tasks")
def inbox() -> Response:
    user = signed_in()
    args = request.args
    limit = whole_number(args.get("limit", str(DEFAULT_LIMIT)))
    if limit is None or not 1 <= limit <= MAX_LIMIT:
        raise InvalidData("The list asked for needs correcting", {"limit": f"1 to {MAX_LIMIT}"})
    scope = args.get("scope", "mine")
    with db().read() as s:
        rows = list_tasks(
            s,
            user,
            scope,
            district=args.get("district") or None,
            process=args.get("process") or None,
            task=args.get("task") or None,
            limit=limit,
        )
    return answer({"scope": scope, "tasks": [row.as_dict() for row in rows]})


@blueprint.get("/tasks/filters")
def filters() -> Response:
    user = signed_in()
    with db().read() as s:
        return answer(inbox_filters(s, user))


@blueprint.get("/tasks/<int:task_id>")
def detail(task_id: int) -> Response:
    user = signed_in()
    # A write transaction: looking at a task's answers is recorded in the audit trail.
    with db().transaction() as s:
        return answer(task_view.task_detail(s, user, task_id, settings().forms_dir))


@blueprint.put("/tasks/<int:task_id>/draft")
def save_draft(task_id: int) -> Response:
    task = task_view.save_draft(db(), task_id, signed_in(), form_answers(json_body()))
    return answer({**_row(task.id), "draft": task.draft})


@blueprint.post("/tasks/<int:task_id>/claim")
def claim(task_id: int) -> Response:
    task = task_view.claim_task(db(), task_id, signed_in())
    return answer(_row(task.id))


@blueprint.post("/tasks/<int:task_id>/release")
def release(task_id: int) -> Response:
    task = task_view.release_task(db(), task_id, signed_in())
    return answer(_row(task.id))


@blueprint.post("/tasks/<int:task_id>/reassign")
def reassign(task_id: int) -> Response:
    user = signed_in()
    to_user = json_body().get("user_id")
    if isinstance(to_user, bool) or not isinstance(to_user, int):
        raise InvalidData("Say who should do the task", {"user_id": "Give the user's id"})
    task = task_view.reassign_task(db(), task_id, user, to_user)
    return answer(_row(task.id))


@blueprint.post("/tasks/<int:task_id>/complete")
def complete(task_id: int) -> Response:
    user = signed_in()
    data = form_answers(json_body())
    done = task_view.complete_task(db(), task_id, user, data, forms_dir=settings().forms_dir)
    return answer(done.as_dict())


@blueprint.get("/team")
def team() -> Response:
    user = signed_in()
    with db().read() as s:
        return answer(team_work(s, user).as_dict())
