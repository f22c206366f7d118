"""Each user's inbox: their tasks, their organisation's unclaimed tasks and, for managers,
their organisation's overdue tasks; narrowed by district, process and task."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from engine.core.errors import Conflict, NotAllowed, NotFound
from engine.core.models import User
from engine.people.access import works_on_cases
from engine.work import task_view
from engine.work.inbox import MAX_OFFSET, InboxRow, inbox_filters, list_tasks
from web.context import db, sentence, sign_in_required, signed_in_user, whole_number

blueprint = Blueprint("inbox", __name__)

# Rows on one page of each list: a screenful to work through, quick to draw.
PAGE_SIZE = 25
LAST_PAGE = MAX_OFFSET // PAGE_SIZE + 1


@dataclass(frozen=True)
class Page:
    """One page of an inbox list, with where the pages before and after it are."""

    rows: list[InboxRow]
    first: int
    previous_url: str | None
    next_url: str | None

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1


def _page(session: Session, user: User, scope: str, chosen: dict[str, str | None]) -> Page:
    argument = f"{scope}_page"
    number = max(1, min(whole_number(request.args.get(argument)) or 1, LAST_PAGE))
    rows = list_tasks(
        session, user, scope, **chosen, limit=PAGE_SIZE + 1, offset=(number - 1) * PAGE_SIZE
    )

    def url(page: int) -> str:
        arguments: dict[str, Any] = {**request.args.to_dict(), argument: str(page)}
        if page == 1:
            del arguments[argument]
        return url_for("inbox.index", **arguments, _anchor=_ANCHORS[scope])

    return Page(
        rows=rows[:PAGE_SIZE],
        first=(number - 1) * PAGE_SIZE + 1,
        previous_url=url(number - 1) if number > 1 else None,
        next_url=url(number + 1) if len(rows) > PAGE_SIZE and number < LAST_PAGE else None,
    )


_ANCHORS = {"mine": "my-tasks", "organisation": "organisation-tasks", "overdue": "overdue-tasks"}


@blueprint.get("/")
@sign_in_required
def index() -> str:
    user = signed_in_user()
    chosen = {
        key: request.args.get(key, "").strip() or None for key in ("district", "process", "task")
    }
    with db().read() as s:
        lists = {scope: _page(s, user, scope, chosen) for scope in ("mine", "organisation")}
        if user.has_role("manager"):
            lists["overdue"] = _page(s, user, "overdue", chosen)
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
        task = task_view.claim_task(db(), task_id, signed_in_user())
    except NotFound:
        abort(404)
    except NotAllowed:
        # The inbox offers only its own organisation's tasks; this is a hand-made request.
        abort(403)
    except Conflict as refused:
        flash(sentence(refused), "error")
        return redirect(url_for("inbox.index"))
    flash(f"You claimed '{task.title}'. It is now in your tasks.")
    return redirect(url_for("tasks.show", task_id=task_id))
