"""Each user's inbox: their own tasks and their organisation's unclaimed tasks."""

from __future__ import annotations

from flask import Blueprint, render_template

from engine.inbox import my_tasks, organisation_tasks
from web.context import current_user, db, sign_in_required

blueprint = Blueprint("inbox", __name__)


@blueprint.get("/")
@sign_in_required
def index() -> str:
    user = current_user()
    with db().read() as s:
        mine = my_tasks(s, user)
        waiting = organisation_tasks(s, user)
    return render_template("inbox.html", user=user, mine=mine, waiting=waiting)
